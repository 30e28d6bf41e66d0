package accesscheck

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/rules"
)

// storeOp is an object operation a check exercises; a service maps it to
// the permission (or role) that allows it.
type storeOp int

const (
	opList storeOp = iota
	opCreate
	opGet
	opDelete
)

// maxListed is how many names the GCS and Azure list steps read: enough to
// find a data object beside a .dataloop/ folder of the platform's files.
const maxListed = 50

// objectStore is what the shared steps of objectRun need from one storage
// service (Cloud Storage, Azure Blob): its calls on one bucket or
// container, and how its errors read. Each call returns the service's error
// as it came.
type objectStore interface {
	// list returns up to maxListed object names under prefix.
	list(ctx context.Context, prefix string) ([]string, error)
	put(ctx context.Context, name string, content []byte) error
	// get reads the start of an object (at most 4 KiB).
	get(ctx context.Context, name string) ([]byte, error)
	// peek reads an object's metadata and its first byte.
	peek(ctx context.Context, name string) error
	delete(ctx context.Context, name string) error
	// isNotFound reports an answer that the object does not exist.
	isNotFound(err error) bool
	// failure turns a service error into the failed check name; op is what
	// was refused, doing says what the step was doing, and probe tells
	// whether the call was in the probe folder. Errors that are not service
	// responses (network, canceled context) are returned.
	failure(name string, op storeOp, doing string, probe bool, err error) (Check, error)
}

// storeWords are the words a service's check messages use.
type storeWords struct {
	service   string // "Cloud Storage"
	object    string // "object", "blob"
	container string // "bucket", "container"
	metadata  string // what peek reads: "metadata", "properties"
	// perms names the permission of each operation, quoted after a
	// successful step; none for a service that grants roles.
	perms map[storeOp]string
	// at locates a probe name for the write message.
	at func(name string) string
	// overwriteNeedsDelete: the service needs the delete permission to
	// overwrite an object, so a probe it cannot delete is a failure even
	// when allow_delete is false.
	overwriteNeedsDelete bool
}

// via quotes the permission of op, " (storage.objects.get)", or "".
func (w storeWords) via(op storeOp) string {
	if p := w.perms[op]; p != "" {
		return " (" + p + ")"
	}
	return ""
}

// objectRun runs the steps that GCS and Azure checks share after the
// bucket or container check: list under the path, write, read back and
// delete a probe at <path>.dataloop/access-check (with AllowDelete, also
// delete a missing object outside the probe folder), and read one data
// object the list found.
type objectRun struct {
	c     *Checker
	store objectStore
	words storeWords
	rec   *recorder
	// path is the normalized path; where describes it in messages.
	path, where string
	allowDelete bool
	// lockKey names the probe object across checks of this Checker.
	lockKey string
}

// run lists, probes and reads a data object, in that order.
func (r *objectRun) run(ctx context.Context) error {
	data, listed, err := r.list(ctx)
	if err != nil {
		return err
	}
	if err := r.probe(ctx); err != nil {
		return err
	}
	return r.readData(ctx, data, listed)
}

// isDataObject reports whether name under path is a data object: not in
// the probe folder, not a probe, not a folder marker.
func isDataObject(name, path string) bool {
	return !strings.HasPrefix(name, path+rules.ProbeFolder) && name != path+DeleteProbeKey && !strings.HasSuffix(name, "/")
}

// list adds the list check and returns a data object under the path, ""
// when none was seen, and whether the list was allowed.
func (r *objectRun) list(ctx context.Context) (string, bool, error) {
	names, err := r.store.list(ctx, r.path)
	if err != nil {
		ch, err := r.store.failure(CheckList, opList, fmt.Sprintf("listing %ss under %s", r.words.object, r.where), false, err)
		if err != nil {
			return "", false, err
		}
		r.rec.add(ch)
		return "", false, nil
	}
	r.rec.add(Check{Name: CheckList, Success: true, Message: fmt.Sprintf("Listed %ss under %s%s.", r.words.object, r.where, r.words.via(opList))})
	for _, n := range names {
		if isDataObject(n, r.path) {
			return n, true, nil
		}
	}
	return "", true, nil
}

// probe writes, reads back and deletes the probe object.
func (r *objectRun) probe(ctx context.Context) error {
	w := r.words
	name := r.path + ProbeKey
	mu := r.c.probeLock(r.lockKey)
	mu.Lock()
	defer mu.Unlock()

	content := newProbeContent()
	if err := r.store.put(ctx, name, content); err != nil {
		ch, err := r.store.failure(CheckWrite, opCreate, fmt.Sprintf("writing the probe %s %s", w.object, name), true, err)
		if err != nil {
			return err
		}
		r.rec.add(ch)
		return nil
	}
	r.rec.add(Check{Name: CheckWrite, Success: true, Message: fmt.Sprintf("Wrote the probe %s %s%s.", w.object, w.at(name), w.via(opCreate))})
	return whileProbeExists(ctx,
		func(ctx context.Context) error { return r.readProbe(ctx, name, content) },
		func(ctx context.Context) error { return r.deleteProbe(ctx, name) })
}

// whileProbeExists runs read while the probe exists, then remove, on a
// context that outlives ctx by up to 30 seconds so that the probe is removed
// even when ctx ends. It returns read's error, else remove's, else ctx's.
func whileProbeExists(ctx context.Context, read, remove func(context.Context) error) error {
	readErr := read(ctx)
	cleanupCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	removeErr := remove(cleanupCtx)
	if readErr != nil {
		return readErr
	}
	if removeErr != nil {
		return removeErr
	}
	return ctx.Err()
}

// probeRead is what reading a probe back found.
type probeRead int

