// Command testsummary reads `go test -json` on standard input and prints what
// a plain `go test` would (per-package ok/FAIL lines and the output of failed
// tests), then the skipped and slowest tests and a closing line
// "summary: N passed, N failed, N skipped" that CI logs can be judged by.
//
// It exits non-zero when a test or a package failed, a package did not build,
// or no test ran at all.
//
//	TF_ACC=1 go test -json ./... | go run ./tools/testsummary [-v]
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"
)

// event is one line of `go test -json` (see `go doc test2json`).
type event struct {
	Action      string
	Package     string
	Test        string
	Elapsed     float64
	Output      string
	ImportPath  string
	FailedBuild string
}

type testKey struct{ pkg, test string }

type testResult struct {
	key     testKey
	elapsed time.Duration
	reason  string
}

type summarizer struct {
	out     io.Writer
	verbose bool

	// Output of running tests, kept until the test's outcome is known.
	buffers map[testKey][]string
	running map[testKey]bool
	// Package-level lines ("ok  \tpkg\t1.2s"), printed when the package ends
	// so that a timed-out test's panic comes before its package's FAIL line.
	pkgLines map[string][]string

	passed, failed, skipped int
	failedTests             []testKey
	skippedTests            []testResult
	topLevel                []testResult
	failedPackages          []string
	buildFailures           map[string]bool
	// Packages that started and have not reported an outcome yet; any left
	// at the end of input means go test was interrupted.
	unfinished map[string]bool
}

func main() {
	verbose := flag.Bool("v", false, "print the output of passing tests too")
	flag.Parse()

	s := &summarizer{
		out:           os.Stdout,
		verbose:       *verbose,
		buffers:       map[testKey][]string{},
		running:       map[testKey]bool{},
		pkgLines:      map[string][]string{},
		unfinished:    map[string]bool{},
		buildFailures: map[string]bool{},
	}

	scanner := bufio.NewScanner(os.Stdin)
	scanner.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
	for scanner.Scan() {
		s.line(scanner.Bytes())
	}
	if err := scanner.Err(); err != nil {
		fmt.Fprintf(os.Stderr, "testsummary: reading go test output: %v\n", err)
		os.Exit(2)
	}

	os.Exit(s.finish())
}

func (s *summarizer) line(raw []byte) {
	var ev event
	if len(raw) == 0 || raw[0] != '{' || json.Unmarshal(raw, &ev) != nil {
		// Not an event: the go command's own messages (bad flags, module errors).
		fmt.Fprintln(s.out, string(raw))
		return
	}

	key := testKey{ev.Package, ev.Test}
	switch ev.Action {
	case "build-output":
		fmt.Fprint(s.out, ev.Output)
	case "build-fail":
		s.buildFailures[ev.ImportPath] = true
	case "start":
		s.unfinished[ev.Package] = true
	case "run":
		s.running[key] = true
	case "output":
		switch {
		case ev.Test == "":
			// Package-level lines: "ok  \tpkg\t1.2s", "FAIL\tpkg", "?   \tpkg\t[no test files]".
			if s.verbose || ev.Output != "PASS\n" {
				s.pkgLines[ev.Package] = append(s.pkgLines[ev.Package], ev.Output)
			}
		case s.verbose:
			fmt.Fprint(s.out, ev.Output)
		default:
			s.buffers[key] = append(s.buffers[key], ev.Output)
		}
	case "pass", "fail", "skip":
		if ev.Test == "" {
			s.packageDone(ev)
			return
		}
		s.testDone(key, ev)
	}
}

func (s *summarizer) testDone(key testKey, ev event) {
	delete(s.running, key)
	result := testResult{key: key, elapsed: time.Duration(ev.Elapsed * float64(time.Second))}

	switch ev.Action {
	case "pass":
		s.passed++
	case "fail":
		s.failed++
		s.failedTests = append(s.failedTests, key)
		s.flush(key)
	case "skip":
		s.skipped++
		result.reason = skipReason(s.buffers[key])
		s.skippedTests = append(s.skippedTests, result)
	}
	delete(s.buffers, key)

	if !strings.Contains(key.test, "/") {
		s.topLevel = append(s.topLevel, result)
	}
}

