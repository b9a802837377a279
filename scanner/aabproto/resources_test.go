package aabproto

import (
	"errors"
	"reflect"
	"testing"
)

func collect(data []byte) ([]string, error) {
	var got []string
	err := ResourceStrings(data, func(s string) bool {
		got = append(got, s)
		return true
	})
	return got, err
}

func TestResourceStrings(t *testing.T) {
	data, want := sampleTable()
	got, err := collect(data)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %q\nwant %q", got, want)
	}
}

func TestResourceStringsTwoStrings(t *testing.T) {
	data := rTable(rType(1, "string",
		rEntry(0, "app_name", vItem(itStr("Demo"))),
		rEntry(1, "endpoint", vItem(itStr("https://api.example.com/v1"))),
	))
	got, err := collect(data)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Demo", "https://api.example.com/v1"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestResourceStringsStop(t *testing.T) {
	data, want := sampleTable()
	var got []string
	err := ResourceStrings(data, func(s string) bool {
		got = append(got, s)
		return len(got) < 2
	})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want[:2]) {
		t.Fatalf("got %q, want %q", got, want[:2])
	}
}

func TestResourceStringsEmpty(t *testing.T) {
	got, err := collect(nil)
	if err != nil || len(got) != 0 {
		t.Fatalf("got %q, %v", got, err)
	}
}

func TestResourceStringsMalformed(t *testing.T) {
	good, _ := sampleTable()
	cases := []struct {
		name string
		data []byte
	}{
		{"truncated varint", []byte{0x12, 0x80}},
		{"length past end", []byte{0x12, 0x07, 0x1a}},
		{"truncated sample", good[:len(good)-20]},
		{"package as varint", fVarint(tablePackage, 1)},
		{"type as fixed32", fMsg(tablePackage, fFixed32(packageType, 1))},
		{"entry as varint", fMsg(tablePackage, fMsg(packageType, fVarint(typeEntry, 1)))},
		{"config value as varint", rTable(rType(1, "string", fMsg(typeEntry, fVarint(entryConfigValue, 1))))},
		{"item as varint", rTable(rType(1, "string", rEntry(0, "a", fVarint(valueItem, 1))))},
		{"string as varint", rTable(rType(1, "string", rEntry(0, "a", vItem(fVarint(itemStr, 1)))))},
		{"string value as varint", rTable(rType(1, "string", rEntry(0, "a", vItem(fMsg(itemStr, fVarint(1, 1))))))},
		{"array element as varint", rTable(rType(1, "array", rEntry(0, "a", fMsg(valueCompound, fMsg(compoundArray, fVarint(arrayElement, 1))))))},
		{"bad tag in string", rTable(rType(1, "string", rEntry(0, "a", vItem(fMsg(itemStr, []byte{0x00})))))},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := collect(c.data); !errors.Is(err, ErrMalformed) {
				t.Fatalf("err = %v, want ErrMalformed", err)
			}
		})
	}
}

// Fields this walker does not read may hold anything, including forms an older
// schema gave them.
func TestResourceStringsIgnoresOtherFields(t *testing.T) {
	data := rTable(rType(1, "string",
		fMsg(typeEntry, fVarint(1, 5), fVarint(3, 1), fFixed32(4, 0), fStr(2, "x"),
			fMsg(entryConfigValue, fFixed32(1, 9), fMsg(configValueValue, fFixed32(1, 1), fVarint(2, 0), fMsg(valueItem, itStr("kept"))))),
	))
	got, err := collect(data)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, []string{"kept"}) {
		t.Fatalf("got %q", got)
	}
}
