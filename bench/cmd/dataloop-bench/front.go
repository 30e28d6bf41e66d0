package main

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
)

// awsFront is a counting reverse proxy in front of moto. It counts STS
// calls per role and S3 calls per bucket: in the benchmark every bucket
// holds exactly one (role, bucket, prefix) location, so a bucket's count is
// its location's count.
type awsFront struct {
	proxy *httputil.ReverseProxy

	mu     sync.Mutex
	counts map[string]int // "sts:<action>:<role>", "s3:<bucket>", "other:<service>"
}

func newAWSFront(target string) (*awsFront, error) {
	u, err := url.Parse(target)
	if err != nil {
		return nil, err
	}
	f := &awsFront{proxy: httputil.NewSingleHostReverseProxy(u), counts: map[string]int{}}
	return f, nil
}

// credentialScope finds the service of a SigV4-signed request:
// Credential=AKID/20250101/us-east-1/s3/aws4_request.
var credentialScope = regexp.MustCompile(`Credential=[^/]+/[0-9]+/[^/]+/([a-z0-9-]+)/aws4_request`)

// classify names the counter a request belongs to. It reads an STS form
// body and puts it back for the proxy.
func classify(r *http.Request) string {
	service := "unsigned"
	if m := credentialScope.FindStringSubmatch(r.Header.Get("Authorization")); m != nil {
		service = m[1]
	}
	switch service {
	case "sts":
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		r.Body.Close()
		r.Body = io.NopCloser(bytes.NewReader(body))
		form, _ := url.ParseQuery(string(body))
		action := form.Get("Action")
		if action == "" {
			action = r.URL.Query().Get("Action")
		}
		return "sts:" + action + ":" + form.Get("RoleArn")
	case "s3":
		bucket, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
		if bucket == "" {
			// Virtual-hosted style: the bucket is the first label.
			bucket, _, _ = strings.Cut(r.Host, ".")
		}
		return "s3:" + bucket
	default:
		return "other:" + service
	}
}

func (f *awsFront) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	key := classify(r)
	f.mu.Lock()
	f.counts[key]++
	f.mu.Unlock()
	f.proxy.ServeHTTP(w, r)
}

func (f *awsFront) reset() {
	f.mu.Lock()
	f.counts = map[string]int{}
	f.mu.Unlock()
}

// awsCounts are the calls moto saw during one run.
type awsCounts struct {
	STS        int            `json:"sts"`
	S3         int            `json:"s3"`
	Other      int            `json:"other"`
	S3ByBucket map[string]int `json:"s3ByBucket"`
	STSByRole  map[string]int `json:"stsByRole"`
}

func (f *awsFront) snapshot() awsCounts {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := awsCounts{S3ByBucket: map[string]int{}, STSByRole: map[string]int{}}
	for k, n := range f.counts {
		kind, rest, _ := strings.Cut(k, ":")
		switch kind {
		case "sts":
			c.STS += n
			_, role, _ := strings.Cut(rest, ":")
			c.STSByRole[role] += n
		case "s3":
			c.S3 += n
			c.S3ByBucket[rest] += n
		default:
			c.Other += n
		}
	}
	return c
}

// tcpFront forwards TCP connections to the platform emulator, counting the
// connections clients open and the bytes each way.
type tcpFront struct {
	ln     net.Listener
	target string

	conns, active, up, down atomic.Int64
}

func newTCPFront(target string) (*tcpFront, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	f := &tcpFront{ln: ln, target: target}
	go f.serve()
	return f, nil
}

func (f *tcpFront) addr() string { return f.ln.Addr().String() }

func (f *tcpFront) serve() {
	for {
		c, err := f.ln.Accept()
		if err != nil {
			return
		}
		f.conns.Add(1)
		f.active.Add(1)
		go f.pipe(c)
	}
}

func (f *tcpFront) pipe(c net.Conn) {
	defer f.active.Add(-1)
	defer c.Close()
	up, err := net.Dial("tcp", f.target)
	if err != nil {
		return
	}
	defer up.Close()
	done := make(chan struct{}, 2)
	copyCount := func(dst, src net.Conn, n *atomic.Int64) {
		w, _ := io.Copy(dst, src)
		n.Add(w)
		if tc, ok := dst.(*net.TCPConn); ok {
			_ = tc.CloseWrite()
		}
		done <- struct{}{}
	}
	go copyCount(up, c, &f.up)
	go copyCount(c, up, &f.down)
	<-done
	<-done
}

type tcpCounts struct {
	Connections int64 `json:"connections"`
	BytesUp     int64 `json:"bytesUp"`
	BytesDown   int64 `json:"bytesDown"`
}

func (f *tcpFront) snapshot() tcpCounts {
	return tcpCounts{Connections: f.conns.Load(), BytesUp: f.up.Load(), BytesDown: f.down.Load()}
}

func (f *tcpFront) reset() {
	f.conns.Store(0)
	f.up.Store(0)
	f.down.Store(0)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
