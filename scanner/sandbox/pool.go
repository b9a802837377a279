package sandbox

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Children are kept running between calls: starting a process costs about
// 3 ms, which dominated the scan of a static library with a thousand
// members. A child serves one request at a time over a pair of pipes (file
// descriptors 3 and 4, so that nothing a parser prints can corrupt the
// protocol). A child that crashes, overruns its memory cap or its deadline
// is killed and never reused; one that served maxUses requests is retired.

// envPool starts a child in pool mode; its value is the memory cap.
const envPool = "SDKVET_SANDBOX_POOL"

const (
	maxIdle   = 4
	maxUses   = 512
	softLimit = 128 << 20
)

type worker struct {
	cmd    *exec.Cmd
	req    *os.File      // the child's fd 3
	resp   *bufio.Reader // the child's fd 4
	respF  *os.File
	stderr *lockedCapped
	mem    int64
	uses   int
	done   chan struct{} // closed when the process has exited
}

var (
	poolMu  sync.Mutex
	idle    []*worker
	started atomic.Int64 // children started, for tests and logs
)

// getWorker returns an idle child with the given memory cap, or starts one.
// A child found dead while idle is closed and skipped.
func getWorker(mem int64) (*worker, error) {
	for {
		var w *worker
		poolMu.Lock()
		for i := len(idle) - 1; i >= 0; i-- {
			if idle[i].mem == mem {
				w = idle[i]
				idle = append(idle[:i], idle[i+1:]...)
				break
			}
		}
		poolMu.Unlock()
		if w == nil {
			return startWorker(mem)
		}
		select {
		case <-w.done:
			w.req.Close()
			w.respF.Close()
		default:
			return w, nil
		}
	}
}

func putWorker(w *worker) {
	w.uses++
	poolMu.Lock()
	defer poolMu.Unlock()
	// A child that has written much to stderr is retired too, so that a
	// crash report always fits in what is kept.
	if w.uses >= maxUses || len(idle) >= maxIdle || w.stderr.Len() > 16<<10 {
		go w.stop()
		return
	}
	idle = append(idle, w)
}

func startWorker(mem int64) (*worker, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("sandbox: find own executable: %w", err)
	}
	reqR, reqW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	respR, respW, err := os.Pipe()
	if err != nil {
		reqR.Close()
		reqW.Close()
		return nil, err
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), envPool+"="+strconv.FormatInt(mem, 10))
	cmd.ExtraFiles = []*os.File{reqR, respW}
	stderr := &lockedCapped{c: capped{max: 64 << 10}}
	cmd.Stdout, cmd.Stderr = io.Discard, stderr
	started.Add(1)
	if err := cmd.Start(); err != nil {
		reqR.Close()
		reqW.Close()
		respR.Close()
		respW.Close()
		return nil, fmt.Errorf("sandbox: start child: %w", err)
	}
	reqR.Close()
	respW.Close()
	w := &worker{cmd: cmd, req: reqW, resp: bufio.NewReaderSize(respR, 64<<10), respF: respR, stderr: stderr, mem: mem, done: make(chan struct{})}
	go func() {
		cmd.Wait()
		close(w.done)
	}()
	return w, nil
}

// stop ends the child: closing its request pipe makes it exit; a child
// that does not is killed.
func (w *worker) stop() {
	w.req.Close()
	select {
	case <-w.done:
	case <-time.After(2 * time.Second):
		w.cmd.Process.Kill()
		<-w.done
	}
	w.respF.Close()
}

// kill ends a child at once and waits for it.
func (w *worker) kill() {
	w.cmd.Process.Kill()
	w.req.Close()
	<-w.done
	w.respF.Close()
}

type result struct {
	ok      bool
	payload []byte
	err     error
}

func runPooled(ctx context.Context, name string, input []byte, lim Limits) ([]byte, error) {
	w, err := getWorker(lim.Memory)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	errMark := w.stderr.Len() // what the child writes from here on is about this request
	ch := make(chan result, 1)
	go func() {
		if err := writeRequest(w.req, name, input); err != nil {
			ch <- result{err: err}
			return
		}
		ok, payload, err := readResponse(w.resp, lim.Output)
		ch <- result{ok: ok, payload: payload, err: err}
	}()
	timer := time.NewTimer(lim.Timeout)
	defer timer.Stop()
	select {
	case r := <-ch:
		switch {
		case r.err == errOutputLimit:
			w.kill()
			return nil, fmt.Errorf("%w: %s parser wrote more than %d bytes", ErrContained, name, lim.Output)
		case r.err != nil:
			// The child died mid-request: say why, from what it wrote.
			w.kill()
			msg := strings.TrimSpace(w.stderr.Since(errMark))
			if strings.Contains(msg, "out of memory") || strings.Contains(msg, "cannot allocate memory") {
				return nil, fmt.Errorf("%w: %s parser exceeded its %d MiB memory limit", ErrContained, name, lim.Memory>>20)
			}
			return nil, fmt.Errorf("%w: %s parser crashed after %s: %s", ErrContained, name, time.Since(start).Round(time.Millisecond), firstLine(panicLine(msg)))
		case !r.ok:
			putWorker(w)
			return nil, errors.New(firstLine(string(r.payload)))
		}
		putWorker(w)
		return r.payload, nil
	case <-timer.C:
		w.kill()
		return nil, fmt.Errorf("%w: %s parser did not finish within %s and was stopped", ErrContained, name, lim.Timeout)
	case <-ctx.Done():
		w.kill()
		return nil, fmt.Errorf("%w: %s parser stopped: %v", ErrContained, name, ctx.Err())
	}
}

