//go:build !linux

package runshare

func processStart(int) (string, bool) { return "", false }

func terraformAncestor() (int, string, bool) { return 0, "", false }

func ownedPrivateDir(string) bool { return false }
