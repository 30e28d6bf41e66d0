package testenv

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// TestCA is a certificate authority made up at run time for the local
// stack's HTTPS servers (the Azure front). Nothing outside this machine
// trusts it; a process trusts it only when SSL_CERT_FILE names its file,
// which Go (and OpenSSL) read in addition to the system certificate
// directory. The provider has no setting for it: real use cannot be
// weakened by a switch left on.
type TestCA struct {
	// File holds the CA certificate in PEM form.
	File string
	// BundleFile holds the certificates SSL_CERT_FILE named (or the
	// system's bundle) followed by the CA: what SSL_CERT_FILE is set to, so
	// the CA is trusted in addition to the usual roots, never instead.
	BundleFile string

	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

var testCA struct {
	once sync.Once
	ca   *TestCA
	err  error
}

// SharedTestCA returns the process's test CA, made on first use. Its file
// lives in a temporary directory that outlives the process only when the
// process is killed.
func SharedTestCA() (*TestCA, error) {
	testCA.once.Do(func() {
		dir, err := os.MkdirTemp("", "dataloop-test-ca-")
		if err != nil {
			testCA.err = err
			return
		}
		testCA.ca, testCA.err = NewTestCA(filepath.Join(dir, "ca.pem"))
	})
	return testCA.ca, testCA.err
}

// NewTestCA makes a CA and writes its certificate to file.
func NewTestCA(file string) (*TestCA, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          randomSerial(),
		Subject:               pkix.Name{CommonName: "dataloop local test CA (not for real use)"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(7 * 24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		MaxPathLenZero:        true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	if err := os.WriteFile(file, caPEM, 0o600); err != nil {
		return nil, err
	}
	bundle := strings.TrimSuffix(file, ".pem") + "-bundle.pem"
	system := systemBundle()
	if len(system) > 0 && !bytes.HasSuffix(system, []byte("\n")) {
		system = append(system, '\n')
	}
	if err := os.WriteFile(bundle, append(system, caPEM...), 0o600); err != nil {
		return nil, err
	}
	return &TestCA{File: file, BundleFile: bundle, cert: cert, key: key}, nil
}

// systemBundle returns the certificates the process trusts by file today:
// SSL_CERT_FILE's, else the first of the usual Linux bundle files.
func systemBundle() []byte {
	files := []string{"/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/ca-bundle.pem", "/etc/ssl/cert.pem"}
	if f := os.Getenv("SSL_CERT_FILE"); f != "" {
		files = []string{f}
	}
	for _, f := range files {
		if b, err := os.ReadFile(f); err == nil {
			return b
		}
	}
	return nil
}

// ServerCertificate issues a certificate for 127.0.0.1 and localhost.
func (ca *TestCA) ServerCertificate() (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: randomSerial(),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     ca.cert.NotAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		DNSNames:     []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der, ca.cert.Raw}, PrivateKey: key}, nil
}

// Pool returns a pool holding only the CA, for clients built in tests.
func (ca *TestCA) Pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(ca.cert)
	return p
}

// TrustTestCA makes this process trust the shared test CA, in addition to
// the roots it trusts already, by pointing SSL_CERT_FILE at BundleFile. Go reads that variable once, when the first TLS
// connection verifies a certificate, so call it from TestMain (or before
// any HTTPS request). It reports an error when the system pool was loaded
// before and so does not hold the CA.
func TrustTestCA() (*TestCA, error) {
	ca, err := SharedTestCA()
	if err != nil {
		return nil, err
	}
	if err := os.Setenv("SSL_CERT_FILE", ca.BundleFile); err != nil {
		return nil, err
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		return nil, err
	}
	if _, err := ca.cert.Verify(x509.VerifyOptions{Roots: pool}); err != nil {
		return nil, errors.New("the system certificate pool was loaded before SSL_CERT_FILE was set: call testenv.TrustTestCA from TestMain, before any HTTPS request")
	}
	return ca, nil
}

func randomSerial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return big.NewInt(time.Now().UnixNano())
	}
	return n
}
