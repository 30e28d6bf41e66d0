package testenv

import (
	"context"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
)

// TestMoto checks the fixes scripts/moto_server.py applies, with the Go SDK
// against a server that enforces IAM.
func TestMoto(t *testing.T) {
	m := StartMoto(t)
	ctx := context.Background()
	const bucket = "testenv-bucket"
	m.CreateBucket(t, bucket, "eu-west-1")

	client := func(k AccessKey) *s3.Client {
		return s3.NewFromConfig(m.Config(k.AccessKeyID, k.SecretAccessKey, ""), func(o *s3.Options) {
			o.UsePathStyle = true
			o.Region = "eu-west-1"
		})
	}
	admin := client(AccessKey{AccessKeyID: m.AdminAccessKeyID, SecretAccessKey: m.AdminSecretAccessKey})

	t.Run("enforced", func(t *testing.T) {
		_, err := iam.NewFromConfig(m.Config("AKIAUNKNOWN", "secret", "")).ListUsers(ctx, &iam.ListUsersInput{})
		if code := apiCode(err); code != "InvalidClientTokenId" {
			t.Fatalf("unknown key: got %v, want InvalidClientTokenId", err)
		}
	})

	t.Run("percent-encoded query and key", func(t *testing.T) {
		for _, key := range []string{"data/a b+c~(1)*ü.txt", "data/.dataloop/access-check"} {
			if _, err := admin.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader("x")}); err != nil {
				t.Fatalf("PutObject %q: %v", key, err)
			}
			if _, err := admin.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}); err != nil {
				t.Fatalf("GetObject %q: %v", key, err)
			}
		}
		for _, prefix := range []string{"data/", "data/a b+", "data/.dataloop/"} {
			out, err := admin.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix), MaxKeys: aws.Int32(1)})
			if err != nil {
				t.Fatalf("ListObjectsV2 prefix %q: %v", prefix, err)
			}
			if len(out.Contents) != 1 {
				t.Errorf("ListObjectsV2 prefix %q: got %d keys, want 1", prefix, len(out.Contents))
			}
		}
	})

	t.Run("HeadBucket is authorized as s3:ListBucket", func(t *testing.T) {
		lister := m.CreateUser(t, "testenv-lister", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::`+bucket+`"}]}`)
		out, err := client(lister).HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(bucket)})
		if err != nil {
			t.Fatalf("HeadBucket with s3:ListBucket: %v", err)
		}
		if got := aws.ToString(out.BucketRegion); got != "eu-west-1" {
			t.Errorf("BucketRegion = %q, want eu-west-1", got)
		}
	})

	nobody := m.CreateUser(t, "testenv-nobody", "")

	t.Run("HeadBucket 403 carries the region", func(t *testing.T) {
		_, err := client(nobody).HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(bucket)})
		var re *awshttp.ResponseError
		if !errors.As(err, &re) || re.HTTPStatusCode() != http.StatusForbidden {
			t.Fatalf("HeadBucket without permission: got %v, want 403", err)
		}
		if got := re.Response.Header.Get("x-amz-bucket-region"); got != "eu-west-1" {
			t.Errorf("x-amz-bucket-region = %q, want eu-west-1", got)
		}
	})

	t.Run("HeadBucket on a missing bucket is 404", func(t *testing.T) {
		_, err := client(nobody).HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("testenv-missing")})
		var re *awshttp.ResponseError
		if !errors.As(err, &re) || re.HTTPStatusCode() != http.StatusNotFound {
			t.Fatalf("HeadBucket on a missing bucket: got %v, want 404", err)
		}
	})
}

// TestMotoRemovesItsTemporaryDir checks that a server started without a
// Dir leaves no directory behind, whether it is stopped or its parent exits
// first (SharedMoto's case, played by closing the launcher's stdin).
func TestMotoRemovesItsTemporaryDir(t *testing.T) {
	t.Run("stopped", func(t *testing.T) {
		m, err := StartMotoProcess(context.Background(), MotoOptions{})
		if err != nil {
			t.Fatalf("starting moto: %v", err)
		}
		dir := filepath.Dir(m.LogPath)
		m.Stop()
		if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s remains after Stop (stat: %v)", dir, err)
		}
	})

	t.Run("parent gone", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "moto")
		if err := os.Mkdir(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		portFile := filepath.Join(dir, "moto.port")
		cmd := exec.Command(envOr("DATALOOP_MOTO_PYTHON", "python3"), envOr("DATALOOP_MOTO_SCRIPT", defaultScript()),
			"--port", "0", "--port-file", portFile, "--watch-stdin", "--remove-dir", dir)
		stdin, err := cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		m := &Moto{cmd: cmd, stdin: stdin, exited: make(chan struct{})}
		go func() {
			m.waitErr = cmd.Wait()
			close(m.exited)
		}()
		t.Cleanup(m.Stop)
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		defer cancel()
		if err := m.waitForPort(ctx, portFile); err != nil {
			t.Fatal(err)
		}
		// The launcher's own exit, not this process, must remove the dir.
		_ = stdin.Close()
		select {
		case <-m.exited:
		case <-ctx.Done():
			t.Fatal("moto did not exit after its stdin was closed")
		}
		if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s remains after the launcher exited (stat: %v)", dir, err)
		}
	})
}

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}
