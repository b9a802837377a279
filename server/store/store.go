// Package store keeps the vetting service's state: scans and their stored
// extracts, the finding index used for search, users, API tokens, sessions,
// versioned settings (policy and packs), verdict flips and the audit log.
// One interface, two implementations over database/sql: SQLite (embedded,
// the default) and PostgreSQL. Both run the same embedded migrations and
// pass the same test suite (storetest).
package store

import (
	"context"
	"errors"
	"time"
)

// Errors returned by every Store.
var (
	ErrNotFound = errors.New("not found")
	ErrExists   = errors.New("already exists")
)

// Scan statuses.
const (
	StatusQueued  = "queued"
	StatusRunning = "running"
	StatusDone    = "done"
	StatusFailed  = "failed"
)

// Scan is one uploaded package and where its scan stands.
type Scan struct {
	ID         string
	SHA256     string
	Filename   string
	Size       int64
	Kind       string
	Status     string
	Error      string
	Verdict    string
	Complete   bool
	AppID      string
	BundleID   string
	Label      string
	Version    string
	UploadedBy string
	CreatedAt  time.Time
	StartedAt  time.Time
	FinishedAt time.Time
	Attempts   int
	// FindingsHash summarises the findings (rule, severity, suppression)
	// so a re-evaluation can tell which scans changed.
	FindingsHash  string
	JudgedVersion int64
}

// Finding is one row of the finding index.
type Finding struct {
	Rule       string
	Kind       string
	Name       string // SDK or app name
	VendorID   string
	Vendor     string
	Severity   string
	Suppressed bool
}

// Result is what a finished scan stores.
type Result struct {
	Kind     string
	Extract  []byte // extractcodec form
	AppID    string
	BundleID string
	Label    string
	Version  string
	Judgement
}

// Judgement is a scan judged under one settings version.
type Judgement struct {
	ScanID        string
	Verdict       string
	Complete      bool
	FindingsHash  string
	Findings      []Finding
	JudgedVersion int64
}

// StoredExtract is a finished scan's extract with its current judgement.
type StoredExtract struct {
	ScanID        string
	Verdict       string
	FindingsHash  string
	JudgedVersion int64
	Data          []byte
}

// Query selects scans. Empty fields do not filter.
type Query struct {
	AppID    string
	BundleID string
	VendorID string
	Rule     string // SDK or app rule id
	Verdict  string
	Status   string
	// Text matches part of the file name, app id, bundle id, label or
	// SHA-256 (case-insensitive).
	Text   string
	Since  time.Time
	Until  time.Time
	Limit  int
	Offset int
}

// User is a person who logs in to the page.
type User struct {
	Name         string
	Role         string
	PasswordHash string
	CreatedAt    time.Time
}

// Token is an API token; only its SHA-256 is stored.
type Token struct {
	ID   string
	Name string
	Role string
	// Hash is the token's SHA-256; ListTokens and DeleteToken leave it
	// empty.
	Hash      string
	CreatedAt time.Time
	// LastUsedAt is when the token last authenticated a request (zero:
	// never), updated at most once a minute (TokenUseInterval).
	LastUsedAt time.Time
}

// TokenUseInterval is how stale a token's LastUsedAt may get: a request
// records its use only when the stored time is older, so a busy token does
// not write to the store on every request.
const TokenUseInterval = time.Minute

