//go:build !linux

package main

// dieWithParent does nothing here: only Linux has a parent-death signal.
// The demo script stops the launcher by its PID on exit.
func dieWithParent() {}
