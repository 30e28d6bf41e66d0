package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/emulator"
)

// Operations, in the order one repetition runs them.
var operations = []string{"plan", "apply", "plan-nochange", "refresh", "drift", "destroy"}

// measurement is one terraform command.
type measurement struct {
	N         int            `json:"n"`
	Op        string         `json:"op"`
	Checks    bool           `json:"checks"`
	Rep       int            `json:"rep"`
	Wall      time.Duration  `json:"wallNs"`
	Routes    map[string]int `json:"routes"`
	AWS       awsCounts      `json:"aws"`
	TCP       tcpCounts      `json:"tcp"`
	RSSKB     []int64        `json:"rssKB"` // one per provider process
	Locations int            `json:"locations"`
	Load1     float64        `json:"load1"` // 1-minute load average before the command
}

func (m measurement) platformCalls() int {
	n := 0
	for _, c := range m.Routes {
		n += c
	}
	return n
}

func (m measurement) tests() int {
	return m.Routes["POST /drivers/test"] + m.Routes["GET /drivers/{id}/test"]
}

func (m measurement) maxRSS() int64 {
	var mx int64
	for _, r := range m.RSSKB {
		mx = max(mx, r)
	}
	return mx
}

func bench(ctx context.Context, o options) error {
	work, err := os.MkdirTemp("", "dataloop-bench-")
	if err != nil {
		return err
	}
	if o.keep {
		fmt.Fprintln(os.Stderr, "work directory:", work)
	} else {
		defer os.RemoveAll(work)
	}
	logf := func(format string, args ...any) {
		fmt.Fprintf(os.Stderr, "%s  %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
	}
	started := time.Now()
	st, err := startStack(ctx, work, o.latency, logf)
	if err != nil {
		return err
	}
	defer st.stop()

	var all []measurement
	done := o
	done.sizes = nil
	for _, n := range o.sizes {
		dir := filepath.Join(work, fmt.Sprintf("n%d", n))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, "main.tf"),
			[]byte(configHCL(n, st.locations, emulator.DemoProjectID, o.drift)), 0o644); err != nil {
			return err
		}
		for rep := 1; rep <= o.reps; rep++ {
			variants := []bool{true, false}
			if rep%2 == 0 {
				variants = []bool{false, true}
			}
			for _, checks := range variants {
				for _, op := range o.ops {
					m, err := st.measure(ctx, dir, n, op, checks, rep, o.parallelism)
					if err != nil {
						return err
					}
					logf("N=%d rep %d checks=%v %-13s %6.1fs  %5d platform calls  %3d tests  sts=%d s3=%d  rss=%.1f MB  load %.1f",
						n, rep, checks, op, m.Wall.Seconds(), m.platformCalls(), m.tests(), m.AWS.STS, m.AWS.S3,
						float64(m.maxRSS())/1024, m.Load1)
					all = append(all, m)
				}
			}
			// Write what is done so far after each repetition, so that a
			// run cut short keeps it (the file says how many ran).
			if rep == 1 {
				done.sizes = append(done.sizes, n)
			}
			if err := writeReport(done, all, started); err != nil {
				return err
			}
		}
	}
	return nil
}

// measure runs one terraform command with fresh counters.
func (s *stack) measure(ctx context.Context, dir string, n int, op string, checks bool, rep, parallelism int) (measurement, error) {
	m := measurement{N: n, Op: op, Checks: checks, Rep: rep, Locations: min(n, benchLocations), Load1: load1()}
	vars := []string{"-var", "checks=" + strconv.FormatBool(checks), "-parallelism=" + strconv.Itoa(parallelism), "-input=false"}
	var args []string
	switch op {
	case "plan", "plan-nochange":
		args = append([]string{"plan"}, vars...)
	case "apply":
		args = append([]string{"apply", "-auto-approve"}, vars...)
	case "refresh":
		args = append([]string{"plan", "-refresh-only"}, vars...)
	case "drift":
		args = append([]string{"plan", "-refresh-only", "-var", "drift=true"}, vars...)
	case "destroy":
		args = append([]string{"destroy", "-auto-approve"}, vars...)
	}
	rssLog := filepath.Join(dir, "rss.log")
	_ = os.Remove(rssLog)
	if err := s.resetCounters(); err != nil {
		return m, err
	}
	logPath := filepath.Join(dir, fmt.Sprintf("%s-%v-%d.log", op, checks, rep))
	logFile, err := os.Create(logPath)
	if err != nil {
		return m, err
	}
	defer logFile.Close()
	cmd := exec.CommandContext(ctx, "terraform", append([]string{"-chdir=" + dir}, args...)...)
	cmd.Env = append(os.Environ(),
		"TF_CLI_CONFIG_FILE="+s.tfrc,
		"TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1",
		"DATALOOP_ENDPOINT="+s.endpoint,
		"DATALOOP_TOKEN="+emulator.DemoToken,
		"DATALOOP_ORG_ID="+emulator.DemoOrgID,
		"NO_PROXY=127.0.0.1,localhost", "no_proxy=127.0.0.1,localhost",
		envRealProvider+"="+filepath.Join(s.bin, wrapperName),
		envRSSLog+"="+rssLog,
	)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	start := time.Now()
	err = cmd.Run()
	m.Wall = time.Since(start)
	if err != nil {
		return m, fmt.Errorf("terraform %s (N=%d, checks=%v): %w; see the end of its output:\n%s",
			strings.Join(args, " "), n, checks, err, tailFile(logPath, 30))
	}
	// Connections close when the provider exits; let the front finish counting.
	for i := 0; i < 100 && s.platFront.active.Load() > 0; i++ {
		time.Sleep(20 * time.Millisecond)
	}
	if m.Routes, err = s.emulatorStats(false); err != nil {
		return m, err
	}
	m.AWS = s.awsFront.snapshot()
	m.TCP = s.platFront.snapshot()
	m.RSSKB = readRSSLog(rssLog)
	return m, nil
}

func readRSSLog(path string) []int64 {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var out []int64
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		if v, err := strconv.ParseInt(strings.TrimSpace(sc.Text()), 10, 64); err == nil {
			out = append(out, v)
		}
	}
	return out
}

func tailFile(path string, n int) string {
	b, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
