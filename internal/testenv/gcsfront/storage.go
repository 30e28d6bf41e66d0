package gcsfront

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
)

// storageCall is a parsed Storage JSON API request.
type storageCall struct {
	bucket string
	object string // "" for bucket-level calls
	perms  []string
	// iam is "get" or "set" for the bucket IAM policy methods, which the
	// front answers itself.
	iam string
}

// parseStorage maps a request to the permissions it needs, as Cloud Storage
// documents them per JSON API method.
func parseStorage(r *http.Request) (storageCall, bool) {
	p := r.URL.EscapedPath()
	var upload bool
	switch {
	case strings.HasPrefix(p, "/upload/storage/v1/"):
		p, upload = strings.TrimPrefix(p, "/upload/storage/v1/"), true
	case strings.HasPrefix(p, "/download/storage/v1/"):
		p = strings.TrimPrefix(p, "/download/storage/v1/")
	default:
		p = strings.TrimPrefix(p, "/storage/v1/")
	}
	seg := strings.SplitN(p, "/", 4) // b, BUCKET, o|iam, OBJECT
	if len(seg) < 2 || seg[0] != "b" || seg[1] == "" {
		return storageCall{}, false
	}
	bucket, err := url.PathUnescape(seg[1])
	if err != nil {
		return storageCall{}, false
	}
	c := storageCall{bucket: bucket}
	m := r.Method
	switch {
	case len(seg) == 2:
		switch m {
		case http.MethodGet:
			c.perms = []string{PermBucketsGet}
		case http.MethodDelete:
			c.perms = []string{PermBucketsDelete}
		default:
			return c, false
		}
	case seg[2] == "iam" && len(seg) == 3:
		switch m {
		case http.MethodGet:
			c.perms, c.iam = []string{PermBucketsGetIamPolicy}, "get"
		case http.MethodPut:
			c.perms, c.iam = []string{PermBucketsSetIamPolicy}, "set"
		default:
			return c, false
		}
	case seg[2] == "o" && len(seg) == 3:
		switch {
		case upload && m == http.MethodPost:
			c.perms = []string{PermObjectsCreate}
		case m == http.MethodGet:
			c.perms = []string{PermObjectsList}
		default:
			return c, false
		}
	case seg[2] == "o" && len(seg) == 4:
		obj, err := url.PathUnescape(seg[3])
		if err != nil || obj == "" {
			return c, false
		}
		c.object = obj
		switch m {
		case http.MethodGet:
			c.perms = []string{PermObjectsGet}
		case http.MethodDelete:
			c.perms = []string{PermObjectsDelete}
		case http.MethodPatch, http.MethodPut:
			c.perms = []string{PermObjectsUpdate}
		default:
			return c, false
		}
	default:
		return c, false
	}
	return c, true
}

func (s *Server) serveStorage(w http.ResponseWriter, r *http.Request) {
	email, admin, ok := s.caller(w, r)
	if !ok {
		return
	}
	r.Header.Del("Authorization")
	if admin {
		s.serveAdminStorage(w, r)
		return
	}
	c, ok := parseStorage(r)
	if !ok {
		writeGoogleError(w, http.StatusForbidden, "PERMISSION_DENIED",
			"%s may not call %s %s on the GCS test front (only bucket and object reads and writes are modelled).", email, r.Method, r.URL.Path)
		return
	}
	if !s.bucketExists(c.bucket) {
		writeGoogleError(w, http.StatusNotFound, "NOT_FOUND", "The specified bucket does not exist.")
		return
	}
	if c.perms[0] == PermObjectsCreate {
		// The object name is in the query or in the multipart metadata.
		name, body, err := uploadName(r)
		if err != nil {
			writeGoogleError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "cannot read the upload: %v", err)
			return
		}
		r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
		c.object = name
		// Cloud Storage also requires storage.objects.delete to overwrite.
		if name != "" && s.objectExists(c.bucket, name) {
			c.perms = append(c.perms, PermObjectsDelete)
		}
	}
	res := resource{Type: "storage.googleapis.com/Bucket", Name: "projects/_/buckets/" + c.bucket}
	what := "bucket"
	if c.object != "" && c.perms[0] != PermObjectsList {
		res = resource{Type: "storage.googleapis.com/Object", Name: res.Name + "/objects/" + c.object}
		what = "object"
	}
	member := "serviceAccount:" + email
	s.mu.Lock()
	pol := s.buckets[c.bucket]
	var denied string
	for _, perm := range c.perms {
		if !s.allowed(pol, member, perm, res) {
			denied = perm
			break
		}
	}
	var policyCopy Policy
	if pol != nil {
		policyCopy = *pol
	}
	s.mu.Unlock()
	if denied != "" {
		s.log("gcsfront: denied %s %s on %s for %s", denied, r.Method, res.Name, email)
		writeGoogleError(w, http.StatusForbidden, "PERMISSION_DENIED",
			"%s does not have %s access to the Google Cloud Storage %s. Permission '%s' denied on resource (or it may not exist).",
			email, denied, what, denied)
		return
	}
	switch c.iam {
	case "get":
		s.writeBucketPolicy(w, c.bucket, policyCopy)
	case "set":
		s.setBucketPolicy(w, r, c.bucket)
	default:
		s.proxy.ServeHTTP(w, r)
	}
}

