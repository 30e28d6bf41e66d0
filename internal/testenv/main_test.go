package testenv

import (
	"fmt"
	"os"
	"testing"
)

func TestMain(m *testing.M) {
	// The local Azure stack serves HTTPS with the test CA; trust it before
	// any TLS connection loads the system pool.
	if _, err := TrustTestCA(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}
