// Package filekind identifies files by their content (magic bytes) and, for
// zip archives, by the entries they hold, never by file name alone.
package filekind

import (
	"bytes"
	"encoding/binary"
	"path"
	"strings"
)

// Kind is a file type as the scanner understands it. The values appear in the
// JSON report's target "kind" field.
type Kind string

// File kinds.
const (
	Unknown  Kind = "unknown"
	Dir      Kind = "directory"
	Bundle   Kind = "bundle" // an unpacked iOS .app, .framework, .xcframework or .appex folder
	Zip      Kind = "zip"
	APK      Kind = "apk"
	AAB      Kind = "aab"
	XAPK     Kind = "xapk" // also .apks / .apkm bundles of split APKs
	AAR      Kind = "aar"
	JAR      Kind = "jar"
	IPA      Kind = "ipa"
	DEX      Kind = "dex"
	ELF      Kind = "elf"
	AXML     Kind = "axml" // Android binary XML
	ARSC     Kind = "arsc" // Android compiled resource table
	MachO    Kind = "macho"
	FatMachO Kind = "macho-fat"
	Ar       Kind = "ar"
	Class    Kind = "java-class"
	Hermes   Kind = "hermes" // React Native Hermes bytecode
	Media    Kind = "media"  // images, audio, video, fonts: nothing to read
	Text     Kind = "text"
	Binary   Kind = "binary"
	Plist    Kind = "plist" // binary property list

	// Source trees.
	Source        Kind = "source"         // an app's source tree (a project folder), scanned as one target
	SourceCode    Kind = "source-code"    // a text file of code in a source tree (language from its name)
	BuildManifest Kind = "build-manifest" // a text build manifest or lockfile in a source tree
	Document      Kind = "document"       // other text in a source tree (docs, configs): not evidence
)

// IsArchive reports whether k is a zip-based container.
func (k Kind) IsArchive() bool {
	switch k {
	case Zip, APK, AAB, XAPK, AAR, JAR, IPA:
		return true
	}
	return false
}

// HeadSize is how many leading bytes Sniff wants to see.
const HeadSize = 512

// Sniff identifies a file from its first bytes.
func Sniff(head []byte) Kind {
	le16 := func(i int) uint16 { return binary.LittleEndian.Uint16(head[i:]) }
	le32 := func(i int) uint32 { return binary.LittleEndian.Uint32(head[i:]) }
	switch {
	case len(head) < 4:
		if len(head) == 0 {
			return Unknown
		}
	case bytes.HasPrefix(head, []byte("PK\x03\x04")), bytes.HasPrefix(head, []byte("PK\x05\x06")):
		return Zip
	case bytes.HasPrefix(head, []byte("bplist0")):
		return Plist
	case bytes.HasPrefix(head, []byte("dex\n")):
		return DEX
	case bytes.HasPrefix(head, []byte("\x7fELF")):
		return ELF
	case bytes.HasPrefix(head, []byte("!<arch>\n")), bytes.HasPrefix(head, []byte("!<thin>\n")):
		return Ar
	case len(head) >= 8 && le16(0) == 0x0003 && le16(2) == 0x0008:
		return AXML
	case len(head) >= 8 && le16(0) == 0x0002 && le16(2) == 0x000C:
		return ARSC
	case le32(0) == 0xfeedface || le32(0) == 0xfeedfacf || le32(0) == 0xcefaedfe || le32(0) == 0xcffaedfe:
		return MachO
	case bytes.HasPrefix(head, []byte{0xca, 0xfe, 0xba, 0xbe}) || bytes.HasPrefix(head, []byte{0xca, 0xfe, 0xba, 0xbf}):
		// Fat Mach-O and Java class files share this magic. A fat header
		// holds a small architecture count; a class file holds its minor
		// and major version (major >= 45) in the same place.
		if len(head) >= 8 && binary.BigEndian.Uint32(head[4:]) < 45 {
			return FatMachO
		}
		return Class
	case len(head) >= 8 && binary.LittleEndian.Uint64(head) == 0x1F1903C103BC1FC6:
		return Hermes
	case isMedia(head):
		return Media
	}
	if looksText(head) {
		return Text
	}
	return Binary
}

