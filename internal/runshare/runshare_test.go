package runshare

import (
	"os"
	"testing"
	"time"
)

func testStore(t *testing.T) *Store {
	return &Store{dir: t.TempDir(), now: time.Now}
}

func TestStoreRecordsSuccesses(t *testing.T) {
	s := testStore(t)
	if s.Succeeded("integration-a", "loc-1") {
		t.Fatal("an empty store reports a success")
	}
	s.RecordSuccess("integration-a", "loc-1")
	s.RecordSuccess("integration-b", "loc-2")
	if !s.Succeeded("integration-a", "loc-1") || !s.Succeeded("integration-b", "loc-2") {
		t.Error("recorded successes are not found")
	}
	if s.Succeeded("integration-a", "loc-2") {
		t.Error("a success of another key is reported")
	}
	s.Forget("integration-a")
	if s.Succeeded("integration-a", "loc-1") {
		t.Error("a forgotten integration's success is still reported")
	}
	if !s.Succeeded("integration-b", "loc-2") {
		t.Error("Forget dropped another integration's success")
	}
}

func TestStoreIgnoresOldSuccesses(t *testing.T) {
	s := testStore(t)
	s.RecordSuccess("i", "k")
	s.now = func() time.Time { return time.Now().Add(MaxAge + time.Second) }
	if s.Succeeded("i", "k") {
		t.Error("a success older than MaxAge is reported")
	}
}

func TestNilStoreSharesNothing(t *testing.T) {
	var s *Store
	s.RecordSuccess("i", "k")
	s.Forget("i")
	if s.Succeeded("i", "k") {
		t.Error("a nil store reports a success")
	}
}

// TestOpenOutsideTerraform: a process that terraform did not start (this
// test binary) gets no store.
func TestOpenOutsideTerraform(t *testing.T) {
	if s := Open("scope"); s != nil {
		t.Errorf("Open = %+v outside terraform, want nil", s)
	}
}

func TestProcStatOfSelf(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("no /proc")
	}
	_, ppid, start, ok := procStat(os.Getpid())
	if !ok || ppid != os.Getppid() || start == "" {
		t.Errorf("procStat(self) = ppid %d start %q ok %v, want ppid %d", ppid, start, ok, os.Getppid())
	}
}
