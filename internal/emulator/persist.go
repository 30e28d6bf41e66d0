package emulator

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"sync"
)

// Persistence: the state file is a snapshot of the whole state, written
// atomically (temp file, fsync, rename, fsync of the directory). Changes
// since the snapshot go to a journal beside it (<state file>.journal), one
// JSON line per changed object holding its new value (or null once
// deleted). A change is acknowledged, i.e. its answer is sent, only after
// its journal line is on disk; concurrent changes share one fsync (group
// commit), and nothing is rewritten or synced while s.mu is held. The
// journal is folded into a new snapshot when it grows long, on start and
// on Close.
//
// What survives a crash (kill -9 of the emulator or of the machine): every
// acknowledged change. A change whose journal line was cut short by the
// crash was never acknowledged and is dropped on load; the files are never
// left unreadable.

// compactAfter is the journal length that triggers a new snapshot.
const compactAfter = 2000

// Kinds of objects in the journal; each names a collection of state.
const (
	kindOrgs         = "orgs"
	kindUsers        = "users"
	kindProjects     = "projects"
	kindIntegrations = "integrations"
	kindDrivers      = "drivers"
)

// change names one object whose current value (or absence) must persist.
type change struct {
	kind, id string
}

type journalRecord struct {
	Seq   int64           `json:"seq"`
	Kind  string          `json:"kind"`
	ID    string          `json:"id"`
	Value json.RawMessage `json:"value"`
}

// store writes the snapshot and the journal of one state file.
type store struct {
	path string

	mu      sync.Mutex
	cond    *sync.Cond
	journal *os.File
	written int64 // last sequence number appended
	synced  int64 // last sequence number known on disk
	records int   // lines in the journal
	syncing bool
	err     error // sticky: after a failed write, nothing is acknowledged
}

func journalPath(statePath string) string { return statePath + ".journal" }

// openStore writes st as the new snapshot and starts an empty journal.
func openStore(path string, st *state) (*store, error) {
	s := &store{path: path, written: st.Seq, synced: st.Seq}
	s.cond = sync.NewCond(&s.mu)
	if err := st.save(path); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(journalPath(path), os.O_CREATE|os.O_TRUNC|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open journal: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, fmt.Errorf("open journal: %w", err)
	}
	s.journal = f
	return s, nil
}

// append writes the current value of each changed object to the journal,
// without waiting for the disk, and returns the sequence number to wait
// for. Callers hold the server's s.mu, so records follow the order of the
// changes.
func (s *store) append(st *state, changes []change) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return 0, s.err
	}
	var buf bytes.Buffer
	seq := s.written
	for _, c := range changes {
		seq++
		v, err := st.value(c)
		if err != nil {
			return 0, err
		}
		line, err := json.Marshal(journalRecord{Seq: seq, Kind: c.kind, ID: c.id, Value: v})
		if err != nil {
			return 0, fmt.Errorf("encode journal record: %w", err)
		}
		buf.Write(line)
		buf.WriteByte('\n')
	}
	if _, err := s.journal.Write(buf.Bytes()); err != nil {
		s.err = fmt.Errorf("write journal: %w", err)
		return 0, s.err
	}
	s.written = seq
	s.records += len(changes)
	st.Seq = seq
	return seq, nil
}

// waitSynced returns once every record up to seq is on disk. One caller
// at a time runs the fsync; those arriving meanwhile wait for the next.
func (s *store) waitSynced(seq int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for s.synced < seq && s.err == nil {
		if s.syncing {
			s.cond.Wait()
			continue
		}
		s.syncing = true
		target, f := s.written, s.journal
		s.mu.Unlock()
		err := f.Sync()
		s.mu.Lock()
		s.syncing = false
		if err != nil {
			s.err = fmt.Errorf("sync journal: %w", err)
		} else if target > s.synced {
			s.synced = target
		}
		s.cond.Broadcast()
	}
	if s.synced >= seq {
		return nil
	}
	return s.err
}

// compactIfLong folds the journal into a new snapshot when it holds more
// than compactAfter records. Callers hold the server's s.mu, so st holds
// every journaled change.
func (s *store) compactIfLong(st *state) error {
	s.mu.Lock()
	long := s.records > compactAfter
	s.mu.Unlock()
	if !long {
		return nil
	}
	return s.compact(st)
}

// compact writes st (which holds every journaled change) as the snapshot,
// then empties the journal. A crash in between leaves a journal whose
// records the snapshot already holds; loading skips them by sequence.
func (s *store) compact(st *state) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return s.err
	}
	st.Seq = s.written
	if err := st.save(s.path); err != nil {
		s.err = err
		return err
	}
	s.synced = s.written
	s.cond.Broadcast()
	if err := s.journal.Truncate(0); err != nil {
		s.err = fmt.Errorf("truncate journal: %w", err)
		return s.err
	}
	if err := s.journal.Sync(); err != nil {
		s.err = fmt.Errorf("sync journal: %w", err)
		return s.err
	}
	s.records = 0
	return nil
}

