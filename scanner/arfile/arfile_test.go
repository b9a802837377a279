package arfile

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/sdkvet/sdkvet/internal/fixture/iosfixture"
)

// all returns every member of data, and Members' error.
func all(data []byte) ([]Member, error) {
	var ms []Member
	err := Members(data, func(m Member) bool {
		ms = append(ms, m)
		return true
	})
	return ms, err
}

// mustAll is all for archives that must read without error.
func mustAll(t *testing.T, data []byte) []Member {
	t.Helper()
	ms, err := all(data)
	if err != nil {
		t.Fatalf("Members: %v", err)
	}
	return ms
}

func TestBSDLayout(t *testing.T) {
	data := iosfixture.Ar([]iosfixture.ArMember{
		{Name: "__.SYMDEF SORTED", Data: []byte("symbols!")},
		{Name: "a.o", Data: []byte("abc")},
		{Name: "sixteen_bytes__o", Data: []byte("1234")},
		{Name: "very_long_object_name.o", Data: []byte("12")},
		{Name: "with space.o", Data: []byte("s")},
	}, "bsd")
	// magic 8 | hdr 8, "__.SYMDEF SORTED" 16 + 8 = 24 (68..92)
	// | hdr 92, body 152..155, pad | hdr 156, body 216..220
	// | hdr 220, name 280..303, data 303..305, pad | hdr 306, name 366..378, data 378..379, pad.
	want := []Member{
		{Name: "a.o", Offset: 152, Size: 3},
		{Name: "sixteen_bytes__o", Offset: 216, Size: 4},
		{Name: "very_long_object_name.o", Offset: 303, Size: 2},
		{Name: "with space.o", Offset: 378, Size: 1},
	}
	got := mustAll(t, data)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("members\n got %+v\nwant %+v", got, want)
	}
	if len(data) != 380 {
		t.Errorf("archive is %d bytes, want 380 (with the final padding byte)", len(data))
	}
	if s := string(data[got[2].Offset : got[2].Offset+got[2].Size]); s != "12" {
		t.Errorf("long-name member data %q", s)
	}
}

func TestGNULayout(t *testing.T) {
	data := iosfixture.Ar([]iosfixture.ArMember{
		{Name: "/", Data: []byte("\x00\x00\x00\x00")},
		{Name: "short.o", Data: []byte("x")},
		{Name: "a_really_long_name.o", Data: []byte("yz")},
		{Name: "fifteen_bytes.o", Data: []byte("fifteen")},
		{Name: "dir/name.o", Data: []byte("slash")},
	}, "gnu")
	// magic 8 | "/" hdr 8, body 68..72 | "//" hdr 72, table 132..132+22+12=166
	// | hdr 166, body 226..227, pad | hdr 228, body 288..290
	// | hdr 290, body 350..357, pad | hdr 358, body 418..423.
	want := []Member{
		{Name: "short.o", Offset: 226, Size: 1},
		{Name: "a_really_long_name.o", Offset: 288, Size: 2},
		{Name: "fifteen_bytes.o", Offset: 350, Size: 7},
		{Name: "dir/name.o", Offset: 418, Size: 5},
	}
	got := mustAll(t, data)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("members\n got %+v\nwant %+v", got, want)
	}
	if !bytes.Contains(data, []byte("a_really_long_name.o/\ndir/name.o/\n")) {
		t.Error("no GNU name table in the archive")
	}
	if !bytes.Contains(data, []byte("/22             ")) {
		t.Error("no /22 name reference in the archive")
	}
}

func TestSymbolTablesSkipped(t *testing.T) {
	for _, tt := range []struct {
		format string
		names  []string
	}{
		{"gnu", []string{"/", "/SYM64/"}},
		{"bsd", []string{"__.SYMDEF", "__.SYMDEF SORTED", "__.SYMDEF_64", "__.SYMDEF_64 SORTED"}},
	} {
		var members []iosfixture.ArMember
		for _, n := range tt.names {
			members = append(members, iosfixture.ArMember{Name: n, Data: []byte("table")})
		}
		members = append(members, iosfixture.ArMember{Name: "only.o", Data: []byte("obj")})
		got := mustAll(t, iosfixture.Ar(members, tt.format))
		if len(got) != 1 || got[0].Name != "only.o" {
			t.Errorf("%s: members %+v, want only.o", tt.format, got)
		}
	}
}

