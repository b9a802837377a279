package api

import (
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/sdkvet/sdkvet/server/store"
	"github.com/sdkvet/sdkvet/server/vetting"
)

// SignatureFile describes one of the site's stored signature files.
type SignatureFile struct {
	Name     string `json:"name"`
	VendorID string `json:"vendor_id"`
	Extends  bool   `json:"extends"`
	SDKs     int    `json:"sdks"`
	Apps     int    `json:"apps"`
	Size     int    `json:"size"`
	SHA256   string `json:"sha256"`
	Status   string `json:"status"`
	Severity string `json:"severity"`
}

func (a *API) listSignatures(w http.ResponseWriter, r *http.Request) {
	out := struct {
		Version int64           `json:"version"`
		Files   []SignatureFile `json:"files"`
	}{a.Svc.Settings().Version, []SignatureFile{}}
	for _, f := range a.Svc.Signatures() {
		out.Files = append(out.Files, SignatureFile(f))
	}
	WriteJSON(w, http.StatusOK, out)
}

func (a *API) getSignature(w http.ResponseWriter, r *http.Request) {
	f, err := a.Svc.Signature(r.PathValue("name"))
	if err != nil {
		fail(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
	w.Header().Set("X-Settings-Version", strconv.FormatInt(a.Svc.Settings().Version, 10))
	if f.Status != "" {
		w.Header().Set("X-Vendor-Status", f.Status)
		w.Header().Set("X-Vendor-Severity", f.Severity)
	}
	io.WriteString(w, f.YAML)
}

func (a *API) putSignature(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if !vetting.ValidSignatureName(name) {
		WriteError(w, http.StatusBadRequest, fmt.Sprintf("signature file name %q: want ^[a-z0-9][a-z0-9._-]{0,63}\\.ya?ml$", name))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, vetting.MaxSignatureFile))
	if err != nil {
		WriteError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("signature file larger than %d bytes", vetting.MaxSignatureFile))
		return
	}
	q := r.URL.Query()
	c, err := a.Svc.PutSignature(r.Context(), store.SignatureFile{Name: name, YAML: string(body), Status: q.Get("status"), Severity: q.Get("severity")},
		principal(r).Name)
	writeChange(w, c, err)
}

func (a *API) deleteSignature(w http.ResponseWriter, r *http.Request) {
	c, err := a.Svc.DeleteSignature(r.Context(), r.PathValue("name"), principal(r).Name)
	writeChange(w, c, err)
}
