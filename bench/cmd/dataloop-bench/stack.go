package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/emulator"
	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/platform"
	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/testenv"
)

// Shape of the fleet: every location is its own bucket with one prefix, and
// each role can use the buckets of its group. Locations are
// (role, bucket, prefix) triples; drivers cycle through them.
const (
	benchRoles        = 3
	bucketsPerRole    = 4
	benchLocations    = benchRoles * bucketsPerRole
	benchRegion       = "us-east-1"
	benchPrefix       = "datasets/"
	benchPlatformUser = "bench-platform"
)

type location struct {
	IntegrationID string
	Role          string
	Bucket        string
	Path          string
}

// stack is the local platform and AWS the benchmark runs against.
type stack struct {
	dir        string
	bin        string // holds the real provider and the emulator
	override   string // dev_overrides directory with the wrapper
	tfrc       string
	moto       *testenv.Moto
	awsFront   *awsFront
	awsSrv     *httptest.Server
	emuCmd     *exec.Cmd
	emuURL     string // the emulator itself, for stats
	platFront  *tcpFront
	endpoint   string // what the provider calls: the counting front
	locations  []location
	logf       func(format string, args ...any)
	emuLogFile *os.File
}

func startStack(ctx context.Context, dir string, latency time.Duration, logf func(string, ...any)) (*stack, error) {
	s := &stack{dir: dir, bin: filepath.Join(dir, "bin"), override: filepath.Join(dir, "override"), logf: logf}
	for _, d := range []string{s.bin, s.override, filepath.Join(dir, "moto")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
	}
	logf("building the provider and the emulator")
	build := exec.CommandContext(ctx, "go", "build", "-o", s.bin+"/", ".", "./cmd/dataloop-emulator")
	build.Dir = repoRoot()
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return nil, fmt.Errorf("go build: %w", err)
	}
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	if err := copyFile(self, filepath.Join(s.override, wrapperName)); err != nil {
		return nil, err
	}
	s.tfrc = filepath.Join(dir, "terraformrc")
	rc := fmt.Sprintf("disable_checkpoint = true\nprovider_installation {\n  dev_overrides {\n    %q = %q\n  }\n  direct {}\n}\n",
		"registry.terraform.io/terraform-dataloop/dataloop", s.override)
	if err := os.WriteFile(s.tfrc, []byte(rc), 0o644); err != nil {
		return nil, err
	}

	logf("starting moto")
	s.moto, err = testenv.StartMotoProcess(ctx, testenv.MotoOptions{Dir: filepath.Join(dir, "moto")})
	if err != nil {
		return nil, fmt.Errorf("moto: %w", err)
	}
	front, err := newAWSFront(s.moto.Endpoint)
	if err != nil {
		s.stop()
		return nil, err
	}
	s.awsFront = front
	s.awsSrv = httptest.NewServer(front)

	logf("starting the emulator (latency %s)", latency)
	s.emuLogFile, err = os.Create(filepath.Join(dir, "emulator.log"))
	if err != nil {
		s.stop()
		return nil, err
	}
	s.emuCmd = exec.Command(filepath.Join(s.bin, "dataloop-emulator"), "-listen", "127.0.0.1:0",
		"-state", filepath.Join(dir, "platform-state.json"), "-aws-endpoint", s.awsSrv.URL,
		"-fault-latency", latency.String())
	s.emuCmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID="+s.moto.AdminAccessKeyID,
		"AWS_SECRET_ACCESS_KEY="+s.moto.AdminSecretAccessKey)
	s.emuCmd.Stderr = s.emuLogFile
	out, err := s.emuCmd.StdoutPipe()
	if err != nil {
		s.stop()
		return nil, err
	}
	if err := s.emuCmd.Start(); err != nil {
		s.stop()
		return nil, err
	}
	line, err := readLine(out, 60*time.Second)
	if err != nil {
		s.stop()
		return nil, fmt.Errorf("emulator did not print its URL: %w", err)
	}
	go func() { _, _ = io.Copy(io.Discard, out) }()
	u, err := url.Parse(strings.TrimSpace(line))
	if err != nil {
		s.stop()
		return nil, err
	}
	s.emuURL = u.Scheme + "://" + u.Host
	s.platFront, err = newTCPFront(u.Host)
	if err != nil {
		s.stop()
		return nil, err
	}
	s.endpoint = "http://" + s.platFront.addr() + emulator.BasePath

	if err := s.fixtures(ctx); err != nil {
		s.stop()
		return nil, err
	}
	return s, nil
}

func readLine(r io.Reader, timeout time.Duration) (string, error) {
	type res struct {
		line string
		err  error
	}
	ch := make(chan res, 1)
	go func() {
		l, err := bufio.NewReader(r).ReadString('\n')
		ch <- res{l, err}
	}()
	select {
	case x := <-ch:
		return x.line, x.err
	case <-time.After(timeout):
		return "", fmt.Errorf("timed out after %s", timeout)
	}
}

