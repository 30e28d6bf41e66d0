package emulator

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
)

// TestIntegrationLimitsConcurrent creates many more cross-account
// integrations at once than the limit allows: the platform never holds
// more than the limit, and every refused create is a 409 naming it.
func TestIntegrationLimitsConcurrent(t *testing.T) {
	t.Parallel()
	_, ts := startServer(t, Options{})
	a := newAPI(t, ts, DemoToken)
	for typ, limit := range map[string]int{"aws-cross": 15, "gcp-cross": 3} {
		const attempts = 40
		statuses := make([]int, attempts)
		var wg sync.WaitGroup
		for i := range attempts {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := a.do("POST", "/orgs/"+DemoOrgID+"/integrations",
					map[string]any{"name": fmt.Sprintf("%s-%d", typ, i), "type": typ, "options": map[string]any{}})
				statuses[i] = r.status
			}()
		}
		wg.Wait()
		created := 0
		for i, s := range statuses {
			switch s {
			case http.StatusOK:
				created++
			case http.StatusConflict:
			default:
				t.Errorf("%s create #%d: status %d, want 200 or 409", typ, i, s)
			}
		}
		n := 0
		for _, in := range a.must(200, "GET", "/orgs/"+DemoOrgID+"/integrations", nil).list() {
			if in["type"] == typ {
				n++
			}
		}
		if created != limit || n != limit {
			t.Errorf("%s: %d creates succeeded and the org holds %d, want exactly the limit %d", typ, created, n, limit)
		}
	}
}
