package walk_test

import (
	"archive/zip"
	"bytes"
	"hash/crc32"
	"testing"
)

// TestStoredSizeMismatch: a stored entry whose sizes disagree would be read
// in place past its own data (into later entries, around the overlap
// check); it is refused and the other entries are still read.
func TestStoredSizeMismatch(t *testing.T) {
	inner := bytes.Repeat([]byte("PK\x03\x04"), 64)
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	h := &zip.FileHeader{Name: "nested.zip", Method: zip.Store, CRC32: crc32.ChecksumIEEE(inner[:16]),
		CompressedSize64: 16, UncompressedSize64: uint64(len(inner))}
	raw, err := w.CreateRaw(h)
	if err != nil {
		t.Fatal(err)
	}
	raw.Write(inner[:16])
	txt, _ := w.Create("notes.txt")
	txt.Write([]byte("see https://a.example.org/ for details"))
	w.Close()

	r := &recorder{readAll: true}
	file, _, _ := walkData(t, "sizes.zip", buf.Bytes(), testLimits(), r)
	if !r.anyErr(file+"!/nested.zip", "sizes differ") {
		t.Fatalf("no error for the stored entry; errors: %s", r.dumpErrs())
	}
	for _, f := range r.files {
		if f.File.Name != "notes.txt" {
			t.Errorf("%s analyzed", f.File.Name)
		}
	}
	if len(r.files) == 0 {
		t.Fatal("notes.txt not analyzed")
	}
}
