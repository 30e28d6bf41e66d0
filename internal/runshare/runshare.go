// Package runshare lets the provider processes of one Terraform command
// share the access checks that passed.
//
// Terraform starts a new provider process for each walk of a command:
// `terraform apply` plans in one process and applies in another, and each
// would check every storage location again. A Store lives in a private
// directory named after the Terraform process (its PID and start time) and
// the provider's endpoint and credentials, so that it is shared only by the
// walks of that one command, against the same platform, as the same user.
// It records successes only: a failure is always checked again, and a
// success older than MaxAge is ignored.
//
// Outside Linux, or when no terraform (or tofu) process started the
// provider, Open returns nil, and a nil *Store shares nothing.
package runshare

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// MaxAge bounds how old a shared success may be. A plan's success is reused
// by an apply confirmed within it; a longer wait at the prompt checks again.
const MaxAge = 10 * time.Minute

// Store is the shared record of one Terraform command.
type Store struct {
	dir string
	now func() time.Time
}

// Open returns the store of the Terraform command that started this
// process for scope (the endpoint, token and org, hashed here), or nil.
func Open(scope string) *Store {
	pid, start, ok := terraformAncestor()
	if !ok {
		return nil
	}
	base := filepath.Join(os.TempDir(), fmt.Sprintf("terraform-provider-dataloop-%d", os.Getuid()))
	if err := os.MkdirAll(base, 0o700); err != nil || !ownedPrivateDir(base) {
		return nil
	}
	removeFinishedRuns(base)
	dir := filepath.Join(base, fmt.Sprintf("%d-%s-%s", pid, start, hash(scope)[:16]))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil
	}
	return &Store{dir: dir, now: time.Now}
}

func hash(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// name is the file of a key: the group (an integration ID) first, so that
// Forget finds every key of a group.
func (s *Store) name(group, key string) string {
	return filepath.Join(s.dir, hash(group)[:16]+"-"+hash(key)[:32])
}

// Succeeded reports whether a check of key passed in this Terraform command
// less than MaxAge ago.
func (s *Store) Succeeded(group, key string) bool {
	if s == nil {
		return false
	}
	fi, err := os.Stat(s.name(group, key))
	if err != nil {
		return false
	}
	age := s.now().Sub(fi.ModTime())
	return age >= -time.Minute && age < MaxAge
}

// RecordSuccess records that a check of key passed now.
func (s *Store) RecordSuccess(group, key string) {
	if s == nil {
		return
	}
	tmp, err := os.CreateTemp(s.dir, ".tmp-*")
	if err != nil {
		return
	}
	tmp.Close()
	now := s.now()
	_ = os.Chtimes(tmp.Name(), now, now)
	if err := os.Rename(tmp.Name(), s.name(group, key)); err != nil {
		os.Remove(tmp.Name())
	}
}

// Forget drops every success recorded for group, e.g. after the
// integration's credentials changed.
func (s *Store) Forget(group string) {
	if s == nil {
		return
	}
	matches, _ := filepath.Glob(filepath.Join(s.dir, hash(group)[:16]+"-*"))
	for _, m := range matches {
		os.Remove(m)
	}
}

// removeFinishedRuns deletes the directories of Terraform commands that
// have ended.
func removeFinishedRuns(base string) {
	entries, err := os.ReadDir(base)
	if err != nil {
		return
	}
	for _, e := range entries {
		pid, rest, ok := strings.Cut(e.Name(), "-")
		start, _, ok2 := strings.Cut(rest, "-")
		if !ok || !ok2 || !e.IsDir() {
			continue
		}
		var n int
		if _, err := fmt.Sscanf(pid, "%d", &n); err != nil {
			continue
		}
		if cur, ok := processStart(n); !ok || cur != start {
			os.RemoveAll(filepath.Join(base, e.Name()))
		}
	}
}
