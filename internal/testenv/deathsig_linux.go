package testenv

import (
	"os/exec"
	"syscall"
)

// setDeathSignal makes the child die with this process, so a shared server
// does not outlive the test binary that started it.
func setDeathSignal(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
