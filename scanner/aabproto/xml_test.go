package aabproto

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/sdkvet/sdkvet/scanner/manifest"
)

func dump(e *manifest.Element) string {
	b, _ := json.MarshalIndent(e, "", "  ")
	return string(b)
}

func TestDecodeXMLManifest(t *testing.T) {
	data, want := sampleManifest()
	got, err := DecodeXML(data)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("tree mismatch\ngot:  %s\nwant: %s", dump(got), dump(want))
	}
	// Offset names the element's own message.
	var check func(e *manifest.Element)
	check = func(e *manifest.Element) {
		b := data[e.Offset:]
		if !bytes.HasPrefix(b, fStr(xmlElementName, e.Name)) {
			t.Errorf("%s: Offset %d does not start its XmlElement", e.Name, e.Offset)
		}
		for _, c := range e.Children {
			check(c)
		}
	}
	check(got)
	if v, ok := got.Children[1].Children[0].Attr(manifest.AndroidNS, "name"); !ok || v != "com.tencent.mm.opensdk.Foo" {
		t.Errorf("activity name = %q, %v", v, ok)
	}
}

func TestDecodeXMLCompiledItems(t *testing.T) {
	ns := manifest.AndroidNS
	f32 := func(f float32) uint32 { return math.Float32bits(f) }
	cases := []struct {
		name string
		item []byte
		want string
	}{
		{"ref id", itRef(0x7f010000), "@0x7f010000"},
		{"theme attr", fMsg(itemRef, fVarint(refType, 1), fVarint(refID, 0x01010036)), "?0x01010036"},
		{"ref name only", fMsg(itemRef, fStr(refName, "string/app_name")), "@string/app_name"},
		{"private ref", fMsg(itemRef, fStr(refName, "android:string/x"), fVarint(refPrivate, 1)), "@*android:string/x"},
		{"ref id and name", fMsg(itemRef, fVarint(refID, 0x7f020001), fStr(refName, "string/x")), "@0x7f020001"},
		{"null ref", fMsg(itemRef), "@null"},
		{"str", itStr("hello"), "hello"},
		{"raw str", fMsg(itemRawStr, fStr(1, "raw")), "raw"},
		{"styled str", fMsg(itemStyledStr, fStr(1, "styled"), fMsg(2, fStr(1, "b"))), "styled"},
		{"file", fMsg(itemFile, fStr(1, "res/xml/a.xml"), fVarint(2, 3)), "res/xml/a.xml"},
		{"id", fMsg(itemID), ""},
		{"int", itPrim(primIntDecimal, 7), "7"},
		{"negative int", itPrim(primIntDecimal, uint64(0xffffffffffffffff)), "-1"},
		{"hex", itPrim(primIntHex, 0x4a0), "0x000004a0"},
		{"true", itPrim(primBoolean, 1), "true"},
		{"false", itPrim(primBoolean, 0), "false"},
		{"argb8", itPrim(primColorARGB8, 0xff00ff00), "#ff00ff00"},
		{"rgb4", itPrim(primColorRGB4, 0xff112233), "#ff112233"},
		{"float", fMsg(itemPrim, fFixed32(primFloat, f32(1.5))), "1.5"},
		{"whole float", fMsg(itemPrim, fFixed32(primFloat, f32(2))), "2.0"},
		{"dimension", itPrim(primDimension, 0x1001), "16.0dip"},
		{"dimension sp", itPrim(primDimension, 0x0e02), "14.0sp"},
		{"negative dimension", itPrim(primDimension, 0xfffff000), "-16.0px"},
		{"fraction", itPrim(primFraction, 0x4010), "50.0%"},
		{"fraction of parent", itPrim(primFraction, 0x4011), "50.0%p"},
		{"null prim", fMsg(itemPrim, fMsg(primNull)), ""},
		{"empty prim", fMsg(itemPrim, fMsg(primEmpty)), ""},
		{"unknown prim", fMsg(itemPrim, fVarint(40, 1)), ""},
		{"empty item", nil, ""},
		// A oneof member set later replaces the earlier one.
		{"oneof last wins", cat(itStr("first"), itPrim(primIntDecimal, 9)), "9"},
		// Occurrences of the same member merge.
		{"merge", cat(fMsg(itemRef, fStr(refName, "string/a")), fMsg(itemRef, fVarint(refID, 0x7f030003))), "@0x7f030003"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			data := xNode(xElem("e", xCompiled(ns, "a", c.item)), 0)
			got, err := DecodeXML(data)
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Attrs) != 1 || got.Attrs[0].Value != c.want {
				t.Fatalf("attrs = %+v, want value %q", got.Attrs, c.want)
			}
		})
	}
}