var mediaMagic = [][]byte{
	[]byte("\x89PNG\r\n\x1a\n"), []byte("\xff\xd8\xff"), []byte("GIF87a"), []byte("GIF89a"),
	[]byte("OggS"), []byte("ID3"), []byte("fLaC"), []byte("\x00\x00\x00\x1cftyp"), []byte("\x00\x00\x00\x18ftyp"),
	[]byte("\x00\x00\x00\x20ftyp"), []byte("wOFF"), []byte("wOF2"), []byte("\x00\x01\x00\x00\x00"), []byte("OTTO"),
	[]byte("\x1aE\xdf\xa3"), // Matroska / WebM
}

func isMedia(head []byte) bool {
	for _, m := range mediaMagic {
		if bytes.HasPrefix(head, m) {
			return true
		}
	}
	if len(head) >= 12 && bytes.Equal(head[0:4], []byte("RIFF")) {
		return true // WebP, WAV, AVI
	}
	if len(head) >= 12 && bytes.Equal(head[4:8], []byte("ftyp")) {
		return true // MP4, HEIF, AVIF
	}
	return false
}

// looksText reports whether b is mostly printable UTF-8 text.
func looksText(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	bad := 0
	for _, c := range b {
		if c == 0 {
			return false
		}
		if c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f' {
			bad++
		}
	}
	return bad*20 < len(b)
}

// ClassifyZip refines a zip archive into an Android or iOS package kind from
// the names of its entries.
func ClassifyZip(names []string) Kind {
	var manifest, dex, arsc, baseManifest, classesJar, metaInf, classFile, payloadApp, apks, manifestJSON, tocPB bool
	for _, n := range names {
		switch {
		case n == "AndroidManifest.xml":
			manifest = true
		case n == "resources.arsc":
			arsc = true
		case strings.HasPrefix(n, "classes") && strings.HasSuffix(n, ".dex") && !strings.Contains(n, "/"):
			dex = true
		case n == "base/manifest/AndroidManifest.xml":
			baseManifest = true
		case n == "classes.jar":
			classesJar = true
		case n == "META-INF/MANIFEST.MF":
			metaInf = true
		case strings.HasSuffix(n, ".class"):
			classFile = true
		case n == "manifest.json" || n == "info.json":
			manifestJSON = true
		case n == "toc.pb":
			tocPB = true
		case strings.HasSuffix(n, ".apk"):
			apks = true
		}
		if strings.HasPrefix(n, "Payload/") {
			if i := strings.Index(n[len("Payload/"):], "/"); i > 0 && strings.HasSuffix(n[len("Payload/"):len("Payload/")+i], ".app") {
				payloadApp = true
			}
		}
	}
	switch {
	case baseManifest:
		return AAB
	case manifest && (dex || arsc):
		return APK
	case manifest && classesJar:
		return AAR
	case apks && (manifestJSON || tocPB || !manifest):
		return XAPK
	case payloadApp:
		return IPA
	case manifest:
		return APK
	case metaInf || classFile:
		return JAR
	}
	return Zip
}

// IsMediaName reports whether an entry's name says it is media. It is used
// only as a hint together with Sniff, never alone.
func IsMediaName(name string) bool {
	switch strings.ToLower(path.Ext(name)) {
	case ".png", ".jpg", ".jpeg", ".gif", ".webp", ".mp3", ".mp4", ".ogg", ".wav", ".m4a", ".aac",
		".ttf", ".otf", ".woff", ".woff2", ".webm", ".mkv", ".avif", ".heic", ".9.png":
		return true
	}
	return false
}
