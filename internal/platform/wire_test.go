package platform

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"
)

func TestDecodeIntegrationShapes(t *testing.T) {
	t.Parallel()
	created := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	for name, body := range map[string]string{
		"ids as strings": `{"id":"i1","name":"n","type":"aws-cross","org":"o1","creator":"dev@example.com",
			"createdAt":1714564800000,"updatedAt":1714564800000.0,
			"metadata":[{"name":"userArn","value":"arn:aws:iam::1:user/x"},{"name":"trust-established","value":false}]}`,
		"embedded objects": `{"id":"i1","name":"n","type":"aws-cross","org":{"id":"o1","name":"demo"},
			"creator":{"id":"u1","email":"dev@example.com","username":"dev"},
			"createdAt":"2024-05-01T12:00:00Z","updatedAt":"1714564800000",
			"metadata":[{"name":"userArn","value":"arn:aws:iam::1:user/x"},{"name":"trust-established","value":"false"}]}`,
	} {
		var w wireIntegration
		if err := json.Unmarshal([]byte(body), &w); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		i := w.integration()
		if i.ID != "i1" || i.OrgID != "o1" || i.Creator != "dev@example.com" {
			t.Errorf("%s: %+v", name, i)
		}
		if !i.CreatedAt.Equal(created) || !i.UpdatedAt.Equal(created) {
			t.Errorf("%s: times %s / %s, want %s", name, i.CreatedAt, i.UpdatedAt, created)
		}
		if v := i.PlatformUserARN(); v != "arn:aws:iam::1:user/x" {
			t.Errorf("%s: userArn %q", name, v)
		}
		if i.TrustEstablished() {
			t.Errorf("%s: trust established without a status entry", name)
		}
	}
}

// TestIntegrationTrustEstablished reads trust the way Dataloop's AWS S3
// tutorial does: {"name": "status", "value": "trust-established"}, and
// nothing else (an entry named trust-established is no documented signal).
func TestIntegrationTrustEstablished(t *testing.T) {
	t.Parallel()
	for metadata, want := range map[string]bool{
		`[{"name":"userArn","value":"arn:aws:iam::1:user/x"},{"name":"status","value":"trust-established"}]`: true,
		`[{"name":"status","value":"pending"}]`:                                    false,
		`[{"name":"status","value":"Trust-Established "}]`:                         false,
		`[{"name":"trust-established","value":"true"}]`:                            false,
		`[{"name":"trust-established","value":true},{"name":"status","value":""}]`: false,
		`[]`: false,
	} {
		var w wireIntegration
		if err := json.Unmarshal([]byte(`{"id":"i1","type":"aws-cross","metadata":`+metadata+`}`), &w); err != nil {
			t.Fatalf("%s: %v", metadata, err)
		}
		if got := w.integration().TrustEstablished(); got != want {
			t.Errorf("metadata %s: TrustEstablished() = %v, want %v", metadata, got, want)
		}
	}
}

func TestDecodeDriverShapes(t *testing.T) {
	t.Parallel()
	want := Driver{
		ID: "d1", Name: "raw", Type: "s3", IntegrationID: "i1", IntegrationType: "s3",
		ProjectID: "p1", OrgID: "o1", Creator: "dev@example.com",
		CreatedAt:           time.Date(2024, 5, 1, 12, 0, 0, 500_000_000, time.UTC),
		AllowExternalDelete: true,
		DriverLocation:      DriverLocation{BucketName: "b", Region: "us-east-1", Path: "Raw/", StorageClass: "STANDARD", Endpoint: "http://127.0.0.1:9000"},
	}
	for name, body := range map[string]string{
		"flat": `{"id":"d1","name":"raw","type":"s3","integrationId":"i1","integrationType":"s3",
			"projectId":"p1","orgId":"o1","creator":"dev@example.com","createdAt":"2024-05-01T12:00:00.5Z",
			"allowExternalDelete":true,"bucketName":"b","region":"us-east-1","path":"Raw/",
			"storageClass":"STANDARD","endpoint":"http://127.0.0.1:9000","isSyncable":true}`,
		"metadata and payload": `{"_id":"d1","name":"raw","type":"s3","integrationId":"i1","integrationType":"s3",
			"metadata":{"system":{"projectId":"p1","orgId":"o1"}},"creator":{"email":"dev@example.com"},
			"createdAt":1714564800500,"allowExternalDelete":"true",
			"payload":{"bucketName":"b","region":"us-east-1","path":"Raw/","storageClass":"STANDARD","endpoint":"http://127.0.0.1:9000"}}`,
	} {
		var w wireDriver
		if err := json.Unmarshal([]byte(body), &w); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got := w.driver(); got != want {
			t.Errorf("%s:\n got %+v\nwant %+v", name, got, want)
		}
	}
}

func TestDecodeUserOrgsAsObjects(t *testing.T) {
	t.Parallel()
	var w wireUser
	if err := json.Unmarshal([]byte(`{"id":"u1","email":"e","username":"n","orgs":["o1",{"id":"o2"}]}`), &w); err != nil {
		t.Fatal(err)
	}
	if u := w.user(); len(u.Orgs) != 2 || u.Orgs[0] != "o1" || u.Orgs[1] != "o2" {
		t.Errorf("user = %+v", u)
	}
}

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Duration{
		"":                              0,
		"1":                             time.Second,
		" 2 ":                           2 * time.Second,
		"0.5":                           500 * time.Millisecond,
		"-3":                            0,
		"soon":                          0,
		"Wed, 01 May 2024 12:00:10 GMT": 10 * time.Second,
		"Wed, 01 May 2024 11:00:00 GMT": 0,
	} {
		if got := parseRetryAfter(in, now); got != want {
			t.Errorf("parseRetryAfter(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestBackoffIsCappedAndJittered(t *testing.T) {
	t.Parallel()
	c := &Client{maxBackoff: 4 * time.Second}
	for attempt := 1; attempt <= 40; attempt++ {
		full := min(baseBackoff<<min(attempt-1, 20), c.maxBackoff)
		for range 20 {
			if d := c.backoff(attempt, 0); d < full/2 || d > full {
				t.Fatalf("backoff(%d) = %s, want within [%s, %s]", attempt, d, full/2, full)
			}
		}
	}
	if d := c.backoff(1, 3*time.Second); d != 3*time.Second {
		t.Errorf("Retry-After 3s gave %s", d)
	}
	if d := c.backoff(1, time.Minute); d != c.maxBackoff {
		t.Errorf("Retry-After 1m gave %s, want the cap", d)
	}
}

func TestErrorFormatting(t *testing.T) {
	t.Parallel()
	e := &Error{StatusCode: http.StatusConflict, Method: http.MethodPost, Path: "/orgs/o1/integrations", Message: "name taken"}
	if got, want := e.Error(), "dataloop API: POST /orgs/o1/integrations: 409 Conflict: name taken"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	e.Message = ""
	if got, want := e.Error(), "dataloop API: POST /orgs/o1/integrations: 409 Conflict"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if !IsConflict(e) || IsNotFound(e) {
		t.Error("IsConflict/IsNotFound disagree with the status")
	}
	if got := errorMessage([]byte(`{"message":"boom"}`)); got != "boom" {
		t.Errorf("errorMessage = %q", got)
	}
	if got := errorMessage([]byte(`<html>bad gateway</html>`)); got != "" {
		t.Errorf("errorMessage(html) = %q, want empty", got)
	}
	c := &Client{token: "tok-123"}
	if got := c.redact("invalid token tok-123"); got != "invalid token <redacted>" {
		t.Errorf("redact = %q", got)
	}
}
