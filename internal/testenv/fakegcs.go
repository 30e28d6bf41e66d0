package testenv

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"cloud.google.com/go/storage"
	"golang.org/x/oauth2"
	"google.golang.org/api/iterator"
	"google.golang.org/api/option"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/testenv/gcsfront"
)

// FakeGCSVersion is the fake-gcs-server release scripts/install-test-deps.sh
// installs.
const FakeGCSVersion = "v1.56.1"

// GCSProject is the project the local GCS places service accounts and
// custom roles in.
const GCSProject = "dataloop-local"

// GCS is fake-gcs-server behind the enforcing test front (package gcsfront):
// storage calls need a bearer token from the front's token endpoint and a
// bucket IAM binding that grants them.
type GCS struct {
	// Endpoint is the front's base URL, e.g. http://127.0.0.1:41234. The
	// Storage JSON API is at Endpoint+"/storage/v1/", the token endpoint at
	// TokenURI, the IAM and IAM Credentials APIs at Endpoint+"/v1/".
	Endpoint string
	TokenURI string
	// AdminToken is a bearer token the front allows everything.
	AdminToken string
	// Backend is fake-gcs-server's own URL (no checks at all).
	Backend string
	// Front is the enforcing front itself.
	Front *gcsfront.Server

	cmd      *exec.Cmd
	srv      *http.Server
	exited   chan struct{}
	stopOnce sync.Once
	logPath  string
}

// GCSOptions configures StartGCSProcess. The zero value is usable.
type GCSOptions struct {
	// Binary is fake-gcs-server; default $DATALOOP_FAKE_GCS_SERVER, then
	// PATH, then $GOBIN and $GOPATH/bin.
	Binary string
	// Dir receives the server log; default a new temporary directory.
	Dir string
	// StartTimeout bounds the wait for the server; default 60s.
	StartTimeout time.Duration
	// Logf receives the front's refusals; nil discards them.
	Logf func(format string, args ...any)
}

// FindFakeGCSServer returns the path of the fake-gcs-server binary, looking
// where scripts/install-test-deps.sh (go install) puts it.
func FindFakeGCSServer() (string, error) {
	if p := os.Getenv("DATALOOP_FAKE_GCS_SERVER"); p != "" {
		return p, nil
	}
	if p, err := exec.LookPath("fake-gcs-server"); err == nil {
		return p, nil
	}
	var dirs []string
	if d := os.Getenv("GOBIN"); d != "" {
		dirs = append(dirs, d)
	}
	if out, err := exec.Command("go", "env", "GOBIN", "GOPATH").Output(); err == nil {
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		if len(lines) > 0 && strings.TrimSpace(lines[0]) != "" {
			dirs = append(dirs, strings.TrimSpace(lines[0]))
		}
		if len(lines) > 1 {
			for _, gp := range filepath.SplitList(strings.TrimSpace(lines[1])) {
				dirs = append(dirs, filepath.Join(gp, "bin"))
			}
		}
	}
	if home, err := os.UserHomeDir(); err == nil {
		dirs = append(dirs, filepath.Join(home, "go", "bin"))
	}
	for _, d := range dirs {
		p := filepath.Join(d, "fake-gcs-server")
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p, nil
		}
	}
	return "", fmt.Errorf("fake-gcs-server not found (run scripts/install-test-deps.sh, which runs go install github.com/fsouza/fake-gcs-server@%s, or set DATALOOP_FAKE_GCS_SERVER)", FakeGCSVersion)
}

// StartGCSProcess starts fake-gcs-server on a free loopback port and the
// enforcing front in this process. Stop ends both; the server also dies with
// this process.
func StartGCSProcess(ctx context.Context, opts GCSOptions) (*GCS, error) {
	if opts.Binary == "" {
		b, err := FindFakeGCSServer()
		if err != nil {
			return nil, err
		}
		opts.Binary = b
	}
	if opts.StartTimeout <= 0 {
		opts.StartTimeout = 60 * time.Second
	}
	ownDir := ""
	if opts.Dir == "" {
		d, err := os.MkdirTemp("", "dataloop-fakegcs-")
		if err != nil {
			return nil, err
		}
		opts.Dir, ownDir = d, d
	}

	g := &GCS{exited: make(chan struct{}), logPath: filepath.Join(opts.Dir, "fake-gcs-server.log")}
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		if lastErr = g.startBackend(ctx, opts, ownDir); lastErr == nil {
			break
		}
	}
	if lastErr != nil {
		if ownDir != "" {
			_ = os.RemoveAll(ownDir)
		}
		return nil, lastErr
	}

	tok := make([]byte, 16)
	_, _ = rand.Read(tok)
	g.AdminToken = "front-admin-" + hex.EncodeToString(tok)
	front, err := gcsfront.New(gcsfront.Options{Backend: g.Backend, AdminToken: g.AdminToken, Logf: opts.Logf})
	if err != nil {
		g.Stop()
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		g.Stop()
		return nil, err
	}
	g.Front = front
	g.Endpoint = "http://" + ln.Addr().String()
	front.SetBaseURL(g.Endpoint)
	g.TokenURI = front.TokenURI()
	g.srv = &http.Server{Handler: front, ReadHeaderTimeout: 30 * time.Second}
	go func() { _ = g.srv.Serve(ln) }()
	return g, nil
}

