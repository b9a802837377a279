//go:build !unix

package walk

// openNoBlock: named pipes are not opened through the file system here.
const openNoBlock = 0
