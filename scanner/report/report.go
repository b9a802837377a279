// Package report defines the scan report, the public JSON contract of
// sdkvet, and builds findings from matched observations under a policy.
// Reporters (text, JSON, ...) are pure functions of a Report.
package report

// SchemaVersion is the version of the JSON report contract. Fields may be
// added without a bump; renaming or removing one requires a new version.
const SchemaVersion = "1"

// Report is the result of one scan of one or more targets.
type Report struct {
	SchemaVersion string     `json:"schema_version"`
	Tool          Tool       `json:"tool"`
	Policy        PolicyInfo `json:"policy"`
	Verdict       string     `json:"verdict"`
	Complete      bool       `json:"complete"`
	Targets       []Target   `json:"targets"`
	// Baseline describes the baseline / exception file applied after the
	// scan (nil when none was).
	Baseline *BaselineInfo `json:"baseline,omitempty"`
}

// BaselineInfo records the baseline file that was applied to a report and
// which of its entries had expired (they no longer suppress anything).
type BaselineInfo struct {
	Path       string          `json:"path"`
	Entries    int             `json:"entries"`
	Suppressed int             `json:"suppressed"`
	Expired    []BaselineEntry `json:"expired"`
}

// BaselineEntry names one entry of a baseline file.
type BaselineEntry struct {
	// Match is what the entry names, e.g. "id:3f2a…", "sdk:tencent.bugly",
	// "vendor:tencent" or "path:vendor/**".
	Match   string `json:"match"`
	Reason  string `json:"reason"`
	Expires string `json:"expires"`
}

// Tool identifies the scanner and its databases.
type Tool struct {
	Name              string `json:"name"`
	Version           string `json:"version"`
	SignaturesVersion string `json:"signatures_version"`
}

// PolicyInfo identifies the policy that produced the verdicts.
type PolicyInfo struct {
	ID      string `json:"id"`
	Version string `json:"version"`
	FailOn  string `json:"fail_on"`
	// Packs are the signature extension packs that were switched on.
	Packs []string `json:"packs"`
}

// Target is one scanned file.
type Target struct {
	Path     string    `json:"path"`
	Kind     string    `json:"kind"`
	SHA256   string    `json:"sha256"`
	Size     int64     `json:"size"`
	Identity Identity  `json:"identity"`
	Verdict  string    `json:"verdict"`
	Complete bool      `json:"complete"`
	Findings []Finding `json:"findings"`
	Errors   []Error   `json:"errors"`
}

// Identity is who the package says it is.
type Identity struct {
	AppID       *string  `json:"app_id"`
	Label       *string  `json:"label"`
	Version     *string  `json:"version"`
	VersionCode *string  `json:"version_code"`
	MinSDK      *string  `json:"min_sdk"`
	TargetSDK   *string  `json:"target_sdk"`
	BundleID    *string  `json:"bundle_id"`
	TeamID      *string  `json:"team_id"`
	Signers     []Signer `json:"signers"`
	Frameworks  []string `json:"frameworks"`
	// Permissions are the Android permissions the package requests, when
	// the scanner records them.
	Permissions []string `json:"permissions,omitempty"`
}

// Signer is one signing certificate.
type Signer struct {
	Subject string   `json:"subject"`
	Issuer  string   `json:"issuer"`
	SHA256  string   `json:"sha256"`
	Schemes []string `json:"schemes"`
}

// Finding is one SDK, app, endpoint owner or identifier found in a target,
// with every piece of evidence that supports it (capped) and its count.
type Finding struct {
	ID            string     `json:"id"`
	Kind          string     `json:"kind"`
	Rule          string     `json:"rule"`
	SDK           string     `json:"sdk,omitempty"`
	App           string     `json:"app,omitempty"`
	Vendor        string     `json:"vendor"`
	VendorID      string     `json:"vendor_id"`
	Category      string     `json:"category,omitempty"`
	Description   string     `json:"description,omitempty"`
	Severity      string     `json:"severity"`
	Confidence    string     `json:"confidence"`
	EvidenceKinds []string   `json:"evidence_kinds"`
	EvidenceCount int        `json:"evidence_count"`
	Evidence      []Evidence `json:"evidence"`
	Exception     *Exception `json:"exception,omitempty"`
}

// Evidence is one observation that supports a finding.
type Evidence struct {
	Path    string `json:"path"`
	Type    string `json:"type"`
	Value   string `json:"value"`
	Detail  string `json:"detail,omitempty"`
	Matched string `json:"matched"`
	Source  string `json:"source"`
	Line    *int   `json:"line"`
	Offset  *int64 `json:"offset"`
	// Column is the 1-based byte column on Line, for evidence in a text
	// file (source code, a build manifest); absent otherwise.
	Column int `json:"column,omitempty"`
	// EndLine is the last line of evidence that spans several lines.
	EndLine int `json:"end_line,omitempty"`
}

// Exception records a policy exception or a baseline entry that covers a
// finding. A finding with an unexpired exception is suppressed: it stays in
// the report but does not count for the verdict.
type Exception struct {
	Reason  string `json:"reason"`
	Owner   string `json:"owner"`
	Expires string `json:"expires"`
	Expired bool   `json:"expired"`
	// Source is where the exception comes from: "policy" (or empty, in
	// reports written before this field) or "baseline".
	Source string `json:"source,omitempty"`
	// Match is what the baseline entry named (see BaselineEntry.Match).
	Match string `json:"match,omitempty"`
}

// Suppressed reports whether an unexpired exception covers f.
func (f *Finding) Suppressed() bool { return f.Exception != nil && !f.Exception.Expired }

// Error is a part of a target that could not be read completely.
type Error struct {
	Path  string `json:"path"`
	Error string `json:"error"`
}

// Verdicts, from best to worst.
const (
	Pass = "pass"
	Warn = "warn"
	Fail = "fail"
)

// Add appends a target and folds its verdict and completeness into the
// report's.
func (r *Report) Add(t Target) {
	r.Targets = append(r.Targets, t)
	r.Verdict = WorseVerdict(r.Verdict, t.Verdict)
	r.Complete = r.Complete && t.Complete
}

// WorseVerdict returns the worse of two verdicts.
func WorseVerdict(a, b string) string {
	rank := map[string]int{"": 0, Pass: 1, Warn: 2, Fail: 3}
	if rank[b] > rank[a] {
		return b
	}
	return a
}
