package walk

import (
	"context"
	"fmt"
	"io"

	"github.com/sdkvet/sdkvet/scanner/arfile"
	"github.com/sdkvet/sdkvet/scanner/filekind"
)

// arArchive walks a Unix ar archive (an iOS static library, .a): each member,
// usually a Mach-O object, is sniffed and analyzed like an archive entry.
func (s *session) arArchive(ctx context.Context, display string, r io.ReaderAt, size int64, depth int) {
	if depth > s.w.Limits.MaxDepth {
		s.out.Error(display, limitErr("archive nested deeper than %d levels (--max-depth)", s.w.Limits.MaxDepth))
		return
	}
	if size > s.w.Limits.MaxEntrySize {
		s.out.Error(display, limitErr("static library of %d bytes is more than the %d-byte entry limit (--max-entry-size)", size, s.w.Limits.MaxEntrySize))
		return
	}
	// The member table is read from memory; members are then read in place.
	if err := s.budget.take(size); err != nil {
		s.out.Error(display, err)
		return
	}
	data := make([]byte, size)
	if _, err := r.ReadAt(data, 0); err != nil && err != io.EOF {
		s.out.Error(display, fmt.Errorf("read ar: %w", err))
		return
	}
	var ms []member
	over := false
	err := arfile.Members(data, func(m arfile.Member) bool {
		if len(ms) >= s.w.Limits.MaxEntries {
			over = true
			return false
		}
		body := io.NewSectionReader(r, m.Offset, m.Size)
		ms = append(ms, member{
			name: m.Name, display: display + "!/" + printable(m.Name), size: m.Size, compressed: -1,
			open:    func() (io.ReadCloser, error) { return io.NopCloser(io.NewSectionReader(body, 0, m.Size)), nil },
			inPlace: func() (io.ReaderAt, error) { return body, nil },
		})
		return true
	})
	if err != nil {
		s.out.Error(display, fmt.Errorf("read ar: %w", err))
	}
	if over {
		s.out.Error(display, limitErr("more than %d members (--max-entries)", s.w.Limits.MaxEntries))
	}
	s.members(ctx, ms, depth, filekind.Ar)
}
