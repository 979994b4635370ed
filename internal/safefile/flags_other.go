//go:build !unix

package safefile

const openFlags = 0

// NoFollow is O_NOFOLLOW where the system has it.
const NoFollow = 0