func (s *store) close(st *state) error {
	err := s.compact(st)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.journal != nil {
		err = errors.Join(err, s.journal.Close())
		s.journal = nil
		if s.err == nil {
			s.err = errors.New("the emulator's state file is closed")
		}
	}
	return err
}

// value is the JSON of one object of st, or null when it does not exist.
func (st *state) value(c change) (json.RawMessage, error) {
	var v any
	switch c.kind {
	case kindOrgs:
		if o, ok := st.Orgs[c.id]; ok {
			v = o
		}
	case kindUsers:
		if u, ok := st.Users[c.id]; ok {
			v = u
		}
	case kindProjects:
		if p, ok := st.Projects[c.id]; ok {
			v = p
		}
	case kindIntegrations:
		if in, ok := st.Integrations[c.id]; ok {
			v = in
		}
	case kindDrivers:
		if d, ok := st.Drivers[c.id]; ok {
			v = d
		}
	default:
		return nil, fmt.Errorf("journal: unknown kind %q", c.kind)
	}
	if v == nil {
		return json.RawMessage("null"), nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode %s %s: %w", c.kind, c.id, err)
	}
	return b, nil
}

// replayJournal applies the journal beside path to st: records newer than
// the snapshot, in order, up to the first line that is cut short or
// unreadable (a write the crash interrupted, never acknowledged).
func (st *state) replayJournal(path string) error {
	f, err := os.Open(journalPath(path))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read journal: %w", err)
	}
	defer f.Close()
	r := bufio.NewReader(f)
	for {
		line, err := r.ReadBytes('\n')
		if err != nil {
			// A last line without its newline was cut short.
			return nil
		}
		var rec journalRecord
		if json.Unmarshal(line, &rec) != nil {
			return nil
		}
		if rec.Seq <= st.Seq {
			continue
		}
		if err := st.apply(rec); err != nil {
			return fmt.Errorf("journal record %d: %w", rec.Seq, err)
		}
		st.Seq = rec.Seq
	}
}

func (st *state) apply(rec journalRecord) error {
	deleted := bytes.Equal(bytes.TrimSpace(rec.Value), []byte("null"))
	switch rec.Kind {
	case kindOrgs:
		return applyRecord(st.Orgs, rec.ID, rec.Value, deleted)
	case kindUsers:
		return applyRecord(st.Users, rec.ID, rec.Value, deleted)
	case kindProjects:
		return applyRecord(st.Projects, rec.ID, rec.Value, deleted)
	case kindIntegrations:
		return applyRecord(st.Integrations, rec.ID, rec.Value, deleted)
	case kindDrivers:
		return applyRecord(st.Drivers, rec.ID, rec.Value, deleted)
	}
	return fmt.Errorf("unknown kind %q", rec.Kind)
}

func applyRecord[T any](m map[string]*T, id string, value json.RawMessage, deleted bool) error {
	if deleted {
		delete(m, id)
		return nil
	}
	v := new(T)
	if err := json.Unmarshal(value, v); err != nil {
		return err
	}
	m[id] = v
	return nil
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// Commit tickets: a request that changed the state carries the sequence
// number to wait for in its context, and serveHTTP holds the answer back
// until the journal is on disk up to it.
type ticketKey struct{}

type commitTicket struct {
	mu  sync.Mutex
	seq int64
}

func withTicket(ctx context.Context) (context.Context, *commitTicket) {
	t := &commitTicket{}
	return context.WithValue(ctx, ticketKey{}, t), t
}

func (t *commitTicket) raise(seq int64) {
	t.mu.Lock()
	t.seq = max(t.seq, seq)
	t.mu.Unlock()
}

func (t *commitTicket) wanted() int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.seq
}

// driverOrder lists driver IDs by creation time, then ID: the order of
// GET /drivers, kept as drivers come and go instead of sorted per list.
type driverOrder struct {
	ids []string
}

func (o *driverOrder) less(a, b *driver) bool {
	if !a.CreatedAt.Equal(b.CreatedAt) {
		return a.CreatedAt.Before(b.CreatedAt)
	}
	return a.ID < b.ID
}

func (o *driverOrder) rebuild(st *state) {
	o.ids = o.ids[:0]
	for id := range st.Drivers {
		o.ids = append(o.ids, id)
	}
	sort.Slice(o.ids, func(i, j int) bool { return o.less(st.Drivers[o.ids[i]], st.Drivers[o.ids[j]]) })
}

// add inserts d, which st.Drivers holds, at its place; new drivers go last.
func (o *driverOrder) add(st *state, d *driver) {
	i := sort.Search(len(o.ids), func(i int) bool { return o.less(d, st.Drivers[o.ids[i]]) })
	o.ids = append(o.ids, "")
	copy(o.ids[i+1:], o.ids[i:])
	o.ids[i] = d.ID
}

func (o *driverOrder) remove(id string) {
	for i, x := range o.ids {
		if x == id {
			o.ids = append(o.ids[:i], o.ids[i+1:]...)
			return
		}
	}
}
