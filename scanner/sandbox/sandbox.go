// Package sandbox runs parsers that cannot be trusted to fail gracefully in
// a child process of the same binary, with a memory cap and a deadline.
//
// Some third-party parsers loop forever or allocate whatever a size field
// claims on hostile input. A Go "fatal error: out of memory" cannot be
// recovered, and a goroutine stuck in a loop cannot be stopped, so the only
// sound containment is a process: when the child dies or overruns, the parent
// reports a clear error for that part and goes on with everything else.
//
// The child is the running executable itself, started with the environment
// variable SDKVET_SANDBOX naming the handler. Programs (and test binaries)
// that use Run must call MainIfWorker first thing in main (or TestMain).
package sandbox

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
	"sync"
	"time"
)

// EnvVar selects the handler a child process runs.
const EnvVar = "SDKVET_SANDBOX"

// envMem passes the memory cap to the child, in bytes.
const envMem = "SDKVET_SANDBOX_MEM"

// envLen passes the input's length, so that the child reads it into one
// buffer of the right size instead of growing one.
const envLen = "SDKVET_SANDBOX_LEN"

// Handler parses input and returns its output. It runs in the child.
type Handler func(input []byte) ([]byte, error)

var (
	mu       sync.RWMutex
	handlers = map[string]Handler{}
)

// Register makes a handler available to Run under name. Call it from an
// init function so that the child process has it too.
func Register(name string, h Handler) {
	mu.Lock()
	defer mu.Unlock()
	if _, dup := handlers[name]; dup {
		panic("sandbox: handler registered twice: " + name)
	}
	handlers[name] = h
}

// Limits bound one child.
type Limits struct {
	Memory  int64         // bytes of address space beyond the child's start-up size
	Timeout time.Duration // wall time
	Output  int64         // bytes of output accepted from the child
}

// DefaultLimits suit parsing one resource table or binary.
func DefaultLimits() Limits {
	return Limits{Memory: 1 << 30, Timeout: 30 * time.Second, Output: 64 << 20}
}

type limitsKey struct{}

// WithLimits returns a context that carries the limits analyzers should use.
func WithLimits(ctx context.Context, lim Limits) context.Context {
	return context.WithValue(ctx, limitsKey{}, lim)
}

// LimitsFrom returns the limits carried by ctx, or DefaultLimits.
func LimitsFrom(ctx context.Context) Limits {
	if lim, ok := ctx.Value(limitsKey{}).(Limits); ok {
		return lim
	}
	return DefaultLimits()
}

// ErrContained is wrapped by errors about a child that crashed, ran out of
// memory or time.
var ErrContained = errors.New("parser contained")

// Run executes the handler called name on input in a child process.
func Run(ctx context.Context, name string, input []byte, lim Limits) ([]byte, error) {
	mu.RLock()
	_, ok := handlers[name]
	mu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("sandbox: no handler %q", name)
	}
	if lim.Output <= 0 {
		lim.Output = DefaultLimits().Output
	}
	return runPooled(ctx, name, input, lim)
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 300 {
		s = s[:300]
	}
	if s == "" {
		s = "no message"
	}
	return s
}

// capped is a buffer that stops growing at max bytes.
type capped struct {
	bytes.Buffer
	max  int64
	over bool
}

func (c *capped) Write(p []byte) (int, error) {
	if int64(c.Len()+len(p)) > c.max {
		c.over = true
		return 0, errors.New("output limit")
	}
	return c.Buffer.Write(p)
}

// exitHandlerError is the child's exit code when the handler returned an
// ordinary error (as opposed to a crash).
const exitHandlerError = 3

// MainIfWorker turns this process into a sandbox child when EnvVar is set:
// it runs the named handler on standard input, writes its output to standard
// output and exits. It returns at once in a normal process.
func MainIfWorker() {
	if os.Getenv(envPool) != "" {
		os.Exit(servePool())
	}
	name := os.Getenv(EnvVar)
	if name == "" {
		return
	}
	os.Exit(serve(name))
}

func serve(name string) int {
	mu.RLock()
	h, ok := handlers[name]
	mu.RUnlock()
	if !ok {
		fmt.Fprintf(os.Stderr, "sandbox: no handler %q\n", name)
		return 2
	}
	var mem int64
	fmt.Sscan(os.Getenv(envMem), &mem)
	if mem > 0 {
		debug.SetMemoryLimit(mem)
		limitAddressSpace(mem)
	}
	var n int64
	fmt.Sscan(os.Getenv(envLen), &n)
	var in []byte
	var err error
	if n > 0 && (mem <= 0 || n < mem) {
		in = make([]byte, n)
		_, err = io.ReadFull(os.Stdin, in)
	} else {
		in, err = io.ReadAll(os.Stdin)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "sandbox: read input: %v\n", err)
		return 2
	}
	out, err := h(in)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return exitHandlerError
	}
	if _, err := os.Stdout.Write(out); err != nil {
		return 2
	}
	return 0
}

func debugSetMemoryLimit(n int64) { debug.SetMemoryLimit(n) }