func TestEmptyArchiveAndEmptyMember(t *testing.T) {
	if got := mustAll(t, []byte("!<arch>\n")); len(got) != 0 {
		t.Errorf("empty archive: %+v", got)
	}
	for _, f := range []string{"gnu", "bsd"} {
		got := mustAll(t, iosfixture.Ar([]iosfixture.ArMember{{Name: "e.o"}, {Name: "empty_long_name_member.o"}}, f))
		if len(got) != 2 || got[0].Size != 0 || got[1].Size != 0 || got[1].Name != "empty_long_name_member.o" {
			t.Errorf("%s: %+v", f, got)
		}
	}
}

func TestStopEarly(t *testing.T) {
	data := iosfixture.Ar([]iosfixture.ArMember{{Name: "1.o"}, {Name: "2.o"}, {Name: "3.o"}}, "bsd")
	n := 0
	err := Members(data, func(Member) bool { n++; return n < 2 })
	if err != nil || n != 2 {
		t.Fatalf("n = %d, err = %v; want 2 calls and no error", n, err)
	}
	// A fault after the stopping point is never reached.
	n = 0
	if err := Members(append(data, "garbage"...), func(Member) bool { n++; return false }); err != nil || n != 1 {
		t.Fatalf("n = %d, err = %v", n, err)
	}
}

func TestMissingFinalPadding(t *testing.T) {
	data := iosfixture.Ar([]iosfixture.ArMember{{Name: "odd.o", Data: []byte("abc")}}, "gnu")
	got := mustAll(t, data[:len(data)-1])
	if len(got) != 1 || got[0].Size != 3 {
		t.Fatalf("%+v", got)
	}
}

// header returns a 60-byte ar header.
func header(name, size string) string {
	return fmt.Sprintf("%-16s%-12s%-6s%-6s%-8s%-10s`\n", name, "0", "0", "0", "644", size)
}

