package hostscan

import (
	"reflect"
	"testing"
)

func hits(s string) []Hit {
	var out []Hit
	Scan(s, func(h Hit) { out = append(out, h) })
	return out
}

func TestScan(t *testing.T) {
	cases := []struct {
		in   string
		want []Hit
	}{
		{"https://api-access.pangolin-sdk-toutiao.com/api/ad/union/sdk/get_ads/",
			[]Hit{{URL: "https://api-access.pangolin-sdk-toutiao.com/api/ad/union/sdk/get_ads/", Host: "api-access.pangolin-sdk-toutiao.com"}}},
		{`url="HTTP://User@Bugly.QQ.com:8080/x?y"`, []Hit{{URL: "HTTP://User@Bugly.QQ.com:8080/x?y", Host: "bugly.qq.com", Pos: 5}}},
		{"http://10.0.0.1/x", []Hit{{URL: "http://10.0.0.1/x", Host: "10.0.0.1", IsIP: true}}},
		{"http://[2001:db8::1]:80/", []Hit{{URL: "http://[2001:db8::1]:80/", Host: "2001:db8::1", IsIP: true}}},
		{"report to log.snssdk.com now", []Hit{{Host: "log.snssdk.com", Pos: 10}}},
		{"qq.com", []Hit{{Host: "qq.com"}}},
		// Java identifiers, file names and version strings are not hosts.
		{"java.lang.String", nil},
		{"Lcom/tencent/mm/opensdk/Foo;", nil},
		{"com.tencent.mm", nil},
		{"libtobEmbedEncrypt.so", nil},
		{"1.2.3.4-beta", nil},
		{"config.notatld", nil},
		{"a$b.com", nil},
		{"ftp://files.example.com", []Hit{{Host: "files.example.com", Pos: 6}}},
		{"no dots here", nil},
		{"https://", nil},
		{"see https://a.example.org and b.example.net.", []Hit{
			{URL: "https://a.example.org", Host: "a.example.org", Pos: 4},
			{Host: "b.example.net", Pos: 30},
		}},
	}
	for _, c := range cases {
		got := hits(c.in)
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("Scan(%q)\n got %+v\nwant %+v", c.in, got, c.want)
		}
	}
}

func TestSuffixes(t *testing.T) {
	var got []string
	Suffixes("a.bugly.qq.com", func(s string) bool { got = append(got, s); return true })
	want := []string{"a.bugly.qq.com", "bugly.qq.com", "qq.com", "com"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v want %v", got, want)
	}
}

func FuzzScan(f *testing.F) {
	for _, s := range []string{"https://a.b.com/x", "x.qq.com", "http://[::1]/", "a://b", "http://a@b@c.com:1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		Scan(s, func(h Hit) {
			if h.Host == "" || h.Pos < 0 || h.Pos > len(s) || len(h.URL) > MaxURL {
				t.Fatalf("bad hit %+v for %q", h, s)
			}
		})
	})
}

func BenchmarkScan(b *testing.B) {
	strs := []string{"Lcom/example/Foo;", "onCreate", "https://api.example.com/v1/items?id=", "java.lang.String",
		"loading...", "log.snssdk.com", "The quick brown fox jumps over the lazy dog."}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		for _, s := range strs {
			Scan(s, func(Hit) {})
		}
	}
}