func TestDecodeXMLValuePreferred(t *testing.T) {
	data := xNode(xElem("e",
		xAttr("", "a", "source text", fMsg(xmlAttrCompiledItem, itPrim(primIntDecimal, 1))),
		xAttr("", "b", ""),
	), 0)
	got, err := DecodeXML(data)
	if err != nil {
		t.Fatal(err)
	}
	want := []manifest.Attr{{Name: "a", Value: "source text"}, {Name: "b", Value: ""}}
	if !reflect.DeepEqual(got.Attrs, want) {
		t.Fatalf("attrs = %+v, want %+v", got.Attrs, want)
	}
}

func TestDecodeXMLMergeSemantics(t *testing.T) {
	// The element field twice in one node: protobuf merges the two.
	data := cat(
		fMsg(xmlNodeElement, xElem("first", xAttr("", "a", "1"))),
		fMsg(xmlNodeElement, xElem("second", xAttr("", "b", "2"))),
		fMsg(xmlNodeElement, xChild(xNode(xElem("c"), 0))),
	)
	got, err := DecodeXML(data)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "second" || len(got.Attrs) != 2 || len(got.Children) != 1 || got.Offset != 2 {
		t.Fatalf("merged element = %s", dump(got))
	}

	// Text after the element replaces it (oneof); an element after the text
	// brings a fresh one.
	data = xNode(xElem("root",
		xChild(cat(fMsg(xmlNodeElement, xElem("hidden")), xText("t"))),
		xChild(cat(xText("t"), fMsg(xmlNodeElement, xElem("shown")))),
		xChild(nil), // an empty node
	), 0)
	got, err = DecodeXML(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Children) != 1 || got.Children[0].Name != "shown" {
		t.Fatalf("children = %s", dump(got))
	}
}

func TestDecodeXMLUnknownFieldsSkipped(t *testing.T) {
	group := protowire.AppendTag(nil, 30, protowire.StartGroupType)
	group = append(group, fVarint(1, 1)...)
	group = protowire.AppendTag(group, 30, protowire.EndGroupType)
	data := cat(
		fFixed32(20, 1),
		fMsg(xmlNodeElement, xElem("e",
			protowire.AppendFixed64(protowire.AppendTag(nil, 21, protowire.Fixed64Type), 1),
			group,
			fMsg(xmlElementAttribute, fStr(xmlAttrName, "a"), fStr(xmlAttrValue, "v"), fVarint(17, 1)),
		)),
		fMsg(xmlNodeSource, fVarint(sourcePositionLine, 4), fStr(9, "x")),
		fStr(1000, "unknown"),
	)
	got, err := DecodeXML(data)
	if err != nil {
		t.Fatal(err)
	}
	want := &manifest.Element{Name: "e", Attrs: []manifest.Attr{{Name: "a", Value: "v"}}, Offset: int64(len(fFixed32(20, 1)) + 2), Line: 4}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %s, want %s", dump(got), dump(want))
	}
}

// nested returns an XmlNode with n elements nested inside each other.
func nested(n int) []byte {
	node := xNode(xElem("leaf"), 0)
	for i := 1; i < n; i++ {
		node = xNode(xElem("e", xChild(node)), 0)
	}
	return node
}

func TestDecodeXMLDepth(t *testing.T) {
	got, err := DecodeXML(nested(MaxDepth))
	if err != nil {
		t.Fatalf("depth %d: %v", MaxDepth, err)
	}
	depth := 0
	for e := got; e != nil; depth++ {
		if len(e.Children) == 0 {
			e = nil
		} else {
			e = e.Children[0]
		}
	}
	if depth != MaxDepth {
		t.Fatalf("decoded depth %d", depth)
	}
	for _, n := range []int{MaxDepth + 1, 300} {
		if _, err := DecodeXML(nested(n)); !errors.Is(err, ErrLimit) {
			t.Errorf("depth %d: err = %v, want ErrLimit", n, err)
		}
	}
}

func TestDecodeXMLNodeLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates a million attributes")
	}
	attr := fMsg(xmlElementAttribute)
	el := bytes.Repeat(attr, MaxNodes) // plus the element itself: one too many
	data := xNode(el, 0)
	if _, err := DecodeXML(data); !errors.Is(err, ErrLimit) {
		t.Fatalf("err = %v, want ErrLimit", err)
	}
	data = xNode(el[len(attr):], 0)
	if _, err := DecodeXML(data); err != nil {
		t.Fatalf("exactly MaxNodes: %v", err)
	}
	// Alternating element and text fields: each fresh element is charged.
	alt := bytes.Repeat(cat(fMsg(xmlNodeElement), xText("")), MaxNodes+1)
	if _, err := DecodeXML(alt); !errors.Is(err, ErrLimit) {
		t.Fatalf("alternating: err = %v, want ErrLimit", err)
	}
}

func TestDecodeXMLMalformed(t *testing.T) {
	good, _ := sampleManifest()
	cases := []struct {
		name string
		data []byte
		want error
	}{
		{"empty", nil, ErrMalformed},
		{"text root", xText("hello"), ErrMalformed},
		{"truncated tag varint", []byte{0x80}, ErrMalformed},
		{"truncated length varint", []byte{0x0a, 0x80}, ErrMalformed},
		{"truncated value varint", cat(fMsg(xmlNodeElement), []byte{0x28, 0xff, 0xff}), ErrMalformed},
		{"length past end", []byte{0x0a, 0x05, 0x1a, 0x01}, ErrMalformed},
		{"huge length", []byte{0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f}, ErrMalformed},
		{"nested length past end", fMsg(xmlNodeElement, []byte{0x1a, 0x10, 'a'}), ErrMalformed},
		{"field number zero", []byte{0x02, 0x00}, ErrMalformed},
		{"stray end group", []byte{0x0c}, ErrMalformed},
		{"unterminated group", []byte{0x0b, 0x08, 0x01}, ErrMalformed},
		{"reserved wire type", []byte{0x0e}, ErrMalformed},
		{"truncated fixed32", []byte{0x1d, 0x01, 0x02}, ErrMalformed},
		{"truncated sample", good[:len(good)-3], ErrMalformed},
		{"element as varint", fVarint(xmlNodeElement, 1), ErrMalformed},
		{"name as varint", xNode(fVarint(xmlElementName, 5), 0), ErrMalformed},
		{"child as fixed32", xNode(fFixed32(xmlElementChild, 5), 0), ErrMalformed},
		{"attribute as varint", xNode(fVarint(xmlElementAttribute, 5), 0), ErrMalformed},
		{"attr value as varint", xNode(fMsg(xmlElementAttribute, fVarint(xmlAttrValue, 1)), 0), ErrMalformed},
		{"resource id as bytes", xNode(fMsg(xmlElementAttribute, fStr(xmlAttrResourceID, "x")), 0), ErrMalformed},
		{"line as bytes", cat(fMsg(xmlNodeElement), fMsg(xmlNodeSource, fStr(sourcePositionLine, "x"))), ErrMalformed},
		{"item member as varint", xNode(xCompiled("", "a", fVarint(itemStr, 1)), 0), ErrMalformed},
		{"ref id as bytes", xNode(xCompiled("", "a", fMsg(itemRef, fStr(refID, "x"))), 0), ErrMalformed},
		{"float as varint", xNode(xCompiled("", "a", itPrim(primFloat, 1)), 0), ErrMalformed},
		{"int as fixed32", xNode(xCompiled("", "a", fMsg(itemPrim, fFixed32(primIntDecimal, 1))), 0), ErrMalformed},
		{"malformed deep child", nestedBroken(50), ErrMalformed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := DecodeXML(c.data)
			if !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v (tree %s)", err, c.want, dump(got))
			}
			if got != nil {
				t.Fatalf("tree returned with error")
			}
		})
	}
}

// nestedBroken is n nested elements whose innermost one is truncated.
func nestedBroken(n int) []byte {
	node := []byte{0x0a, 0x03, 0x1a, 0x05, 'a'}
	for i := 1; i < n; i++ {
		node = xNode(xElem("e", xChild(node)), 0)
	}
	return node
}

func TestDecodeXMLErrorContext(t *testing.T) {
	data := xNode(xElem("e", fVarint(xmlElementName, 5)), 0)
	_, err := DecodeXML(data)
	if err == nil {
		t.Fatal("no error")
	}
	const want = "aabproto: malformed protobuf: XmlElement at offset 5: field 3 (name): wire type varint, want bytes"
	if err.Error() != want {
		t.Fatalf("err = %q, want %q", err, want)
	}
}