// Session is a logged-in page session; only its id's SHA-256 is stored.
type Session struct {
	Hash      string
	UserName  string
	CSRF      string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// Settings is one version of the policy, the switched-on packs and the
// site's own signature files.
type Settings struct {
	Version    int64
	PolicyYAML string
	Packs      []string
	// Signatures are vendor files added by the site, in name order.
	Signatures []SignatureFile
	Author     string
	Note       string
	CreatedAt  time.Time
}

// SignatureFile is a vendor file (the format of signatures/*.yaml) stored
// in the settings.
type SignatureFile struct {
	Name string `json:"name"`
	YAML string `json:"yaml"`
	// Status and Severity, when Status is set, are the policy for the
	// file's vendor where the policy does not name that vendor itself.
	Status   string `json:"status,omitempty"`
	Severity string `json:"severity,omitempty"`
}

// Flip is a scan whose verdict changed under a settings version.
type Flip struct {
	SettingsVersion int64
	ScanID          string
	OldVerdict      string
	NewVerdict      string
	// Filled by Flips from the scan.
	Filename string
	AppID    string
	BundleID string
	Label    string
}

// AuditEntry records who changed what, and its effect.
type AuditEntry struct {
	ID              int64
	At              time.Time
	Actor           string
	Action          string
	Detail          string
	SettingsVersion int64
	Flipped         int
}

// Store is the service's persistent state. Implementations are safe for
// concurrent use.
type Store interface {
	// CreateScan inserts a queued scan. When a scan of the same SHA-256
	// exists, it returns that scan and created=false.
	CreateScan(ctx context.Context, s Scan) (got Scan, created bool, err error)
	GetScan(ctx context.Context, id string) (Scan, error)
	ScanBySHA256(ctx context.Context, sha string) (Scan, error)
	ListScans(ctx context.Context, q Query) ([]Scan, int, error)
	// DeleteScan removes a scan with its extract, findings and flips.
	DeleteScan(ctx context.Context, id string) (Scan, error)
	// ClaimScan moves the oldest queued scan to running; ok is false
	// when the queue is empty.
	ClaimScan(ctx context.Context, now time.Time) (s Scan, ok bool, err error)
	// RequeueRunning puts scans left running (by a process that stopped)
	// back in the queue, and fails those tried maxAttempts times.
	RequeueRunning(ctx context.Context, maxAttempts int) (requeued int, err error)
	FinishScan(ctx context.Context, id string, r Result, now time.Time) error
	FailScan(ctx context.Context, id, msg string, now time.Time) error
	// RetryScan puts a failed scan back in the queue (same id, error and
	// start/finish times cleared, attempts kept). ok is false, and the
	// scan is returned unchanged, when it is not failed.
	RetryScan(ctx context.Context, id string) (s Scan, ok bool, err error)
	GetExtract(ctx context.Context, id string) ([]byte, error)
	// Extracts returns up to limit finished scans with an id after
	// afterID whose judged version is below version, in id order.
	Extracts(ctx context.Context, afterID string, version int64, limit int) ([]StoredExtract, error)
	// ApplyJudgements stores new judgements and the verdict flips they
	// caused, in one transaction.
	ApplyJudgements(ctx context.Context, js []Judgement, flips []Flip) error
	ScanFindings(ctx context.Context, id string) ([]Finding, error)
	CountByStatus(ctx context.Context) (map[string]int, error)

	CreateUser(ctx context.Context, u User) error
	GetUser(ctx context.Context, name string) (User, error)
	// SetPassword replaces a user's password hash and ends every session
	// of that user, in one transaction; it returns how many sessions
	// ended, or ErrNotFound.
	SetPassword(ctx context.Context, name, passwordHash string) (sessionsEnded int, err error)
	CreateToken(ctx context.Context, t Token) error
	TokenByHash(ctx context.Context, hash string) (Token, error)
	// ListTokens returns every token, oldest first, without its hash.
	ListTokens(ctx context.Context) ([]Token, error)
	// DeleteToken removes a token (revokes it) and returns it without
	// its hash, or ErrNotFound.
	DeleteToken(ctx context.Context, id string) (Token, error)
	// TouchToken records that a token was used at now, unless its stored
	// last use is within TokenUseInterval of now.
	TouchToken(ctx context.Context, id string, now time.Time) error
	CreateSession(ctx context.Context, s Session) error
	SessionByHash(ctx context.Context, hash string, now time.Time) (Session, error)
	DeleteSession(ctx context.Context, hash string) error

	// CurrentSettings returns the latest settings, ErrNotFound if none.
	CurrentSettings(ctx context.Context) (Settings, error)
	AddSettings(ctx context.Context, s Settings) (Settings, error)
	ListSettings(ctx context.Context) ([]Settings, error)
	Flips(ctx context.Context, version int64) ([]Flip, error)
	AddAudit(ctx context.Context, a AuditEntry) (AuditEntry, error)
	ListAudit(ctx context.Context, limit int) ([]AuditEntry, error)

	Close() error
}