const (
	// probeIntact: the content this check wrote.
	probeIntact probeRead = iota
	// probeRewritten: another check's probe, written meanwhile (another
	// process probing the same path); it proves the same permission.
	probeRewritten
	// probeMismatch: something else rewrote the object.
	probeMismatch
)

func readProbeContent(got, want []byte) probeRead {
	switch {
	case bytes.Equal(got, want):
		return probeIntact
	case bytes.HasPrefix(got, []byte(probeContentPrefix)):
		return probeRewritten
	}
	return probeMismatch
}

func (r *objectRun) readProbe(ctx context.Context, name string, want []byte) error {
	w := r.words
	got, err := r.store.get(ctx, name)
	switch {
	case err == nil && readProbeContent(got, want) == probeIntact:
		r.rec.add(Check{Name: CheckRead, Success: true, Message: fmt.Sprintf("Read the probe %s %s back%s.", w.object, name, w.via(opGet))})
	case err == nil && readProbeContent(got, want) == probeRewritten:
		r.rec.add(Check{Name: CheckRead, Success: true, Message: fmt.Sprintf("Read the probe %s %s back (another access check rewrote it meanwhile).", w.object, name)})
	case err == nil:
		r.rec.add(Check{Name: CheckRead, Code: CodeContentMismatch, Message: fmt.Sprintf(
			"Read the probe %s %s back, but its content differs from what was written. Check that nothing rewrites %ss in this %s.", w.object, name, w.object, w.container)})
	case r.store.isNotFound(err):
		r.rec.add(Check{Name: CheckRead, Code: CodePropagation, retryable: true, Message: fmt.Sprintf(
			"The probe %s %s was gone right after it was written (another access check may have removed it).", w.object, name)})
	default:
		ch, err := r.store.failure(CheckRead, opGet, fmt.Sprintf("reading the probe %s %s", w.object, name), true, err)
		if err != nil {
			return err
		}
		r.rec.add(ch)
	}
	return nil
}

// deleteProbe removes the probe (one already gone counts as removed) and,
// with allowDelete, proves deleting outside the probe folder: both services
// authorize a delete before they look for the object, so deleting a
// missing one answers "not found" when allowed.
func (r *objectRun) deleteProbe(ctx context.Context, name string) error {
	w := r.words
	if err := r.store.delete(ctx, name); err != nil && !r.store.isNotFound(err) {
		ch, ferr := r.store.failure(CheckDelete, opDelete, fmt.Sprintf("deleting the probe %s %s", w.object, name), true, err)
		if ferr != nil {
			return ferr
		}
		switch {
		case w.overwriteNeedsDelete:
			// GOTCHA: unlike S3, Cloud Storage needs storage.objects.delete
			// to overwrite an object, so without it the platform cannot
			// rewrite its own files under .dataloop/.
			ch.Message += fmt.Sprintf(" The probe %s stays in the %s. %s needs %s to overwrite an %s, so the platform needs it under %s%s even when allow_delete is false.",
				w.object, w.container, w.service, w.perms[opDelete], w.object, r.path, rules.ProbeFolder)
		case !r.allowDelete && ch.Code == CodeDenied:
			ch.Success, ch.Warning, ch.retryable = true, true, false
			ch.Message += fmt.Sprintf(" The probe %s stays in the %s; deleting is not required because allow_delete is false.", w.object, w.container)
		}
		r.rec.add(ch)
		return nil
	}
	if !r.allowDelete {
		r.rec.add(Check{Name: CheckDelete, Success: true, Message: fmt.Sprintf("Deleted the probe %s %s%s.", w.object, name, w.via(opDelete))})
		return nil
	}
	other := r.path + DeleteProbeKey
	if err := r.store.delete(ctx, other); err != nil && !r.store.isNotFound(err) {
		ch, err := r.store.failure(CheckDelete, opDelete, "deleting "+other, false, err)
		if err != nil {
			return err
		}
		ch.Message += " allow_delete is true, so the platform needs it."
		r.rec.add(ch)
		return nil
	}
	granted := "deleting is allowed"
	if p := w.perms[opDelete]; p != "" {
		granted = p + " is granted"
	}
	r.rec.add(Check{Name: CheckDelete, Success: true, Message: fmt.Sprintf("Deleted the probe %s %s; %s under %s.", w.object, name, granted, r.where)})
	return nil
}

// readData reads the metadata and the first byte of the data object name,
// so that a role reaching only the probe folder cannot pass. listed tells
// whether the list step was allowed, when name is "".
func (r *objectRun) readData(ctx context.Context, name string, listed bool) error {
	w := r.words
	if name == "" {
		msg := fmt.Sprintf("No %s under %s outside .dataloop/ to read, so reading data %ss was not proven.", w.object, r.where, w.object)
		if !listed {
			msg = fmt.Sprintf("Listing under %s was refused, so no data %s was found to read and reading data %ss was not proven.", r.where, w.object, w.object)
		}
		r.rec.add(Check{Name: CheckReadData, Success: true, Warning: true, Code: CodeNotProven, Message: msg})
		return nil
	}
	if err := r.store.peek(ctx, name); err != nil {
		if r.store.isNotFound(err) {
			r.rec.add(Check{Name: CheckReadData, Success: true, Warning: true, Code: CodeNotProven, Message: fmt.Sprintf(
				"The data %s %s disappeared before it could be read, so reading data %ss was not proven.", w.object, name, w.object)})
			return nil
		}
		ch, err := r.store.failure(CheckReadData, opGet, fmt.Sprintf("reading the data %s %s", w.object, name), false, err)
		if err != nil {
			return err
		}
		r.rec.add(ch)
		return nil
	}
	r.rec.add(Check{Name: CheckReadData, Success: true, Message: fmt.Sprintf("Read the %s and the first byte of the data %s %s%s.", w.metadata, w.object, name, w.via(opGet))})
	return nil
}
