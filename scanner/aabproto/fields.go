package aabproto

import "google.golang.org/protobuf/encoding/protowire"

// Field numbers of the aapt.pb messages this package reads, from the proto3
// AOSP frameworks/base/tools/aapt2/Resources.proto (see the package comment for
// the revision checked). Fields that are not listed are skipped.
const (
	// message XmlNode { oneof node { XmlElement element = 1; string text = 2; }
	//                   SourcePosition source = 3; }
	xmlNodeElement protowire.Number = 1
	xmlNodeText    protowire.Number = 2
	xmlNodeSource  protowire.Number = 3

	// message XmlElement
	xmlElementNamespaceDecl protowire.Number = 1 // repeated XmlNamespace
	xmlElementNamespaceURI  protowire.Number = 2 // string
	xmlElementName          protowire.Number = 3 // string
	xmlElementAttribute     protowire.Number = 4 // repeated XmlAttribute
	xmlElementChild         protowire.Number = 5 // repeated XmlNode

	// message XmlAttribute
	xmlAttrNamespaceURI protowire.Number = 1 // string
	xmlAttrName         protowire.Number = 2 // string
	xmlAttrValue        protowire.Number = 3 // string
	xmlAttrSource       protowire.Number = 4 // SourcePosition
	xmlAttrResourceID   protowire.Number = 5 // uint32
	xmlAttrCompiledItem protowire.Number = 6 // Item

	// message SourcePosition
	sourcePositionLine protowire.Number = 1 // uint32 line_number

	// message Item { oneof value { ... } }
	itemRef       protowire.Number = 1 // Reference
	itemStr       protowire.Number = 2 // String { string value = 1; }
	itemRawStr    protowire.Number = 3 // RawString { string value = 1; }
	itemStyledStr protowire.Number = 4 // StyledString { string value = 1; ... }
	itemFile      protowire.Number = 5 // FileReference { string path = 1; ... }
	itemID        protowire.Number = 6 // Id {}
	itemPrim      protowire.Number = 7 // Primitive

	// message Reference
	refType    protowire.Number = 1 // enum Type { REFERENCE = 0; ATTRIBUTE = 1; }
	refID      protowire.Number = 2 // uint32
	refName    protowire.Number = 3 // string
	refPrivate protowire.Number = 4 // bool

	// message Primitive { oneof oneof_value { ... } }
	primNull          protowire.Number = 1  // NullType
	primEmpty         protowire.Number = 2  // EmptyType
	primFloat         protowire.Number = 3  // float
	primDimensionOld  protowire.Number = 4  // float, deprecated
	primFractionOld   protowire.Number = 5  // float, deprecated
	primIntDecimal    protowire.Number = 6  // int32
	primIntHex        protowire.Number = 7  // uint32
	primBoolean       protowire.Number = 8  // bool
	primColorARGB8    protowire.Number = 9  // uint32
	primColorRGB8     protowire.Number = 10 // uint32
	primColorARGB4    protowire.Number = 11 // uint32
	primColorRGB4     protowire.Number = 12 // uint32
	primDimension     protowire.Number = 13 // uint32, Res_value complex
	primFraction      protowire.Number = 14 // uint32, Res_value complex
	primLastKnownCase                  = primFraction

	// message ResourceTable
	tablePackage protowire.Number = 2 // repeated Package
	// message Package
	packageType protowire.Number = 3 // repeated Type
	// message Type
	typeEntry protowire.Number = 3 // repeated Entry
	// message Entry
	entryConfigValue protowire.Number = 6 // repeated ConfigValue
	// message ConfigValue
	configValueValue protowire.Number = 2 // Value
	// message Value { ...; oneof value { Item item = 4; CompoundValue compound_value = 5; } }
	valueItem     protowire.Number = 4
	valueCompound protowire.Number = 5
	// message CompoundValue { oneof value { ... } }
	compoundStyle  protowire.Number = 2 // Style
	compoundArray  protowire.Number = 4 // Array
	compoundPlural protowire.Number = 5 // Plural
	// message Style { ...; repeated Entry entry = 3; }, Style.Entry { ...; Item item = 4; }
	styleEntry     protowire.Number = 3
	styleEntryItem protowire.Number = 4
	// message Array { repeated Element element = 1; }, Array.Element { ...; Item item = 3; }
	arrayElement     protowire.Number = 1
	arrayElementItem protowire.Number = 3
	// message Plural { repeated Entry entry = 1; }, Plural.Entry { ...; Item item = 4; }
	pluralEntry     protowire.Number = 1
	pluralEntryItem protowire.Number = 4
)
