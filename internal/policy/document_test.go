package policy

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestDocument_minifiedJSON(t *testing.T) {
	t.Parallel()
	doc, err := AWSTrustPolicy(TrustPolicyInput{PrincipalARN: "arn:aws:iam::123456789012:user/u", ExternalID: "ext-1"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := doc.MinifiedJSON()
	if err != nil {
		t.Fatal(err)
	}
	want := `{"Version":"2012-10-17","Statement":[{"Sid":"DataloopAssumeRole","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/u"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"ext-1"}}}]}`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// TestDocument_roundTrip checks that both JSON forms describe the same
// document and parse back into it.
func TestDocument_roundTrip(t *testing.T) {
	t.Parallel()
	doc, err := AWSBucketPolicy(BucketPolicyInput{
		Bucket:     "bucket",
		Path:       "a&b<c>/",
		KMSKeyARNs: []string{"arn:aws:kms:us-east-1:123456789012:key/k1", "arn:aws:kms:us-east-1:123456789012:key/k2"},
	})
	if err != nil {
		t.Fatal(err)
	}
	indented, err := doc.JSON()
	if err != nil {
		t.Fatal(err)
	}
	minified, err := doc.MinifiedJSON()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(minified, `\u0026`) || !strings.Contains(minified, "a&b<c>/") {
		t.Errorf("JSON should not HTML-escape: %s", minified)
	}
	if strings.HasSuffix(indented, "\n") || strings.HasSuffix(minified, "\n") {
		t.Error("JSON should not end with a newline")
	}
	for _, s := range []string{indented, minified} {
		var back Document
		if err := json.Unmarshal([]byte(s), &back); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(&back, doc) {
			t.Errorf("round trip changed the document:\n%#v\n%#v", back, *doc)
		}
	}
}

func TestValues_unmarshal(t *testing.T) {
	t.Parallel()
	var v Values
	if err := json.Unmarshal([]byte(`"a"`), &v); err != nil || !reflect.DeepEqual(v, Values{"a"}) {
		t.Errorf("string: %v %v", v, err)
	}
	if err := json.Unmarshal([]byte(`["a","b"]`), &v); err != nil || !reflect.DeepEqual(v, Values{"a", "b"}) {
		t.Errorf("array: %v %v", v, err)
	}
	if err := json.Unmarshal([]byte(`1`), &v); err == nil {
		t.Error("number: want an error")
	}
}

func TestStatement_JSON(t *testing.T) {
	t.Parallel()
	got, err := StatementFor(ActionPutObject, "bucket", "data").JSON()
	if err != nil {
		t.Fatal(err)
	}
	want := `{
  "Sid": "DataloopPutObject",
  "Effect": "Allow",
  "Action": "s3:PutObject",
  "Resource": "arn:aws:s3:::bucket/data/*"
}`
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}
