package ctxrelease

import (
	"context"
	"errors"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

type key struct{}

// recorder is a provider server that keeps the context of every call, as
// terraform-plugin-framework does.
type recorder struct {
	tfprotov6.ProviderServer
	kept []context.Context
	seen []any
}

func (r *recorder) ReadResource(ctx context.Context, _ *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	ctx, cancel := context.WithCancel(ctx)
	_ = cancel
	r.kept = append(r.kept, ctx)
	r.seen = append(r.seen, ctx.Value(key{}))
	return &tfprotov6.ReadResourceResponse{}, nil
}

// TestWrapReleasesRequestContext: during the call the server sees the
// request's values and cancellation; once the call returns, the context it
// kept no longer reaches the request's context.
func TestWrapReleasesRequestContext(t *testing.T) {
	rec := &recorder{}
	s := Wrap(rec)
	parent, cancel := context.WithCancel(context.WithValue(context.Background(), key{}, "request payload"))
	if _, err := s.ReadResource(parent, &tfprotov6.ReadResourceRequest{}); err != nil {
		t.Fatal(err)
	}
	if len(rec.seen) != 1 || rec.seen[0] != "request payload" {
		t.Fatalf("during the call the server saw %v, want the request's value", rec.seen)
	}
	kept := rec.kept[0]
	if v := kept.Value(key{}); v != nil {
		t.Errorf("after the call the kept context still holds %v", v)
	}
	// The request's end still reaches the kept context.
	cancel()
	<-kept.Done()
}

// TestWrapForwardsCancellation: a request canceled while it runs is seen
// as canceled by the server.
func TestWrapForwardsCancellation(t *testing.T) {
	parent, cancel := context.WithCancel(context.Background())
	rc := newReleasable(parent)
	child, stop := context.WithCancel(rc)
	defer stop()
	cancel()
	<-child.Done()
	if !errors.Is(child.Err(), context.Canceled) {
		t.Errorf("child.Err() = %v, want context.Canceled", child.Err())
	}
	rc.release()
}
