//go:build !linux

package testenv

import "os/exec"

// setParentDeathSignal does nothing where the OS has no parent-death
// signal; Stop still ends the child.
func setParentDeathSignal(*exec.Cmd) {}
