//go:build unix

package walk

import "syscall"

// openNoBlock is added to the flags a tree's files are opened with: should
// a listed file have been replaced by a named pipe or a device, opening it
// returns at once instead of waiting for a writer.
const openNoBlock = syscall.O_NONBLOCK
