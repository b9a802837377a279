package web

import (
	"io"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

// MaxSignatureFile is the largest signature file the policy page accepts,
// and MaxSignatureForm the largest form that carries one.
const (
	MaxSignatureFile = 1 << 20
	MaxSignatureForm = MaxSignatureFile + 64<<10
)

var signatureNameRe = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}\.ya?ml$`)

// parseForm reads a POST form, multipart (with a file) or URL-encoded. The
// body is already bounded; parts stay in memory up to that bound.
func parseForm(r *http.Request) error {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "multipart/form-data" {
		return r.ParseMultipartForm(MaxSignatureForm)
	}
	return r.ParseForm()
}

// putSignature adds or replaces a signature file from the policy page: the
// YAML comes from the file input or, if no file was chosen, the text area;
// the name from the name field or the chosen file's name.
func (h *handler) putSignature(w http.ResponseWriter, r *http.Request, u User) {
	f := SignatureUpload{Name: strings.TrimSpace(r.PostFormValue("name")), YAML: r.PostFormValue("yaml"),
		Status: r.PostFormValue("status"), Severity: r.PostFormValue("severity")}
	if file, hdr, err := r.FormFile("file"); err == nil {
		data, err := io.ReadAll(io.LimitReader(file, MaxSignatureFile+1))
		file.Close()
		if err != nil {
			h.errorPage(w, r, http.StatusBadRequest, "The file could not be read.")
			return
		}
		if len(data) > 0 {
			f.YAML = string(data)
			if f.Name == "" {
				f.Name = hdr.Filename
			}
		}
	}
	var problems []string
	if !signatureNameRe.MatchString(f.Name) {
		problems = append(problems, "name the file with lower-case letters, digits, '.', '_' or '-', ending in .yaml or .yml")
	}
	if strings.TrimSpace(f.YAML) == "" {
		problems = append(problems, "choose a file or paste its YAML")
	} else if len(f.YAML) > MaxSignatureFile {
		problems = append(problems, "the file is larger than 1 MiB")
	}
	switch f.Status {
	case "":
		f.Severity = ""
	case "banned", "watch", "allowed":
		switch f.Severity {
		case "info", "low", "medium", "high", "critical":
		default:
			problems = append(problems, "choose a severity")
		}
	default:
		problems = append(problems, "choose how the policy treats the vendor")
	}
	if len(problems) > 0 {
		h.errorPage(w, r, http.StatusBadRequest, "The signature file was not saved: "+strings.Join(problems, "; ")+".")
		return
	}
	c, err := h.cfg.Backend.PutSignature(r.Context(), u, f)
	if err != nil {
		h.backendError(w, r, "signature file", err)
		return
	}
	http.Redirect(w, r, "/changes?version="+url.QueryEscape(c.Version), http.StatusSeeOther)
}

func (h *handler) deleteSignature(w http.ResponseWriter, r *http.Request, u User) {
	name := r.PostFormValue("name")
	if !signatureNameRe.MatchString(name) {
		h.errorPage(w, r, http.StatusBadRequest, "There is no such signature file.")
		return
	}
	c, err := h.cfg.Backend.DeleteSignature(r.Context(), u, name)
	if err != nil {
		h.backendError(w, r, "signature file", err)
		return
	}
	http.Redirect(w, r, "/changes?version="+url.QueryEscape(c.Version), http.StatusSeeOther)
}
