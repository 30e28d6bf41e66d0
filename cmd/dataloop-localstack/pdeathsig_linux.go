package main

import (
	"os"
	"syscall"
)

// dieWithParent asks the kernel to send SIGTERM when the parent process (the
// demo script) dies, so that a killed script leaves no services behind.
func dieWithParent() {
	ppid := os.Getppid()
	_, _, _ = syscall.RawSyscall(syscall.SYS_PRCTL, syscall.PR_SET_PDEATHSIG, uintptr(syscall.SIGTERM), 0)
	if os.Getppid() != ppid {
		// The parent died before the request took effect.
		_ = syscall.Kill(os.Getpid(), syscall.SIGTERM)
	}
}