func TestMalformed(t *testing.T) {
	long := strings.Repeat("n", MaxNameLen+1)
	tests := []struct {
		name  string
		data  string
		want  error
		msg   string
		calls int // members reported before the fault
	}{
		{"empty", "", ErrNotAr, "", 0},
		{"not ar", "PK\x03\x04 not an archive", ErrNotAr, "", 0},
		{"thin", "!<thin>\n" + header("a.o/", "10"), ErrThin, "thin", 0},
		{"truncated header", "!<arch>\n" + header("a.o", "0")[:59], ErrMalformed, "ar member 0 at 0x8: truncated header", 0},
		{"bad terminator", "!<arch>\n" + header("a.o", "0")[:58] + "x\n", ErrMalformed, "terminator", 0},
		{"size too big", "!<arch>\n" + header("a.o", "100") + "short", ErrMalformed, "size 100 runs past the end", 0},
		{"negative size", "!<arch>\n" + header("a.o", "-1"), ErrMalformed, "size field", 0},
		{"plus sign", "!<arch>\n" + header("a.o", "+1") + "x", ErrMalformed, "size field", 0},
		{"hex size", "!<arch>\n" + header("a.o", "0x1") + "x", ErrMalformed, "size field", 0},
		{"blank size", "!<arch>\n" + header("a.o", ""), ErrMalformed, "size field", 0},
		{"leading space", "!<arch>\n" + header("a.o", " 1") + "x", ErrMalformed, "size field", 0},
		{"embedded space", "!<arch>\n" + header("a.o", "1 1") + "x", ErrMalformed, "size field", 0},
		{"huge size", "!<arch>\n" + header("a.o", "9999999999"), ErrMalformed, "runs past", 0},
		{"empty name", "!<arch>\n" + header("", "0"), ErrMalformed, "empty name", 0},
		{"second member bad", "!<arch>\n" + header("a.o", "1") + "x\n" + header("b.o", "z"), ErrMalformed, "ar member 1 at 0x46: size field", 1},
		{"bsd name too long", "!<arch>\n" + header("#1/5000", "5000") + strings.Repeat("x", 5000), ErrLimit, "more than 4096", 0},
		{"bsd name past member", "!<arch>\n" + header("#1/10", "4") + "abcd", ErrMalformed, "more than the member size", 0},
		{"bsd name length not decimal", "!<arch>\n" + header("#1/1x", "4") + "abcd", ErrMalformed, "not a decimal", 0},
		{"bsd name all NULs", "!<arch>\n" + header("#1/4", "4") + "\x00\x00\x00\x00", ErrMalformed, "empty name", 0},
		{"gnu ref without table", "!<arch>\n" + header("/0", "0"), ErrMalformed, "before any GNU name table", 0},
		{"gnu ref outside table", "!<arch>\n" + header("//", "4") + "a/\n\n" + header("/4", "0"), ErrMalformed, "outside", 0},
		{"gnu ref not decimal", "!<arch>\n" + header("//", "4") + "a/\n\n" + header("/a", "0"), ErrMalformed, "not a decimal", 0},
		{"gnu name unterminated", "!<arch>\n" + header("//", "4") + "abcd" + header("/0", "0"), ErrMalformed, "not terminated", 0},
		{"gnu name too long", "!<arch>\n" + header("//", fmt.Sprint(len(long)+2)) + long + "/\n\n" + header("/0", "0"), ErrLimit, "longer than 4096", 0},
		{"two name tables", "!<arch>\n" + header("//", "0") + header("//", "0"), ErrMalformed, "second GNU name table", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ms, err := all([]byte(tt.data))
			if !errors.Is(err, tt.want) {
				t.Fatalf("error %v, want %v", err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q does not mention %q", err, tt.msg)
			}
			if len(ms) != tt.calls {
				t.Errorf("%d members reported, want %d: %+v", len(ms), tt.calls, ms)
			}
		})
	}
}

func TestNamesAreRaw(t *testing.T) {
	for _, f := range []string{"gnu", "bsd"} {
		name := "\x1b[31mevil\u202e.o\x00x"
		got := mustAll(t, iosfixture.Ar([]iosfixture.ArMember{{Name: name, Data: []byte("d")}}, f))
		if len(got) != 1 || got[0].Name != name {
			t.Errorf("%s: %+v", f, got)
		}
	}
}

func TestMemberLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 60 MB archive")
	}
	h := []byte(header("a.o", "0"))
	data := make([]byte, 0, 8+len(h)*(MaxMembers+1))
	data = append(data, magic...)
	for range MaxMembers + 1 {
		data = append(data, h...)
	}
	n := 0
	err := Members(data, func(Member) bool { n++; return true })
	if !errors.Is(err, ErrLimit) || n != MaxMembers {
		t.Fatalf("n = %d, err = %v", n, err)
	}
}

// toolFiles are the files the tool tests archive: short and long names,
// odd and even sizes, and an empty file.
var toolFiles = []struct{ name, data string }{
	{"a.o", "odd"},
	{"b.txt", "even"},
	{"a_long_member_name_over_16.txt", "long name, odd size"},
	{"another_quite_long_file_name.dat", "long name!"},
	{"empty", ""},
}

