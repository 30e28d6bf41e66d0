package emulator

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

func statusSequence(t *testing.T, f Faults, n int) ([]int, *resp) {
	t.Helper()
	_, ts := startServer(t, Options{Faults: f})
	a := newAPI(t, ts, DemoToken)
	var seq []int
	var last429 *resp
	for i := 0; i < n; i++ {
		r := a.do("GET", "/users/me", nil)
		seq = append(seq, r.status)
		if r.status == http.StatusTooManyRequests {
			last429 = &r
		}
	}
	return seq, last429
}

func TestFaultsAreSeeded(t *testing.T) {
	t.Parallel()
	f := Faults{Seed: 42, Rate429: 0.3, Rate5xx: 0.3}
	first, r429 := statusSequence(t, f, 40)
	second, _ := statusSequence(t, f, 40)
	if !equalInts(first, second) {
		t.Fatalf("same seed, different faults:\n%v\n%v", first, second)
	}
	counts := map[int]int{}
	for _, s := range first {
		counts[s]++
	}
	if counts[200] == 0 || counts[429] == 0 || counts[503] == 0 || counts[200]+counts[429]+counts[503] != 40 {
		t.Errorf("status counts %v, want a mix of 200, 429 and 503 only", counts)
	}
	if r429 == nil || r429.header.Get("Retry-After") != "1" || r429.message() == "" {
		t.Errorf("429 without Retry-After: 1 and a message: %+v", r429)
	}
	other, _ := statusSequence(t, Faults{Seed: 43, Rate429: 0.3, Rate5xx: 0.3}, 40)
	if equalInts(first, other) {
		t.Error("different seeds gave the same faults")
	}
}

func TestFaultsAtRuntime(t *testing.T) {
	t.Parallel()
	srv, ts := startServer(t, Options{})
	a := newAPI(t, ts, DemoToken)
	put := func(body string) *http.Response {
		req, _ := http.NewRequest("PUT", ts.URL+"/__emulator/faults", strings.NewReader(body))
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}
	if res := put(`{"rate5xx": 1, "max": 2, "latency": "1ms", "latencyAfter": "2ms"}`); res.StatusCode != 200 {
		t.Fatalf("PUT faults: %d", res.StatusCode)
	}
	for i, want := range []int{503, 503, 200, 200} {
		if r := a.do("GET", "/users/me", nil); r.status != want {
			t.Errorf("request %d: %d, want %d", i, r.status, want)
		}
	}
	res, err := http.Get(ts.URL + "/__emulator/faults")
	if err != nil {
		t.Fatal(err)
	}
	var got Faults
	_ = json.NewDecoder(res.Body).Decode(&got)
	res.Body.Close()
	if got.Rate5xx != 1 || got.Max != 2 || got.Latency.String() != "1ms" || got.LatencyAfter.String() != "2ms" {
		t.Errorf("GET faults = %+v", got)
	}
	// The status of injected 5xx answers is configurable: 500 as well.
	if res := put(`{"rate5xx": 1, "status5xx": 500, "max": 1}`); res.StatusCode != 200 {
		t.Fatalf("PUT faults with status5xx: %d", res.StatusCode)
	}
	if r := a.do("GET", "/users/me", nil); r.status != http.StatusInternalServerError || !strings.Contains(r.message(), "injected") {
		t.Errorf("injected 500: %d %s", r.status, r.raw)
	}
	for _, bad := range []string{`{"rate429": 2}`, `{"latency": "soon"}`, `{"latencyAfter": "-1s"}`, `{"rate": 1}`, `nope`, `{"status5xx": 501}`} {
		if res := put(bad); res.StatusCode != 400 {
			t.Errorf("PUT %s: %d, want 400", bad, res.StatusCode)
		}
	}

	// Only the listed routes get faults.
	srv.SetFaults(Faults{Rate429: 1, Routes: []string{"GET /orgs"}})
	a.must(200, "GET", "/users/me", nil)
	a.must(429, "GET", "/orgs", nil)
	srv.SetFaults(Faults{})
	a.must(200, "GET", "/orgs", nil)
}

