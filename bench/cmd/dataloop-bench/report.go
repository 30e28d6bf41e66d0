package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

// group is the repetitions of one (N, operation, variant).
type group struct {
	N      int
	Op     string
	Checks bool
	Runs   []measurement
}

func (g group) medianWall() time.Duration {
	ws := make([]time.Duration, len(g.Runs))
	for i, r := range g.Runs {
		ws[i] = r.Wall
	}
	slices.Sort(ws)
	if len(ws)%2 == 1 {
		return ws[len(ws)/2]
	}
	return (ws[len(ws)/2-1] + ws[len(ws)/2]) / 2
}

// mean averages f over the repetitions; counts barely vary between them.
func (g group) mean(f func(measurement) float64) float64 {
	s := 0.0
	for _, r := range g.Runs {
		s += f(r)
	}
	return s / float64(len(g.Runs))
}

func (g group) maxRSSMB() float64 {
	var mx int64
	for _, r := range g.Runs {
		mx = max(mx, r.maxRSS())
	}
	return float64(mx) / 1024
}

func groupRuns(all []measurement) []group {
	idx := map[string]int{}
	var out []group
	for _, m := range all {
		k := fmt.Sprintf("%d/%s/%v", m.N, m.Op, m.Checks)
		i, ok := idx[k]
		if !ok {
			i = len(out)
			idx[k] = i
			out = append(out, group{N: m.N, Op: m.Op, Checks: m.Checks})
		}
		out[i].Runs = append(out[i].Runs, m)
	}
	return out
}

func find(gs []group, n int, op string, checks bool) (group, bool) {
	for _, g := range gs {
		if g.N == n && g.Op == op && g.Checks == checks {
			return g, true
		}
	}
	return group{}, false
}

// target is one line of the targets table.
type target struct {
	What   string
	Value  float64
	Unit   string
	Target float64
	Rule   string // "<=" or "=="
}

func (t target) ratio() float64 {
	if t.Target == 0 {
		return 0
	}
	return t.Value / t.Target
}

func (t target) met() bool { return t.Value <= t.Target*1.0000001 }

func targetsFor(gs []group, n, smallest, parallelism int) []target {
	var ts []target
	perN := func(x float64) float64 { return x / float64(n) }
	locs := float64(min(n, benchLocations))
	if r, ok := find(gs, n, "refresh", true); ok {
		ts = append(ts, target{"refresh: platform calls per resource", r.mean(func(m measurement) float64 {
			return perN(float64(m.platformCalls()))
		}), "calls", 1, "<="})
		if d, ok := find(gs, n, "drift", true); ok {
			ts = append(ts, target{"drift plan: access tests per distinct location", d.mean(func(m measurement) float64 {
				return float64(m.tests()) / locs
			}), "tests", 1, "<="})
			ts = append(ts, target{"drift plan wall time ÷ plain refresh", d.medianWall().Seconds() / r.medianWall().Seconds(),
				"×", 1.5, "<="})
		}
	}
	if a, ok := find(gs, n, "apply", true); ok {
		ts = append(ts, target{"apply (create): platform calls per driver beyond the access tests", a.mean(func(m measurement) float64 {
			return perN(float64(m.platformCalls() - m.tests()))
		}), "calls", 1.2, "<="})
		// `terraform apply` walks twice, each walk in its own provider
		// process: the plan checks each location, and the apply-time gate
		// checks it again rather than trust the plan's pass (see the fleets
		// guide), so the target is one test per location per walk.
		ts = append(ts, target{"apply: access tests per distinct location per walk (its plan and its apply)", a.mean(func(m measurement) float64 {
			return float64(m.tests()) / locs / 2
		}), "tests", 1, "<="})
		ts = append(ts, target{"apply: S3 calls per access test", a.mean(func(m measurement) float64 {
			if m.tests() == 0 {
				return 0
			}
			return float64(m.AWS.S3) / float64(m.tests())
		}), "calls", 4, "<="})
		ts = append(ts, target{"apply: platform connections per provider process", a.mean(func(m measurement) float64 {
			return float64(m.TCP.Connections) / float64(max(1, len(m.RSSKB)))
		}), "connections", float64(parallelism), "<="})
		kbPerDriver := func(g group, n int) float64 {
			return g.mean(func(m measurement) float64 { return float64(m.TCP.BytesDown) / 1024 / float64(n) })
		}
		// Bytes linear in N: the bytes per driver stay what they are at
		// the smallest size run (within 20%).
		if base, ok := find(gs, smallest, "apply", true); ok && smallest != n {
			ts = append(ts, target{fmt.Sprintf("apply: KB from the platform per driver (N=%d: %.2f KB/driver; linear means the same)",
				smallest, kbPerDriver(base, smallest)), kbPerDriver(a, n), "KB", 1.2 * kbPerDriver(base, smallest), "<="})
		}
	}
	on, ok1 := find(gs, n, "plan", true)
	off, ok2 := find(gs, n, "plan", false)
	if ok1 && ok2 {
		ts = append(ts, target{fmt.Sprintf("plan creating %d drivers: checks on ÷ checks off", n),
			on.medianWall().Seconds() / off.medianWall().Seconds(), "×", 1.2, "<="})
	}
	if p, ok := find(gs, n, "plan-nochange", true); ok {
		ts = append(ts, target{"provider peak RSS, no-change plan", p.maxRSSMB(), "MB", 80, "<="})
	}
	return ts
}

