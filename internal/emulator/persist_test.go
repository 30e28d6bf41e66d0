package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// TestPersistenceJournalsEachChange: a change is on disk when its answer
// arrives, as one journal line, and the state file is not rewritten for it.
func TestPersistenceJournalsEachChange(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "state.json")
	_, ts := startServer(t, Options{StateFile: file})
	a := newAPI(t, ts, DemoToken)
	before, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	in := a.createIntegration("keys", "s3", map[string]any{"key": "AKIAJOURNAL", "secret": "journal-secret"})
	d := a.must(200, "POST", "/drivers", s3Driver("raw", in.str("id"), map[string]any{"bucketName": "b"})).obj()
	a.must(204, "DELETE", "/drivers/"+d.str("id"), nil)

	after, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) {
		t.Error("the state file was rewritten for a change; changes belong in the journal")
	}
	journal, err := os.ReadFile(journalPath(file))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(journal)), "\n")
	if len(lines) != 3 {
		t.Fatalf("journal has %d lines, want 3 (integration, driver, driver deleted):\n%s", len(lines), journal)
	}
	var last journalRecord
	if err := json.Unmarshal([]byte(lines[2]), &last); err != nil {
		t.Fatal(err)
	}
	if last.Kind != kindDrivers || last.ID != d.str("id") || string(last.Value) != "null" {
		t.Errorf("last journal record = %+v, want the driver's deletion", last)
	}
	if fi, err := os.Stat(journalPath(file)); err != nil || fi.Mode().Perm()&0o077 != 0 {
		t.Errorf("journal mode %v (%v) is readable by others", fi.Mode().Perm(), err)
	}
}

// TestPersistenceDropsTornJournalTail: a crash in the middle of writing a
// journal line leaves a line without its end; the next start keeps every
// complete line and drops that one, and the files load again afterwards.
func TestPersistenceDropsTornJournalTail(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "state.json")
	_, ts1 := startServer(t, Options{StateFile: file})
	a := newAPI(t, ts1, DemoToken)
	in := a.createIntegration("keys", "s3", map[string]any{"key": "AKIATORN", "secret": "torn-secret"})
	d := a.must(200, "POST", "/drivers", s3Driver("kept", in.str("id"), map[string]any{"bucketName": "b"})).obj()
	ts1.Close() // no Close of the server: as if killed

	f, err := os.OpenFile(journalPath(file), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(f, `{"seq":99,"kind":"drivers","id":"torn","value":{"id":"torn","na`)
	f.Close()

	srv2, ts2 := startServer(t, Options{StateFile: file})
	b := newAPI(t, ts2, DemoToken)
	b.must(200, "GET", "/drivers/"+d.str("id"), nil)
	b.must(404, "GET", "/drivers/torn", nil)
	if err := srv2.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if fi, err := os.Stat(journalPath(file)); err != nil || fi.Size() != 0 {
		t.Errorf("journal after Close: %v bytes (%v), want it folded into the state file", fi.Size(), err)
	}
	_, ts3 := startServer(t, Options{StateFile: file})
	newAPI(t, ts3, DemoToken).must(200, "GET", "/drivers/"+d.str("id"), nil)
}

// TestPersistenceSkipsJournalRecordsInSnapshot: a crash between writing a
// new snapshot and emptying the journal leaves records the snapshot holds;
// replaying them must not undo later changes.
func TestPersistenceSkipsJournalRecordsInSnapshot(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "state.json")
	srv1, ts1 := startServer(t, Options{StateFile: file})
	a := newAPI(t, ts1, DemoToken)
	in := a.createIntegration("keys", "s3", map[string]any{"key": "AKIASNAP", "secret": "snap-secret"})
	d := a.must(200, "POST", "/drivers", s3Driver("old-name", in.str("id"), map[string]any{"bucketName": "b"})).obj()
	stale, err := os.ReadFile(journalPath(file))
	if err != nil {
		t.Fatal(err)
	}
	a.must(200, "PATCH", "/drivers/"+d.str("id"), map[string]any{"name": "new-name", "payload": map[string]any{}})
	ts1.Close()
	if err := srv1.Close(); err != nil {
		t.Fatal(err)
	}
	// Put back journal lines that the snapshot already holds.
	if err := os.WriteFile(journalPath(file), stale, 0o600); err != nil {
		t.Fatal(err)
	}
	_, ts2 := startServer(t, Options{StateFile: file})
	if got := newAPI(t, ts2, DemoToken).must(200, "GET", "/drivers/"+d.str("id"), nil).obj(); got["name"] != "new-name" {
		t.Errorf("driver name after restart = %v, want new-name", got["name"])
	}
}

