package aabproto

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/sdkvet/sdkvet/scanner/manifest"
)

const (
	// MaxDepth is the deepest element nesting DecodeXML accepts; the root
	// element is at depth 1.
	MaxDepth = 256
	// MaxNodes is the most XML nodes and attributes, together, that DecodeXML
	// decodes from one document.
	MaxNodes = 1_000_000
)

// DecodeXML decodes an aapt2 protobuf XML document (an aapt.pb.XmlNode, as
// stored at base/manifest/AndroidManifest.xml in an App Bundle) into an
// element tree.
//
// Text nodes are dropped: manifest.Element has no place for them. Each
// attribute's Value is its source string when that is set, and otherwise its
// compiled item rendered as text: a resource reference as "@0x7f010000" (or
// "?0x..." for a theme attribute, "@type/name" when it has only a name, "@null"
// when it has neither), a string as itself, an integer in decimal, a
// hexadecimal integer as "0x0000000a", a boolean as "true" or "false", a
// color as "#aarrggbb", a float, dimension or fraction as Android's
// TypedValue.coerceToString writes it ("1.5", "16.0dip", "50.0%").
//
// Element.Offset is the byte offset in data of the element's XmlElement
// message; Element.Line is the line of the node's SourcePosition, or 0.
// Strings are returned as stored, even when they are not valid UTF-8.
//
// The root must be an element. Input nested deeper than MaxDepth, or with more
// than MaxNodes nodes and attributes, is refused with an error wrapping
// ErrLimit; input that is not a valid encoding, or that gives a field this
// decoder reads the wrong wire type, with an error wrapping ErrMalformed.
func DecodeXML(data []byte) (*manifest.Element, error) {
	d := xmlDecoder{}
	root, err := d.node(span{b: data}, 1)
	if err != nil {
		return nil, err
	}
	if root == nil {
		return nil, fmt.Errorf("%w: root XmlNode holds no element", ErrMalformed)
	}
	return root, nil
}

type xmlDecoder struct {
	nodes int
}

// count charges one node or attribute, found at offset off, to the budget.
func (d *xmlDecoder) count(off int) error {
	d.nodes++
	if d.nodes > MaxNodes {
		return fmt.Errorf("%w: more than %d XML nodes and attributes (at offset %d)", ErrLimit, MaxNodes, off)
	}
	return nil
}

