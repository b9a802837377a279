// Package policy decides how severe each finding is and what verdict a
// target gets. The policy is a YAML file the IT department edits; the
// embedded default bans ByteDance and Tencent.
package policy

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/sdkvet/sdkvet/signatures"
)

// Severity is a finding's severity. Higher is worse.
type Severity int

// Severities, lowest first.
const (
	None Severity = iota
	Info
	Low
	Medium
	High
	Critical
)

var severityNames = []string{"none", "info", "low", "medium", "high", "critical"}

// String returns the lower-case name.
func (s Severity) String() string {
	if s < 0 || int(s) >= len(severityNames) {
		return "none"
	}
	return severityNames[s]
}

// ParseSeverity reads a severity name.
func ParseSeverity(name string) (Severity, error) {
	for i, n := range severityNames {
		if strings.EqualFold(name, n) {
			return Severity(i), nil
		}
	}
	return None, fmt.Errorf("unknown severity %q (want one of info, low, medium, high, critical)", name)
}

// UnmarshalYAML reads a severity name.
func (s *Severity) UnmarshalYAML(n *yaml.Node) error {
	v, err := ParseSeverity(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	*s = v
	return nil
}

// MarshalText writes the severity name.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Vendor status values.
const (
	Banned  = "banned"
	Watch   = "watch"
	Allowed = "allowed"
)

// VendorPolicy says how one vendor is treated.
type VendorPolicy struct {
	Status   string   `yaml:"status"`
	Severity Severity `yaml:"severity"`
}

// SeverityOnly is a block holding just a severity.
type SeverityOnly struct {
	Severity Severity `yaml:"severity"`
}

// Exception excuses matching findings until it expires.
type Exception struct {
	SDK     string `yaml:"sdk"`
	Vendor  string `yaml:"vendor"`
	App     string `yaml:"app"`
	Reason  string `yaml:"reason"`
	Owner   string `yaml:"owner"`
	Expires string `yaml:"expires"` // YYYY-MM-DD, last day it applies

	expires time.Time
}

// Policy is a parsed policy file.
type Policy struct {
	ID          string `yaml:"id"`
	Version     string `yaml:"version"`
	Description string `yaml:"description"`
	// Packs are extension packs of the signature database to switch on.
	Packs       []string                `yaml:"packs"`
	FailOn      Severity                `yaml:"fail_on"`
	WarnOn      Severity                `yaml:"warn_on"`
	Vendors     map[string]VendorPolicy `yaml:"vendors"`
	Categories  map[string]Severity     `yaml:"categories"`
	SDKs        map[string]Severity     `yaml:"sdks"`
	Apps        SeverityOnly            `yaml:"apps"`
	Endpoints   SeverityOnly            `yaml:"endpoints"`
	Identifiers SeverityOnly            `yaml:"identifiers"`
	Exceptions  []Exception             `yaml:"exceptions"`
}

// Default returns the embedded default policy.
func Default() *Policy {
	p, err := Parse("embedded:policy.yaml", signatures.DefaultPolicy())
	if err != nil {
		panic(err)
	}
	return p
}

// LoadFile reads a policy from a file.
func LoadFile(name string) (*Policy, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("read policy: %w", err)
	}
	return Parse(name, data)
}

// Parse decodes and validates a policy. Unknown fields are errors.
func Parse(name string, data []byte) (*Policy, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var p Policy
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("policy %s: %w", name, err)
	}
	var errs []error
	if p.ID == "" || p.Version == "" {
		errs = append(errs, errors.New("id and version are required"))
	}
	if p.FailOn == None {
		p.FailOn = High
	}
	if p.WarnOn == None {
		p.WarnOn = Low
	}
	for id, v := range p.Vendors {
		switch v.Status {
		case Banned, Watch, Allowed:
		default:
			errs = append(errs, fmt.Errorf("vendors.%s.status: %q is not banned, watch or allowed", id, v.Status))
		}
	}
	for i := range p.Exceptions {
		e := &p.Exceptions[i]
		n := 0
		for _, s := range []string{e.SDK, e.Vendor, e.App} {
			if s != "" {
				n++
			}
		}
		if n != 1 {
			errs = append(errs, fmt.Errorf("exceptions[%d]: name exactly one of sdk, vendor, app", i))
		}
		if e.Reason == "" || e.Owner == "" {
			errs = append(errs, fmt.Errorf("exceptions[%d]: reason and owner are required", i))
		}
		t, err := time.Parse("2006-01-02", e.Expires)
		if err != nil {
			errs = append(errs, fmt.Errorf("exceptions[%d].expires: %q is not YYYY-MM-DD", i, e.Expires))
		}
		e.expires = t
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("policy %s: %w", name, errors.Join(errs...))
	}
	return &p, nil
}

// ApplyPacks adds the vendor policies that switched-on packs bring, for
// vendors this policy does not name itself.
func (p *Policy) ApplyPacks(packs []signatures.Pack) error {
	if p.Vendors == nil {
		p.Vendors = map[string]VendorPolicy{}
	}
	for _, pk := range packs {
		for id, v := range pk.Policy.Vendors {
			if _, ok := p.Vendors[id]; ok {
				continue
			}
			sev, err := ParseSeverity(v.Severity)
			if err != nil {
				return fmt.Errorf("pack %s: vendors.%s: %w", pk.ID, id, err)
			}
			switch v.Status {
			case Banned, Watch, Allowed:
			default:
				return fmt.Errorf("pack %s: vendors.%s.status: %q is not banned, watch or allowed", pk.ID, id, v.Status)
			}
			p.Vendors[id] = VendorPolicy{Status: v.Status, Severity: sev}
		}
	}
	return nil
}

// Subject is what a finding is about, for the policy to judge.
type Subject struct {
	Kind     string // sdk, app, endpoint
	Vendor   string
	SDK      string // SDK id for kind sdk
	App      string // app id for kind app
	Category string
}

// Severity returns the severity of a finding about s; None means the policy
// does not care (the vendor is allowed or unknown to the policy).
func (p *Policy) Severity(s Subject) Severity {
	v, ok := p.Vendors[s.Vendor]
	if !ok || v.Status == Allowed {
		return None
	}
	sev := v.Severity
	switch s.Kind {
	case "app":
		sev = p.Apps.Severity
	case "endpoint":
		sev = p.Endpoints.Severity
	case "identifier":
		sev = p.Identifiers.Severity
	case "sdk":
		if c, ok := p.Categories[s.Category]; ok {
			sev = c
		}
		if o, ok := p.SDKs[s.SDK]; ok {
			sev = o
		}
	}
	if v.Status == Watch && sev > Low {
		sev = Low
	}
	return sev
}

// ExceptionFor returns the exception that covers s, and whether it has
// expired at now. It returns nil if none names s.
func (p *Policy) ExceptionFor(s Subject, now time.Time) (*Exception, bool) {
	for i := range p.Exceptions {
		e := &p.Exceptions[i]
		if (e.SDK != "" && e.SDK == s.SDK) || (e.App != "" && e.App == s.App) || (e.Vendor != "" && e.Vendor == s.Vendor) {
			return e, now.After(e.expires.Add(24 * time.Hour))
		}
	}
	return nil, false
}

// Verdict returns "fail", "warn" or "pass" for the worst severity counted.
func (p *Policy) Verdict(worst Severity) string {
	switch {
	case worst >= p.FailOn:
		return "fail"
	case worst >= p.WarnOn:
		return "warn"
	}
	return "pass"
}
