package web

import (
	"fmt"
	"slices"

	"github.com/sdkvet/sdkvet/signatures"
)

// PackViews lists the extension packs embedded in the signature database,
// marking those named in enabled as on. A Backend can use it to fill
// PolicyView.Packs.
func PackViews(enabled []string) ([]PackView, error) {
	packs, err := signatures.Packs()
	if err != nil {
		return nil, fmt.Errorf("list packs: %w", err)
	}
	out := make([]PackView, 0, len(packs))
	for _, p := range packs {
		out = append(out, PackView{ID: p.ID, Name: p.Name, Description: p.Description, Enabled: slices.Contains(enabled, p.ID)})
	}
	return out, nil
}
