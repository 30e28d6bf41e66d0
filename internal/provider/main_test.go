package provider

import (
	"fmt"
	"os"
	"testing"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/testenv"
)

func TestMain(m *testing.M) {
	// The local Azure stack serves HTTPS with a test CA; trust it (in
	// addition to the system roots) before any TLS connection loads the
	// pool. The provider under test runs in this process.
	if _, err := testenv.TrustTestCA(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}