func writeReport(o options, all []measurement, started time.Time) error {
	gs := groupRuns(all)
	var b strings.Builder
	host, _ := os.Hostname()
	fmt.Fprintf(&b, "# dataloop-bench results\n\n")
	fmt.Fprintf(&b, "- date: %s (took %s)\n", started.UTC().Format(time.RFC3339), time.Since(started).Round(time.Second))
	fmt.Fprintf(&b, "- machine: %s, %d cores (%s), %s, load average at the end: %s\n", host, runtime.NumCPU(),
		cpuModel(), memTotal(), loadAvg())
	fmt.Fprintf(&b, "- load average (1 min) sampled before each terraform command: %s\n", loadSummary(all))
	fmt.Fprintf(&b, "- software: %s, %s, provider commit %s\n", runtime.Version(), firstLine(commandOut("terraform", "version")),
		firstLine(commandOut("git", "-C", repoRoot(), "describe", "--always", "--dirty")))
	fmt.Fprintf(&b, "- command: `%s` (sizes %v, %d repetition(s), variants interleaved, platform latency %s, -parallelism=%d, drift pattern %s)\n",
		o.command, o.sizes, o.reps, o.latency, o.parallelism, o.drift)
	fmt.Fprintf(&b, "- fleet: N S3 drivers over %d distinct (role, bucket, prefix) locations (%d roles × %d buckets, aws-sts integrations, moto with IAM enforcement)\n",
		benchLocations, benchRoles, bucketsPerRole)
	if o.note != "" {
		fmt.Fprintf(&b, "- note: %s\n", o.note)
	}
	b.WriteString("\nWall times are medians; call counts are means over the repetitions. Timings on a shared machine are noisy; counts are exact.\n")

	for _, n := range o.sizes {
		reps := 0
		for _, m := range all {
			if m.N == n {
				reps = max(reps, m.Rep)
			}
		}
		fmt.Fprintf(&b, "\n## N = %d: targets (%d of %d repetitions done)\n\n| figure | measured | target | ratio | |\n|---|---:|---:|---:|---|\n",
			n, reps, o.reps)
		for _, t := range targetsFor(gs, n, slices.Min(o.sizes), o.parallelism) {
			mark := "met"
			if !t.met() {
				mark = "MISSED"
			}
			fmt.Fprintf(&b, "| %s | %.2f %s | %s %.2f | %.2f | %s |\n", t.What, t.Value, t.Unit, t.Rule, t.Target, t.ratio(), mark)
		}
		fmt.Fprintf(&b, "\n## N = %d: every operation\n\n", n)
		b.WriteString("| operation | checks | wall (median) | platform calls / resource | access tests | tests / location | STS / location | S3 / location | S3 / test | connections | KB down / resource | peak RSS |\n")
		b.WriteString("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
		locs := float64(min(n, benchLocations))
		for _, op := range operations {
			for _, checks := range []bool{true, false} {
				g, ok := find(gs, n, op, checks)
				if !ok {
					continue
				}
				tests := g.mean(func(m measurement) float64 { return float64(m.tests()) })
				s3 := g.mean(func(m measurement) float64 { return float64(m.AWS.S3) })
				s3PerTest := 0.0
				if tests > 0 {
					s3PerTest = s3 / tests
				}
				fmt.Fprintf(&b, "| %s | %s | %.1f s | %.2f | %.0f | %.2f | %.2f | %.2f | %.2f | %.0f | %.2f | %.1f MB |\n",
					op, onOff(checks), g.medianWall().Seconds(),
					g.mean(func(m measurement) float64 { return float64(m.platformCalls()) / float64(n) }),
					tests, tests/locs,
					g.mean(func(m measurement) float64 { return float64(m.AWS.STS) })/locs,
					s3/locs, s3PerTest,
					g.mean(func(m measurement) float64 { return float64(m.TCP.Connections) }),
					g.mean(func(m measurement) float64 { return float64(m.TCP.BytesDown) / 1024 / float64(n) }),
					g.maxRSSMB())
			}
		}
		fmt.Fprintf(&b, "\n## N = %d: platform calls per route per resource\n\n| operation | checks | calls per resource by route |\n|---|---|---|\n", n)
		for _, op := range operations {
			for _, checks := range []bool{true, false} {
				g, ok := find(gs, n, op, checks)
				if !ok {
					continue
				}
				routes := map[string]float64{}
				for _, r := range g.Runs {
					for k, v := range r.Routes {
						routes[k] += float64(v) / float64(len(g.Runs)) / float64(n)
					}
				}
				var parts []string
				for _, k := range sortedKeys(routes) {
					if routes[k] > 0 {
						parts = append(parts, fmt.Sprintf("`%s` %.3f", k, routes[k]))
					}
				}
				fmt.Fprintf(&b, "| %s | %s | %s |\n", op, onOff(checks), strings.Join(parts, ", "))
			}
		}
	}

	fmt.Print(b.String())
	dir := o.outDir
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(repoRoot(), dir)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	// One file per run, rewritten as sizes finish.
	base := filepath.Join(dir, started.UTC().Format("2006-01-02T1504Z"))
	if err := os.WriteFile(base+".md", []byte(b.String()), 0o644); err != nil {
		return err
	}
	raw, _ := json.MarshalIndent(all, "", " ")
	if err := os.WriteFile(base+".json", raw, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "results written to %s.md and %s.json\n", base, base)
	return nil
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

func cpuModel() string {
	b, _ := os.ReadFile("/proc/cpuinfo")
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "model name") {
			_, v, _ := strings.Cut(l, ":")
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}

func memTotal() string {
	b, _ := os.ReadFile("/proc/meminfo")
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "MemTotal:") {
			var kb int64
			if _, err := fmt.Sscanf(strings.TrimSpace(strings.TrimPrefix(l, "MemTotal:")), "%d", &kb); err != nil {
				return "unknown RAM"
			}
			return fmt.Sprintf("%.1f GB RAM", float64(kb)/1024/1024)
		}
	}
	return "unknown RAM"
}

// load1 is the 1-minute load average now, or -1.
func load1() float64 {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) < 1 {
		return -1
	}
	v, err := strconv.ParseFloat(f[0], 64)
	if err != nil {
		return -1
	}
	return v
}

// loadSummary sums up the load averages sampled before each command.
func loadSummary(all []measurement) string {
	var ls []float64
	for _, m := range all {
		if m.Load1 >= 0 {
			ls = append(ls, m.Load1)
		}
	}
	if len(ls) == 0 {
		return "not sampled"
	}
	slices.Sort(ls)
	return fmt.Sprintf("min %.1f, median %.1f, max %.1f over %d commands", ls[0], ls[len(ls)/2], ls[len(ls)-1], len(ls))
}

func loadAvg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

func commandOut(name string, args ...string) string {
	out, err := exec.Command(name, args...).Output()
	if err != nil {
		return "unknown"
	}
	return string(out)
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return l
}
