// Command sdkvet finds ByteDance and Tencent SDKs, endpoints and app
// identifiers in Android packages and judges them under an editable policy.
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/sdkvet/sdkvet/scanner/sandbox"
)

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