// node decodes the XmlNode in p, whose element would be at the given depth. It
// returns nil, and no error, for a text node or an empty one.
func (d *xmlDecoder) node(p span, depth int) (*manifest.Element, error) {
	if depth > MaxDepth {
		return nil, fmt.Errorf("%w: XML elements nested deeper than %d (at offset %d)", ErrLimit, MaxDepth, p.off)
	}
	var el *manifest.Element
	line, hasLine := uint32(0), false
	err := walkFields("XmlNode", p, func(f *field) error {
		switch f.num {
		case xmlNodeElement:
			if err := expect("XmlNode", "element", f, protowire.BytesType); err != nil {
				return err
			}
			if el == nil {
				// Every Element allocated is charged, so that alternating
				// element and text fields cannot allocate without bound.
				if err := d.count(f.b.off); err != nil {
					return err
				}
				el = &manifest.Element{Offset: int64(f.b.off)}
			}
			// A repeated occurrence of the element field merges into the
			// same element, as protobuf decoders do.
			return d.element(el, f.b, depth)
		case xmlNodeText:
			if err := expect("XmlNode", "text", f, protowire.BytesType); err != nil {
				return err
			}
			el = nil // oneof: the last member set wins
		case xmlNodeSource:
			if err := expect("XmlNode", "source", f, protowire.BytesType); err != nil {
				return err
			}
			return walkFields("SourcePosition", f.b, func(f *field) error {
				if f.num != sourcePositionLine {
					return nil
				}
				if err := expect("SourcePosition", "line_number", f, protowire.VarintType); err != nil {
					return err
				}
				line, hasLine = uint32(f.v), true
				return nil
			})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if el != nil && hasLine && line <= math.MaxInt32 {
		el.Line = int(line)
	}
	return el, nil
}

// element merges the XmlElement message in p into el, which is at depth.
func (d *xmlDecoder) element(el *manifest.Element, p span, depth int) error {
	return walkFields("XmlElement", p, func(f *field) error {
		switch f.num {
		case xmlElementNamespaceDecl, xmlElementNamespaceURI:
			// Attributes carry their namespace URI; declarations and the
			// element's own namespace have no place in manifest.Element.
			return expect("XmlElement", "namespace", f, protowire.BytesType)
		case xmlElementName:
			if err := expect("XmlElement", "name", f, protowire.BytesType); err != nil {
				return err
			}
			el.Name = string(f.b.b)
		case xmlElementAttribute:
			if err := expect("XmlElement", "attribute", f, protowire.BytesType); err != nil {
				return err
			}
			if err := d.count(f.b.off); err != nil {
				return err
			}
			a, err := d.attribute(f.b)
			if err != nil {
				return err
			}
			el.Attrs = append(el.Attrs, a)
		case xmlElementChild:
			if err := expect("XmlElement", "child", f, protowire.BytesType); err != nil {
				return err
			}
			c, err := d.node(f.b, depth+1)
			if err != nil {
				return err
			}
			if c != nil {
				el.Children = append(el.Children, c)
			}
		}
		return nil
	})
}

// attribute decodes the XmlAttribute message in p.
func (d *xmlDecoder) attribute(p span) (manifest.Attr, error) {
	var a manifest.Attr
	var it item
	hasItem := false
	err := walkFields("XmlAttribute", p, func(f *field) error {
		switch f.num {
		case xmlAttrNamespaceURI:
			if err := expect("XmlAttribute", "namespace_uri", f, protowire.BytesType); err != nil {
				return err
			}
			a.Namespace = string(f.b.b)
		case xmlAttrName:
			if err := expect("XmlAttribute", "name", f, protowire.BytesType); err != nil {
				return err
			}
			a.Name = string(f.b.b)
		case xmlAttrValue:
			if err := expect("XmlAttribute", "value", f, protowire.BytesType); err != nil {
				return err
			}
			a.Value = string(f.b.b)
		case xmlAttrSource:
			return expect("XmlAttribute", "source", f, protowire.BytesType)
		case xmlAttrResourceID:
			return expect("XmlAttribute", "resource_id", f, protowire.VarintType)
		case xmlAttrCompiledItem:
			if err := expect("XmlAttribute", "compiled_item", f, protowire.BytesType); err != nil {
				return err
			}
			hasItem = true
			return it.merge(f.b)
		}
		return nil
	})
	if err != nil {
		return manifest.Attr{}, err
	}
	if a.Value == "" && hasItem {
		a.Value = it.String()
	}
	return a, nil
}

// item is an aapt.pb.Item being decoded; occurrences merge into it.
type item struct {
	kind protowire.Number // the oneof member last set, 0 for none
	text string           // str, raw_str, styled_str, file

	// ref
	refAttr, refPrivate bool
	refID               uint32
	refName             string

	// prim
	primKind protowire.Number
	primData uint64
}

// merge folds the Item message in p into it.
func (it *item) merge(p span) error {
	return walkFields("Item", p, func(f *field) error {
		if f.num < itemRef || f.num > itemPrim {
			return nil
		}
		if err := expect("Item", "value", f, protowire.BytesType); err != nil {
			return err
		}
		if f.num != it.kind {
			*it = item{kind: f.num} // oneof: a new member replaces the old
		}
		switch f.num {
		case itemRef:
			return it.mergeRef(f.b)
		case itemStr, itemRawStr, itemStyledStr, itemFile:
			return eachString("Item value", f.b, func(s []byte) error {
				it.text = string(s)
				return nil
			})
		case itemPrim:
			return it.mergePrim(f.b)
		}
		return nil
	})
}

func (it *item) mergeRef(p span) error {
	return walkFields("Reference", p, func(f *field) error {
		switch f.num {
		case refType, refID, refPrivate:
			if err := expect("Reference", "type/id/private", f, protowire.VarintType); err != nil {
				return err
			}
			switch f.num {
			case refType:
				it.refAttr = uint32(f.v) == 1
			case refID:
				it.refID = uint32(f.v)
			case refPrivate:
				it.refPrivate = f.v != 0
			}
		case refName:
			if err := expect("Reference", "name", f, protowire.BytesType); err != nil {
				return err
			}
			it.refName = string(f.b.b)
		}
		return nil
	})
}

func (it *item) mergePrim(p span) error {
	return walkFields("Primitive", p, func(f *field) error {
		var want protowire.Type
		switch f.num {
		case primNull, primEmpty:
			want = protowire.BytesType
		case primFloat, primDimensionOld, primFractionOld:
			want = protowire.Fixed32Type
		default:
			if f.num < primNull || f.num > primLastKnownCase {
				return nil
			}
			want = protowire.VarintType
		}
		if err := expect("Primitive", "value", f, want); err != nil {
			return err
		}
		it.primKind, it.primData = f.num, f.v
		return nil
	})
}

// String renders the item as text (see DecodeXML).
func (it *item) String() string {
	switch it.kind {
	case itemRef:
		prefix := "@"
		if it.refAttr {
			prefix = "?"
		}
		switch {
		case it.refID != 0:
			return fmt.Sprintf("%s0x%08x", prefix, it.refID)
		case it.refName != "":
			if it.refPrivate {
				prefix += "*"
			}
			return prefix + it.refName
		}
		return "@null"
	case itemStr, itemRawStr, itemStyledStr, itemFile:
		return it.text
	case itemPrim:
		return renderPrim(it.primKind, it.primData)
	}
	return ""
}

// renderPrim writes a Primitive's value the way Android's
// TypedValue.coerceToString does.
func renderPrim(kind protowire.Number, v uint64) string {
	switch kind {
	case primFloat, primDimensionOld, primFractionOld:
		return formatFloat(math.Float32frombits(uint32(v)))
	case primIntDecimal:
		return strconv.FormatInt(int64(int32(v)), 10)
	case primIntHex:
		return fmt.Sprintf("0x%08x", uint32(v))
	case primBoolean:
		return strconv.FormatBool(v != 0)
	case primColorARGB8, primColorRGB8, primColorARGB4, primColorRGB4:
		return fmt.Sprintf("#%08x", uint32(v))
	case primDimension:
		return renderComplex(uint32(v), 1, []string{"px", "dip", "sp", "pt", "in", "mm"})
	case primFraction:
		return renderComplex(uint32(v), 100, []string{"%", "%p"})
	}
	return "" // null, empty, or nothing set
}

// renderComplex renders a Res_value complex number (dimension or fraction):
// a 24-bit signed mantissa, a 2-bit radix and a 4-bit unit.
func renderComplex(c uint32, scale float32, units []string) string {
	radixMult := [4]float32{1.0 / (1 << 8), 1.0 / (1 << 15), 1.0 / (1 << 23), 1.0 / (1 << 31)}
	v := float32(int32(c&0xffffff00)) * radixMult[(c>>4)&3] * scale
	unit := ""
	if u := int(c & 0xf); u < len(units) {
		unit = units[u]
	}
	return formatFloat(v) + unit
}

// formatFloat writes f as Java's Float.toString does for ordinary values:
// always with a fractional part ("16.0", "1.5").
func formatFloat(f float32) string {
	s := strconv.FormatFloat(float64(f), 'f', -1, 32)
	if math.IsInf(float64(f), 0) || math.IsNaN(float64(f)) {
		return strconv.FormatFloat(float64(f), 'g', -1, 32)
	}
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}
