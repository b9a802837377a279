package api

import (
	"net/http"
	"time"
)

// Token describes an API token; its secret and hash are never sent.
type Token struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	Role       string     `json:"role"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
}

func (a *API) listTokens(w http.ResponseWriter, r *http.Request) {
	ts, err := a.Svc.Tokens(r.Context())
	if err != nil {
		fail(w, err)
		return
	}
	out := struct {
		Tokens []Token `json:"tokens"`
	}{[]Token{}}
	for _, t := range ts {
		out.Tokens = append(out.Tokens, Token{ID: t.ID, Name: t.Name, Role: t.Role, CreatedAt: t.CreatedAt, LastUsedAt: timePtr(t.LastUsedAt)})
	}
	WriteJSON(w, http.StatusOK, out)
}

// revokeToken deletes a token; the next request that carries it is
// refused.
func (a *API) revokeToken(w http.ResponseWriter, r *http.Request) {
	if _, err := a.Svc.RevokeToken(r.Context(), r.PathValue("id"), principal(r).Name); err != nil {
		fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
