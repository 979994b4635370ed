//go:build unix

package safefile

import "syscall"

const openFlags = syscall.O_NONBLOCK

// NoFollow makes an open fail on a symbolic link (O_NOFOLLOW), for the
// files a program opens to write: a link planted between a check and the
// open cannot redirect the write.
const NoFollow = syscall.O_NOFOLLOW