func (s *summarizer) packageDone(ev event) {
	delete(s.unfinished, ev.Package)
	defer func() {
		for _, l := range s.pkgLines[ev.Package] {
			fmt.Fprint(s.out, l)
		}
		delete(s.pkgLines, ev.Package)
	}()
	if ev.Action != "fail" {
		return
	}
	s.failedPackages = append(s.failedPackages, ev.Package)

	// Tests still running when their binary failed (a panic or -timeout)
	// never report an outcome; their output holds the reason.
	var unfinished []testKey
	for key := range s.running {
		if key.pkg == ev.Package {
			unfinished = append(unfinished, key)
		}
	}
	sort.Slice(unfinished, func(i, j int) bool { return unfinished[i].test < unfinished[j].test })
	for _, key := range unfinished {
		s.failed++
		s.failedTests = append(s.failedTests, key)
		s.flush(key)
		delete(s.buffers, key)
		delete(s.running, key)
	}

	// A package that failed without a failing test (build error, TestMain,
	// leaked goroutine check) still counts once, so the closing line cannot
	// read "0 failed" for a failed run.
	for _, key := range s.failedTests {
		if key.pkg == ev.Package {
			return
		}
	}
	s.failed++
	s.failedTests = append(s.failedTests, testKey{ev.Package, "(package)"})
}

func (s *summarizer) flush(key testKey) {
	for _, l := range s.buffers[key] {
		fmt.Fprint(s.out, l)
	}
}

// skipReason returns the first message a skipped test logged, e.g. the t.Skip argument.
func skipReason(lines []string) string {
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "=== ") || strings.HasPrefix(l, "--- SKIP") {
			continue
		}
		return l
	}
	return ""
}

func (s *summarizer) finish() int {
	w := s.out

	// Packages that never reported an outcome count as one failure each;
	// whatever their running tests printed is all there is to go on.
	var unfinished []string
	for p := range s.unfinished {
		unfinished = append(unfinished, p)
	}
	sort.Strings(unfinished)
	for _, p := range unfinished {
		for key := range s.running {
			if key.pkg == p {
				s.flush(key)
			}
		}
		s.failed++
	}
	fmt.Fprintln(w)

	if len(s.skippedTests) > 0 {
		fmt.Fprintf(w, "Skipped tests (%d):\n", len(s.skippedTests))
		for i, r := range s.skippedTests {
			if i == 20 {
				fmt.Fprintf(w, "  ... and %d more\n", len(s.skippedTests)-i)
				break
			}
			fmt.Fprintf(w, "  %s %s: %s\n", shortPkg(r.key.pkg), r.key.test, r.reason)
		}
	}

	if len(s.topLevel) > 0 {
		sort.SliceStable(s.topLevel, func(i, j int) bool { return s.topLevel[i].elapsed > s.topLevel[j].elapsed })
		fmt.Fprintln(w, "Slowest tests:")
		for _, r := range s.topLevel[:min(10, len(s.topLevel))] {
			fmt.Fprintf(w, "  %7.2fs %s %s\n", r.elapsed.Seconds(), shortPkg(r.key.pkg), r.key.test)
		}
	}

	if len(s.buildFailures) > 0 {
		var paths []string
		for p := range s.buildFailures {
			paths = append(paths, p)
		}
		sort.Strings(paths)
		fmt.Fprintf(w, "Build failures: %s\n", strings.Join(paths, ", "))
	}
	if len(s.failedTests) > 0 {
		fmt.Fprintln(w, "Failed tests:")
		for _, k := range s.failedTests {
			fmt.Fprintf(w, "  %s %s\n", shortPkg(k.pkg), k.test)
		}
	}
	if len(s.failedPackages) > 0 {
		fmt.Fprintf(w, "Failed packages: %s\n", strings.Join(s.failedPackages, ", "))
	}
	if len(s.unfinished) > 0 {
		fmt.Fprintf(w, "Unfinished packages (go test was interrupted): %s\n", strings.Join(unfinished, ", "))
	}

	status := 0
	switch {
	case s.failed > 0 || len(s.failedPackages) > 0 || len(s.buildFailures) > 0 || len(s.unfinished) > 0:
		fmt.Fprintln(w, "FAIL")
		status = 1
	case s.passed == 0:
		fmt.Fprintln(w, "FAIL: no test ran")
		status = 1
	default:
		fmt.Fprintln(w, "PASS")
	}
	fmt.Fprintf(w, "summary: %d passed, %d failed, %d skipped\n", s.passed, s.failed, s.skipped)
	return status
}

// shortPkg trims the module path so lines stay readable.
func shortPkg(pkg string) string {
	const module = "github.com/terraform-dataloop/terraform-provider-dataloop/"
	return strings.TrimPrefix(pkg, module)
}
