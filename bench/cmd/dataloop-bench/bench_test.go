package main

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// The harness itself is run by `make bench`; these tests only check its
// bookkeeping, never a timing.

func TestClassify(t *testing.T) {
	sign := func(service string) string {
		return "AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20260101/us-east-1/" + service + "/aws4_request, SignedHeaders=host, Signature=x"
	}
	r := httptest.NewRequest("POST", "http://moto/", strings.NewReader("Action=AssumeRole&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fr&Version=2011-06-15"))
	r.Header.Set("Authorization", sign("sts"))
	if got, want := classify(r), "sts:AssumeRole:arn:aws:iam::123456789012:role/r"; got != want {
		t.Errorf("classify(sts) = %q, want %q", got, want)
	}
	r = httptest.NewRequest("PUT", "http://moto/bench-r0-b1/datasets/.dataloop/probe", nil)
	r.Header.Set("Authorization", sign("s3"))
	if got, want := classify(r), "s3:bench-r0-b1"; got != want {
		t.Errorf("classify(s3) = %q, want %q", got, want)
	}
	r = httptest.NewRequest("POST", "http://moto/", nil)
	r.Header.Set("Authorization", sign("iam"))
	if got, want := classify(r), "other:iam"; got != want {
		t.Errorf("classify(iam) = %q, want %q", got, want)
	}
}

func TestConfigHCL(t *testing.T) {
	locs := []location{{IntegrationID: "i1", Bucket: "b1", Path: "p/"}, {IntegrationID: "i2", Bucket: "b2", Path: "p/"}}
	for _, drift := range []string{driftPerLocation, driftPerDriver} {
		hcl := configHCL(7, locs, "proj", drift)
		for _, want := range []string{`range(7)`, `local.locations[i % 2]`, `{ integration_id = "i2", bucket = "b2", path = "p/" }`,
			`check "datasets_access"`, `var.drift ?`} {
			if !strings.Contains(hcl, want) {
				t.Errorf("%s config lacks %q:\n%s", drift, want, hcl)
			}
		}
	}
	if !strings.Contains(configHCL(1, locs, "proj", driftPerDriver), "driver_id = each.value.id") {
		t.Error("the per-driver drift pattern does not check by driver_id")
	}
}

func TestTargets(t *testing.T) {
	m := func(op string, checks bool, routes map[string]int, s3 int) measurement {
		return measurement{N: 24, Op: op, Checks: checks, Wall: time.Second, Routes: routes, AWS: awsCounts{S3: s3},
			TCP: tcpCounts{Connections: 8}, RSSKB: []int64{40 << 10, 50 << 10}}
	}
	all := []measurement{
		m("refresh", true, map[string]int{"GET /drivers/{id}": 24}, 0),
		m("drift", true, map[string]int{"GET /drivers/{id}": 24, "POST /drivers/test": 12}, 48),
		m("apply", true, map[string]int{"POST /drivers": 24, "POST /drivers/test": 12, "GET /users/me": 1}, 48),
		m("plan-nochange", true, map[string]int{"GET /drivers/{id}": 24}, 0),
	}
	got := map[string]float64{}
	for _, tg := range targetsFor(groupRuns(all), 24, 24, 10) {
		got[tg.What] = tg.Value
	}
	for what, want := range map[string]float64{
		"refresh: platform calls per resource":                              1,
		"drift plan: access tests per distinct location":                    1,
		"apply (create): platform calls per driver beyond the access tests": 25.0 / 24,
		"apply: S3 calls per access test":                                   4,
		"apply: platform connections per provider process":                  4,
		"provider peak RSS, no-change plan":                                 50,
	} {
		if v, ok := got[what]; !ok || v != want {
			t.Errorf("%s = %v (present %v), want %v", what, v, ok, want)
		}
	}
}
