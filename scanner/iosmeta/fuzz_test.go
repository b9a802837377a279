package iosmeta

import (
	"errors"
	"testing"

	"github.com/sdkvet/sdkvet/internal/fixture/iosfixture"
)

// checkStrings asserts the caps on strings and lists.
func checkStrings(t *testing.T, lists [][]string, strs ...string) {
	t.Helper()
	for _, l := range lists {
		if len(l) > MaxListItems {
			t.Fatalf("list of %d items", len(l))
		}
		strs = append(strs, l...)
	}
	for _, s := range strs {
		if len(s) > MaxStringLen {
			t.Fatalf("string of %d bytes", len(s))
		}
	}
}

// checkErr asserts that an error wraps one of the package's sentinels.
func checkErr(t *testing.T, err error, result bool) {
	t.Helper()
	if err != nil && !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrLimit) {
		t.Fatalf("error %q wraps neither ErrMalformed nor ErrLimit", err)
	}
	if (err == nil) != result {
		t.Fatalf("error %v with result %v", err, result)
	}
}

func FuzzParseInfo(f *testing.F) {
	f.Add(iosfixture.Plist(fullInfo(), false))
	f.Add(iosfixture.Plist(fullInfo(), true))
	f.Add(iosfixture.Plist(map[string]any{"CFBundleURLTypes": []any{map[string]any{"CFBundleURLSchemes": []any{"a"}}}}, true))
	f.Add(rawBplist([]bpObject{bpDic(1, []int{1}, []int{2}), bpString("k"), bpArr(1, 3, 3), bpTrue}, 1, 0))
	f.Fuzz(func(t *testing.T, data []byte) {
		info, err := ParseInfo(data)
		checkErr(t, err, info != nil)
		if info != nil {
			checkStrings(t, [][]string{info.URLSchemes, info.QueriedSchemes, info.ATSExceptionDomains},
				info.BundleID, info.Name, info.DisplayName, info.Executable, info.Version, info.Build,
				info.MinOS, info.PackageType, info.ExtensionPoint)
		}
	})
}

func FuzzParsePrivacy(f *testing.F) {
	m := map[string]any{
		"NSPrivacyTracking":           true,
		"NSPrivacyTrackingDomains":    []any{"a.example"},
		"NSPrivacyCollectedDataTypes": []any{map[string]any{"NSPrivacyCollectedDataType": "x"}},
		"NSPrivacyAccessedAPITypes":   []any{map[string]any{"NSPrivacyAccessedAPIType": "y"}},
	}
	f.Add(iosfixture.Plist(m, false))
	f.Add(iosfixture.Plist(m, true))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParsePrivacy(data)
		checkErr(t, err, p != nil)
		if p != nil {
			checkStrings(t, [][]string{p.TrackingDomains, p.DataTypes, p.AccessedAPITypes})
		}
	})
}

func FuzzParseProfile(f *testing.F) {
	cert, key := devCert(f)
	der := iosfixture.Profile("TEAM123456", "com.example.demo", cert, key, expires)
	f.Add(der)
	f.Add(toBER(f, der, 0))
	f.Add(toBER(f, der, 200))
	f.Add(iosfixture.Plist(iosfixture.ProfilePlist("TEAM123456", "com.example.demo", cert, expires), false))
	f.Add(iosfixture.SignProfile(iosfixture.Plist(map[string]any{"TeamIdentifier": []any{"T"}}, true), cert, key))
	f.Add(overlapping(10))
	f.Add(nested(8))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParseProfile(data)
		checkErr(t, err, p != nil)
		if p != nil {
			checkStrings(t, [][]string{p.TeamIDs, p.AppIDPrefixes, p.Platforms, p.CertSubjects, p.CertSHA256},
				p.Name, p.UUID, p.AppIDName, p.TeamName, p.ApplicationIdentifier)
			if len(p.CertSubjects) != len(p.CertSHA256) {
				t.Fatalf("%d subjects, %d digests", len(p.CertSubjects), len(p.CertSHA256))
			}
		}
	})
}
