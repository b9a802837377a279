// Package baseline reads and applies a baseline / exception file kept in a
// repository (".sdkvet.yaml" by default): findings a team has reviewed and
// accepted, each entry naming a finding id, an SDK or rule, a vendor or a
// path, with a reason and an expiry date.
//
// Applying a baseline to a report marks the findings it covers as
// suppressed (Finding.Exception with source "baseline"): they stay in the
// report, visible as suppressed in JSON and SARIF, and no longer count for
// the verdict. An entry past its expiry date stops applying; the findings
// it would have covered say so (Exception.Expired) and the report lists it
// under baseline.expired.
package baseline

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
	"unicode"

	"github.com/bmatcuk/doublestar/v4"
	"go.yaml.in/yaml/v3"

	"github.com/sdkvet/sdkvet/scanner/policy"
	"github.com/sdkvet/sdkvet/scanner/report"
)

// DefaultName is the file looked for in the current directory.
const DefaultName = ".sdkvet.yaml"

// MaxSize bounds the file read.
const MaxSize = 4 << 20

// Entry is one accepted finding or group of findings. Exactly one of ID,
// SDK, Rule, Vendor and Path is set.
type Entry struct {
	ID      string `yaml:"id,omitempty"`
	SDK     string `yaml:"sdk,omitempty"`
	Rule    string `yaml:"rule,omitempty"`
	Vendor  string `yaml:"vendor,omitempty"`
	Path    string `yaml:"path,omitempty"` // a glob (** allowed) over target and evidence paths
	Reason  string `yaml:"reason"`
	Owner   string `yaml:"owner,omitempty"`
	Expires string `yaml:"expires"` // YYYY-MM-DD, the last day the entry applies

	expires time.Time
}

// File is a parsed baseline file.
type File struct {
	Schema     int     `yaml:"schema"`
	Exceptions []Entry `yaml:"exceptions"`
}

// Match returns what the entry names, as "id:…", "sdk:…", "rule:…",
// "vendor:…" or "path:…".
func (e *Entry) Match() string {
	switch {
	case e.ID != "":
		return "id:" + e.ID
	case e.SDK != "":
		return "sdk:" + e.SDK
	case e.Rule != "":
		return "rule:" + e.Rule
	case e.Vendor != "":
		return "vendor:" + e.Vendor
	}
	return "path:" + e.Path
}

// Expired reports whether now is after the entry's last day.
func (e *Entry) Expired(now time.Time) bool {
	return now.After(e.expires.Add(24 * time.Hour))
}

// Load reads and validates a baseline file.
func Load(name string) (*File, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("read baseline: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("read baseline %s: %w", name, err)
	}
	if len(data) > MaxSize {
		return nil, fmt.Errorf("baseline %s: larger than %d bytes", name, MaxSize)
	}
	return Parse(name, data)
}

// Parse decodes and validates a baseline. Unknown fields are errors.
func Parse(name string, data []byte) (*File, error) {
	var f File
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("baseline %s: %w", name, err)
	}
	var errs []error
	if f.Schema != 0 && f.Schema != 1 {
		errs = append(errs, fmt.Errorf("schema %d: this sdkvet reads schema 1", f.Schema))
	}
	for i := range f.Exceptions {
		e := &f.Exceptions[i]
		n := 0
		for _, s := range []string{e.ID, e.SDK, e.Rule, e.Vendor, e.Path} {
			if s != "" {
				n++
			}
		}
		if n != 1 {
			errs = append(errs, fmt.Errorf("exceptions[%d]: name exactly one of id, sdk, rule, vendor, path", i))
		}
		if strings.TrimSpace(e.Reason) == "" {
			errs = append(errs, fmt.Errorf("exceptions[%d] (%s): a reason is required", i, e.Match()))
		}
		t, err := time.Parse("2006-01-02", e.Expires)
		if err != nil {
			errs = append(errs, fmt.Errorf("exceptions[%d] (%s): expires %q is not YYYY-MM-DD", i, e.Match(), e.Expires))
		}
		e.expires = t
		if e.Path != "" && !doublestar.ValidatePattern(e.Path) {
			errs = append(errs, fmt.Errorf("exceptions[%d]: path %q is not a valid glob", i, e.Path))
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("baseline %s: %w", name, errors.Join(errs...))
	}
	return &f, nil
}

// covers reports whether the entry names finding fd of target t.
func (e *Entry) covers(t *report.Target, fd *report.Finding) bool {
	switch {
	case e.ID != "":
		return e.ID == fd.ID
	case e.SDK != "":
		return e.SDK == fd.Rule
	case e.Rule != "":
		return e.Rule == fd.Rule
	case e.Vendor != "":
		return strings.EqualFold(e.Vendor, fd.VendorID) || strings.EqualFold(e.Vendor, fd.Vendor)
	case e.Path != "":
		if pathMatch(e.Path, t.Path) {
			return true
		}
		// Every piece of evidence lies under the path (a vendored
		// directory of a source tree, one nested archive).
		if len(fd.Evidence) == 0 {
			return false
		}
		for _, ev := range fd.Evidence {
			if !pathMatch(e.Path, ev.Path) {
				return false
			}
		}
		return true
	}
	return false
}

