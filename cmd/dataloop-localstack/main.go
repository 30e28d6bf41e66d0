// Command dataloop-localstack serves the local Google Cloud Storage and
// Azure Blob Storage that `make demo` connects drivers to, and creates the
// cloud side of the demo in them. It is a test harness, never part of the
// provider binary:
//
//   - fake-gcs-server behind the enforcing GCS front (token endpoint, IAM,
//     service account impersonation, bucket IAM policies), and
//   - Azurite behind the enforcing Azure front (Microsoft Entra token
//     endpoint, ARM role assignments, Blob service), over HTTPS with a test
//     CA that clients trust through SSL_CERT_FILE,
//
// all on 127.0.0.1 free ports (see internal/testenv).
//
// Usage:
//
//	dataloop-localstack serve -dir DIR -env-file FILE [-die-with-parent=false]
//	    Starts both services and writes FILE, a shell file to source: the
//	    endpoints, the admin credentials of the local services, one Azure
//	    application (tenant, client, secret) and SSL_CERT_FILE. Secrets go
//	    to FILE only (mode 0600), never to stdout. Serves until SIGINT or
//	    SIGTERM, or until its parent process dies (unless -die-with-parent=false).
//
// With FILE sourced, these subcommands act as the cloud's owner:
//
//	dataloop-localstack gcs create-bucket NAME
//	dataloop-localstack gcs create-service-account ID KEY_FILE   (prints the email)
//	dataloop-localstack gcs grant -bucket B -path P -member EMAIL [-allow-delete]
//	dataloop-localstack azure create-container NAME
//	dataloop-localstack azure assign-role -container NAME -role ROLE -principal OBJECT_ID
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "dataloop-localstack:", err)
		stop()
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("usage: dataloop-localstack serve|gcs|azure ... (see the package documentation)")
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], stdout, stderr)
	case "gcs":
		return gcsCommand(ctx, args[1:], stdout)
	case "azure":
		return azureCommand(ctx, args[1:], stdout)
	}
	return fmt.Errorf("unknown command %q: want serve, gcs or azure", args[0])
}

// need returns the environment variable name, which the env file of serve
// sets, or an error naming it.
func need(name string) (string, error) {
	v := os.Getenv(name)
	if v == "" {
		return "", fmt.Errorf("%s is not set: source the env file that `dataloop-localstack serve` wrote", name)
	}
	return v, nil
}

func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(os.Stderr)
	return fs
}
