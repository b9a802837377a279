// Package iosmeta reads the metadata files of iOS and macOS bundles: an
// Info.plist, a privacy manifest (PrivacyInfo.xcprivacy) and a provisioning
// profile (embedded.mobileprovision). Its functions turn bytes into facts
// and know nothing of any vendor.
//
// Every input is hostile. Property lists are read with howett.net/plist,
// in XML or binary form, after a check that bounds what they decode to
// (nesting, number of values, shared binary objects); profiles are read
// with github.com/smallstep/pkcs7 after a check that bounds the BER it
// converts. Values of an unexpected type are skipped, not fatal. Strings
// are returned as the file holds them, unsanitized: callers escape them
// before showing them. Each string is capped at MaxStringLen bytes and each
// list at MaxListItems items. Malformed input yields an error wrapping
// ErrMalformed (or ErrLimit when a cap is hit), never a panic.
//
// Returned strings may share memory with a private copy of the input.
package iosmeta

import "fmt"

// Info is what an Info.plist says about its bundle. A key that is missing
// or holds a value of another type leaves its field empty.
type Info struct {
	BundleID    string // CFBundleIdentifier
	Name        string // CFBundleName
	DisplayName string // CFBundleDisplayName
	Executable  string // CFBundleExecutable
	Version     string // CFBundleShortVersionString
	Build       string // CFBundleVersion
	// MinOS is MinimumOSVersion (iOS) or, without it,
	// LSMinimumSystemVersion (macOS).
	MinOS string
	// PackageType is CFBundlePackageType: APPL, FMWK, XPC!, BNDL...
	PackageType string
	// URLSchemes are the CFBundleURLSchemes of every CFBundleURLTypes
	// entry, in order.
	URLSchemes []string
	// QueriedSchemes is LSApplicationQueriesSchemes.
	QueriedSchemes []string
	// ATSExceptionDomains are the keys of
	// NSAppTransportSecurity.NSExceptionDomains, lower-cased, without
	// duplicates, sorted.
	ATSExceptionDomains []string
	// ExtensionPoint is NSExtension.NSExtensionPointIdentifier, set for
	// app extensions.
	ExtensionPoint string
}

// ParseInfo reads an Info.plist, XML or binary. It fails only if data is
// not a property list whose top-level value is a dictionary, or exceeds the
// package's limits.
func ParseInfo(data []byte) (*Info, error) {
	d, err := decodeDict(data)
	if err != nil {
		return nil, fmt.Errorf("iosmeta: Info.plist: %w", err)
	}
	info := &Info{
		BundleID:       strOf(d, "CFBundleIdentifier"),
		Name:           strOf(d, "CFBundleName"),
		DisplayName:    strOf(d, "CFBundleDisplayName"),
		Executable:     strOf(d, "CFBundleExecutable"),
		Version:        strOf(d, "CFBundleShortVersionString"),
		Build:          strOf(d, "CFBundleVersion"),
		MinOS:          strOf(d, "MinimumOSVersion"),
		PackageType:    strOf(d, "CFBundlePackageType"),
		QueriedSchemes: strListOf(d, "LSApplicationQueriesSchemes"),
	}
	if _, ok := d["MinimumOSVersion"].(string); !ok {
		info.MinOS = strOf(d, "LSMinimumSystemVersion")
	}
	for _, t := range dictList(d["CFBundleURLTypes"]) {
		strList(&info.URLSchemes, t["CFBundleURLSchemes"])
	}
	if ats, ok := d["NSAppTransportSecurity"].(map[string]any); ok {
		info.ATSExceptionDomains = lowerKeys(ats["NSExceptionDomains"])
	}
	if ext, ok := d["NSExtension"].(map[string]any); ok {
		info.ExtensionPoint = strOf(ext, "NSExtensionPointIdentifier")
	}
	return info, nil
}

// Privacy is what a privacy manifest (PrivacyInfo.xcprivacy) declares. A
// key that is missing or holds a value of another type leaves its field
// empty.
type Privacy struct {
	// Tracking is NSPrivacyTracking.
	Tracking bool
	// TrackingDomains is NSPrivacyTrackingDomains.
	TrackingDomains []string
	// DataTypes are the NSPrivacyCollectedDataType of every
	// NSPrivacyCollectedDataTypes entry, in order.
	DataTypes []string
	// AccessedAPITypes are the NSPrivacyAccessedAPIType of every
	// NSPrivacyAccessedAPITypes entry, in order.
	AccessedAPITypes []string
}

// ParsePrivacy reads a privacy manifest, a property list, XML or binary.
// It fails only if data is not a property list whose top-level value is a
// dictionary, or exceeds the package's limits.
func ParsePrivacy(data []byte) (*Privacy, error) {
	d, err := decodeDict(data)
	if err != nil {
		return nil, fmt.Errorf("iosmeta: privacy manifest: %w", err)
	}
	p := &Privacy{TrackingDomains: strListOf(d, "NSPrivacyTrackingDomains")}
	p.Tracking, _ = d["NSPrivacyTracking"].(bool)
	for _, e := range dictList(d["NSPrivacyCollectedDataTypes"]) {
		if s, ok := str(e["NSPrivacyCollectedDataType"]); ok && len(p.DataTypes) < MaxListItems {
			p.DataTypes = append(p.DataTypes, s)
		}
	}
	for _, e := range dictList(d["NSPrivacyAccessedAPITypes"]) {
		if s, ok := str(e["NSPrivacyAccessedAPIType"]); ok && len(p.AccessedAPITypes) < MaxListItems {
			p.AccessedAPITypes = append(p.AccessedAPITypes, s)
		}
	}
	return p, nil
}
