// Package manifest turns an Android manifest, in any of its three encodings
// (binary AXML in an APK, aapt2 protobuf in an AAB, plain XML in an AAR or a
// source tree), into the same observations.
package manifest

// AndroidNS is the XML namespace URI of android: attributes.
const AndroidNS = "http://schemas.android.com/apk/res/android"

// Element is a decoded XML element, independent of the encoding it came from.
type Element struct {
	Name     string
	Attrs    []Attr
	Children []*Element
	// Offset is the byte offset of the element in its encoded file, or -1.
	Offset int64
	// Line is the 1-based source line, or 0 when the encoding has none.
	Line int
}

// Attr is one attribute of an Element.
type Attr struct {
	Namespace string // namespace URI, e.g. AndroidNS; empty for none
	Name      string // local name, e.g. "name"
	Value     string // the value as text; resource references are written "@0x7f010001"
}

// Attr returns the value of the attribute with the given namespace and local
// name, and whether it was present.
func (e *Element) Attr(ns, name string) (string, bool) {
	for _, a := range e.Attrs {
		if a.Name == name && (a.Namespace == ns || (ns == AndroidNS && a.Namespace == "android")) {
			return a.Value, true
		}
	}
	return "", false
}
