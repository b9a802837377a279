package jobs

import (
	"testing"

	"github.com/sdkvet/sdkvet/scanner"
	"github.com/sdkvet/sdkvet/scanner/observation"
	"github.com/sdkvet/sdkvet/scanner/report"
)

func TestRename(t *testing.T) {
	blob := "/srv/data/blobs/ab/cdef"
	x := scanner.Extract{Path: blob,
		Observations: []observation.Observation{{Kind: observation.AppID, Path: blob + "!/AndroidManifest.xml"}, {Kind: observation.Domain, Path: "other"}},
		Errors:       []report.Error{{Path: blob + "!/lib/x.so", Error: "open " + blob + "!/lib/x.so: truncated"}}}
	Rename(&x, blob, "app.apk")
	if x.Path != "app.apk" || x.Observations[0].Path != "app.apk!/AndroidManifest.xml" || x.Observations[1].Path != "other" ||
		x.Errors[0].Path != "app.apk!/lib/x.so" || x.Errors[0].Error != "open app.apk!/lib/x.so: truncated" {
		t.Errorf("renamed = %+v", x)
	}
}
