package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// cpuBusy is the share of the machine's CPU time, over d, spent outside
// idle and iowait, from /proc/stat. The harness measures it while it is
// itself idle, so it is what other processes use.
func cpuBusy(ctx context.Context, d time.Duration) (float64, error) {
	busy0, total0, err := procStat()
	if err != nil {
		return 0, err
	}
	sleep(ctx, d)
	busy1, total1, err := procStat()
	if err != nil {
		return 0, err
	}
	if total1 <= total0 {
		return 0, nil
	}
	return float64(busy1-busy0) / float64(total1-total0), nil
}

func procStat() (busy, total uint64, err error) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0, err
	}
	line, _, _ := strings.Cut(string(b), "\n")
	fields := strings.Fields(line)
	if len(fields) < 6 || fields[0] != "cpu" {
		return 0, 0, fmt.Errorf("/proc/stat: unexpected first line %q", line)
	}
	for i, f := range fields[1:] {
		v, err := strconv.ParseUint(f, 10, 64)
		if err != nil {
			return 0, 0, err
		}
		total += v
		if i != 3 && i != 4 { // idle, iowait
			busy += v
		}
	}
	return busy, total, nil
}

// waitQuiet waits, up to o.quietWait, until other processes use less than
// o.quietBusy of the machine, and says how busy it was. Figures taken on a
// busy machine are noise; the table marks them.
func waitQuiet(ctx context.Context, o *options, part string, t *table) {
	deadline := time.Now().Add(o.quietWait)
	for {
		busy, err := cpuBusy(ctx, 2*time.Second)
		if err != nil {
			fmt.Printf("   (cannot read /proc/stat: %v)\n", err)
			return
		}
		if busy < o.quietBusy || ctx.Err() != nil {
			fmt.Printf("   other processes used %.0f %% of the CPU before %s\n", 100*busy, part)
			return
		}
		if !time.Now().Before(deadline) {
			fmt.Printf("   WARNING: other processes used %.0f %% of the CPU before %s: its figures are unreliable\n", 100*busy, part)
			t.add("   machine busy before "+part, fmt.Sprintf("%.0f %% CPU used by others", 100*busy), fmt.Sprintf("< %.0f %%", 100*o.quietBusy), ptr(false))
			return
		}
		fmt.Printf("   other processes use %.0f %% of the CPU: waiting for a quieter machine before %s\n", 100*busy, part)
		sleep(ctx, 5*time.Second)
	}
}
