// Command release builds a release of cams_exporter into dist/ from a clean
// work tree; `make release` runs it (README: Install):
//
//   - an archive per platform, cams_exporter-<version>.<os>-<arch>.tar.gz
//     (.zip for windows), holding cams_exporter-<version>.<os>-<arch>/ with
//     the static binary (CGO_ENABLED=0, -trimpath; version, revision,
//     branch and build date stamped for --version), LICENSE and README.md;
//   - a CycloneDX SBOM of each binary's modules, made from the binary by
//     cyclonedx-gomod: <archive base>.sbom.cdx.json;
//   - the .deb and .rpm of each Linux platform, made by nfpm from
//     packaging/nfpm.yaml: the binary, the systemd unit and the environment
//     file;
//   - the Helm chart, packaged by helm;
//   - sha256sums.txt over all of them, written last.
//
// The version is VERSION's; the build date is the commit's time (or
// $SOURCE_DATE_EPOCH), so that two releases of one commit have the same
// archives, SBOMs and packages. A dirty work tree, a VERSION that is not a
// version, a CHANGELOG.md without its section, a chart whose appVersion is
// not VERSION and a missing tool each stop it with a one-line error before
// anything is built; a failure later leaves no dist/ behind.
//
//	go run ./scripts/release [-dist dist] [-platforms linux/amd64,...] [-packagers deb,rpm] [-chart=true] [-tools DIR]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// options are what the command line asks for.
type options struct {
	dist      string
	platforms []platform
	packagers []string
	chart     bool
	tools     string
}

func run(args []string, stdout, stderr io.Writer) int {
	opts, err := parseOptions(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "release: %v\n", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := release(ctx, opts, stdout); err != nil {
		fmt.Fprintf(stderr, "release: %v\n", err)
		return 1
	}
	return 0
}

func parseOptions(args []string, stderr io.Writer) (options, error) {
	fs := flag.NewFlagSet("release", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dist := fs.String("dist", "dist", "directory to write the release to (emptied first)")
	platforms := fs.String("platforms", strings.Join(platformNames(allPlatforms), ","), "platforms to build, os/arch[/variant], comma-separated")
	packagers := fs.String("packagers", "deb,rpm", "Linux packages to build for each Linux platform (deb, rpm), comma-separated; empty for none")
	chart := fs.Bool("chart", true, "package the Helm chart")
	tools := fs.String("tools", defaultToolsBin(), "directory of nfpm, cyclonedx-gomod and helm (scripts/install-tools.sh release installs them)")
	if err := fs.Parse(args); err != nil {
		return options{}, err
	}
	if fs.NArg() > 0 {
		return options{}, fmt.Errorf("unexpected argument %q; see -help", fs.Arg(0))
	}
	opts := options{dist: *dist, chart: *chart, tools: *tools}
	var err error
	if opts.platforms, err = parsePlatforms(*platforms); err != nil {
		return options{}, err
	}
	if opts.packagers, err = parsePackagers(*packagers); err != nil {
		return options{}, err
	}
	return opts, nil
}

// defaultToolsBin is scripts/install-tools.sh's bin/: under $CAMS_TOOLS_DIR,
// or $HOME/.cache/cams_exporter-tools.
func defaultToolsBin() string {
	if d := os.Getenv("CAMS_TOOLS_DIR"); d != "" {
		return filepath.Join(d, "bin")
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	return filepath.Join(home, ".cache", "cams_exporter-tools", "bin")
}

func parsePackagers(s string) ([]string, error) {
	var out []string
	for _, p := range strings.Split(s, ",") {
		switch p = strings.TrimSpace(p); p {
		case "":
		case "deb", "rpm":
			out = append(out, p)
		default:
			return nil, fmt.Errorf("-packagers: %q is not deb or rpm", p)
		}
	}
	return out, nil
}

// release checks everything it can before it builds anything, then builds
// into a dist/ it empties first, and removes dist/ again if a step fails.
func release(ctx context.Context, opts options, stdout io.Writer) error {
	// Where the command was run, before readSource moves to the top.
	dist, err := realPath(opts.dist)
	if err != nil {
		return err
	}
	src, err := readSource(ctx)
	if err != nil {
		return err
	}
	if err := src.checkReleasable(opts.chart); err != nil {
		return err
	}
	if err := src.checkDist(ctx, dist, opts.dist); err != nil {
		return err
	}
	t, err := findTools(opts)
	if err != nil {
		return err
	}
	if err := os.RemoveAll(dist); err != nil {
		return err
	}
	if err := os.MkdirAll(dist, 0o755); err != nil {
		return err
	}
	started := time.Now()
	fmt.Fprintf(stdout, "release: cams_exporter %s, revision %s (%s), built %s, into %s\n",
		src.version, src.revision, src.branch, src.date.UTC().Format(time.RFC3339), dist)
	if err := build(ctx, src, t, opts, dist, stdout); err != nil {
		if rmErr := os.RemoveAll(dist); rmErr != nil {
			return fmt.Errorf("%w (and removing the incomplete %s: %v)", err, dist, rmErr)
		}
		return fmt.Errorf("%w; removed the incomplete %s", err, dist)
	}
	fmt.Fprintf(stdout, "release: done in %s\n", time.Since(started).Round(100*time.Millisecond))
	return nil
}

// build makes every artifact in dist, then sha256sums.txt.
func build(ctx context.Context, src source, t tools, opts options, dist string, stdout io.Writer) error {
	work, err := os.MkdirTemp("", "cams_exporter-release-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	step := func(what string, f func() (string, error)) error {
		start := time.Now()
		name, err := f()
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		fmt.Fprintf(stdout, "release: %-52s %s\n", name, time.Since(start).Round(100*time.Millisecond))
		return nil
	}
	for _, p := range opts.platforms {
		var bin string
		err := step("building "+p.String(), func() (s string, err error) {
			bin, err = goBuild(ctx, src, p, filepath.Join(work, p.dirName(src.version)))
			return "go build " + p.String(), err
		})
		if err != nil {
			return err
		}
		if err := step("archiving "+p.String(), func() (string, error) { return writeArchive(src, p, bin, dist) }); err != nil {
			return err
		}
		if err := step("the SBOM of "+p.String(), func() (string, error) { return writeSBOM(ctx, t, src, p, bin, dist) }); err != nil {
			return err
		}
		if p.os != "linux" {
			continue
		}
		for _, packager := range opts.packagers {
			err := step("the "+packager+" of "+p.String(), func() (string, error) {
				return writePackage(ctx, t, src, p, packager, bin, dist)
			})
			if err != nil {
				return err
			}
		}
	}
	if opts.chart {
		if err := step("packaging the chart", func() (string, error) { return packageChart(ctx, t, work, dist) }); err != nil {
			return err
		}
	}
	return step("checksums", func() (string, error) { return writeChecksums(dist) })
}
