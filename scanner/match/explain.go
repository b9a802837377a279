package match

import (
	"fmt"
	"strings"

	"github.com/sdkvet/sdkvet/scanner/observation"
	"github.com/sdkvet/sdkvet/signatures"
)

// Why says in words how a hit's observation relates to its pattern.
func Why(h Hit) string {
	v, p := h.Obs.Value, h.Rule.Pattern
	switch h.Obs.Kind {
	case observation.JavaClass, observation.Component:
		switch {
		case v == p:
			return "exact class or package name"
		case strings.HasPrefix(p, ".") && strings.HasSuffix(v, p):
			return fmt.Sprintf("component name ends in %s", p)
		default:
			return fmt.Sprintf("inside package %s (prefix on a '.' or '$' boundary)", p)
		}
	case observation.Domain:
		if v == p {
			return "exact host"
		}
		return fmt.Sprintf("subdomain of %s (label boundary)", p)
	case observation.FilePath:
		if v == p {
			return "exact entry path"
		}
		return fmt.Sprintf("entry under %s", strings.TrimSuffix(p, "/"))
	case observation.StringMarker:
		return fmt.Sprintf("string contains %q", p)
	}
	return "exact " + strings.ReplaceAll(string(h.Obs.Kind), "_", " ")
}

// Interpretations are the observation kinds a bare value is tried as by
// Explain, in order.
var Interpretations = []observation.Kind{
	observation.JavaClass, observation.Component, observation.AppID, observation.QueriedPackage,
	observation.Domain, observation.NativeLib, observation.MetaData, observation.Permission,
	observation.FilePath, observation.CertSHA256, observation.StringMarker,
	observation.BundleID, observation.IOSFramework, observation.IOSBundle, observation.ObjCClass,
	observation.SwiftModule, observation.Dylib, observation.URLScheme, observation.QueriedScheme, observation.TeamID,
}

// Explain tries value as every kind of observation and returns the hits.
func (m *Matcher) Explain(value string) []Hit {
	var out []Hit
	seen := map[string]bool{}
	for _, k := range Interpretations {
		v := value
		if k == observation.Domain {
			v = strings.TrimSuffix(strings.ToLower(v), ".")
		}
		m.Match(observation.Observation{Kind: k, Value: v, Offset: -1}, func(h Hit) {
			key := string(k) + "\x00" + h.Rule.Kind + "\x00" + h.Rule.Subject + "\x00" + h.Rule.Pattern
			if !seen[key] {
				seen[key] = true
				out = append(out, h)
			}
		})
	}
	return out
}

// CheckSamples runs every SDK's samples through a matcher of db: each
// positive must be attributed to its SDK alone, each negative to nothing.
// It returns one message per failure.
func CheckSamples(db *signatures.DB) []string {
	m := Compile(db)
	var fails []string
	for _, s := range db.SDKs {
		if len(s.Samples.Positive) == 0 {
			fails = append(fails, fmt.Sprintf("%s: no positive sample", s.ID))
		}
		for _, smp := range s.Samples.Positive {
			var got []string
			m.Match(observation.Observation{Kind: observation.Kind(smp.Type), Value: smp.Value}, func(h Hit) {
				got = append(got, h.Rule.Subject)
			})
			if len(got) != 1 || got[0] != s.ID {
				fails = append(fails, fmt.Sprintf("%s: positive %s %q matched %v", s.ID, smp.Type, smp.Value, got))
			}
		}
		for _, smp := range s.Samples.Negative {
			m.Match(observation.Observation{Kind: observation.Kind(smp.Type), Value: smp.Value}, func(h Hit) {
				fails = append(fails, fmt.Sprintf("%s: negative %s %q matched %s (%s)", s.ID, smp.Type, smp.Value, h.Rule.Subject, h.Rule.Pattern))
			})
		}
	}
	return fails
}
