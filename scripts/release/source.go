package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// source is the commit a release is built from.
type source struct {
	root     string // the work tree's top directory, the process's directory
	version  string // VERSION's, e.g. 0.1.0
	revision string // the commit's hash
	branch   string // the branch checked out, HEAD when detached
	date     time.Time
}

// versionPattern is a semantic version without the v: 0.1.0, 1.2.3-rc.1.
var versionPattern = regexp.MustCompile(`^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?$`)

// readSource finds the work tree, refuses uncommitted changes and reads the
// version, revision, branch and date; the process moves to the top
// directory, where every later step runs.
func readSource(ctx context.Context) (source, error) {
	top, err := git(ctx, "rev-parse", "--show-toplevel")
	if err != nil {
		return source{}, fmt.Errorf("not in a git work tree (%v): a release is built from a commit of a clone", err)
	}
	if err := os.Chdir(top); err != nil {
		return source{}, err
	}
	if err := checkClean(ctx); err != nil {
		return source{}, err
	}
	if top, err = realPath(top); err != nil {
		return source{}, err
	}
	src := source{root: top}
	b, err := os.ReadFile("VERSION")
	if err != nil {
		return source{}, fmt.Errorf("reading the version: %v; VERSION holds it, such as 0.1.0", err)
	}
	if src.version = strings.TrimSpace(string(b)); !versionPattern.MatchString(src.version) {
		return source{}, fmt.Errorf("VERSION holds %q, not a version such as 0.1.0 or 1.2.0-rc.1", src.version)
	}
	if src.revision, err = git(ctx, "rev-parse", "HEAD"); err != nil {
		return source{}, err
	}
	if src.branch, err = git(ctx, "rev-parse", "--abbrev-ref", "HEAD"); err != nil {
		return source{}, err
	}
	src.date, err = buildDate(ctx)
	return src, err
}

// checkClean refuses a work tree with changes or untracked files: either
// would be built into a release that no commit describes.
func checkClean(ctx context.Context) error {
	out, err := git(ctx, "status", "--porcelain=v1", "--untracked-files=normal")
	if err != nil {
		return err
	}
	if out == "" {
		return nil
	}
	lines := strings.Split(out, "\n")
	for i := range lines {
		lines[i] = strings.TrimSpace(lines[i])
	}
	shown := lines[:min(3, len(lines))]
	more := ""
	if len(lines) > len(shown) {
		more = fmt.Sprintf(" and %d more", len(lines)-len(shown))
	}
	return fmt.Errorf("the work tree is not clean (%s%s): commit or stash the changes; a release is built from a commit",
		strings.Join(shown, ", "), more)
}

// buildDate is $SOURCE_DATE_EPOCH when it is set, else the commit's time.
func buildDate(ctx context.Context) (time.Time, error) {
	s := os.Getenv("SOURCE_DATE_EPOCH")
	what := "SOURCE_DATE_EPOCH"
	if s == "" {
		var err error
		if s, err = git(ctx, "log", "-1", "--format=%ct"); err != nil {
			return time.Time{}, err
		}
		what = "the commit's time"
	}
	sec, err := strconv.ParseInt(s, 10, 64)
	if err != nil || sec < 0 {
		return time.Time{}, fmt.Errorf("%s is %q, not seconds since 1970", what, s)
	}
	return time.Unix(sec, 0).UTC(), nil
}

// checkReleasable refuses a release the files of the commit contradict: no
// section for the version in CHANGELOG.md, or a chart for another version
// of the exporter.
func (s source) checkReleasable(chart bool) error {
	changelog, err := os.ReadFile("CHANGELOG.md")
	if err != nil {
		return fmt.Errorf("reading the changelog: %v", err)
	}
	heading := regexp.MustCompile(`(?m)^## ` + regexp.QuoteMeta(s.version) + ` / \d{4}-\d{2}-\d{2}$`)
	if !heading.Match(changelog) {
		return fmt.Errorf("CHANGELOG.md has no section \"## %s / YYYY-MM-DD\"; write what %s changes first", s.version, s.version)
	}
	if !chart {
		return nil
	}
	var meta struct {
		AppVersion string `yaml:"appVersion"`
	}
	b, err := os.ReadFile(chartYAML)
	if err == nil {
		err = yaml.Unmarshal(b, &meta)
	}
	if err != nil {
		return fmt.Errorf("reading %s: %v", chartYAML, err)
	}
	if meta.AppVersion != s.version {
		return fmt.Errorf("%s has appVersion %q, VERSION %q: set the chart's appVersion (the default image tag) to the version released", chartYAML, meta.AppVersion, s.version)
	}
	return nil
}

// checkDist refuses a directory (abs, given as dist) that holds the work
// tree or a tracked file, which emptying it would delete.
func (s source) checkDist(ctx context.Context, abs, dist string) error {
	if rel, err := filepath.Rel(abs, s.root); err == nil && !strings.HasPrefix(rel, "..") {
		return fmt.Errorf("-dist %s holds the work tree, which emptying it would delete; give a directory of its own such as dist", dist)
	}
	if rel, err := filepath.Rel(s.root, abs); err == nil && !strings.HasPrefix(rel, "..") {
		tracked, err := git(ctx, "ls-files", "--", rel)
		if err != nil {
			return err
		}
		if tracked != "" {
			return fmt.Errorf("-dist %s holds files of the repository (%s), which emptying it would delete; give a directory of its own such as dist", dist, firstLine(tracked))
		}
	}
	return nil
}

// realPath is path made absolute with its symbolic links resolved, as far
// as it exists.
func realPath(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		return real, nil
	}
	parent, err := realPath(filepath.Dir(abs))
	if err != nil || parent == filepath.Dir(abs) {
		return abs, err
	}
	return filepath.Join(parent, filepath.Base(abs)), nil
}

// git runs git in the process's directory and returns its output, trimmed.
func git(ctx context.Context, args ...string) (string, error) {
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		var exit *exec.ExitError
		if msg == "" || !errors.As(err, &exit) {
			msg = err.Error()
		}
		return "", fmt.Errorf("git %s: %s", strings.Join(args, " "), firstLine(msg))
	}
	return strings.TrimRight(stdout.String(), "\n"), nil
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