// TestLatencyAfterKeepsTheChange shows the slow-answer fault: a client
// that gives up waiting for the answer to a create still created the
// object, while with Latency (before handling) it did not.
func TestLatencyAfterKeepsTheChange(t *testing.T) {
	t.Parallel()
	srv, ts := startServer(t, Options{})
	a := newAPI(t, ts, DemoToken)
	create := func(name string) {
		t.Helper()
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, "POST", ts.URL+BasePath+"/projects", strings.NewReader(`{"name":"`+name+`"}`))
		req.Header.Set("Authorization", "Bearer "+DemoToken)
		req.Header.Set("Content-Type", "application/json")
		done := make(chan error, 1)
		go func() {
			res, err := http.DefaultClient.Do(req)
			if err == nil {
				res.Body.Close()
			}
			done <- err
		}()
		// Give up once the emulator has taken the request in.
		for i := 0; srv.Stats()["POST /projects"] == 0; i++ {
			if i == 1000 {
				t.Fatal("the create never reached the emulator")
			}
			time.Sleep(5 * time.Millisecond)
		}
		cancel()
		if err := <-done; err == nil {
			t.Fatalf("create %s answered despite the latency", name)
		}
		srv.ResetStats()
	}
	count := func(name string) int {
		n := 0
		for _, p := range a.must(200, "GET", "/projects", nil).list() {
			if p.str("name") == name {
				n++
			}
		}
		return n
	}

	srv.SetFaults(Faults{LatencyAfter: time.Hour, Routes: []string{"POST /projects"}})
	create("answered-late")
	for i := 0; count("answered-late") == 0; i++ {
		if i == 1000 {
			t.Fatal("the project whose answer was late was not created")
		}
		time.Sleep(5 * time.Millisecond)
	}

	srv.SetFaults(Faults{Latency: time.Hour, Routes: []string{"POST /projects"}})
	create("never-handled")
	srv.SetFaults(Faults{})
	if n := count("never-handled"); n != 0 {
		t.Errorf("%d projects created by a request the client gave up on before it was handled", n)
	}
}

func TestDroppedConnections(t *testing.T) {
	t.Parallel()
	srv, ts := startServer(t, Options{Faults: Faults{RateDrop: 1, Max: 1}})
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	get := func() error {
		req, _ := http.NewRequest("GET", ts.URL+BasePath+"/users/me", nil)
		req.Header.Set("Authorization", "Bearer "+DemoToken)
		res, err := client.Do(req)
		if err == nil {
			res.Body.Close()
		}
		return err
	}
	if err := get(); err == nil {
		t.Error("first request: want a dropped connection")
	}
	if err := get(); err != nil {
		t.Errorf("second request: %v", err)
	}

	// Drop after apply: the create happens, the client never hears of it.
	srv.SetFaults(Faults{DropAfterRate: 1, Routes: []string{"POST /orgs/{orgId}/integrations"}, Max: 1})
	body := `{"name":"ambiguous","type":"s3","options":{"key":"k","secret":"s"}}`
	req, _ := http.NewRequest("POST", ts.URL+BasePath+"/orgs/"+DemoOrgID+"/integrations", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+DemoToken)
	req.Header.Set("Content-Type", "application/json")
	if res, err := client.Do(req); err == nil {
		res.Body.Close()
		t.Fatalf("create: status %d, want a dropped connection", res.StatusCode)
	}
	a := newAPI(t, ts, DemoToken)
	list := a.must(200, "GET", "/orgs/"+DemoOrgID+"/integrations", nil).list()
	if len(list) != 1 || list[0]["name"] != "ambiguous" {
		t.Errorf("after a dropped create: %v, want the integration to exist", list)
	}
	// GETs are never dropped after apply.
	srv.SetFaults(Faults{DropAfterRate: 1})
	a.must(200, "GET", "/users/me", nil)

	st := srv.stats.snapshot()
	if st.Faults["drop"] != 1 || st.Faults["drop-after"] != 1 {
		t.Errorf("fault stats = %v", st.Faults)
	}
}

func TestStats(t *testing.T) {
	t.Parallel()
	srv, ts := startServer(t, Options{})
	a := newAPI(t, ts, DemoToken)
	a.must(200, "GET", "/users/me", nil)
	a.must(200, "GET", "/users/me", nil)
	id := a.createIntegration("x", "s3", map[string]any{"key": "k", "secret": "s"}).str("id")
	a.must(200, "GET", "/orgs/"+DemoOrgID+"/integrations/"+id, nil)
	a.must(404, "GET", "/drivers/abc", nil)
	a.must(404, "GET", "/drivers/abc/test", nil)
	newAPI(t, ts, "").must(401, "GET", "/orgs", nil)

	res, err := http.Get(ts.URL + "/__emulator/stats")
	if err != nil {
		t.Fatal(err)
	}
	var rep StatsReport
	if err := json.NewDecoder(res.Body).Decode(&rep); err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	want := map[string]int{
		"GET /users/me":                                  2,
		"POST /orgs/{orgId}/integrations":                1,
		"GET /orgs/{orgId}/integrations/{integrationId}": 1,
		"GET /drivers/{id}":                              1,
		"GET /drivers/{id}/test":                         1,
		"GET /orgs":                                      1,
	}
	if len(rep.Routes) != len(want) {
		t.Errorf("routes = %v, want %v", rep.Routes, want)
	}
	for k, v := range want {
		if rep.Routes[k] != v {
			t.Errorf("routes[%q] = %d, want %d", k, rep.Routes[k], v)
		}
	}
	req, _ := http.NewRequest("DELETE", ts.URL+"/__emulator/stats", nil)
	if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != 204 {
		t.Fatalf("reset stats: %v", err)
	}
	if n := len(srv.Stats()); n != 0 {
		t.Errorf("%d routes after reset", n)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
