package aabproto

import (
	"errors"
	"fmt"

	"google.golang.org/protobuf/encoding/protowire"
)

// MaxResourceItems is the most resource values (Item messages) that
// ResourceStrings visits in one table. Its work is linear in the input in any
// case; the cap only stops a hostile table from running long.
const MaxResourceItems = 1 << 24

// errStop ends a walk when the callback asks to stop.
var errStop = errors.New("stop")

// ResourceStrings walks an aapt2 protobuf resource table (an
// aapt.pb.ResourceTable, as stored at base/resources.pb in an App Bundle) and
// calls fn with every non-empty string value it holds, in file order: String,
// RawString and StyledString text, and FileReference paths, whether they are a
// resource's value or an element of an array, a plural or a style. References
// to other resources are not strings and are not reported.
//
// The walk stops early, without error, when fn returns false. A string is
// passed as stored, even when it is not valid UTF-8. Input that is not a valid
// encoding, or that gives a field on the walked path the wrong wire type, yields
// an error wrapping ErrMalformed; a table with more than MaxResourceItems values
// one wrapping ErrLimit. Strings already passed to fn before an error stay
// passed.
func ResourceStrings(data []byte, fn func(s string) bool) error {
	w := resWalker{fn: fn}
	err := w.children("ResourceTable", span{b: data}, tablePackage, w.pkg)
	if errors.Is(err, errStop) {
		return nil
	}
	return err
}

type resWalker struct {
	fn    func(string) bool
	items int
}

// children calls visit on the payload of every occurrence of the message
// field num in the message p.
func (w *resWalker) children(msg string, p span, num protowire.Number, visit func(span) error) error {
	return walkFields(msg, p, func(f *field) error {
		if f.num != num {
			return nil
		}
		if err := expect(msg, "child message", f, protowire.BytesType); err != nil {
			return err
		}
		return visit(f.b)
	})
}

func (w *resWalker) pkg(p span) error {
	return w.children("Package", p, packageType, w.typ)
}

func (w *resWalker) typ(p span) error {
	return w.children("Type", p, typeEntry, w.entry)
}

func (w *resWalker) entry(p span) error {
	return w.children("Entry", p, entryConfigValue, w.configValue)
}

func (w *resWalker) configValue(p span) error {
	return w.children("ConfigValue", p, configValueValue, w.value)
}

func (w *resWalker) value(p span) error {
	return walkFields("Value", p, func(f *field) error {
		switch f.num {
		case valueItem:
			if err := expect("Value", "item", f, protowire.BytesType); err != nil {
				return err
			}
			return w.item(f.b)
		case valueCompound:
			if err := expect("Value", "compound_value", f, protowire.BytesType); err != nil {
				return err
			}
			return w.compound(f.b)
		}
		return nil
	})
}

func (w *resWalker) compound(p span) error {
	return walkFields("CompoundValue", p, func(f *field) error {
		var visit func(span) error
		switch f.num {
		case compoundStyle:
			visit = func(p span) error {
				return w.children("Style", p, styleEntry, func(p span) error {
					return w.children("Style.Entry", p, styleEntryItem, w.item)
				})
			}
		case compoundArray:
			visit = func(p span) error {
				return w.children("Array", p, arrayElement, func(p span) error {
					return w.children("Array.Element", p, arrayElementItem, w.item)
				})
			}
		case compoundPlural:
			visit = func(p span) error {
				return w.children("Plural", p, pluralEntry, func(p span) error {
					return w.children("Plural.Entry", p, pluralEntryItem, w.item)
				})
			}
		default:
			return nil // attr and styleable hold no string values
		}
		if err := expect("CompoundValue", "value", f, protowire.BytesType); err != nil {
			return err
		}
		return visit(f.b)
	})
}

// item reports the strings of the Item message in p. Every occurrence of a
// string member is reported, even one a later oneof member would override:
// for a scanner, a string that is present but shadowed is still a finding.
func (w *resWalker) item(p span) error {
	w.items++
	if w.items > MaxResourceItems {
		return fmt.Errorf("%w: more than %d resource values (at offset %d)", ErrLimit, MaxResourceItems, p.off)
	}
	return walkFields("Item", p, func(f *field) error {
		switch f.num {
		case itemStr, itemRawStr, itemStyledStr, itemFile:
		default:
			return nil
		}
		if err := expect("Item", "value", f, protowire.BytesType); err != nil {
			return err
		}
		return eachString("Item value", f.b, func(s []byte) error {
			if len(s) > 0 && !w.fn(string(s)) {
				return errStop
			}
			return nil
		})
	})
}