func (g *GCS) startBackend(ctx context.Context, opts GCSOptions, ownDir string) error {
	port, err := freePort()
	if err != nil {
		return err
	}
	logFile, err := os.Create(g.logPath)
	if err != nil {
		return err
	}
	defer logFile.Close()
	g.Backend = "http://127.0.0.1:" + strconv.Itoa(port)
	// NOTE: not CommandContext: the server must outlive the start context.
	cmd := exec.Command(opts.Binary, "-scheme", "http", "-host", "127.0.0.1", "-port", strconv.Itoa(port),
		"-backend", "memory", "-log-level", "warn", "-external-url", g.Backend, "-public-host", "127.0.0.1:"+strconv.Itoa(port))
	cmd.Stdout, cmd.Stderr = logFile, logFile
	setParentDeathSignal(cmd)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting %s: %w", opts.Binary, err)
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		if ownDir != "" {
			_ = os.RemoveAll(ownDir)
		}
		close(exited)
	}()
	g.cmd, g.exited = cmd, exited

	ctx, cancel := context.WithTimeout(ctx, opts.StartTimeout)
	defer cancel()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		resp, err := http.Get(g.Backend + "/storage/v1/b")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-exited:
			return fmt.Errorf("fake-gcs-server exited before listening:\n%s", tail(g.logPath, 20))
		case <-ctx.Done():
			_ = cmd.Process.Kill()
			<-exited
			return fmt.Errorf("fake-gcs-server did not start listening: %w\n%s", ctx.Err(), tail(g.logPath, 20))
		case <-tick.C:
		}
	}
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	addr, ok := ln.Addr().(*net.TCPAddr)
	if !ok {
		return 0, errors.New("not a TCP address")
	}
	return addr.Port, nil
}

// Stop ends the front and the server. It is safe to call more than once.
func (g *GCS) Stop() {
	g.stopOnce.Do(func() {
		if g.srv != nil {
			_ = g.srv.Close()
		}
		if g.cmd != nil && g.cmd.Process != nil {
			_ = g.cmd.Process.Kill()
			<-g.exited
		}
	})
}

var sharedGCS struct {
	once sync.Once
	gcs  *GCS
	err  error
}

// SharedGCS returns one local GCS shared by every test of the test binary,
// started on first use. Tests sharing it must use unique bucket and account
// names (see UniqueName). It dies with the test binary.
func SharedGCS(t testing.TB) *GCS {
	t.Helper()
	sharedGCS.once.Do(func() {
		sharedGCS.gcs, sharedGCS.err = StartGCSProcess(context.Background(), GCSOptions{})
	})
	if sharedGCS.err != nil {
		t.Fatalf("starting the local GCS: %v", sharedGCS.err)
	}
	return sharedGCS.gcs
}

// UniqueName returns prefix plus a random suffix, lowercase, for buckets and
// service account ids (keep prefix at most 20 characters).
func UniqueName(prefix string) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// StorageClient returns a Storage client that authenticates with the admin
// token.
func (g *GCS) StorageClient(ctx context.Context) (*storage.Client, error) {
	return storage.NewClient(ctx, option.WithEndpoint(g.Endpoint+"/storage/v1/"),
		option.WithTokenSource(staticToken(g.AdminToken)), storage.WithJSONReads())
}

