package report

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"time"

	"github.com/sdkvet/sdkvet/scanner/match"
	"github.com/sdkvet/sdkvet/scanner/observation"
	"github.com/sdkvet/sdkvet/scanner/policy"
	"github.com/sdkvet/sdkvet/signatures"
)

// MaxEvidence caps the evidence listed per finding; EvidenceCount keeps the total.
const MaxEvidence = 20

// weakKinds are evidence types that alone make only a low-confidence finding:
// a host or a string can appear in an app that merely links to a service.
var weakKinds = map[observation.Kind]bool{
	observation.Domain: true, observation.URL: true, observation.StringMarker: true,
	observation.QueriedPackage: true, observation.QueriedScheme: true,
}

// Findings groups hits into one finding per (kind, subject), judges each
// under the policy, and returns them worst first, with the worst severity
// that counts for the verdict.
func Findings(hits []match.Hit, db *signatures.DB, pol *policy.Policy, identityKey string, now time.Time) ([]Finding, policy.Severity) {
	type group struct {
		rule  *match.Rule
		hits  []match.Hit
		kinds map[observation.Kind]bool
	}
	groups := map[string]*group{}
	var order []string
	for _, h := range hits {
		key := h.Rule.Kind + "\x00" + h.Rule.Subject
		g := groups[key]
		if g == nil {
			g = &group{rule: h.Rule, kinds: map[observation.Kind]bool{}}
			groups[key] = g
			order = append(order, key)
		}
		g.hits = append(g.hits, h)
		g.kinds[h.Obs.Kind] = true
	}
	sdks := map[string]*signatures.SDK{}
	for i := range db.SDKs {
		sdks[db.SDKs[i].ID] = &db.SDKs[i]
	}
	apps := map[string]*signatures.App{}
	for i := range db.Apps {
		apps[db.Apps[i].ID] = &db.Apps[i]
	}
	var out []Finding
	worst := policy.None
	for _, key := range order {
		g := groups[key]
		r := g.rule
		f := Finding{Kind: r.Kind, Rule: r.Subject, VendorID: r.Vendor}
		if v := db.VendorByID(r.Vendor); v != nil {
			f.Vendor = v.Name
		}
		subj := policy.Subject{Kind: r.Kind, Vendor: r.Vendor}
		switch r.Kind {
		case match.KindSDK:
			if s := sdks[r.Subject]; s != nil {
				f.SDK, f.Category, f.Description = s.Name, s.Category, s.Description
				subj.SDK, subj.Category = s.ID, s.Category
			}
		case match.KindApp, match.KindIdentifier:
			if a := apps[r.Subject]; a != nil {
				f.App = a.Name
				subj.App = a.ID
			}
			if r.Kind == match.KindIdentifier {
				f.Description = "The package declares that it interacts with " + f.App + "."
			}
		case match.KindEndpoint:
			f.Rule = r.Subject + ".domains"
			f.Description = "Hosts in domains owned by " + f.Vendor + "."
		}
		sev := pol.Severity(subj)
		f.Severity = sev.String()
		f.Confidence = confidence(r.Kind, g.kinds)
		for k := range g.kinds {
			f.EvidenceKinds = append(f.EvidenceKinds, string(k))
		}
		sort.Strings(f.EvidenceKinds)
		sort.SliceStable(g.hits, func(i, j int) bool { return evidenceLess(g.hits[i], g.hits[j]) })
		f.EvidenceCount = len(g.hits)
		for i, h := range g.hits {
			if i == MaxEvidence {
				break
			}
			f.Evidence = append(f.Evidence, toEvidence(h))
		}
		sum := sha256.Sum256([]byte(r.Kind + "\x00" + f.Rule + "\x00" + identityKey))
		f.ID = hex.EncodeToString(sum[:8])
		counts := true
		if e, expired := pol.ExceptionFor(subj, now); e != nil {
			f.Exception = &Exception{Reason: e.Reason, Owner: e.Owner, Expires: e.Expires, Expired: expired, Source: "policy"}
			counts = expired
		}
		if counts && sev > worst {
			worst = sev
		}
		out = append(out, f)
	}
	sort.SliceStable(out, func(i, j int) bool {
		si, _ := policy.ParseSeverity(out[i].Severity)
		sj, _ := policy.ParseSeverity(out[j].Severity)
		if si != sj {
			return si > sj
		}
		if out[i].Kind != out[j].Kind {
			return kindRank(out[i].Kind) < kindRank(out[j].Kind)
		}
		return out[i].Rule < out[j].Rule
	})
	return out, worst
}

func kindRank(k string) int {
	switch k {
	case match.KindApp:
		return 0
	case match.KindSDK:
		return 1
	case match.KindEndpoint:
		return 2
	}
	return 3
}

// confidence grows with independent kinds of evidence: an obfuscated SDK
// still has its manifest components, native libraries and endpoints.
func confidence(kind string, kinds map[observation.Kind]bool) string {
	strong, weak := 0, 0
	for k := range kinds {
		if weakKinds[k] {
			weak++
		} else {
			strong++
		}
	}
	switch {
	case kind == match.KindApp && strong > 0:
		return "high"
	case strong >= 2, strong == 1 && weak >= 1:
		return "high"
	case strong == 1:
		return "medium"
	case weak >= 2:
		return "medium"
	}
	return "low"
}

// evidenceLess orders evidence: strong kinds first, then by path and offset,
// so that the capped list shows the most convincing items.
func evidenceLess(a, b match.Hit) bool {
	wa, wb := weakKinds[a.Obs.Kind], weakKinds[b.Obs.Kind]
	if wa != wb {
		return !wa
	}
	if a.Obs.Kind != b.Obs.Kind {
		return a.Obs.Kind < b.Obs.Kind
	}
	if a.Obs.Path != b.Obs.Path {
		return a.Obs.Path < b.Obs.Path
	}
	if a.Obs.Offset != b.Obs.Offset {
		return a.Obs.Offset < b.Obs.Offset
	}
	return a.Obs.Value < b.Obs.Value
}

func toEvidence(h match.Hit) Evidence {
	e := Evidence{Path: h.Obs.Path, Type: string(h.Obs.Kind), Value: h.Obs.Value, Detail: h.Obs.Detail,
		Matched: h.Rule.Pattern, Source: h.Rule.Source}
	if h.Obs.Line > 0 {
		l := h.Obs.Line
		e.Line = &l
		e.Column = h.Obs.Column
		if h.Obs.EndLine > l {
			e.EndLine = h.Obs.EndLine
		}
	}
	if h.Obs.Offset >= 0 {
		o := h.Obs.Offset
		e.Offset = &o
	}
	return e
}
