package vetting

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/sdkvet/sdkvet/scanner/policy"
	"github.com/sdkvet/sdkvet/server/judge"
	"github.com/sdkvet/sdkvet/server/store"
	"github.com/sdkvet/sdkvet/signatures"
)

// Limits on the site's own signature files.
const (
	MaxSignatureFile  = 1 << 20
	MaxSignatureFiles = 200
)

var signatureNameRe = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}\.ya?ml$`)

// ValidSignatureName reports whether name may name a stored signature file.
func ValidSignatureName(name string) bool {
	return signatureNameRe.MatchString(name)
}

// SignatureInfo summarises a stored signature file.
type SignatureInfo struct {
	Name     string
	VendorID string
	Extends  bool
	SDKs     int
	Apps     int
	Size     int
	SHA256   string
	// Status and Severity are the vendor policy stored with the file
	// (Status "": the policy alone decides).
	Status   string
	Severity string
}

func summarise(f store.SignatureFile) SignatureInfo {
	sum := sha256.Sum256([]byte(f.YAML))
	info := SignatureInfo{Name: f.Name, Size: len(f.YAML), SHA256: hex.EncodeToString(sum[:]), Status: f.Status, Severity: f.Severity}
	// Stored files were validated when they were put; a file that no
	// longer parses (a stricter loader) still lists, without counts.
	if p, err := signatures.Parse(judge.SignaturePrefix+f.Name, []byte(f.YAML)); err == nil {
		info.VendorID, info.Extends, info.SDKs, info.Apps = p.Vendor.ID, p.Extends, len(p.SDKs), len(p.Apps)
	}
	return info
}

// Signatures lists the site's stored signature files, in name order.
func (s *Service) Signatures() []SignatureInfo {
	out := []SignatureInfo{}
	for _, f := range s.Settings().Signatures {
		out = append(out, summarise(f))
	}
	return out
}

// Signature returns one stored signature file.
func (s *Service) Signature(name string) (store.SignatureFile, error) {
	for _, f := range s.Settings().Signatures {
		if f.Name == name {
			return f, nil
		}
	}
	return store.SignatureFile{}, ErrNotFound
}

// PutSignature adds or replaces a signature file (the format of
// signatures/*.yaml), stores it in a new settings version with the rest of
// the settings, and re-judges every stored package. A file that does not
// load, alone or with the others, is refused with the loader's file:line
// message and changes nothing.
func (s *Service) PutSignature(ctx context.Context, f store.SignatureFile, actor string) (Change, error) {
	if !ValidSignatureName(f.Name) {
		return Change{}, fmt.Errorf("%w: signature file name %q: want lower-case letters, digits, '.', '_' or '-' ending in .yaml or .yml (at most 64 characters before the extension)", ErrBadRequest, f.Name)
	}
	if len(f.YAML) > MaxSignatureFile {
		return Change{}, fmt.Errorf("%w: signature file larger than %d bytes", ErrBadRequest, MaxSignatureFile)
	}
	switch f.Status {
	case "":
		if f.Severity != "" {
			return Change{}, fmt.Errorf("%w: a severity needs a status (banned, watch or allowed)", ErrBadRequest)
		}
	case policy.Banned, policy.Watch, policy.Allowed:
		if f.Severity == "" {
			f.Severity = "high"
		}
		if _, err := policy.ParseSeverity(f.Severity); err != nil {
			return Change{}, fmt.Errorf("%w: %v", ErrBadRequest, err)
		}
		f.Severity = strings.ToLower(f.Severity)
	default:
		return Change{}, fmt.Errorf("%w: status %q is not banned, watch or allowed", ErrBadRequest, f.Status)
	}
	s.settingsMu.Lock()
	defer s.settingsMu.Unlock()
	cur := s.Settings()
	files := slices.Clone(cur.Signatures)
	verb := "added"
	if i := slices.IndexFunc(files, func(g store.SignatureFile) bool { return g.Name == f.Name }); i >= 0 {
		files[i] = f
		verb = "replaced"
	} else {
		if len(files) >= MaxSignatureFiles {
			return Change{}, fmt.Errorf("%w: at most %d signature files", ErrBadRequest, MaxSignatureFiles)
		}
		files = append(files, f)
	}
	slices.SortFunc(files, func(a, b store.SignatureFile) int { return strings.Compare(a.Name, b.Name) })
	next := store.Settings{PolicyYAML: cur.PolicyYAML, Packs: cur.Packs, Signatures: files}
	if _, _, err := judge.Load(next); err != nil {
		return Change{}, fmt.Errorf("%w: %v", ErrBadRequest, err)
	}
	info := summarise(f)
	status := "policy decides"
	if f.Status != "" {
		status = f.Status + " " + f.Severity
	}
	return s.apply(ctx, next, actor, "signatures.put",
		fmt.Sprintf("signature file %s %s (vendor %s, %d SDKs, %d apps, sha256 %s, status %s; was version %d)",
			f.Name, verb, info.VendorID, info.SDKs, info.Apps, info.SHA256[:16], status, cur.Version))
}

// DeleteSignature removes a stored signature file and re-judges every
// stored package.
func (s *Service) DeleteSignature(ctx context.Context, name, actor string) (Change, error) {
	if !ValidSignatureName(name) {
		return Change{}, ErrNotFound
	}
	s.settingsMu.Lock()
	defer s.settingsMu.Unlock()
	cur := s.Settings()
	i := slices.IndexFunc(cur.Signatures, func(g store.SignatureFile) bool { return g.Name == name })
	if i < 0 {
		return Change{}, ErrNotFound
	}
	info := summarise(cur.Signatures[i])
	files := slices.Delete(slices.Clone(cur.Signatures), i, i+1)
	next := store.Settings{PolicyYAML: cur.PolicyYAML, Packs: cur.Packs, Signatures: files}
	if _, _, err := judge.Load(next); err != nil {
		// Another file extends the vendor this one defines.
		return Change{}, fmt.Errorf("%w: without %s the signatures do not load: %v", ErrConflict, name, err)
	}
	return s.apply(ctx, next, actor, "signatures.delete",
		fmt.Sprintf("signature file %s deleted (vendor %s, %d SDKs, %d apps, sha256 %s; was version %d)",
			name, info.VendorID, info.SDKs, info.Apps, info.SHA256[:16], cur.Version))
}