// panicLine picks the "panic:" or "fatal error:" line of a Go crash report.
func panicLine(msg string) string {
	for _, l := range strings.Split(msg, "\n") {
		if strings.HasPrefix(l, "panic:") || strings.HasPrefix(l, "fatal error:") {
			return l
		}
	}
	return msg
}

var errOutputLimit = errors.New("output limit")

// A request is: u32 name length, name, u64 input length, input.
func writeRequest(w io.Writer, name string, input []byte) error {
	hdr := binary.LittleEndian.AppendUint32(nil, uint32(len(name)))
	hdr = append(hdr, name...)
	hdr = binary.LittleEndian.AppendUint64(hdr, uint64(len(input)))
	if _, err := w.Write(hdr); err != nil {
		return err
	}
	_, err := w.Write(input)
	return err
}

// A response is: one status byte (0 output, 1 handler error), u64 length,
// payload.
func readResponse(r io.Reader, max int64) (bool, []byte, error) {
	var hdr [9]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return false, nil, err
	}
	n := binary.LittleEndian.Uint64(hdr[1:])
	if n > uint64(max) {
		return false, nil, errOutputLimit
	}
	payload := make([]byte, n)
	if _, err := io.ReadFull(r, payload); err != nil {
		return false, nil, err
	}
	return hdr[0] == 0, payload, nil
}

// servePool is the child's loop in pool mode.
func servePool() int {
	var mem int64
	fmt.Sscan(os.Getenv(envPool), &mem)
	if mem > 0 {
		// The hard cap is the address-space limit; the Go limit is a
		// softer target that keeps a long-lived child's heap from
		// holding on to what earlier requests needed.
		debugSetMemoryLimit(min(mem, softLimit))
		limitAddressSpace(mem)
	}
	req := bufio.NewReaderSize(os.NewFile(3, "sandbox-request"), 64<<10)
	resp := os.NewFile(4, "sandbox-response")
	for {
		var n32 [4]byte
		if _, err := io.ReadFull(req, n32[:]); err != nil {
			return 0 // the parent closed the pipe
		}
		name := make([]byte, binary.LittleEndian.Uint32(n32[:])&0xffff)
		var n64 [8]byte
		if _, err := io.ReadFull(req, name); err != nil {
			return 2
		}
		if _, err := io.ReadFull(req, n64[:]); err != nil {
			return 2
		}
		n := binary.LittleEndian.Uint64(n64[:])
		if mem > 0 && n > uint64(mem) {
			fmt.Fprintf(os.Stderr, "sandbox: input of %d bytes is more than the memory limit\n", n)
			return 2
		}
		input := make([]byte, n)
		if _, err := io.ReadFull(req, input); err != nil {
			return 2
		}
		mu.RLock()
		h, ok := handlers[string(name)]
		mu.RUnlock()
		status, out := byte(0), []byte(nil)
		if !ok {
			status, out = 1, []byte(fmt.Sprintf("sandbox: no handler %q", name))
		} else {
			var err error
			out, err = h(input)
			if err != nil {
				status, out = 1, []byte(err.Error())
			}
		}
		input = nil
		hdr := append([]byte{status}, binary.LittleEndian.AppendUint64(nil, uint64(len(out)))...)
		if _, err := resp.Write(append(hdr, out...)); err != nil {
			return 2
		}
	}
}

// lockedCapped is a capped buffer safe to read while exec copies into it.
type lockedCapped struct {
	mu sync.Mutex
	c  capped
}

func (l *lockedCapped) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.c.Write(p) // past the cap the rest is dropped: the start says what happened
	return len(p), nil
}

func (l *lockedCapped) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.c.String()
}

// Len is how many bytes have been kept so far.
func (l *lockedCapped) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.c.Len()
}

// Since returns what was kept after the first n bytes.
func (l *lockedCapped) Since(n int) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if n > l.c.Len() {
		return ""
	}
	return string(l.c.Bytes()[n:])
}
