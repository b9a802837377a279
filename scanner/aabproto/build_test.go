package aabproto

import (
	"bytes"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/sdkvet/sdkvet/scanner/manifest"
)

// Helpers that write protobuf by hand, field by field.

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// fMsg writes a length-delimited field whose payload is the concatenation of parts.
func fMsg(num protowire.Number, parts ...[]byte) []byte {
	b := protowire.AppendTag(nil, num, protowire.BytesType)
	return protowire.AppendBytes(b, cat(parts...))
}

func fStr(num protowire.Number, s string) []byte {
	b := protowire.AppendTag(nil, num, protowire.BytesType)
	return protowire.AppendString(b, s)
}

func fVarint(num protowire.Number, v uint64) []byte {
	b := protowire.AppendTag(nil, num, protowire.VarintType)
	return protowire.AppendVarint(b, v)
}

func fFixed32(num protowire.Number, v uint32) []byte {
	b := protowire.AppendTag(nil, num, protowire.Fixed32Type)
	return protowire.AppendFixed32(b, v)
}

// XML builders. Each returns the payload of its message.

// xNode is an XmlNode holding element el and, when line > 0, a SourcePosition.
func xNode(el []byte, line uint64) []byte {
	b := fMsg(xmlNodeElement, el)
	if line > 0 {
		b = cat(b, fMsg(xmlNodeSource, fVarint(sourcePositionLine, line), fVarint(2, 5)))
	}
	return b
}

// xText is an XmlNode holding text.
func xText(s string) []byte { return fStr(xmlNodeText, s) }

// xElem is an XmlElement; each of fields is an already encoded field
// (attribute, child, namespace declaration).
func xElem(name string, fields ...[]byte) []byte {
	return cat(fStr(xmlElementName, name), cat(fields...))
}

func xChild(node []byte) []byte { return fMsg(xmlElementChild, node) }

// xAttr is an XmlElement attribute field with a source value string.
func xAttr(ns, name, value string, extra ...[]byte) []byte {
	b := cat(fStr(xmlAttrName, name), fStr(xmlAttrValue, value))
	if ns != "" {
		b = cat(fStr(xmlAttrNamespaceURI, ns), b)
	}
	return fMsg(xmlElementAttribute, b, cat(extra...))
}

// xCompiled is an XmlElement attribute field with no value string and the
// given Item payload as its compiled_item.
func xCompiled(ns, name string, item []byte) []byte {
	return fMsg(xmlElementAttribute, fStr(xmlAttrNamespaceURI, ns), fStr(xmlAttrName, name),
		fMsg(xmlAttrCompiledItem, item))
}

func itRef(id uint32) []byte { return fMsg(itemRef, fVarint(refID, uint64(id))) }
func itStr(s string) []byte  { return fMsg(itemStr, fStr(1, s)) }
func itPrim(num protowire.Number, v uint64) []byte {
	return fMsg(itemPrim, fVarint(num, v))
}

// Resource table builders.

// rEntry is an Entry field with one ConfigValue per value payload.
func rEntry(id uint64, name string, values ...[]byte) []byte {
	b := cat(fMsg(1, fVarint(1, id)), fStr(2, name),
		fMsg(3, fVarint(1, 2)), // visibility: PUBLIC
	)
	for _, v := range values {
		b = cat(b, fMsg(entryConfigValue, fMsg(1, fStr(2, "")), fMsg(configValueValue, v)))
	}
	return fMsg(typeEntry, b)
}

// rType is a Type field.
func rType(id uint64, name string, entries ...[]byte) []byte {
	return fMsg(packageType, fMsg(1, fVarint(1, id)), fStr(2, name), cat(entries...))
}

// rTable is a ResourceTable holding one package.
func rTable(types ...[]byte) []byte {
	return cat(
		fMsg(1, fStr(1, "\x01\x00\x1c\x00")), // source_pool, opaque
		fMsg(tablePackage, fMsg(1, fVarint(1, 0x7f)), fStr(2, "com.example"), cat(types...)),
		fMsg(4, fStr(1, "aapt2"), fStr(2, "2.19")), // tool_fingerprint
	)
}

// vItem is a Value payload holding an Item payload, marked weak (field 3, a
// varint) so that a decoder reading field 3 as the item would fail.
func vItem(item []byte) []byte {
	return cat(fMsg(1, fVarint(1, 3)), fStr(2, "a comment"), fVarint(3, 1), fMsg(valueItem, item))
}

