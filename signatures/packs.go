package signatures

import (
	"bytes"
	"fmt"
	"io/fs"
	"sort"

	"go.yaml.in/yaml/v3"
)

// Pack is an extension pack: vendor files and the policy that goes with
// them, shipped in the binary and switched on by the policy's `packs` list
// or by --pack. A pack lives in signatures/packs/<id>/ with a pack.yaml.
type Pack struct {
	ID          string   `yaml:"id"`
	Name        string   `yaml:"name"`
	Description string   `yaml:"description"`
	References  []string `yaml:"references"`
	// Policy is merged into the active policy when the pack is on; the
	// policy's own entries win.
	Policy PackPolicy `yaml:"-"`
}

// PackPolicy is the policy fragment a pack brings.
type PackPolicy struct {
	Vendors map[string]PackVendorPolicy `yaml:"vendors"`
}

// PackVendorPolicy says how a pack's vendor is treated.
type PackVendorPolicy struct {
	Status   string `yaml:"status"`
	Severity string `yaml:"severity"`
}

type packFile struct {
	Schema int        `yaml:"schema"`
	Pack   Pack       `yaml:"pack"`
	Policy PackPolicy `yaml:"policy"`
}

// Packs lists the embedded extension packs.
func Packs() ([]Pack, error) {
	entries, err := fs.ReadDir(embedded, "packs")
	if err != nil {
		return nil, fmt.Errorf("read packs: %w", err)
	}
	var out []Pack
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		p, err := readPackMeta(e.Name())
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

func readPackMeta(id string) (Pack, error) {
	name := "packs/" + id + "/pack.yaml"
	data, err := embedded.ReadFile(name)
	if err != nil {
		return Pack{}, fmt.Errorf("unknown pack %q (see `sdkvet signatures packs`)", id)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var pf packFile
	if err := dec.Decode(&pf); err != nil {
		return Pack{}, fmt.Errorf("embedded:%s: %w", name, err)
	}
	if pf.Schema != SchemaVersion || pf.Pack.ID != id || pf.Pack.Name == "" {
		return Pack{}, fmt.Errorf("embedded:%s: schema must be %d, pack.id %q and a name are required", name, SchemaVersion, id)
	}
	pf.Pack.Policy = pf.Policy
	return pf.Pack, nil
}

func readPack(id string) (Pack, []*File, error) {
	p, err := readPackMeta(id)
	if err != nil {
		return Pack{}, nil, err
	}
	files, err := readFS(embedded, "packs/"+id, "embedded:packs/"+id+"/")
	if err != nil {
		return Pack{}, nil, err
	}
	return p, files, nil
}
