package web

import (
	"context"
	"errors"
	"time"

	"github.com/sdkvet/sdkvet/scanner/report"
)

// Backend is what the pages need from the vetting service. The service
// implements it over its store, job queue and policy; the pages never touch
// the store or the filesystem themselves. Uploads do not go through Backend:
// the upload page posts the file straight to the REST API.
type Backend interface {
	// ListScans returns one page of scans matching f, newest first.
	ListScans(ctx context.Context, f ScanFilter) (ScanPage, error)
	// GetScan returns one scan; ErrNotFound when there is none with that id.
	GetScan(ctx context.Context, id string) (ScanDetail, error)
	// Policy returns the active policy: its version, packs and exceptions.
	Policy(ctx context.Context) (PolicyView, error)
	// SetPack switches an extension pack on or off, re-judges every stored
	// scan and returns the recorded change.
	SetPack(ctx context.Context, by User, pack string, enabled bool) (PolicyChange, error)
	// AddException adds a policy exception, re-judges every stored scan and
	// returns the recorded change.
	AddException(ctx context.Context, by User, e Exception) (PolicyChange, error)
	// PutSignature adds or replaces one of the site's signature files,
	// re-judges every stored scan and returns the recorded change. A file
	// the loader refuses comes back as an *InputError with its message.
	PutSignature(ctx context.Context, by User, f SignatureUpload) (PolicyChange, error)
	// DeleteSignature removes a signature file, re-judges every stored scan
	// and returns the recorded change; ErrNotFound when there is none.
	DeleteSignature(ctx context.Context, by User, name string) (PolicyChange, error)
	// Changes returns the recorded policy changes, newest first (at most
	// limit of them).
	Changes(ctx context.Context, limit int) ([]PolicyChange, error)
	// Flips returns the change that produced policy version version and the
	// scans whose verdict it flipped; ErrNotFound when no change made that
	// version.
	Flips(ctx context.Context, version string) (ChangeSet, error)
}

// ErrNotFound is returned by a Backend for an unknown scan or policy version.
var ErrNotFound = errors.New("not found")

// InputError is a change the backend refused because of what the user
// sent (a signature file that does not load, say); Msg is shown to them.
type InputError struct{ Msg string }

func (e *InputError) Error() string { return e.Msg }

// ErrBadCredentials is returned by Config.Login for a wrong user or password.
var ErrBadCredentials = errors.New("wrong user name or password")

// Role is what a signed-in user may do.
type Role string

// Roles, each allowed everything the previous one is.
const (
	Viewer   Role = "viewer"   // reads scans, reports and the policy
	Reviewer Role = "reviewer" // also uploads packages
	Admin    Role = "admin"    // also changes the policy
)

func (r Role) rank() int {
	switch r {
	case Viewer:
		return 1
	case Reviewer:
		return 2
	case Admin:
		return 3
	}
	return 0
}

// User is the signed-in user.
type User struct {
	Name string
	Role Role
}

// CanUpload reports whether u may upload packages.
func (u User) CanUpload() bool { return u.Role.rank() >= Reviewer.rank() }

// CanEditPolicy reports whether u may change the policy.
func (u User) CanEditPolicy() bool { return u.Role.rank() >= Admin.rank() }

// ScanFilter selects scans for the list page. Empty fields match anything.
type ScanFilter struct {
	AppID    string
	BundleID string
	Vendor   string // vendor id or name
	SDK      string // SDK id or name
	Verdict  string // pass, warn, fail, or "" for any
	Status   string // queued, running, done, failed, or "" for any
	// From is the first upload day and To the last upload day included,
	// each at 00:00 UTC (a backend matches uploads before To plus one
	// day); zero is open.
	From, To time.Time
	// Query is free text matched against file name, app id, bundle id,
	// label, SHA-256, vendors and SDKs.
	Query  string
	Limit  int
	Offset int
}

// Scan statuses.
const (
	StatusQueued  = "queued"
	StatusRunning = "running"
	StatusDone    = "done"
	StatusFailed  = "failed"
)

// ScanSummary is one row of the scan list. Every string in it may come from
// the package and is treated as hostile.
type ScanSummary struct {
	ID       string
	FileName string
	SHA256   string
	Size     int64
	Kind     string // apk, ipa, aab, ...
	Status   string // StatusQueued, ...
	Verdict  string // pass, warn, fail; "" until done
	Complete bool
	AppID    string
	BundleID string
	Label    string
	Version  string
	Vendors  []string // vendor names with a finding
	SDKs     []string // SDK names with a finding
	Findings int
	Uploaded time.Time
	By       string // who uploaded it
	// Error says why a failed scan failed.
	Error string
}

// ScanPage is one page of the scan list.
type ScanPage struct {
	Scans []ScanSummary
	Total int // matching scans across all pages
}

// ScanDetail is one scan with its report once it is done.
type ScanDetail struct {
	ScanSummary
	// Report is nil until the scan is done.
	Report *report.Report
	// PolicyVersion is the version of the policy that judged the report.
	PolicyVersion string
}

// PolicyView is the active policy as the policy page shows it.
type PolicyView struct {
	ID         string
	Version    string
	FailOn     string
	WarnOn     string
	Packs      []PackView
	Exceptions []Exception
	// Signatures are the site's own signature files.
	Signatures []SignatureView
}

// SignatureView is one of the site's stored signature files.
type SignatureView struct {
	Name     string
	VendorID string
	Extends  bool
	SDKs     int
	Apps     int
	SHA256   string
	Status   string // banned, watch, allowed, or "" (the policy decides)
	Severity string
}

// SignatureUpload is a signature file to add or replace.
type SignatureUpload struct {
	Name     string
	YAML     string
	Status   string
	Severity string
}

// PackView is one extension pack and whether it is on.
type PackView struct {
	ID          string
	Name        string
	Description string
	Enabled     bool
}

// Exception kinds: what an exception names.
const (
	ExceptSDK    = "sdk"
	ExceptVendor = "vendor"
	ExceptApp    = "app"
	ExceptRule   = "rule"
)

// Exception is a policy exception: a finding that matches is kept in the
// report, marked as excepted, and no longer counts for the verdict.
type Exception struct {
	Kind    string // ExceptSDK, ExceptVendor, ExceptApp or ExceptRule
	Value   string // the SDK, vendor, app or rule id
	Reason  string
	Owner   string
	Expires time.Time // zero: no expiry
}

// PolicyChange is one entry of the policy audit log.
type PolicyChange struct {
	Version         string // the policy version the change produced
	PreviousVersion string
	At              time.Time
	By              string
	What            string // e.g. "enabled pack eo13971"
	Flipped         int    // scans whose verdict changed
}

// ChangeSet is a policy change and the scans whose verdict it flipped.
type ChangeSet struct {
	Change PolicyChange
	Flips  []Flip
}

// Flip is one scan whose verdict changed under a new policy.
type Flip struct {
	ScanID   string
	FileName string
	AppID    string
	BundleID string
	Label    string
	Before   string
	After    string
}