// sampleManifest returns the encoded XmlNode of
//
//	<manifest package="com.example" android:versionName="1.2" android:versionCode=7>
//	  <uses-permission android:name="android.permission.INTERNET"/>
//	  <application android:label="@0x7f010000">
//	    <activity android:name="com.tencent.mm.opensdk.Foo"/>
//	    <meta-data android:name="k" android:value="v"/>
//	  </application>
//	</manifest>
//
// with whitespace text nodes, and the tree DecodeXML should make of it.
func sampleManifest() ([]byte, *manifest.Element) {
	ns := manifest.AndroidNS
	activity := xElem("activity", xAttr(ns, "name", "com.tencent.mm.opensdk.Foo"))
	meta := xElem("meta-data", xAttr(ns, "name", "k"), xAttr(ns, "value", "v"))
	app := xElem("application",
		xCompiled(ns, "label", itRef(0x7f010000)),
		xChild(xText("\n    ")),
		xChild(xNode(activity, 7)),
		xChild(xNode(meta, 8)),
	)
	perm := xElem("uses-permission", xAttr(ns, "name", "android.permission.INTERNET",
		fMsg(xmlAttrSource, fVarint(1, 3)), fVarint(xmlAttrResourceID, 0x01010003)))
	root := xElem("manifest",
		fMsg(xmlElementNamespaceDecl, fStr(1, "android"), fStr(2, ns), fMsg(3, fVarint(1, 1))),
		xAttr("", "package", "com.example"),
		xAttr(ns, "versionName", "1.2", fVarint(xmlAttrResourceID, 0x0101021c), fMsg(xmlAttrCompiledItem, itStr("1.2"))),
		xCompiled(ns, "versionCode", itPrim(primIntDecimal, 7)),
		fVarint(99, 12345), // unknown field
		xChild(xText("\n  ")),
		xChild(xNode(perm, 3)),
		xChild(xNode(app, 5)),
	)
	data := xNode(root, 2)

	at := func(el []byte) int64 { return int64(bytes.Index(data, el)) }
	want := &manifest.Element{
		Name: "manifest", Offset: at(root), Line: 2,
		Attrs: []manifest.Attr{
			{Name: "package", Value: "com.example"},
			{Namespace: ns, Name: "versionName", Value: "1.2"},
			{Namespace: ns, Name: "versionCode", Value: "7"},
		},
		Children: []*manifest.Element{
			{
				Name: "uses-permission", Offset: at(perm), Line: 3,
				Attrs: []manifest.Attr{{Namespace: ns, Name: "name", Value: "android.permission.INTERNET"}},
			},
			{
				Name: "application", Offset: at(app), Line: 5,
				Attrs: []manifest.Attr{{Namespace: ns, Name: "label", Value: "@0x7f010000"}},
				Children: []*manifest.Element{
					{
						Name: "activity", Offset: at(activity), Line: 7,
						Attrs: []manifest.Attr{{Namespace: ns, Name: "name", Value: "com.tencent.mm.opensdk.Foo"}},
					},
					{
						Name: "meta-data", Offset: at(meta), Line: 8,
						Attrs: []manifest.Attr{
							{Namespace: ns, Name: "name", Value: "k"},
							{Namespace: ns, Name: "value", Value: "v"},
						},
					},
				},
			},
		},
	}
	return data, want
}

// sampleTable returns a ResourceTable and the strings ResourceStrings should
// report from it, in order.
func sampleTable() ([]byte, []string) {
	data := rTable(
		rType(1, "string",
			rEntry(0, "app_name", vItem(itStr("Demo"))),
			rEntry(1, "endpoint",
				vItem(fMsg(itemRawStr, fStr(1, "https://api.example.com/v1"))),
				vItem(itStr("https://api.example.de/v1"))), // a second configuration
			rEntry(2, "empty", vItem(itStr(""))),
			rEntry(3, "styled", vItem(fMsg(itemStyledStr, fStr(1, "<b>wss://push.example.com</b>"),
				fMsg(2, fStr(1, "b"), fVarint(2, 0), fVarint(3, 4))))),
		),
		rType(2, "xml",
			rEntry(0, "network_security_config", vItem(fMsg(itemFile, fStr(1, "res/xml/network_security_config.xml"), fVarint(2, 3)))),
		),
		rType(3, "array",
			rEntry(0, "hosts", cat(fVarint(3, 0), fMsg(valueCompound, fMsg(compoundArray,
				fMsg(arrayElement, fStr(2, "c"), fMsg(arrayElementItem, itStr("a.example.com"))),
				fMsg(arrayElement, fMsg(arrayElementItem, itRef(0x7f010000))), // a reference: not a string
				fMsg(arrayElement, fMsg(arrayElementItem, itStr("b.example.com"))),
			)))),
		),
		rType(4, "plurals",
			rEntry(0, "n", fMsg(valueCompound, fMsg(compoundPlural,
				fMsg(pluralEntry, fVarint(3, 1), fMsg(pluralEntryItem, itStr("one host"))),
				fMsg(pluralEntry, fVarint(3, 5), fMsg(pluralEntryItem, itStr("%d hosts"))),
			))),
		),
		rType(5, "style",
			rEntry(0, "Theme", fMsg(valueCompound, fMsg(compoundStyle,
				fMsg(1, fVarint(refID, 0x01030005)),
				fMsg(styleEntry, fMsg(3, fVarint(refID, 0x01010001)), fMsg(styleEntryItem, itStr("styled value"))),
			))),
		),
		rType(6, "integer",
			rEntry(0, "answer", vItem(itPrim(primIntDecimal, 42))),
		),
		rType(7, "attr",
			rEntry(0, "custom", fMsg(valueCompound, fMsg(1, fVarint(1, 2)))),
		),
	)
	return data, []string{
		"Demo",
		"https://api.example.com/v1",
		"https://api.example.de/v1",
		"<b>wss://push.example.com</b>",
		"res/xml/network_security_config.xml",
		"a.example.com",
		"b.example.com",
		"one host",
		"%d hosts",
		"styled value",
	}
}
