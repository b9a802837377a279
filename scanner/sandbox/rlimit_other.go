//go:build !linux

package sandbox

// limitAddressSpace is a no-op where RLIMIT_AS is not available; the
// deadline and the Go memory limit still apply.
func limitAddressSpace(extra int64) {}
