package vetting

import (
	"context"
	"fmt"
	"time"

	"github.com/sdkvet/sdkvet/server/store"
)

// Tokens lists the API tokens, oldest first, without their hashes.
func (s *Service) Tokens(ctx context.Context) ([]store.Token, error) {
	return s.cfg.Store.ListTokens(ctx)
}

// RevokeToken deletes an API token, so the next request carrying it is
// refused, and records who revoked it in the audit log.
func (s *Service) RevokeToken(ctx context.Context, id, actor string) (store.Token, error) {
	if id == "" || len(id) > 128 {
		return store.Token{}, ErrNotFound
	}
	t, err := s.cfg.Store.DeleteToken(ctx, id)
	if err != nil {
		return t, err
	}
	_, err = s.cfg.Store.AddAudit(context.WithoutCancel(ctx), RevokeAudit(t, actor, time.Now(), s.Engine().Settings.Version))
	return t, err
}

// RevokeAudit is the audit entry of a revoked token.
func RevokeAudit(t store.Token, actor string, at time.Time, settingsVersion int64) store.AuditEntry {
	return store.AuditEntry{At: at, Actor: actor, Action: "token.revoke",
		Detail: fmt.Sprintf("revoked API token %s (id %s, role %s)", t.Name, t.ID, t.Role), SettingsVersion: settingsVersion}
}

// PasswordAudit is the audit entry of a changed password.
func PasswordAudit(user, actor string, sessionsEnded int, at time.Time, settingsVersion int64) store.AuditEntry {
	return store.AuditEntry{At: at, Actor: actor, Action: "user.passwd",
		Detail: fmt.Sprintf("password of user %s changed; %d sessions ended", user, sessionsEnded), SettingsVersion: settingsVersion}
}
