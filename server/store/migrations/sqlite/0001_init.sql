CREATE TABLE scans (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  sha256 TEXT NOT NULL UNIQUE,
  filename TEXT NOT NULL,
  size INTEGER NOT NULL,
  kind TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL,
  error TEXT NOT NULL DEFAULT '',
  verdict TEXT NOT NULL DEFAULT '',
  complete INTEGER NOT NULL DEFAULT 0,
  app_id TEXT NOT NULL DEFAULT '',
  bundle_id TEXT NOT NULL DEFAULT '',
  label TEXT NOT NULL DEFAULT '',
  version TEXT NOT NULL DEFAULT '',
  uploaded_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  started_at INTEGER NOT NULL DEFAULT 0,
  finished_at INTEGER NOT NULL DEFAULT 0,
  attempts INTEGER NOT NULL DEFAULT 0,
  findings_hash TEXT NOT NULL DEFAULT '',
  judged_version INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX scans_status ON scans(status, seq);
CREATE INDEX scans_app_id ON scans(app_id);
CREATE INDEX scans_bundle_id ON scans(bundle_id);
CREATE INDEX scans_verdict ON scans(verdict);
CREATE INDEX scans_created ON scans(created_at);
CREATE TABLE extracts (
  scan_id TEXT PRIMARY KEY REFERENCES scans(id) ON DELETE CASCADE,
  data BLOB NOT NULL
);
CREATE TABLE findings (
  scan_id TEXT NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
  rule TEXT NOT NULL,
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  vendor_id TEXT NOT NULL,
  vendor TEXT NOT NULL,
  severity TEXT NOT NULL,
  suppressed INTEGER NOT NULL
);
CREATE INDEX findings_scan ON findings(scan_id);
CREATE INDEX findings_rule ON findings(rule);
CREATE INDEX findings_vendor ON findings(vendor_id);
CREATE TABLE users (
  name TEXT PRIMARY KEY,
  role TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE tokens (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  role TEXT NOT NULL,
  hash TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL
);
CREATE TABLE sessions (
  hash TEXT PRIMARY KEY,
  user_name TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,
  csrf TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE TABLE settings (
  version INTEGER PRIMARY KEY AUTOINCREMENT,
  policy_yaml TEXT NOT NULL,
  packs TEXT NOT NULL,
  author TEXT NOT NULL,
  note TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE flips (
  settings_version INTEGER NOT NULL,
  scan_id TEXT NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
  old_verdict TEXT NOT NULL,
  new_verdict TEXT NOT NULL
);
CREATE INDEX flips_version ON flips(settings_version);
CREATE TABLE audit (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  detail TEXT NOT NULL,
  settings_version INTEGER NOT NULL,
  flipped INTEGER NOT NULL
);
