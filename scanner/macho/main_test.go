package macho

import (
	"os"
	"testing"

	"github.com/sdkvet/sdkvet/scanner/sandbox"
)

func TestMain(m *testing.M) {
	sandbox.MainIfWorker()
	os.Exit(m.Run())
}
