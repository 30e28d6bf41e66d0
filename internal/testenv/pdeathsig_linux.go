package testenv

import (
	"os/exec"
	"syscall"
)

// setParentDeathSignal kills the child when this process dies, so a shared
// service never outlives its test binary.
func setParentDeathSignal(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
