// Command sdkvet finds ByteDance and Tencent SDKs, endpoints and app
// identifiers in Android packages and judges them under an editable policy.
package main

import (
	"errors"
	"fmt"
	"os"
	"runtime/debug"

	"github.com/sdkvet/sdkvet/scanner/sandbox"
)

// softMemoryLimit is the Go memory-limit target of the scanner process
// (GOMEMLIMIT overrides it).
const softMemoryLimit = 160 << 20

// Exit codes.
const (
	exitOK        = 0
	exitViolation = 1
	exitError     = 2
)

// exitError carries an exit code out of a command.
type codeError struct {
	code int
	err  error
}

func (e *codeError) Error() string {
	if e.err == nil {
		return ""
	}
	return e.err.Error()
}

func main() {
	// A child process started to contain an untrusted parser stops here.
	sandbox.MainIfWorker()
	if os.Getenv("GOMEMLIMIT") == "" {
		// A soft target, not a cap: the collector works harder before the
		// heap doubles around a large binary held for analysis.
		debug.SetMemoryLimit(softMemoryLimit)
	}
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	cmd := newRootCmd()
	cmd.SetArgs(args)
	err := cmd.Execute()
	if err == nil {
		return exitOK
	}
	var ce *codeError
	if errors.As(err, &ce) {
		if ce.err != nil {
			fmt.Fprintln(os.Stderr, "sdkvet: "+oneLine(ce.err.Error()))
		}
		return ce.code
	}
	fmt.Fprintln(os.Stderr, "sdkvet: "+oneLine(err.Error()))
	return exitError
}

func oneLine(s string) string {
	for i, c := range s {
		if c == '\n' {
			return s[:i] + " (…)"
		}
	}
	return s
}