// CreateBucket creates a bucket as the admin.
func (g *GCS) CreateBucket(ctx context.Context, name string) error {
	c, err := g.StorageClient(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	return c.Bucket(name).Create(ctx, GCSProject, nil)
}

// PutObject writes an object as the admin.
func (g *GCS) PutObject(ctx context.Context, bucket, name string, data []byte) error {
	c, err := g.StorageClient(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	w := c.Bucket(bucket).Object(name).NewWriter(ctx)
	w.ChunkSize = 0
	if _, err := w.Write(data); err != nil {
		_ = w.Close()
		return err
	}
	return w.Close()
}

// ListObjects lists object names under prefix as the admin.
func (g *GCS) ListObjects(ctx context.Context, bucket, prefix string) ([]string, error) {
	c, err := g.StorageClient(ctx)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	var out []string
	it := c.Bucket(bucket).Objects(ctx, &storage.Query{Prefix: prefix})
	for {
		a, err := it.Next()
		if errors.Is(err, iterator.Done) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		out = append(out, a.Name)
	}
}

// CreateServiceAccount creates accountID in GCSProject through the IAM API
// and a key for it; it returns the email and the key file JSON.
func (g *GCS) CreateServiceAccount(ctx context.Context, accountID string) (string, []byte, error) {
	var sa struct {
		Email string `json:"email"`
	}
	if err := g.call(ctx, http.MethodPost, "/v1/projects/"+GCSProject+"/serviceAccounts", map[string]any{"accountId": accountID}, &sa); err != nil {
		return "", nil, err
	}
	var key struct {
		PrivateKeyData string `json:"privateKeyData"`
	}
	if err := g.call(ctx, http.MethodPost, "/v1/projects/"+GCSProject+"/serviceAccounts/"+sa.Email+"/keys", map[string]any{}, &key); err != nil {
		return "", nil, err
	}
	kf, err := base64.StdEncoding.DecodeString(key.PrivateKeyData)
	return sa.Email, kf, err
}

// CreateRole creates (or, if it exists, updates) the custom role roleID in
// GCSProject with the given permissions and returns its name
// (projects/P/roles/ID), like google_project_iam_custom_role.
func (g *GCS) CreateRole(ctx context.Context, roleID string, permissions []string) (string, error) {
	var role struct {
		Name string `json:"name"`
	}
	err := g.call(ctx, http.MethodPost, "/v1/projects/"+GCSProject+"/roles",
		map[string]any{"roleId": roleID, "role": map[string]any{"title": roleID, "includedPermissions": permissions}}, &role)
	if err != nil && strings.Contains(err.Error(), "409") {
		name := "projects/" + GCSProject + "/roles/" + roleID
		return name, g.UpdateRole(ctx, name, permissions)
	}
	return role.Name, err
}

// UpdateRole replaces a custom role's permissions.
func (g *GCS) UpdateRole(ctx context.Context, name string, permissions []string) error {
	return g.call(ctx, http.MethodPatch, "/v1/"+name+"?updateMask=includedPermissions",
		map[string]any{"includedPermissions": permissions}, nil)
}

// AddBucketBinding adds a binding to a bucket's IAM policy through
// getIamPolicy/setIamPolicy, like google_storage_bucket_iam_member.
func (g *GCS) AddBucketBinding(ctx context.Context, bucket string, b gcsfront.Binding) error {
	path := "/storage/v1/b/" + url.PathEscape(bucket) + "/iam"
	var p gcsfront.Policy
	if err := g.call(ctx, http.MethodGet, path, nil, &p); err != nil {
		return err
	}
	p.Bindings = append(p.Bindings, b)
	if b.Condition != nil {
		p.Version = 3
	}
	return g.call(ctx, http.MethodPut, path, p, nil)
}

// RemoveBucketBindings removes every binding of role from a bucket's policy.
func (g *GCS) RemoveBucketBindings(ctx context.Context, bucket, role string) error {
	path := "/storage/v1/b/" + url.PathEscape(bucket) + "/iam"
	var p gcsfront.Policy
	if err := g.call(ctx, http.MethodGet, path, nil, &p); err != nil {
		return err
	}
	kept := p.Bindings[:0]
	for _, b := range p.Bindings {
		if b.Role != role {
			kept = append(kept, b)
		}
	}
	p.Bindings = kept
	return g.call(ctx, http.MethodPut, path, p, nil)
}

// AllowImpersonation lets member (e.g. "serviceAccount:x@p.iam...") mint
// tokens for the service account target, like google_service_account_iam_member
// with roles/iam.serviceAccountTokenCreator.
func (g *GCS) AllowImpersonation(ctx context.Context, target, member string) error {
	path := "/v1/projects/" + GCSProject + "/serviceAccounts/" + target
	var p gcsfront.Policy
	if err := g.call(ctx, http.MethodPost, path+":getIamPolicy", map[string]any{}, &p); err != nil {
		return err
	}
	p.Bindings = append(p.Bindings, gcsfront.Binding{Role: gcsfront.RoleTokenCreator, Members: []string{member}})
	return g.call(ctx, http.MethodPost, path+":setIamPolicy", map[string]any{"policy": p}, nil)
}

// RevokeImpersonation removes every token-creator binding of target.
func (g *GCS) RevokeImpersonation(ctx context.Context, target string) error {
	path := "/v1/projects/" + GCSProject + "/serviceAccounts/" + target
	var p gcsfront.Policy
	if err := g.call(ctx, http.MethodPost, path+":getIamPolicy", map[string]any{}, &p); err != nil {
		return err
	}
	kept := p.Bindings[:0]
	for _, b := range p.Bindings {
		if b.Role != gcsfront.RoleTokenCreator {
			kept = append(kept, b)
		}
	}
	p.Bindings = kept
	return g.call(ctx, http.MethodPost, path+":setIamPolicy", map[string]any{"policy": p}, nil)
}

// call sends an admin request to the front and decodes the JSON answer.
func (g *GCS) call(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, g.Endpoint+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+g.AdminToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, bytes.TrimSpace(b))
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

// staticToken is an oauth2.TokenSource for a fixed bearer token.
type staticToken string

func (s staticToken) Token() (*oauth2.Token, error) {
	return &oauth2.Token{AccessToken: string(s), TokenType: "Bearer"}, nil
}