func pathMatch(pattern, p string) bool {
	p = strings.TrimPrefix(strings.ReplaceAll(p, "\\", "/"), "./")
	pattern = strings.TrimPrefix(pattern, "./")
	ok, _ := doublestar.Match(pattern, p)
	if !ok && strings.HasSuffix(pattern, "/**") {
		// "dir/**" also names "dir" itself.
		ok = strings.TrimSuffix(pattern, "/**") == p
	}
	return ok
}

// Apply marks the findings of r that f covers as suppressed, records the
// baseline in r.Baseline (name is the file's path as shown), and judges
// every target and the report again under pol.
func Apply(r *report.Report, f *File, name string, pol *policy.Policy, now time.Time) {
	info := &report.BaselineInfo{Path: name, Entries: len(f.Exceptions), Expired: []report.BaselineEntry{}}
	for i := range f.Exceptions {
		e := &f.Exceptions[i]
		if e.Expired(now) {
			info.Expired = append(info.Expired, report.BaselineEntry{Match: e.Match(), Reason: e.Reason, Expires: e.Expires})
		}
	}
	r.Verdict = report.Pass
	for ti := range r.Targets {
		t := &r.Targets[ti]
		worst := policy.None
		for fi := range t.Findings {
			fd := &t.Findings[fi]
			if !fd.Suppressed() {
				if e, expired := f.find(t, fd, now); e != nil {
					fd.Exception = &report.Exception{Reason: e.Reason, Owner: e.Owner, Expires: e.Expires, Expired: expired,
						Source: "baseline", Match: e.Match()}
					if !expired {
						info.Suppressed++
					}
				}
			}
			if fd.Suppressed() {
				continue
			}
			if s, err := policy.ParseSeverity(fd.Severity); err == nil && s > worst {
				worst = s
			}
		}
		t.Verdict = pol.Verdict(worst)
		r.Verdict = report.WorseVerdict(r.Verdict, t.Verdict)
	}
	r.Baseline = info
}

// find returns the entry that covers fd: an unexpired one if any, else an
// expired one (so the report can say it expired), else nil.
func (f *File) find(t *report.Target, fd *report.Finding, now time.Time) (*Entry, bool) {
	var expired *Entry
	for i := range f.Exceptions {
		e := &f.Exceptions[i]
		if !e.covers(t, fd) {
			continue
		}
		if !e.Expired(now) {
			return e, false
		}
		if expired == nil {
			expired = e
		}
	}
	return expired, expired != nil
}

// FromReport builds a baseline accepting every finding of r that is not
// already suppressed, by finding id, with the given reason and expiry.
func FromReport(r *report.Report, reason, expires string) (*File, []string) {
	f := &File{Schema: 1, Exceptions: []Entry{}}
	var notes []string
	seen := map[string]bool{}
	for _, t := range r.Targets {
		for _, fd := range t.Findings {
			if fd.Suppressed() || seen[fd.ID] {
				continue
			}
			seen[fd.ID] = true
			f.Exceptions = append(f.Exceptions, Entry{ID: fd.ID, Reason: reason, Expires: expires})
			name := fd.SDK
			if name == "" {
				name = fd.App
			}
			if name == "" {
				name = fd.Rule
			}
			notes = append(notes, fmt.Sprintf("%s %s (%s, %s) in %s", fd.Kind, name, fd.Vendor, fd.Severity, t.Path))
		}
	}
	return f, notes
}

// Write writes f as YAML with a header; notes, one per entry, become
// comments saying what each entry accepts.
func Write(w io.Writer, f *File, notes []string) error {
	var b strings.Builder
	b.WriteString("# sdkvet baseline: findings reviewed and accepted. Each entry names one of\n")
	b.WriteString("# id (a finding id), sdk or rule (a signature id), vendor, or path (a glob over\n")
	b.WriteString("# package and evidence paths), with a reason and the last day it applies.\n")
	b.WriteString("# An expired entry stops applying and the report says so.\n")
	fmt.Fprintf(&b, "schema: %d\n", f.Schema)
	if len(f.Exceptions) == 0 {
		b.WriteString("exceptions: []\n")
	} else {
		b.WriteString("exceptions:\n")
	}
	for i, e := range f.Exceptions {
		if i < len(notes) {
			fmt.Fprintf(&b, "  # %s\n", commentText(notes[i]))
		}
		key, val, _ := strings.Cut(e.Match(), ":")
		fmt.Fprintf(&b, "  - %s: %s\n", key, quote(val))
		fmt.Fprintf(&b, "    reason: %s\n", quote(e.Reason))
		if e.Owner != "" {
			fmt.Fprintf(&b, "    owner: %s\n", quote(e.Owner))
		}
		fmt.Fprintf(&b, "    expires: %s\n", quote(e.Expires))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// commentText makes s safe on one comment line: every control character
// (LF, CR, NEL among them) and the Unicode line and paragraph separators,
// which YAML also reads as line breaks, become spaces, so that a file name
// cannot end the comment and add an entry.
func commentText(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || unicode.Is(unicode.Bidi_Control, r) {
			return ' '
		}
		return r
	}, s)
}

// quote renders s as a YAML scalar (always a string).
func quote(s string) string {
	out, err := yaml.Marshal(s)
	if err != nil {
		return fmt.Sprintf("%q", s)
	}
	v := strings.TrimSuffix(string(out), "\n")
	if strings.Contains(v, "\n") {
		return fmt.Sprintf("%q", s)
	}
	return v
}
