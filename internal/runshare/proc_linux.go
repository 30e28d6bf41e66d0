package runshare

import (
	"fmt"
	"os"
	"strings"
	"syscall"
)

// procStat reads a process's command name, parent and start time (in
// clock ticks since boot) from /proc.
func procStat(pid int) (comm string, ppid int, start string, ok bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return "", 0, "", false
	}
	s := string(b)
	open, closing := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 0 || closing < open {
		return "", 0, "", false
	}
	comm = s[open+1 : closing]
	// After the command: state, ppid, ... starttime is field 22 overall,
	// the 20th after the command.
	fields := strings.Fields(s[closing+1:])
	if len(fields) < 20 {
		return "", 0, "", false
	}
	if _, err := fmt.Sscanf(fields[1], "%d", &ppid); err != nil {
		return "", 0, "", false
	}
	return comm, ppid, fields[19], true
}

func processStart(pid int) (string, bool) {
	_, _, start, ok := procStat(pid)
	return start, ok
}

// terraformAncestor finds the terraform (or tofu) process among the
// nearest ancestors of this process.
func terraformAncestor() (pid int, start string, ok bool) {
	pid = os.Getppid()
	for range 4 {
		if pid <= 1 {
			return 0, "", false
		}
		comm, ppid, start, ok := procStat(pid)
		if !ok {
			return 0, "", false
		}
		if comm == "terraform" || comm == "tofu" {
			return pid, start, true
		}
		pid = ppid
	}
	return 0, "", false
}

// ownedPrivateDir reports whether dir is a real directory of this user that
// nobody else can open.
func ownedPrivateDir(dir string) bool {
	fi, err := os.Lstat(dir)
	if err != nil || !fi.IsDir() || fi.Mode().Perm()&0o077 != 0 {
		return false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && int(st.Uid) == os.Getuid()
}
