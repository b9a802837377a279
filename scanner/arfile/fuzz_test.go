package arfile

import (
	"testing"

	"github.com/sdkvet/sdkvet/internal/fixture/iosfixture"
)

func FuzzMembers(f *testing.F) {
	members := []iosfixture.ArMember{
		{Name: "a.o", Data: []byte("abc")},
		{Name: "a_long_member_name_over_16.o", Data: []byte("long")},
		{Name: "with space.o", Data: []byte("s")},
	}
	gnu := append([]iosfixture.ArMember{{Name: "/", Data: []byte{0, 0, 0, 0}}}, members...)
	bsd := append([]iosfixture.ArMember{{Name: "__.SYMDEF SORTED", Data: []byte{0, 0, 0, 0}}}, members...)
	f.Add(iosfixture.Ar(gnu, "gnu"))
	f.Add(iosfixture.Ar(bsd, "bsd"))
	f.Add([]byte("!<arch>\n"))
	f.Add([]byte("!<thin>\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		prev := int64(0)
		err := Members(data, func(m Member) bool {
			if m.Offset < prev || m.Size < 0 || m.Offset+m.Size > int64(len(data)) {
				t.Fatalf("member %+v outside the %d-byte input or out of order", m, len(data))
			}
			if m.Name == "" || len(m.Name) > MaxNameLen {
				t.Fatalf("name of %d bytes", len(m.Name))
			}
			prev = m.Offset + m.Size
			return true
		})
		if err == nil && len(data) < len(magic) {
			t.Fatal("short input accepted")
		}
	})
}
