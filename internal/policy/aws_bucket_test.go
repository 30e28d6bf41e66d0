package policy

import (
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// assertGolden compares got with testdata/name, or rewrites the file when
// the test runs with -update.
func assertGolden(t *testing.T, name, got string) {
	t.Helper()
	file := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(file, []byte(got+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("reading golden file (run with -update to create it): %v", err)
	}
	if got != strings.TrimSuffix(string(want), "\n") {
		t.Errorf("%s differs from the golden file\ngot:\n%s\nwant:\n%s", name, got, want)
	}
}

func TestAWSBucketPolicy_golden(t *testing.T) {
	t.Parallel()
	tests := []struct {
		golden string
		in     BucketPolicyInput
	}{
		{"bucket_root.json", BucketPolicyInput{Bucket: "my-bucket"}},
		{"bucket_path.json", BucketPolicyInput{Bucket: "my-bucket", Path: "datasets/raw/"}},
		{"bucket_read_only.json", BucketPolicyInput{Bucket: "my-bucket", Path: "datasets/raw/", ReadOnly: true}},
		{"bucket_allow_delete.json", BucketPolicyInput{Bucket: "my-bucket", Path: "datasets/raw/", AllowDelete: true}},
		{"bucket_kms.json", BucketPolicyInput{Bucket: "my-bucket", Path: "datasets/raw/", KMSKeyARNs: []string{
			"arn:aws:kms:us-east-1:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab",
			"arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
			"arn:aws:kms:us-east-1:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab",
		}}},
		{"bucket_special_chars.json", BucketPolicyInput{Bucket: "my.bucket", Path: "/q&a/$2024/*?/"}},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			t.Parallel()
			doc, err := AWSBucketPolicy(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			got, err := doc.JSON()
			if err != nil {
				t.Fatal(err)
			}
			assertGolden(t, tt.golden, got)
		})
	}
}

// TestAWSBucketPolicy_grants checks the rules of the policy for every
// combination of flags and for root and non-root paths, independently of
// the golden files.
func TestAWSBucketPolicy_grants(t *testing.T) {
	t.Parallel()
	for _, path := range []string{"", "data/"} {
		for _, readOnly := range []bool{false, true} {
			for _, allowDelete := range []bool{false, true} {
				if readOnly && allowDelete {
					continue
				}
				in := BucketPolicyInput{Bucket: "b1b", Path: path, ReadOnly: readOnly, AllowDelete: allowDelete}
				doc, err := AWSBucketPolicy(in)
				if err != nil {
					t.Fatalf("%+v: %v", in, err)
				}
				g := grants(doc)
				check := func(action, resource string, want bool) {
					t.Helper()
					if got := g[action+" "+resource]; got != want {
						t.Errorf("%+v: grant %s on %s = %t, want %t", in, action, resource, got, want)
					}
				}
				check("s3:ListBucket", "arn:aws:s3:::b1b", true)
				check("s3:GetObject", "arn:aws:s3:::b1b/"+path+"*", true)
				check("s3:PutObject", "arn:aws:s3:::b1b/"+path+"*", !readOnly)
				check("s3:DeleteObject", "arn:aws:s3:::b1b/"+path+"*", allowDelete)
				for _, a := range []string{"s3:PutObject", "s3:GetObject", "s3:DeleteObject"} {
					check(a, "arn:aws:s3:::b1b/"+path+".dataloop/*", true)
				}
				if len(g) != countGrants(doc) {
					t.Fatalf("duplicate grants in %+v", doc)
				}
				for k := range g {
					if strings.HasPrefix(k, "kms:") {
						t.Errorf("%+v: unexpected KMS grant %s without keys", in, k)
					}
				}
				var sids []string
				for _, st := range doc.Statement {
					sids = append(sids, st.Sid)
				}
				if len(slices.Compact(slices.Sorted(slices.Values(sids)))) != len(sids) {
					t.Errorf("%+v: Sids are not unique: %v", in, sids)
				}
			}
		}
	}
}

// grants flattens a document into "action resource" pairs.
func grants(doc *Document) map[string]bool {
	g := map[string]bool{}
	for _, st := range doc.Statement {
		for _, a := range st.Action {
			for _, r := range st.Resource {
				g[a+" "+r] = true
			}
		}
	}
	return g
}

func countGrants(doc *Document) int {
	n := 0
	for _, st := range doc.Statement {
		n += len(st.Action) * len(st.Resource)
	}
	return n
}

func TestAWSBucketPolicy_listPrefixCondition(t *testing.T) {
	t.Parallel()
	tests := []struct {
		path string
		want Condition
	}{
		{"", nil},
		{"/", nil},
		{"data", Condition{"StringLike": {"s3:prefix": Values{"data/*"}}}},
		{"/a/b//", Condition{"StringLike": {"s3:prefix": Values{"a/b/*"}}}},
		{"a*b", Condition{"StringLike": {"s3:prefix": Values{"a${*}b/*"}}}},
	}
	for _, tt := range tests {
		doc, err := AWSBucketPolicy(BucketPolicyInput{Bucket: "bucket", Path: tt.path})
		if err != nil {
			t.Fatal(err)
		}
		got, _ := json.Marshal(doc.Statement[0].Condition)
		want, _ := json.Marshal(tt.want)
		if string(got) != string(want) {
			t.Errorf("path %q: condition %s, want %s", tt.path, got, want)
		}
	}
}

func TestAWSBucketPolicy_invalid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		in    BucketPolicyInput
		field string
		index int
		msg   string
	}{
		{"empty bucket", BucketPolicyInput{}, FieldBucket, -1, "is empty"},
		{"short bucket", BucketPolicyInput{Bucket: "ab"}, FieldBucket, -1, "3 to 63"},
		{"long bucket", BucketPolicyInput{Bucket: strings.Repeat("a", 64)}, FieldBucket, -1, "3 to 63"},
		{"uppercase", BucketPolicyInput{Bucket: "My-Bucket"}, FieldBucket, -1, "lowercase letters"},
		{"underscore", BucketPolicyInput{Bucket: "my_bucket"}, FieldBucket, -1, "lowercase letters"},
		{"leading hyphen", BucketPolicyInput{Bucket: "-bucket"}, FieldBucket, -1, "does not begin and end"},
		{"trailing dot", BucketPolicyInput{Bucket: "bucket."}, FieldBucket, -1, "does not begin and end"},
		{"adjacent dots", BucketPolicyInput{Bucket: "my..bucket"}, FieldBucket, -1, "adjacent dots"},
		{"ip address", BucketPolicyInput{Bucket: "192.168.5.4"}, FieldBucket, -1, "IP address"},
		{"reserved prefix", BucketPolicyInput{Bucket: "xn--bucket"}, FieldBucket, -1, `reserved prefix "xn--"`},
		{"reserved suffix", BucketPolicyInput{Bucket: "bucket-s3alias"}, FieldBucket, -1, `reserved suffix "-s3alias"`},
		{"directory bucket", BucketPolicyInput{Bucket: "bucket--usw2-az1--x-s3"}, FieldBucket, -1, `"--x-s3"`},
		{"control char in path", BucketPolicyInput{Bucket: "bucket", Path: "a\nb/"}, FieldPath, -1, "control character"},
		{"invalid utf-8 path", BucketPolicyInput{Bucket: "bucket", Path: "a\xffb"}, FieldPath, -1, "UTF-8"},
		{"empty segment", BucketPolicyInput{Bucket: "bucket", Path: "a//b"}, FieldPath, -1, "empty segment"},
		{"dot dot segment", BucketPolicyInput{Bucket: "bucket", Path: "a/../b"}, FieldPath, -1, `".." segment`},
		{"unknown partition", BucketPolicyInput{Bucket: "bucket", Partition: "aws-iso"}, FieldPartition, -1, "not supported"},
		{"long path", BucketPolicyInput{Bucket: "bucket", Path: strings.Repeat("a", 1000)}, FieldPath, -1, "too long"},
		{"read only delete", BucketPolicyInput{Bucket: "bucket", ReadOnly: true, AllowDelete: true}, FieldAllowDelete, -1, "read_only"},
		{"kms alias", BucketPolicyInput{Bucket: "bucket", KMSKeyARNs: []string{
			"arn:aws:kms:us-east-1:123456789012:key/k1",
			"arn:aws:kms:us-east-1:123456789012:alias/data",
		}}, FieldKMSKeyARNs, 1, "alias ARN"},
		{"kms not arn", BucketPolicyInput{Bucket: "bucket", KMSKeyARNs: []string{"k1"}}, FieldKMSKeyARNs, 0, "not a KMS key ARN"},
		{"kms wildcard", BucketPolicyInput{Bucket: "bucket", KMSKeyARNs: []string{"arn:aws:kms:us-east-1:123456789012:key/*"}}, FieldKMSKeyARNs, 0, "not a KMS key ARN"},
		{"kms wrong service", BucketPolicyInput{Bucket: "bucket", KMSKeyARNs: []string{"arn:aws:s3:::bucket"}}, FieldKMSKeyARNs, 0, "not a KMS key ARN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			doc, err := AWSBucketPolicy(tt.in)
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("got (%v, %v), want a *FieldError", doc, err)
			}
			if fe.Field != tt.field || fe.Index != tt.index {
				t.Errorf("field %s[%d], want %s[%d]", fe.Field, fe.Index, tt.field, tt.index)
			}
			if !strings.Contains(err.Error(), tt.msg) || !strings.HasPrefix(err.Error(), tt.field) {
				t.Errorf("error %q should start with %q and contain %q", err, tt.field, tt.msg)
			}
		})
	}
}

