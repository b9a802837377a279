package iosmeta

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/sdkvet/sdkvet/internal/fixture/iosfixture"
)

func TestParsePrivacy(t *testing.T) {
	m := map[string]any{
		"NSPrivacyTracking":        true,
		"NSPrivacyTrackingDomains": []any{"log.pangle.io", "ads.example.com"},
		"NSPrivacyCollectedDataTypes": []any{
			map[string]any{
				"NSPrivacyCollectedDataType":         "NSPrivacyCollectedDataTypeDeviceID",
				"NSPrivacyCollectedDataTypeLinked":   false,
				"NSPrivacyCollectedDataTypeTracking": true,
				"NSPrivacyCollectedDataTypePurposes": []any{"NSPrivacyCollectedDataTypePurposeThirdPartyAdvertising"},
			},
			map[string]any{"NSPrivacyCollectedDataType": "NSPrivacyCollectedDataTypeCoarseLocation"},
		},
		"NSPrivacyAccessedAPITypes": []any{
			map[string]any{
				"NSPrivacyAccessedAPIType":        "NSPrivacyAccessedAPICategoryUserDefaults",
				"NSPrivacyAccessedAPITypeReasons": []any{"CA92.1"},
			},
			map[string]any{"NSPrivacyAccessedAPIType": "NSPrivacyAccessedAPICategorySystemBootTime"},
		},
	}
	want := &Privacy{
		Tracking:         true,
		TrackingDomains:  []string{"log.pangle.io", "ads.example.com"},
		DataTypes:        []string{"NSPrivacyCollectedDataTypeDeviceID", "NSPrivacyCollectedDataTypeCoarseLocation"},
		AccessedAPITypes: []string{"NSPrivacyAccessedAPICategoryUserDefaults", "NSPrivacyAccessedAPICategorySystemBootTime"},
	}
	for _, binary := range []bool{false, true} {
		got, err := ParsePrivacy(iosfixture.Plist(m, binary))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("binary=%v: got %+v\nwant %+v", binary, got, want)
		}
	}
}

func TestParsePrivacyWrongTypes(t *testing.T) {
	m := map[string]any{
		"NSPrivacyTracking":        "YES",
		"NSPrivacyTrackingDomains": []any{1, "a.example", []any{"b"}},
		"NSPrivacyCollectedDataTypes": []any{
			"NSPrivacyCollectedDataTypeDeviceID",
			map[string]any{"NSPrivacyCollectedDataType": 7},
			map[string]any{"NSPrivacyCollectedDataType": "ok"},
		},
		"NSPrivacyAccessedAPITypes": map[string]any{"NSPrivacyAccessedAPIType": "x"},
	}
	want := &Privacy{TrackingDomains: []string{"a.example"}, DataTypes: []string{"ok"}}
	for _, binary := range []bool{false, true} {
		got, err := ParsePrivacy(iosfixture.Plist(m, binary))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("binary=%v: got %+v\nwant %+v", binary, got, want)
		}
	}
	got, err := ParsePrivacy(iosfixture.Plist(map[string]any{}, false))
	if err != nil || !reflect.DeepEqual(got, &Privacy{}) {
		t.Errorf("empty manifest: %+v, %v", got, err)
	}
}

func TestParsePrivacyCaps(t *testing.T) {
	var types, domains []any
	for i := range MaxListItems + 10 {
		types = append(types, map[string]any{"NSPrivacyCollectedDataType": fmt.Sprint("t", i)})
		domains = append(domains, fmt.Sprint("d", i))
	}
	got, err := ParsePrivacy(iosfixture.Plist(map[string]any{
		"NSPrivacyCollectedDataTypes": types,
		"NSPrivacyAccessedAPITypes":   types[:3],
		"NSPrivacyTrackingDomains":    domains,
	}, true))
	if err != nil {
		t.Fatal(err)
	}
	if len(got.DataTypes) != MaxListItems || len(got.TrackingDomains) != MaxListItems || len(got.AccessedAPITypes) != 0 {
		t.Errorf("%d data types, %d domains, %d API types", len(got.DataTypes), len(got.TrackingDomains), len(got.AccessedAPITypes))
	}
}

func TestParsePrivacyMalformed(t *testing.T) {
	for _, data := range [][]byte{nil, []byte("NSPrivacyTracking = YES"), iosfixture.Plist([]any{true}, true)} {
		got, err := ParsePrivacy(data)
		wantErr(t, err, ErrMalformed, "privacy manifest")
		if got != nil {
			t.Errorf("got %+v", got)
		}
	}
}
