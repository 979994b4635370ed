package spaces

import (
	"context"
	"time"

	"github.com/cams-exporter/cams_exporter/internal/safefile"
)

// MaxFileBytes bounds the spaces file: 200,000 spaces of 128 characters
// with comments fit several times over.
const MaxFileBytes = 64 << 20

// FileStability says when a spaces file being rewritten is read: it must
// not change while it is read, and must have gone unmodified for Settle; a
// file that keeps changing for Within is an error (the previous list stays).
var FileStability = safefile.Stability{Settle: time.Second, Within: 10 * time.Second}

// readFile reads the spaces file: a regular file of at most MaxFileBytes,
// once it is stable.
func readFile(ctx context.Context, path string) ([]byte, error) {
	return safefile.ReadStable(ctx, path, MaxFileBytes, FileStability)
}
