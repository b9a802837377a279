package extractcodec

import (
	"bytes"
	"errors"
	"reflect"
	"testing"

	"github.com/sdkvet/sdkvet/scanner"
	"github.com/sdkvet/sdkvet/scanner/observation"
	"github.com/sdkvet/sdkvet/scanner/report"
)

func sample() *scanner.Extract {
	return &scanner.Extract{
		Path: "app.apk", Kind: "apk", SHA256: "ab12", Size: 12345,
		Observations: []observation.Observation{
			{Kind: observation.AppID, Value: "com.example", Path: "app.apk!/AndroidManifest.xml", Offset: -1},
			{Kind: observation.JavaPackage, Value: "com.tencent.mm.opensdk", Path: "app.apk!/classes.dex", Offset: -1},
			{Kind: observation.Domain, Value: "log.example.cn", Detail: "https://log.example.cn/x?y=<z>", Path: "app.apk!/classes.dex", Offset: 4096},
			{Kind: observation.Permission, Value: "android.permission.INTERNET", Path: "app.apk!/AndroidManifest.xml", Offset: 10, Line: 3},
			{Kind: observation.AppLabel, Value: "héllo\x00<script>", Path: "app.apk!/AndroidManifest.xml", Offset: -1},
		},
		Errors: []report.Error{{Path: "app.apk!/lib/x86/libx.so", Error: "truncated ELF header"}},
	}
}

func TestRoundTrip(t *testing.T) {
	e := sample()
	got, err := Decode(Encode(e))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, e) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got, e)
	}
	empty := &scanner.Extract{Observations: []observation.Observation{}, Errors: []report.Error{}}
	if got, err := Decode(Encode(empty)); err != nil || !reflect.DeepEqual(got, empty) {
		t.Fatalf("empty extract: %+v, %v", got, err)
	}
}

func TestCompact(t *testing.T) {
	e := &scanner.Extract{Path: "big.apk", Kind: "apk"}
	for i := range 5000 {
		e.Observations = append(e.Observations, observation.Observation{Kind: observation.JavaPackage,
			Value: "com.example.module" + string(rune('a'+i%26)) + ".sub" + string(rune('a'+i/26%26)), Path: "big.apk!/classes.dex", Offset: -1})
	}
	enc := Encode(e)
	if len(enc) > 5000*8 {
		t.Errorf("5000 package observations take %d bytes, want under 8 per observation", len(enc))
	}
}

func TestDecodeRejects(t *testing.T) {
	good := Encode(sample())
	if _, err := Decode([]byte("{}")); !errors.Is(err, ErrFormat) {
		t.Errorf("JSON: err = %v, want ErrFormat", err)
	}
	if _, err := Decode(good[:len(good)-3]); err == nil {
		t.Error("truncated data decoded without error")
	}
	// A valid frame holding a count far beyond the data.
	en, _ := codecs()
	bogus := en.EncodeAll([]byte{0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x0f}, append([]byte(nil), magic[:]...))
	if _, err := Decode(bogus); err == nil {
		t.Error("a huge table count decoded without error")
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(Encode(sample()))
	f.Add([]byte("SVX\x01"))
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := Decode(data)
		if err != nil {
			return
		}
		again, err := Decode(Encode(e))
		if err != nil || !bytes.Equal(Encode(again), Encode(e)) {
			t.Fatalf("re-encoding a decoded extract changed it: %v", err)
		}
	})
}
