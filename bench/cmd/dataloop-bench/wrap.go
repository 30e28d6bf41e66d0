package main

import (
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"
)

// Wrapper mode: the benchmark copies itself into the dev_overrides directory
// as terraform-provider-dataloop. Terraform starts that copy, which runs the
// real provider as its child with the same stdio and environment (so the
// plugin handshake passes through) and, when the provider exits, appends the
// child's peak resident set size (ru_maxrss, the kernel's VmHWM) to the file
// named by envRSSLog.
const (
	wrapperName     = "terraform-provider-dataloop"
	envRealProvider = "DATALOOP_BENCH_REAL_PROVIDER"
	envRSSLog       = "DATALOOP_BENCH_RSS_LOG"
)

func isWrapper() bool {
	return filepath.Base(os.Args[0]) == wrapperName && os.Getenv(envRealProvider) != ""
}

func runWrapper() int {
	cmd := exec.Command(os.Getenv(envRealProvider), os.Args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "dataloop-bench wrapper:", err)
		return 1
	}
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		for s := range sigs {
			_ = cmd.Process.Signal(s)
		}
	}()
	err := cmd.Wait()
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok && os.Getenv(envRSSLog) != "" {
		if f, ferr := os.OpenFile(os.Getenv(envRSSLog), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600); ferr == nil {
			fmt.Fprintf(f, "%d\n", ru.Maxrss) // kilobytes on Linux
			f.Close()
		}
	}
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode()
		}
		return 1
	}
	return 0
}