// TestListDriversInCreationOrder: GET /drivers answers in creation order
// from the order kept as drivers come and go.
func TestListDriversInCreationOrder(t *testing.T) {
	t.Parallel()
	_, ts := startServer(t, Options{})
	a := newAPI(t, ts, DemoToken)
	in := a.createIntegration("keys", "s3", map[string]any{"key": "AKIAORDER", "secret": "order-secret"})
	var created []obj
	for i := range 6 {
		created = append(created, a.must(200, "POST", "/drivers", s3Driver(fmt.Sprintf("d%d", i), in.str("id"), map[string]any{"bucketName": "b"})).obj())
	}
	a.must(204, "DELETE", "/drivers/"+created[2].str("id"), nil)
	created = append(created[:2], created[3:]...)
	// Drivers made in the same millisecond are ordered by ID.
	sort.SliceStable(created, func(i, j int) bool {
		if created[i].str("createdAt") != created[j].str("createdAt") {
			return created[i].str("createdAt") < created[j].str("createdAt")
		}
		return created[i].str("id") < created[j].str("id")
	})
	var want []string
	for _, d := range created {
		want = append(want, d.str("id"))
	}
	var got []string
	for _, d := range a.must(200, "GET", "/drivers?projectId="+DemoProjectID, nil).list() {
		got = append(got, d.str("id"))
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("drivers listed as %v, want %v", got, want)
	}
}

// TestFailedCommitUndoesTheChange: a change that cannot be persisted is
// answered with a 500 and leaves the in-memory state as it was, for every
// kind of object (create, update and delete).
func TestFailedCommitUndoesTheChange(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "state.json")
	s, ts := startServer(t, Options{StateFile: file})
	a := newAPI(t, ts, DemoToken)
	in := a.createIntegration("keys", "s3", map[string]any{"key": "AKIAUNDO", "secret": "undo-secret"})
	d := a.must(200, "POST", "/drivers", s3Driver("kept", in.str("id"), map[string]any{"bucketName": "b"})).obj()
	spare := a.createIntegration("spare", "s3", map[string]any{"key": "AKIASPARE", "secret": "spare-secret"})
	p := a.must(200, "POST", "/projects", map[string]any{"name": "kept-project"}).obj()

	s.store.mu.Lock()
	s.store.err = errors.New("disk full")
	s.store.mu.Unlock()
	a.must(500, "POST", "/drivers", s3Driver("lost", in.str("id"), map[string]any{"bucketName": "b"}))
	a.must(500, "PATCH", "/drivers/"+d.str("id"), map[string]any{"name": "renamed", "payload": map[string]any{"path": "q/"}})
	a.must(500, "DELETE", "/drivers/"+d.str("id"), nil)
	a.must(500, "POST", "/orgs/"+DemoOrgID+"/integrations",
		map[string]any{"name": "lost", "type": "s3", "options": map[string]any{"key": "AKIALOST", "secret": "lost-secret"}})
	a.must(500, "DELETE", "/orgs/"+DemoOrgID+"/integrations/"+spare.str("id"), nil)
	a.must(500, "POST", "/projects", map[string]any{"name": "lost-project"})
	a.must(500, "DELETE", "/projects/"+p.str("id"), nil)

	s.mu.Lock()
	defer s.mu.Unlock()
	for _, in := range s.st.Integrations {
		if in.Name == "lost" {
			t.Errorf("an integration whose create failed to persist is in memory: %+v", in)
		}
	}
	if s.st.Integrations[spare.str("id")] == nil {
		t.Error("an integration whose delete failed to persist is gone from memory")
	}
	for _, q := range s.st.Projects {
		if q.Name == "lost-project" {
			t.Errorf("a project whose create failed to persist is in memory: %+v", q)
		}
	}
	if s.st.Projects[p.str("id")] == nil {
		t.Error("a project whose delete failed to persist is gone from memory")
	}
	if len(s.st.Drivers) != 1 || s.st.Drivers[d.str("id")] == nil || s.st.Drivers[d.str("id")].Name != "kept" {
		t.Fatalf("drivers after failed commits: %+v", s.st.Drivers)
	}
	if got := s.order.ids; len(got) != 1 || got[0] != d.str("id") {
		t.Errorf("creation order after failed commits: %v", got)
	}
}
