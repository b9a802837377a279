-- When each API token was last used (microseconds, 0 for never), shown by
-- `sdkvet token list` and GET /api/v1/tokens.
ALTER TABLE tokens ADD COLUMN last_used_at INTEGER NOT NULL DEFAULT 0;
CREATE INDEX sessions_user ON sessions(user_name)