// fixtures creates the buckets, the roles, the IAM user the integrations
// hold, and one aws-sts integration per role.
func (s *stack) fixtures(ctx context.Context) error {
	s.logf("creating %d buckets, %d roles and %d integrations", benchLocations, benchRoles, benchRoles)
	cfg := s.moto.AdminConfig()
	iamc := iam.NewFromConfig(cfg)
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })

	user, err := iamc.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(benchPlatformUser)})
	if err != nil {
		return fmt.Errorf("create user: %w", err)
	}
	if _, err := iamc.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(benchPlatformUser),
		PolicyName: aws.String("assume"), PolicyDocument: aws.String(
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`)}); err != nil {
		return fmt.Errorf("put user policy: %w", err)
	}
	key, err := iamc.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(benchPlatformUser)})
	if err != nil {
		return fmt.Errorf("create access key: %w", err)
	}
	client, err := platform.New(platform.Config{Endpoint: s.emuURL + emulator.BasePath, Token: emulator.DemoToken})
	if err != nil {
		return err
	}
	trust, _ := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
		"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": map[string]any{"AWS": aws.ToString(user.User.Arn)}}}})
	for r := range benchRoles {
		roleName := fmt.Sprintf("bench-role-%d", r)
		var resources []string
		var buckets []string
		for b := range bucketsPerRole {
			bucket := fmt.Sprintf("bench-r%d-b%d", r, b)
			buckets = append(buckets, bucket)
			if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
				return fmt.Errorf("create bucket %s: %w", bucket, err)
			}
			resources = append(resources, "arn:aws:s3:::"+bucket, "arn:aws:s3:::"+bucket+"/*")
		}
		perm, _ := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
			"Effect": "Allow", "Action": []string{"s3:ListBucket", "s3:GetObject", "s3:PutObject", "s3:DeleteObject",
				"s3:GetBucketLocation"}, "Resource": resources}}})
		role, err := iamc.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(roleName),
			AssumeRolePolicyDocument: aws.String(string(trust))})
		if err != nil {
			return fmt.Errorf("create role: %w", err)
		}
		if _, err := iamc.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(roleName),
			PolicyName: aws.String("inline"), PolicyDocument: aws.String(string(perm))}); err != nil {
			return fmt.Errorf("put role policy: %w", err)
		}
		in, err := client.CreateIntegration(ctx, emulator.DemoOrgID, platform.CreateIntegrationInput{
			Name: "bench-" + roleName, Type: platform.TypeAWSSTS,
			Options: map[string]any{"key": aws.ToString(key.AccessKey.AccessKeyId),
				"secret": aws.ToString(key.AccessKey.SecretAccessKey), "roleArns": []string{aws.ToString(role.Role.Arn)}},
		})
		if err != nil {
			return fmt.Errorf("create integration: %w", err)
		}
		for _, b := range buckets {
			s.locations = append(s.locations, location{IntegrationID: in.ID, Role: aws.ToString(role.Role.Arn),
				Bucket: b, Path: benchPrefix})
		}
	}
	return nil
}

// emulatorStats reads the emulator's call counts and resets them.
func (s *stack) emulatorStats(reset bool) (map[string]int, error) {
	resp, err := http.Get(s.emuURL + "/__emulator/stats")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var rep emulator.StatsReport
	if err := json.NewDecoder(resp.Body).Decode(&rep); err != nil {
		return nil, err
	}
	if reset {
		req, _ := http.NewRequest(http.MethodDelete, s.emuURL+"/__emulator/stats", nil)
		if r, err := http.DefaultClient.Do(req); err == nil {
			r.Body.Close()
		}
	}
	return rep.Routes, nil
}

func (s *stack) resetCounters() error {
	if _, err := s.emulatorStats(true); err != nil {
		return err
	}
	s.awsFront.reset()
	s.platFront.reset()
	return nil
}

func (s *stack) stop() {
	if s.emuCmd != nil && s.emuCmd.Process != nil {
		_ = s.emuCmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = s.emuCmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = s.emuCmd.Process.Kill()
			<-done
		}
	}
	if s.emuLogFile != nil {
		s.emuLogFile.Close()
	}
	if s.awsSrv != nil {
		s.awsSrv.Close()
	}
	if s.platFront != nil {
		s.platFront.ln.Close()
	}
	if s.moto != nil {
		s.moto.Stop()
	}
}

func copyFile(src, dst string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return os.WriteFile(dst, b, 0o755)
}

// repoRoot is the module root: the directory holding go.mod, found from the
// working directory upwards.
func repoRoot() string {
	dir, _ := os.Getwd()
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			return dir
		}
	}
}