// runTool builds an archive with the tool named by args[0] from toolFiles
// plus objects, and returns it, or skips the test if the tool is missing.
func runTool(t *testing.T, objects []string, args ...string) []byte {
	t.Helper()
	if _, err := exec.LookPath(args[0]); err != nil {
		t.Skipf("%s not installed", args[0])
	}
	dir := t.TempDir()
	for _, f := range toolFiles {
		if err := os.WriteFile(filepath.Join(dir, f.name), []byte(f.data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	args = append(args, "lib.a")
	args = append(args, objects...)
	for _, f := range toolFiles {
		args = append(args, f.name)
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v: %v\n%s", args, err, out)
	}
	data, err := os.ReadFile(filepath.Join(dir, "lib.a"))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// assemble assembles an object file defining the global symbol sdkvet_sym
// with llvm-mc for triple, into dir, or returns "" if llvm-mc is missing.
func assemble(t *testing.T, dir, triple, name string) string {
	t.Helper()
	if _, err := exec.LookPath("llvm-mc"); err != nil {
		return ""
	}
	src := filepath.Join(dir, name+".s")
	sym := "sdkvet_sym"
	if strings.Contains(triple, "apple") {
		sym = "_sdkvet_sym"
	}
	if err := os.WriteFile(src, []byte(".globl "+sym+"\n"+sym+":\n.byte 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	obj := filepath.Join(dir, name)
	if out, err := exec.Command("llvm-mc", "-triple="+triple, "-filetype=obj", "-o", obj, src).CombinedOutput(); err != nil {
		t.Fatalf("llvm-mc: %v\n%s", err, out)
	}
	return obj
}

// sameData reports whether member data is want, allowing, if padded, the
// up to 7 '\n' with which llvm-ar --format=darwin (like Apple's libtool)
// pads every member to a multiple of 8 bytes, counted in the size field.
func sameData(got, want []byte, padded bool) bool {
	if !padded {
		return bytes.Equal(got, want)
	}
	rest, ok := bytes.CutPrefix(got, want)
	return ok && len(rest) < 8 && len(bytes.Trim(rest, "\n")) == 0
}

func checkToolArchive(t *testing.T, data []byte, objects []string, padded bool) {
	t.Helper()
	got := mustAll(t, data)
	var want []string
	for _, o := range objects {
		want = append(want, filepath.Base(o))
	}
	for _, f := range toolFiles {
		want = append(want, f.name)
	}
	var names []string
	for _, m := range got {
		names = append(names, m.Name)
	}
	if !reflect.DeepEqual(names, want) {
		t.Fatalf("names %q, want %q", names, want)
	}
	for i, o := range objects {
		obj, err := os.ReadFile(o)
		if err != nil {
			t.Fatal(err)
		}
		m := got[i]
		if !sameData(data[m.Offset:m.Offset+m.Size], obj, padded) {
			t.Errorf("%s: data differs from the object file", m.Name)
		}
	}
	for i, f := range toolFiles {
		m := got[len(objects)+i]
		if got := data[m.Offset : m.Offset+m.Size]; !sameData(got, []byte(f.data), padded) {
			t.Errorf("%s: data %q, want %q", m.Name, got, f.data)
		}
	}
}

func TestGNUAr(t *testing.T) {
	objDir := t.TempDir()
	var objects []string
	if o := assemble(t, objDir, "x86_64-linux-gnu", "sym_elf_object_long_name.o"); o != "" {
		objects = append(objects, o)
	}
	data := runTool(t, objects, "ar", "rcs")
	if len(objects) > 0 && !bytes.HasPrefix(data, []byte("!<arch>\n/ ")) {
		t.Errorf("ar wrote no GNU symbol table: %q", data[:24])
	}
	if !bytes.Contains(data, []byte("//              ")) {
		t.Errorf("ar wrote no GNU name table")
	}
	checkToolArchive(t, data, objects, false)
}

func TestLLVMArDarwin(t *testing.T) {
	objDir := t.TempDir()
	var objects []string
	if o := assemble(t, objDir, "arm64-apple-ios14.0", "sym_macho_object_long_name.o"); o != "" {
		objects = append(objects, o)
	}
	data := runTool(t, objects, "llvm-ar", "rcs", "--format=darwin")
	if len(objects) > 0 && !bytes.Contains(data[:80], []byte("__.SYMDEF")) && !bytes.HasPrefix(data[8:], []byte("#1/")) {
		t.Errorf("llvm-ar wrote no BSD symbol table: %q", data[:80])
	}
	if !bytes.Contains(data, []byte("#1/")) {
		t.Errorf("llvm-ar wrote no BSD long name")
	}
	checkToolArchive(t, data, objects, true)
}

func TestLLVMArGNU(t *testing.T) {
	data := runTool(t, nil, "llvm-ar", "rcs", "--format=gnu")
	checkToolArchive(t, data, nil, false)
}
