package health

import (
	"os"
	"testing"
)

func TestDumpTmp(t *testing.T) {
	c := checkerOf(sourcesAccount(10000, 3))
	c.SourceLimiters = map[string]SourceLimiter{phoneNumbers: {Rate: func() float64 { return 8 }, MaxRate: 8}}
	os.WriteFile("/tmp/s18/page.html", get(t, c, "/status", browserAccept).Body.Bytes(), 0o644)
	os.WriteFile("/tmp/s18/status.json", get(t, c, "/status", "").Body.Bytes(), 0o644)
}
