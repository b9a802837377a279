package aabproto

import (
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
)

// TestFieldNumbers pins every field number to the one written in AOSP
// frameworks/base/tools/aapt2/Resources.proto (proto3; see the package
// comment). The other tests build their input from the same constants, so
// they cannot notice a wrong one; this table, copied from the .proto by hand,
// can.
func TestFieldNumbers(t *testing.T) {
	pins := []struct {
		name string
		got  protowire.Number
		want protowire.Number
	}{
		{"XmlNode.element", xmlNodeElement, 1},
		{"XmlNode.text", xmlNodeText, 2},
		{"XmlNode.source", xmlNodeSource, 3},
		{"XmlElement.namespace_declaration", xmlElementNamespaceDecl, 1},
		{"XmlElement.namespace_uri", xmlElementNamespaceURI, 2},
		{"XmlElement.name", xmlElementName, 3},
		{"XmlElement.attribute", xmlElementAttribute, 4},
		{"XmlElement.child", xmlElementChild, 5},
		{"XmlAttribute.namespace_uri", xmlAttrNamespaceURI, 1},
		{"XmlAttribute.name", xmlAttrName, 2},
		{"XmlAttribute.value", xmlAttrValue, 3},
		{"XmlAttribute.source", xmlAttrSource, 4},
		{"XmlAttribute.resource_id", xmlAttrResourceID, 5},
		{"XmlAttribute.compiled_item", xmlAttrCompiledItem, 6},
		{"SourcePosition.line_number", sourcePositionLine, 1},
		{"Item.ref", itemRef, 1},
		{"Item.str", itemStr, 2},
		{"Item.raw_str", itemRawStr, 3},
		{"Item.styled_str", itemStyledStr, 4},
		{"Item.file", itemFile, 5},
		{"Item.id", itemID, 6},
		{"Item.prim", itemPrim, 7},
		{"Reference.type", refType, 1},
		{"Reference.id", refID, 2},
		{"Reference.name", refName, 3},
		{"Reference.private", refPrivate, 4},
		{"Primitive.null_value", primNull, 1},
		{"Primitive.empty_value", primEmpty, 2},
		{"Primitive.float_value", primFloat, 3},
		{"Primitive.dimension_value_deprecated", primDimensionOld, 4},
		{"Primitive.fraction_value_deprecated", primFractionOld, 5},
		{"Primitive.int_decimal_value", primIntDecimal, 6},
		{"Primitive.int_hexadecimal_value", primIntHex, 7},
		{"Primitive.boolean_value", primBoolean, 8},
		{"Primitive.color_argb8_value", primColorARGB8, 9},
		{"Primitive.color_rgb8_value", primColorRGB8, 10},
		{"Primitive.color_argb4_value", primColorARGB4, 11},
		{"Primitive.color_rgb4_value", primColorRGB4, 12},
		{"Primitive.dimension_value", primDimension, 13},
		{"Primitive.fraction_value", primFraction, 14},
		{"ResourceTable.package", tablePackage, 2},
		{"Package.type", packageType, 3},
		{"Type.entry", typeEntry, 3},
		{"Entry.config_value", entryConfigValue, 6},
		{"ConfigValue.value", configValueValue, 2},
		{"Value.item", valueItem, 4},
		{"Value.compound_value", valueCompound, 5},
		{"CompoundValue.style", compoundStyle, 2},
		{"CompoundValue.array", compoundArray, 4},
		{"CompoundValue.plural", compoundPlural, 5},
		{"Style.entry", styleEntry, 3},
		{"Style.Entry.item", styleEntryItem, 4},
		{"Array.element", arrayElement, 1},
		{"Array.Element.item", arrayElementItem, 3},
		{"Plural.entry", pluralEntry, 1},
		{"Plural.Entry.item", pluralEntryItem, 4},
	}
	for _, p := range pins {
		if p.got != p.want {
			t.Errorf("%s = %d, Resources.proto says %d", p.name, p.got, p.want)
		}
	}
}
