package tokens

import (
	"fmt"
	"strings"
	"testing"
)

func lex(src string, syn Syntax) []string {
	var out []string
	Lex([]byte(src), syn, func(t Token) bool {
		switch t.Kind {
		case String:
			out = append(out, fmt.Sprintf("S%q@%d:%d", t.Text, t.Line, t.Col))
		case Ident:
			out = append(out, fmt.Sprintf("I%s@%d:%d", t.Text, t.Line, t.Col))
		}
		return true
	})
	return out
}

func TestLex(t *testing.T) {
	for _, tc := range []struct {
		name string
		syn  Syntax
		src  string
		want string
	}{
		{"slash comments", Groovy, "a // \"x\"\n/* \"y\" */ b \"c\"", `Ia@1:1 Ib@2:11 S"c"@2:13`},
		{"nested comments", Kotlin, "/* /* */ \"hidden\" */ x", `Ix@1:22`},
		{"non-nested comments", Groovy, "/* /* */ \"seen\"", `S"seen"@1:10`},
		{"triple quotes", Kotlin, "\"\"\"a\n\"b\"\n\"\"\" z", "S\"a\\n\\\"b\\\"\\n\"@1:1 Iz@3:5"},
		{"escapes", Groovy, `"a\"b" 'c\'d'`, `S"a\\\"b"@1:1 S"c\\'d"@1:8`},
		{"unterminated line string", Groovy, "\"abc\nx", `S"abc"@1:1 Ix@2:1`},
		{"ruby comments", Ruby, "pod 'A' # pod 'B'\n=begin\npod 'C'\n=end\npod 'D'", `Ipod@1:1 S"A"@1:5 Ipod@5:1 S"D"@5:5`},
		{"objc", ObjC, "#import <WechatOpenSDK/WXApi.h>\nx = @\"https://a\"; y < z", `Iimport@1:2 S"WechatOpenSDK/WXApi.h"@1:9 Ix@2:1 S"https://a"@2:5 Iy@2:19 Iz@2:23`},
		{"swift raw", Swift, `let u = #"a"b"#`, `Ilet@1:1 Iu@1:5 S"a\"b"@1:9`},
		{"dart raw", Dart, `r'\d' import`, `S"\\d"@1:1 Iimport@1:7`},
		{"backticks", JS, "`a\n${b}` c", "S\"a\\n${b}\"@1:1 Ic@2:7"},
	} {
		got := strings.Join(lex(tc.src, tc.syn), " ")
		if got != tc.want {
			t.Errorf("%s:\n got  %s\n want %s", tc.name, got, tc.want)
		}
	}
}

func FuzzLex(f *testing.F) {
	f.Add([]byte("/* /* */ \"a\" '''b''' #\"c\"# r'd' `e` #import <f>\n=begin\n=end"), uint8(0))
	f.Fuzz(func(t *testing.T, data []byte, which uint8) {
		syns := []Syntax{Groovy, Kotlin, Swift, Ruby, ObjC, Dart, JS}
		syn := syns[int(which)%len(syns)]
		lastOff := -1
		Lex(data, syn, func(tk Token) bool {
			if tk.Off <= lastOff || tk.Off >= len(data) || tk.Line < 1 || tk.Col < 1 || tk.EndLine < tk.Line {
				t.Fatalf("bad token %+v after offset %d", tk, lastOff)
			}
			if tk.Kind == String && len(tk.Text) > MaxString {
				t.Fatalf("string of %d bytes", len(tk.Text))
			}
			lastOff = tk.Off
			return true
		})
	})
}

func TestLines(t *testing.T) {
	l := NewLines([]byte("ab\ncd\n\ne"))
	for off, want := range map[int][2]int{0: {1, 1}, 2: {1, 3}, 3: {2, 1}, 4: {2, 2}, 6: {3, 1}, 7: {4, 1}, 8: {4, 2}} {
		if line, col := l.At(off); line != want[0] || col != want[1] {
			t.Errorf("At(%d) = %d:%d, want %d:%d", off, line, col, want[0], want[1])
		}
	}
}