// serveAdminStorage lets the admin token do anything: bucket IAM through the
// front, the rest straight to fake-gcs-server.
func (s *Server) serveAdminStorage(w http.ResponseWriter, r *http.Request) {
	c, ok := parseStorage(r)
	switch {
	case ok && c.iam == "get":
		s.mu.Lock()
		var p Policy
		if pol := s.buckets[c.bucket]; pol != nil {
			p = *pol
		}
		s.mu.Unlock()
		s.writeBucketPolicy(w, c.bucket, p)
	case ok && c.iam == "set":
		s.setBucketPolicy(w, r, c.bucket)
	default:
		s.proxy.ServeHTTP(w, r)
	}
}

func (s *Server) writeBucketPolicy(w http.ResponseWriter, bucket string, p Policy) {
	p.Kind = "storage#policy"
	p.ResourceID = "projects/_/buckets/" + bucket
	if p.Version == 0 {
		p.Version = 1
	}
	if p.Etag == "" {
		p.Etag = "CAE="
	}
	if p.Bindings == nil {
		p.Bindings = []Binding{}
	}
	writeJSON(w, http.StatusOK, p)
}

func (s *Server) setBucketPolicy(w http.ResponseWriter, r *http.Request, bucket string) {
	var p Policy
	if err := readJSON(r, &p); err != nil {
		writeGoogleError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "bad policy: %v", err)
		return
	}
	s.mu.Lock()
	old := s.buckets[bucket]
	if p.Etag != "" && p.Etag != "CAE=" && old != nil && p.Etag != old.Etag {
		s.mu.Unlock()
		writeGoogleError(w, http.StatusPreconditionFailed, "FAILED_PRECONDITION", "Precondition Failed")
		return
	}
	p.Etag = s.nextEtag()
	s.buckets[bucket] = &p
	s.mu.Unlock()
	s.writeBucketPolicy(w, bucket, p)
}

// SetBucketPolicy replaces a bucket's IAM policy, for tests.
func (s *Server) SetBucketPolicy(bucket string, p Policy) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p.Etag = s.nextEtag()
	s.buckets[bucket] = &p
}

// BucketPolicy returns a copy of a bucket's IAM policy.
func (s *Server) BucketPolicy(bucket string) Policy {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p := s.buckets[bucket]; p != nil {
		c := *p
		c.Bindings = append([]Binding(nil), p.Bindings...)
		return c
	}
	return Policy{Version: 1}
}

func (s *Server) bucketExists(bucket string) bool {
	return s.backendStatus("/storage/v1/b/"+url.PathEscape(bucket)) == http.StatusOK
}

func (s *Server) objectExists(bucket, object string) bool {
	return s.backendStatus("/storage/v1/b/"+url.PathEscape(bucket)+"/o/"+url.PathEscape(object)) == http.StatusOK
}

func (s *Server) backendStatus(path string) int {
	u := *s.backend
	u.RawPath = path
	u.Path, _ = url.PathUnescape(path)
	resp, err := http.Get(u.String())
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

// uploadName returns the object name of an upload request and its body.
func uploadName(r *http.Request) (string, []byte, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<20))
	if err != nil {
		return "", nil, err
	}
	if n := r.URL.Query().Get("name"); n != "" {
		return n, body, nil
	}
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || !strings.HasPrefix(mt, "multipart/") {
		return "", body, nil //nolint:nilerr // Not a multipart upload: the name, if any, was in the query.
	}
	part, err := multipart.NewReader(bytes.NewReader(body), params["boundary"]).NextPart()
	if err != nil {
		return "", body, nil //nolint:nilerr // No metadata part: fake-gcs-server reports the missing name.
	}
	var meta struct {
		Name string `json:"name"`
	}
	_ = json.NewDecoder(part).Decode(&meta)
	return meta.Name, body, nil
}
