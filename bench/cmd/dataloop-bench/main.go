// Command dataloop-bench is `make bench`'s scripted benchmark: it starts the
// local stack (moto behind a counting front, the platform emulator as a
// subprocess with injected latency behind a connection-counting front),
// generates configurations of N S3 storage drivers over a fixed set of
// (role, bucket, prefix) locations, runs plan, apply, a no-change plan,
// refresh, the drift guide's check pattern and destroy with the provider's
// access checks on and off, and reports wall time (median of the
// repetitions, variants interleaved), platform calls per route per resource,
// STS and S3 calls per distinct location, connections, and the provider's
// peak RSS, each beside its target. Results go to bench/results/.
//
//	go run ./bench/cmd/dataloop-bench -quick          # N=10, one repetition
//	go run ./bench/cmd/dataloop-bench -n 10,100,500   # the full run
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	if isWrapper() {
		os.Exit(runWrapper())
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "dataloop-bench:", err)
		stop()
		os.Exit(1)
	}
}

type options struct {
	sizes       []int
	reps        int
	latency     time.Duration
	parallelism int
	outDir      string
	drift       string
	keep        bool
	timeout     time.Duration
	note        string
	command     string
	ops         []string
}

func run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("dataloop-bench", flag.ContinueOnError)
	sizes := fs.String("n", "10,100,500", "comma-separated driver counts")
	quick := fs.Bool("quick", false, "quick mode: N=10 and one repetition (overrides -n and -reps)")
	reps := fs.Int("reps", 3, "repetitions per operation and variant (the median is reported)")
	latency := fs.Duration("latency", 50*time.Millisecond, "platform latency the emulator adds to every API call")
	parallelism := fs.Int("parallelism", 10, "terraform -parallelism")
	outDir := fs.String("out", "bench/results", "directory for the results file (relative to the module root)")
	drift := fs.String("drift", driftPerLocation, "drift pattern: "+driftPerLocation+" (the guide's) or "+driftPerDriver)
	keep := fs.Bool("keep", false, "keep the work directory (configs, logs, state)")
	timeout := fs.Duration("timeout", 3*time.Hour, "bound on the whole run")
	note := fs.String("note", "", "a note to write into the results file")
	ops := fs.String("ops", strings.Join(operations, ","), "comma-separated operations to run, in this order "+
		"(each needs the state the ones before it leave: plan and apply start from nothing)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	o := options{reps: *reps, latency: *latency, parallelism: *parallelism, outDir: *outDir, drift: *drift,
		keep: *keep, timeout: *timeout, note: *note, command: "dataloop-bench " + strings.Join(args, " ")}
	if *quick {
		o.sizes, o.reps = []int{10}, 1
	} else {
		for _, s := range strings.Split(*sizes, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(s))
			if err != nil || n < 1 || n > 5000 {
				return fmt.Errorf("-n: %q is not a driver count between 1 and 5000", s)
			}
			o.sizes = append(o.sizes, n)
		}
	}
	for _, op := range strings.Split(*ops, ",") {
		op = strings.TrimSpace(op)
		if !slices.Contains(operations, op) {
			return fmt.Errorf("-ops: %q is not one of %s", op, strings.Join(operations, ", "))
		}
		o.ops = append(o.ops, op)
	}
	if o.reps < 1 || o.reps > 9 {
		return fmt.Errorf("-reps must be between 1 and 9")
	}
	if o.drift != driftPerLocation && o.drift != driftPerDriver {
		return fmt.Errorf("-drift must be %s or %s", driftPerLocation, driftPerDriver)
	}
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	return bench(ctx, o)
}