func TestAWSBucketPolicy_validBuckets(t *testing.T) {
	t.Parallel()
	for _, b := range []string{"abc", "my-bucket", "my.bucket.example.com", "1bucket2", strings.Repeat("a", 63), "192.168.5", "bucket-s3alias2"} {
		if _, err := AWSBucketPolicy(BucketPolicyInput{Bucket: b}); err != nil {
			t.Errorf("bucket %q: %v", b, err)
		}
	}
}

func TestNormalizePath(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"":           "",
		"/":          "",
		"///":        "",
		"data":       "data/",
		"data/":      "data/",
		"/data":      "data/",
		"//data//":   "data/",
		"a/b":        "a/b/",
		"a//b/":      "a//b/",
		"Mixed Case": "Mixed Case/",
	} {
		if got := NormalizePath(in); got != want {
			t.Errorf("NormalizePath(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestStatementFor(t *testing.T) {
	t.Parallel()
	tests := []struct {
		action, bucket, path string
		want                 string
	}{
		{"s3:ListBucket", "bucket", "data", `{"Sid":"DataloopListBucket","Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::bucket","Condition":{"StringLike":{"s3:prefix":"data/*"}}}`},
		{"s3:ListBucket", "bucket", "", `{"Sid":"DataloopListBucket","Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::bucket"}`},
		{"s3:GetBucketLocation", "bucket", "data/", `{"Sid":"DataloopGetBucketLocation","Effect":"Allow","Action":"s3:GetBucketLocation","Resource":"arn:aws:s3:::bucket"}`},
		{"s3:PutObject", "bucket", "/data/", `{"Sid":"DataloopPutObject","Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::bucket/data/*"}`},
		{"s3:GetObject", "bucket", "", `{"Sid":"DataloopGetObject","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/*"}`},
		{"s3:DeleteObject", "bucket", "a*", `{"Sid":"DataloopDeleteObject","Effect":"Allow","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::bucket/a${*}/*"}`},
		{"kms:Decrypt", "bucket", "data/", `{"Sid":"DataloopDecrypt","Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}`},
	}
	for _, tt := range tests {
		got, err := marshal(StatementFor(tt.action, tt.bucket, tt.path), "")
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != tt.want {
			t.Errorf("StatementFor(%q, %q, %q)\n got %s\nwant %s", tt.action, tt.bucket, tt.path, got, tt.want)
		}
	}
}

// TestStatementFor_matchesPolicy makes sure every hint is a subset of what
// the generated policy grants, so following a hint never grants more.
func TestStatementFor_matchesPolicy(t *testing.T) {
	t.Parallel()
	doc, err := AWSBucketPolicy(BucketPolicyInput{Bucket: "bucket", Path: "data/", AllowDelete: true})
	if err != nil {
		t.Fatal(err)
	}
	g := grants(doc)
	for _, a := range []string{ActionListBucket, ActionGetObject, ActionPutObject, ActionDeleteObject} {
		st := StatementFor(a, "bucket", "data/")
		for k := range grants(&Document{Statement: []Statement{st}}) {
			if !g[k] {
				t.Errorf("hint for %s grants %s, which the policy does not", a, k)
			}
		}
		if a == ActionListBucket {
			if got, want := st.Condition, doc.Statement[0].Condition; !equalJSON(t, got, want) {
				t.Errorf("hint condition %v, policy condition %v", got, want)
			}
		}
	}
}

func equalJSON(t *testing.T, a, b any) bool {
	t.Helper()
	x, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	y, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return string(x) == string(y)
}

func BenchmarkAWSBucketPolicy(b *testing.B) {
	in := BucketPolicyInput{
		Bucket:      "my-bucket",
		Path:        "datasets/raw/",
		AllowDelete: true,
		KMSKeyARNs:  []string{"arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"},
	}
	b.ReportAllocs()
	for b.Loop() {
		doc, err := AWSBucketPolicy(in)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := doc.JSON(); err != nil {
			b.Fatal(err)
		}
	}
}

// TestAWSBucketPolicy_partition names the S3 ARNs of the bucket's partition,
// so a policy for a role in aws-cn grants arn:aws-cn:s3 resources.
func TestAWSBucketPolicy_partition(t *testing.T) {
	t.Parallel()
	for _, partition := range []string{"aws-cn", "aws-us-gov"} {
		doc, err := AWSBucketPolicy(BucketPolicyInput{Bucket: "bucket", Path: "raw", AllowDelete: true, Partition: partition})
		if err != nil {
			t.Fatal(err)
		}
		js, _ := doc.MinifiedJSON()
		if strings.Contains(js, "arn:aws:s3") || strings.Count(js, "arn:"+partition+":s3:::bucket") != len(doc.Statement) {
			t.Errorf("%s: every statement must name arn:%s:s3 resources only: %s", partition, partition, js)
		}
	}
	if st := StatementIn("aws-cn", ActionGetObject, "bucket", "raw"); st.Resource[0] != "arn:aws-cn:s3:::bucket/raw/*" {
		t.Errorf("StatementIn resource %v", st.Resource)
	}
}
