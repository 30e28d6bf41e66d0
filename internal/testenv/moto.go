// Package testenv starts the local services that tests and the demo run
// against: moto (AWS), and Azurite behind a test-only enforcing front
// (Azure). Services bind to 127.0.0.1 on a free port.
package testenv

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// Moto account and region defaults.
const (
	MotoAccountID = "123456789012"
	MotoRegion    = "us-east-1"
)

// motoAdminUser is the IAM user StartMotoProcess creates before it turns on
// IAM enforcement; every later request must be signed by a known key.
const motoAdminUser = "dataloop-test-admin"

const adminPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`

// Moto is a running moto server with IAM enforcement on: requests must be
// signed with a key that exists in moto and are checked against IAM
// policies, trust policies and ExternalId.
type Moto struct {
	// Endpoint is the base URL for every AWS service, e.g.
	// http://127.0.0.1:41234.
	Endpoint string
	// Region is the region the admin configuration uses.
	Region string
	// AccountID is moto's default account.
	AccountID string
	// AdminARN, AdminAccessKeyID and AdminSecretAccessKey identify an IAM
	// user allowed everything.
	AdminARN             string
	AdminAccessKeyID     string
	AdminSecretAccessKey string
	// LogPath is the file that holds the server's output; it is removed
	// with the server when MotoOptions.Dir was left empty.
	LogPath string

	cmd      *exec.Cmd
	stdin    io.Closer
	exited   chan struct{}
	waitErr  error
	stopOnce sync.Once
}

// MotoOptions configures StartMotoProcess. The zero value is usable.
type MotoOptions struct {
	// Dir receives the server log and port file; default: a new temporary
	// directory, removed when the server exits.
	Dir string
	// Python is the interpreter with moto installed; default
	// $DATALOOP_MOTO_PYTHON, else "python3".
	Python string
	// Script is the launcher; default $DATALOOP_MOTO_SCRIPT, else
	// scripts/moto_server.py of this source tree.
	Script string
	// StartTimeout bounds the wait for the server to listen; default 90s
	// (importing moto is slow on a busy machine).
	StartTimeout time.Duration
}

// StartMotoProcess starts scripts/moto_server.py, creates an admin user
// with an access key, then enables IAM enforcement. The server exits when
// Stop is called or when this process exits. It is for non-test callers
// such as the demo; tests use StartMoto or SharedMoto.
func StartMotoProcess(ctx context.Context, opts MotoOptions) (*Moto, error) {
	// ownDir is the temporary directory made here, which must not outlive
	// the server. SharedMoto's server outlives the test binary, so the
	// launcher removes it on the exits it handles (stdin closed, SIGTERM);
	// this process removes it on the others (Stop's kill, a crash, a failed
	// start).
	var ownDir string
	if opts.Dir == "" {
		dir, err := os.MkdirTemp("", "dataloop-moto-")
		if err != nil {
			return nil, err
		}
		opts.Dir, ownDir = dir, dir
	}
	removeOwnDir := func() {
		if ownDir != "" {
			_ = os.RemoveAll(ownDir)
		}
	}
	if opts.Python == "" {
		opts.Python = envOr("DATALOOP_MOTO_PYTHON", "python3")
	}
	if opts.Script == "" {
		opts.Script = envOr("DATALOOP_MOTO_SCRIPT", defaultScript())
	}
	if opts.StartTimeout <= 0 {
		opts.StartTimeout = 90 * time.Second
	}
	if _, err := os.Stat(opts.Script); err != nil {
		removeOwnDir()
		return nil, fmt.Errorf("moto launcher: %w", err)
	}

	portFile := filepath.Join(opts.Dir, "moto.port")
	_ = os.Remove(portFile)
	logPath := filepath.Join(opts.Dir, "moto.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		removeOwnDir()
		return nil, err
	}
	defer logFile.Close()

	args := []string{opts.Script, "--port", "0", "--port-file", portFile, "--watch-stdin"}
	if ownDir != "" {
		args = append(args, "--remove-dir", ownDir)
	}
	// NOTE: not CommandContext: the server must outlive the start context.
	cmd := exec.Command(opts.Python, args...)
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	stdin, err := cmd.StdinPipe()
	if err != nil {
		removeOwnDir()
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		removeOwnDir()
		return nil, fmt.Errorf("starting moto (%s %s): %w", opts.Python, opts.Script, err)
	}
	m := &Moto{
		Region:    MotoRegion,
		AccountID: MotoAccountID,
		LogPath:   logPath,
		cmd:       cmd,
		stdin:     stdin,
		exited:    make(chan struct{}),
	}
	go func() {
		m.waitErr = cmd.Wait()
		removeOwnDir()
		close(m.exited)
	}()

	ctx, cancel := context.WithTimeout(ctx, opts.StartTimeout)
	defer cancel()
	// The log is read before Stop, which may remove it.
	if err := m.waitForPort(ctx, portFile); err != nil {
		logTail := tail(logPath, 20)
		m.Stop()
		return nil, fmt.Errorf("%w\n%s", err, logTail)
	}
	if err := m.bootstrap(ctx); err != nil {
		logTail := tail(logPath, 20)
		m.Stop()
		return nil, fmt.Errorf("configuring moto: %w\n%s", err, logTail)
	}
	return m, nil
}

// StartMoto starts a dedicated moto server for one test and stops it when
// the test ends. It fails the test if moto cannot start.
func StartMoto(t testing.TB) *Moto {
	t.Helper()
	m, err := StartMotoProcess(context.Background(), MotoOptions{Dir: t.TempDir()})
	if err != nil {
		t.Fatalf("starting moto: %v", err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("moto log (last lines):\n%s", tail(m.LogPath, 40))
		}
		m.Stop()
	})
	return m
}

var shared struct {
	once sync.Once
	moto *Moto
	err  error
}

// SharedMoto returns one moto server shared by every test of the test
// binary, started on first use. Tests sharing it must use unique resource
// names. It is never stopped explicitly: it exits with the test binary and
// removes its temporary directory (log and port file) as it does.
func SharedMoto(t testing.TB) *Moto {
	t.Helper()
	shared.once.Do(func() {
		shared.moto, shared.err = StartMotoProcess(context.Background(), MotoOptions{})
	})
	if shared.err != nil {
		t.Fatalf("starting moto: %v", shared.err)
	}
	return shared.moto
}

// Stop kills the server and waits for it to exit. It is safe to call more
// than once.
func (m *Moto) Stop() {
	m.stopOnce.Do(func() {
		_ = m.stdin.Close()
		_ = m.cmd.Process.Kill()
		<-m.exited
	})
}

// AdminConfig returns an AWS SDK configuration that signs as the admin user
// and sends every service to moto.
func (m *Moto) AdminConfig() aws.Config {
	return m.Config(m.AdminAccessKeyID, m.AdminSecretAccessKey, "")
}

// Config returns an AWS SDK configuration for moto with the given key.
func (m *Moto) Config(accessKeyID, secretAccessKey, sessionToken string) aws.Config {
	return aws.Config{
		Region:       m.Region,
		BaseEndpoint: aws.String(m.Endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider(accessKeyID, secretAccessKey, sessionToken),
	}
}

// Env returns environment variables that point the aws CLI (and anything
// else using the standard AWS variables) at moto as the admin user.
func (m *Moto) Env() []string {
	return []string{
		"AWS_ENDPOINT_URL=" + m.Endpoint,
		"AWS_ACCESS_KEY_ID=" + m.AdminAccessKeyID,
		"AWS_SECRET_ACCESS_KEY=" + m.AdminSecretAccessKey,
		"AWS_REGION=" + m.Region,
		"AWS_DEFAULT_REGION=" + m.Region,
	}
}

func (m *Moto) waitForPort(ctx context.Context, portFile string) error {
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		if b, err := os.ReadFile(portFile); err == nil {
			port, err := strconv.Atoi(strings.TrimSpace(string(b)))
			if err != nil {
				return fmt.Errorf("moto wrote a bad port file: %q", b)
			}
			m.Endpoint = "http://127.0.0.1:" + strconv.Itoa(port)
			return nil
		}
		select {
		case <-m.exited:
			return fmt.Errorf("moto exited before listening: %v", m.waitErr)
		case <-ctx.Done():
			return fmt.Errorf("moto did not start listening: %w", ctx.Err())
		case <-tick.C:
		}
	}
}

// bootstrap creates the admin user while moto still accepts any request,
// then turns IAM enforcement on.
func (m *Moto) bootstrap(ctx context.Context) error {
	// Before enforcement moto accepts any key; this one exists nowhere.
	anon := iam.NewFromConfig(m.Config("bootstrap", "bootstrap", ""))
	user, err := anon.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(motoAdminUser)})
	if err != nil {
		return fmt.Errorf("creating admin user: %w", err)
	}
	if _, err := anon.PutUserPolicy(ctx, &iam.PutUserPolicyInput{
		UserName:       aws.String(motoAdminUser),
		PolicyName:     aws.String("admin"),
		PolicyDocument: aws.String(adminPolicy),
	}); err != nil {
		return fmt.Errorf("granting admin policy: %w", err)
	}
	key, err := anon.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(motoAdminUser)})
	if err != nil {
		return fmt.Errorf("creating admin access key: %w", err)
	}
	m.AdminARN = aws.ToString(user.User.Arn)
	m.AdminAccessKeyID = aws.ToString(key.AccessKey.AccessKeyId)
	m.AdminSecretAccessKey = aws.ToString(key.AccessKey.SecretAccessKey)

	// reset-auth takes a bare number: how many further requests moto lets
	// through unauthenticated. Zero means every request from now on.
	if err := m.resetAuth(ctx, "0"); err != nil {
		return err
	}

	// Prove enforcement is on (an unknown key is refused) and the admin key
	// works.
	if _, err := anon.GetUser(ctx, &iam.GetUserInput{UserName: aws.String(motoAdminUser)}); err == nil {
		return errors.New("IAM enforcement is not active: an unknown key was accepted")
	}
	if _, err := sts.NewFromConfig(m.AdminConfig()).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		return fmt.Errorf("admin key rejected: %w", err)
	}
	return nil
}

func (m *Moto) resetAuth(ctx context.Context, value string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.Endpoint+"/moto-api/reset-auth", strings.NewReader(value))
	if err != nil {
		return err
	}
	// GOTCHA: with a form content type Flask consumes the body and moto
	// sees an empty string.
	req.Header.Set("Content-Type", "text/plain")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("enabling IAM enforcement: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("enabling IAM enforcement: %s: %s", resp.Status, bytes.TrimSpace(body))
	}
	return nil
}

func defaultScript() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return filepath.Join("scripts", "moto_server.py")
	}
	return filepath.Join(filepath.Dir(file), "..", "..", "scripts", "moto_server.py")
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// tail returns the last n lines of a file, for error messages.
func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
