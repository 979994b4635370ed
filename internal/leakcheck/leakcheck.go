// Package leakcheck fails a test binary whose tests leave a goroutine
// behind, as goleak.VerifyTestMain does, but waits for goroutines that are
// still ending (a closed server's connections, a cancelled refresher) up to
// a deadline instead of goleak's half a second: on a loaded machine such a
// goroutine can take longer than that to be scheduled, and a leak check
// must not depend on the machine's speed. A goroutine that is really leaked
// is still there after the deadline.
package leakcheck

import (
	"fmt"
	"io"
	"os"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// Settle is how long Main waits for the tests' goroutines to end.
const Settle = 30 * time.Second

// Main runs m's tests and exits: 1 when they passed but goroutines they
// started are still running after Settle (each printed), else their code.
func Main(m *testing.M, opts ...goleak.Option) {
	code := m.Run()
	if code == 0 && !settled(os.Stderr, time.Now().Add(Settle), opts...) {
		code = 1
	}
	os.Exit(code)
}

// settled reports whether no unexpected goroutine is left before deadline,
// printing the last ones found on w when some are.
func settled(w io.Writer, deadline time.Time, opts ...goleak.Option) bool {
	for {
		err := goleak.Find(opts...)
		if err == nil {
			return true
		}
		if time.Now().After(deadline) {
			fmt.Fprintf(w, "leakcheck: goroutines still running %s after the tests passed: %v\n", Settle, err)
			return false
		}
		time.Sleep(100 * time.Millisecond)
	}
}
