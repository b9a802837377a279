package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"

	"github.com/sdkvet/sdkvet/scanner/match"
	"github.com/sdkvet/sdkvet/scanner/policy"
	"github.com/sdkvet/sdkvet/signatures"
)

func newSignaturesCmd() *cobra.Command {
	var f dbFlags
	cmd := &cobra.Command{
		Use:   "signatures",
		Short: "Inspect, validate and test the signature database",
	}
	f.register(cmd.PersistentFlags())

	list := &cobra.Command{
		Use:   "list",
		Short: "List vendors, SDKs and apps with their rule counts",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			db, pol, err := f.load()
			if err != nil {
				return usage("%v", err)
			}
			w := c.OutOrStdout()
			fmt.Fprintf(w, "signatures %s (%d vendors, %d SDKs, %d apps); policy %s %s\n\n", db.Version, len(db.Vendors), len(db.SDKs), len(db.Apps), pol.ID, pol.Version)
			tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tKIND\tVENDOR\tCATEGORY\tSEVERITY\tRULES\tNAME")
			for _, s := range db.SDKs {
				sev := pol.Severity(policySubject("sdk", s.Vendor, s.ID, "", s.Category))
				fmt.Fprintf(tw, "%s\tsdk\t%s\t%s\t%s\t%d\t%s\n", s.ID, s.Vendor, s.Category, sev, countSDK(s), s.Name)
			}
			for _, a := range db.Apps {
				sev := pol.Severity(policySubject("app", a.Vendor, "", a.ID, ""))
				n := 0
				for _, r := range a.Rules {
					n += len(r.AndroidAppIDs) + len(r.IOSBundleIDs) + len(r.CertSHA256)
				}
				fmt.Fprintf(tw, "%s\tapp\t%s\t-\t%s\t%d\t%s\n", a.ID, a.Vendor, sev, n, a.Name)
			}
			return tw.Flush()
		},
	}

	show := &cobra.Command{
		Use:   "show ID",
		Short: "Show one vendor, SDK or app as YAML, with its sources",
		Args:  cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			db, _, err := f.load()
			if err != nil {
				return usage("%v", err)
			}
			var v any
			for i := range db.SDKs {
				if db.SDKs[i].ID == args[0] {
					v = db.SDKs[i]
				}
			}
			for i := range db.Apps {
				if db.Apps[i].ID == args[0] {
					v = db.Apps[i]
				}
			}
			if vd := db.VendorByID(args[0]); vd != nil {
				v = vd
			}
			if v == nil {
				return usage("no vendor, SDK or app %q (see 'sdkvet signatures list')", args[0])
			}
			enc := yaml.NewEncoder(c.OutOrStdout())
			enc.SetIndent(2)
			return enc.Encode(v)
		},
	}

	validate := &cobra.Command{
		Use:   "validate DIR...",
		Short: "Validate vendor YAML files in DIR against the schema, together with the embedded database",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			g := f
			g.signatureDirs = append(append([]string{}, f.signatureDirs...), args...)
			db, _, err := g.load()
			if err != nil {
				return &codeError{code: exitViolation, err: err}
			}
			if fails := match.CheckSamples(db); len(fails) > 0 {
				return &codeError{code: exitViolation, err: fmt.Errorf("%d sample(s) failed: %s", len(fails), strings.Join(fails, "; "))}
			}
			fmt.Fprintf(c.OutOrStdout(), "ok: %d vendors, %d SDKs, %d apps (signatures %s)\n", len(db.Vendors), len(db.SDKs), len(db.Apps), db.Version)
			return nil
		},
	}

	test := &cobra.Command{
		Use:   "test",
		Short: "Check every SDK's positive and look-alike negative samples",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			db, _, err := f.load()
			if err != nil {
				return usage("%v", err)
			}
			fails := match.CheckSamples(db)
			n := 0
			for _, s := range db.SDKs {
				n += len(s.Samples.Positive) + len(s.Samples.Negative)
			}
			for _, msg := range fails {
				fmt.Fprintln(c.OutOrStdout(), "FAIL "+msg)
			}
			fmt.Fprintf(c.OutOrStdout(), "%d passed, %d failed\n", n-len(fails), len(fails))
			if len(fails) > 0 {
				return &codeError{code: exitViolation}
			}
			return nil
		},
	}

	explain := &cobra.Command{
		Use:   "explain VALUE",
		Short: "Say which rule a class name, host, app id, library or path would hit, and why",
		Args:  cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			db, pol, err := f.load()
			if err != nil {
				return usage("%v", err)
			}
			return explainValue(c.OutOrStdout(), db, pol, args[0])
		},
	}

	packs := &cobra.Command{
		Use:   "packs",
		Short: "List the extension packs that --pack or the policy's packs list can switch on",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			list, err := signatures.Packs()
			if err != nil {
				return err
			}
			for _, p := range list {
				ids := make([]string, 0, len(p.Policy.Vendors))
				for id, v := range p.Policy.Vendors {
					ids = append(ids, id+"="+v.Status)
				}
				sort.Strings(ids)
				fmt.Fprintf(c.OutOrStdout(), "%s\t%s\n\t%s\n\tvendors: %s\n", p.ID, p.Name, strings.TrimSpace(p.Description), strings.Join(ids, ", "))
			}
			return nil
		},
	}
	cmd.AddCommand(list, show, validate, test, explain, packs)
	return cmd
}

func countSDK(s signatures.SDK) int {
	n := 0
	for i := range s.Rules {
		n += s.Rules[i].Count()
	}
	return n
}

func policySubject(kind, vendor, sdk, app, category string) policy.Subject {
	return policy.Subject{Kind: kind, Vendor: vendor, SDK: sdk, App: app, Category: category}
}

// explainValue prints every rule value would hit, as each kind of
// observation, with the rule's source and the policy's severity.
func explainValue(w io.Writer, db *signatures.DB, pol *policy.Policy, value string) error {
	m := match.Compile(db)
	hits := m.Explain(value)
	if len(hits) == 0 {
		fmt.Fprintf(w, "%q matches no rule (tried as: %s)\n", value, kinds())
		return nil
	}
	sdks := map[string]signatures.SDK{}
	for _, s := range db.SDKs {
		sdks[s.ID] = s
	}
	for _, h := range hits {
		r := h.Rule
		subj := policySubject(r.Kind, r.Vendor, "", "", "")
		name := r.Subject
		switch r.Kind {
		case match.KindSDK:
			s := sdks[r.Subject]
			subj.SDK, subj.Category = s.ID, s.Category
			name = fmt.Sprintf("%s (%s, %s)", r.Subject, s.Name, s.Category)
		case match.KindApp, match.KindIdentifier:
			subj.App = r.Subject
		}
		fmt.Fprintf(w, "as %s: %s %s, severity %s\n  pattern %q: %s\n  source: %s\n",
			strings.ReplaceAll(string(h.Obs.Kind), "_", " "), r.Kind, name, pol.Severity(subj), r.Pattern, match.Why(h), r.Source)
	}
	return nil
}

func kinds() string {
	var out []string
	for _, k := range match.Interpretations {
		out = append(out, string(k))
	}
	return strings.Join(out, ", ")
}
