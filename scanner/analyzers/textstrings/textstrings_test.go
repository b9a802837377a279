package textstrings_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/sdkvet/sdkvet/scanner/analyze"
	"github.com/sdkvet/sdkvet/scanner/analyzers/textstrings"
	"github.com/sdkvet/sdkvet/scanner/filekind"
	"github.com/sdkvet/sdkvet/scanner/observation"
)

type run struct {
	S   string
	Off int64
}

func stream(t *testing.T, r io.Reader) []run {
	t.Helper()
	var out []run
	if err := textstrings.Stream(context.Background(), r, func(s string, off int64) { out = append(out, run{strings.Clone(s), off}) }); err != nil {
		t.Fatal(err)
	}
	return out
}

func runs(data []byte) []run {
	var out []run
	textstrings.Runs(data, 0, func(s string, off int64) { out = append(out, run{strings.Clone(s), off}) })
	return out
}

// chunk is Stream's read size; the boundary tests sweep around it and
// around twice it, so they hold for nearby sizes too.
const chunk = 256 << 10

// TestStreamBoundary places one run across the first and the second chunk
// boundaries at many offsets: it is reported once, whole, at its offset.
func TestStreamBoundary(t *testing.T) {
	const url = "https://boundary.example.com/path?q=1"
	for _, base := range []int{chunk, 2 * chunk} {
		for p := base - len(url) - 2; p <= base+2; p++ {
			data := make([]byte, 3*chunk)
			copy(data[p:], url)
			for _, r := range []io.Reader{bytes.NewReader(data), iotest.HalfReader(bytes.NewReader(data))} {
				got := stream(t, r)
				if len(got) != 1 || got[0] != (run{url, int64(p)}) {
					t.Fatalf("run at %d: got %+v", p, got)
				}
			}
		}
	}
}

// TestStreamMatchesRuns: on data whose runs are at most MaxRun long,
// streaming finds exactly what Runs finds over the whole buffer.
func TestStreamMatchesRuns(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	var b bytes.Buffer
	for b.Len() < 3*chunk+12345 {
		n := rng.IntN(300)
		if rng.IntN(50) == 0 {
			n = textstrings.MaxRun - rng.IntN(3)
		}
		for range n {
			b.WriteByte(byte(0x20 + rng.IntN(0x5f)))
		}
		b.WriteByte(byte(rng.IntN(0x20))&^'\t' | 0x80*byte(rng.IntN(2)))
	}
	data := b.Bytes()
	want := runs(data)
	if len(want) < 1000 {
		t.Fatalf("only %d runs in the test data", len(want))
	}
	small := data[:chunk+5000]
	for i, c := range []struct {
		r   io.Reader
		src []byte
	}{
		{bytes.NewReader(data), data},
		{iotest.OneByteReader(bytes.NewReader(small)), small},
		{iotest.DataErrReader(bytes.NewReader(data)), data},
	} {
		w := want
		if len(c.src) != len(data) {
			w = runs(c.src)
		}
		if got := stream(t, c.r); !slices.Equal(got, w) {
			t.Errorf("reader %d: Stream found %d runs, Runs %d", i, len(got), len(w))
		}
	}
}

// TestLongRunsSplit: a run longer than MaxRun is cut into MaxRun pieces at
// consecutive offsets, in Runs and across a chunk boundary in Stream.
func TestLongRunsSplit(t *testing.T) {
	long := strings.Repeat("abcdefghij", (2*textstrings.MaxRun+100)/10)
	data := append(append([]byte{0, 1}, long...), 0)
	got := runs(data)
	want := []run{{long[:textstrings.MaxRun], 2}, {long[textstrings.MaxRun : 2*textstrings.MaxRun], 2 + textstrings.MaxRun}, {long[2*textstrings.MaxRun:], 2 + 2*textstrings.MaxRun}}
	if !slices.Equal(got, want) {
		t.Errorf("Runs split a %d-byte run into %d pieces", len(long), len(got))
	}

	// Across the boundary: pieces are contiguous, at most MaxRun long,
	// and together the whole run.
	data = make([]byte, 2*chunk)
	at := chunk - 5000
	copy(data[at:], long)
	got = stream(t, bytes.NewReader(data))
	var joined strings.Builder
	next := int64(at)
	for _, r := range got {
		if len(r.S) > textstrings.MaxRun || len(r.S) < textstrings.MinRun || r.Off != next {
			t.Errorf("piece of %d bytes at %d (want offset %d)", len(r.S), r.Off, next)
		}
		next = r.Off + int64(len(r.S))
		joined.WriteString(r.S)
	}
	if joined.String() != long {
		t.Errorf("pieces join to %d bytes, want the %d-byte run", joined.Len(), len(long))
	}
}

// TestMinRun: runs shorter than MinRun are dropped, MinRun is kept; tab is
// printable, other control bytes and bytes >= 0x7f end a run.
func TestMinRun(t *testing.T) {
	data := []byte("\x00abcde\x00abcdef\x01abc\tef\x7fabcdefg\xffok\n12345\n123456")
	want := []run{{"abcdef", 7}, {"abc\tef", 14}, {"abcdefg", 21}, {"123456", 38}}
	if got := runs(data); !slices.Equal(got, want) {
		t.Errorf("Runs = %+v, want %+v", got, want)
	}
	if got := stream(t, bytes.NewReader(data)); !slices.Equal(got, want) {
		t.Errorf("Stream = %+v, want %+v", got, want)
	}
	var got []run
	textstrings.Runs(data, 1000, func(s string, off int64) { got = append(got, run{strings.Clone(s), off}) })
	if len(got) != 4 || got[0].Off != 1007 {
		t.Errorf("Runs with base 1000 = %+v", got)
	}
	if got := stream(t, bytes.NewReader(nil)); len(got) != 0 {
		t.Errorf("empty input: %+v", got)
	}
}

// TestStreamErrors: a read error and a canceled context end the stream
// with that error.
func TestStreamErrors(t *testing.T) {
	boom := errors.New("boom")
	err := textstrings.Stream(context.Background(), io.MultiReader(bytes.NewReader(make([]byte, chunk+10)), iotest.ErrReader(boom)), func(string, int64) {})
	if !errors.Is(err, boom) {
		t.Errorf("err = %v, want boom", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := textstrings.Stream(ctx, bytes.NewReader([]byte("abcdefgh")), func(string, int64) { t.Error("called") }); err != context.Canceled {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

type out struct{ strs []run }

func (o *out) Observe(observation.Observation) {}
func (o *out) String(path, s string, off int64) {
	o.strs = append(o.strs, run{path + "|" + s, off})
}
func (o *out) Error(string, error) {}

// TestAnalyzer: the analyzer streams text, binary and Hermes files and
// hands each run to Out.String with the file's path.
func TestAnalyzer(t *testing.T) {
	a := textstrings.Analyzer
	if a.Stream == nil || a.Bytes != nil || !slices.Equal(a.Kinds, []filekind.Kind{filekind.Text, filekind.Binary, filekind.Hermes, filekind.Plist}) {
		t.Fatalf("analyzer = %+v", a)
	}
	o := &out{}
	f := &analyze.File{Path: "app.apk!/assets/index.android.bundle", Kind: filekind.Text}
	if err := a.Stream(context.Background(), f, strings.NewReader("var u=\"https://api.example.com/v1\";\x00x"), o); err != nil {
		t.Fatal(err)
	}
	want := []run{{"app.apk!/assets/index.android.bundle|var u=\"https://api.example.com/v1\";", 0}}
	if !slices.Equal(o.strs, want) {
		t.Errorf("strings = %+v", o.strs)
	}
}
