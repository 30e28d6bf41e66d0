// Command dataloop-emulator runs the local Dataloop platform emulator for
// the demo and for manual testing. It prints the API base URL on stdout
// once it is listening and serves until interrupted.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/emulator"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "dataloop-emulator:", err)
		stop()
		os.Exit(1)
	}
}

// run serves until ctx is done. It writes the API base URL as the first
// line of stdout once the listener is open.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("dataloop-emulator", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "127.0.0.1:0", "address to listen on; must be a loopback address (port 0 picks a free port)")
	stateFile := fs.String("state", "", "file to persist the platform state to (empty keeps it in memory)")
	seedFile := fs.String("seed", "", "JSON seed file with orgs, users (tokens) and projects (default: the built-in demo seed)")
	awsEndpoint := fs.String("aws-endpoint", "", "AWS endpoint (moto) where aws-cross platform users are created and buckets are checked")
	awsRegion := fs.String("aws-region", "us-east-1", "AWS region for -aws-endpoint")
	awsKey := fs.String("aws-access-key-id", envOr("AWS_ACCESS_KEY_ID", "testing"), "admin access key id for -aws-endpoint (default $AWS_ACCESS_KEY_ID or testing)")
	azureBlob := fs.String("azure-blob-endpoint", "", "Azure Blob service URL (the local stack's front) where azureblob and azureDatalakeGen2 drivers are checked")
	azureAuthority := fs.String("azure-authority-host", "", "Microsoft Entra authority (HTTPS) for -azure-blob-endpoint; trust its CA with SSL_CERT_FILE")
	gcsEndpoint := fs.String("gcs-endpoint", "", "Cloud Storage and IAM Credentials base URL (the local GCS front) where gcs drivers are checked")
	gcpKeyFile := fs.String("gcp-platform-key", "", "key file of the platform's own service account, which gcp-cross integrations expose; goes with -gcs-endpoint")
	contractSpec := fs.String("contract", "", "OpenAPI spec to validate every request and response against (violations at GET /__emulator/contract)")
	faultSeed := fs.Int64("fault-seed", 1, "seed of the fault injection random source")
	latency := fs.Duration("fault-latency", 0, "latency added to every API request before it is handled")
	latencyAfter := fs.Duration("fault-latency-after", 0, "latency added to every API answer after the request was handled")
	rate429 := fs.Float64("fault-429", 0, "rate of 429 answers (0..1)")
	rate5xx := fs.Float64("fault-5xx", 0, "rate of 5xx answers (0..1), of status -fault-5xx-status")
	status5xx := fs.Int("fault-5xx-status", 503, "status of injected 5xx answers: 500, 502, 503 or 504")
	rateDrop := fs.Float64("fault-drop", 0, "rate of connections dropped before handling (0..1)")
	dropAfter := fs.Float64("fault-drop-after", 0, "rate of mutating requests dropped after the change was applied (0..1)")
	strict := fs.Bool("strict", envBool("DATALOOP_EMULATOR_STRICT"), "behave only as the published API and Dataloop's docs describe, "+
		"with no emulator extensions (no checks[] in failed storage tests, no roleArn echo, no gcp-cross serviceAccount entry); default $DATALOOP_EMULATOR_STRICT")
	verbose := fs.Bool("v", false, "log every request to stderr")
	if err := fs.Parse(args); err != nil {
		return err
	}

	host, _, err := net.SplitHostPort(*listen)
	if err != nil {
		return fmt.Errorf("-listen: %w", err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("-listen %s: only loopback addresses are allowed", *listen)
	}

	opts := emulator.Options{
		StateFile: *stateFile,
		Faults: emulator.Faults{Seed: *faultSeed, Latency: *latency, LatencyAfter: *latencyAfter,
			Rate429: *rate429, Rate5xx: *rate5xx, Status5xx: *status5xx, RateDrop: *rateDrop, DropAfterRate: *dropAfter},
		Strict: *strict,
	}
	if *seedFile != "" {
		if opts.Seed, err = emulator.LoadSeedFile(*seedFile); err != nil {
			return err
		}
	}
	if *awsEndpoint != "" {
		// The secret comes from the environment only, never from a flag,
		// so it does not show in process listings.
		opts.AWS = &emulator.AWSOptions{Endpoint: *awsEndpoint, Region: *awsRegion,
			AccessKeyID: *awsKey, SecretAccessKey: envOr("AWS_SECRET_ACCESS_KEY", "testing")}
	}
	if *gcsEndpoint != "" || *gcpKeyFile != "" {
		if *gcsEndpoint == "" || *gcpKeyFile == "" {
			return fmt.Errorf("-gcs-endpoint and -gcp-platform-key go together")
		}
		key, err := os.ReadFile(*gcpKeyFile)
		if err != nil {
			return err
		}
		opts.GCP = &emulator.GCPOptions{PlatformKeyJSON: string(key), StorageEndpoint: *gcsEndpoint, IAMCredentialsEndpoint: *gcsEndpoint}
	}
	if *azureBlob != "" || *azureAuthority != "" {
		if *azureBlob == "" || *azureAuthority == "" {
			return fmt.Errorf("-azure-blob-endpoint and -azure-authority-host go together")
		}
		opts.Azure = &emulator.AzureOptions{BlobEndpoint: *azureBlob, AuthorityHost: *azureAuthority}
	}
	if *contractSpec != "" {
		if opts.Contract, err = emulator.LoadContract(*contractSpec); err != nil {
			return err
		}
	}
	logger := log.New(stderr, "dataloop-emulator: ", log.LstdFlags)
	if *verbose {
		opts.Logf = logger.Printf
	}
	srv, err := emulator.New(opts)
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(stdout, "http://%s%s\n", ln.Addr().String(), emulator.BasePath)

	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	// Fold the journal into the state file.
	if err := srv.Close(); err != nil {
		return err
	}
	if v := srv.ContractViolations(); len(v) > 0 {
		logger.Printf("%d contract violations:\n  %s", len(v), strings.Join(v, "\n  "))
	}
	return nil
}

// envBool reads a boolean environment variable; unset or unparsable is false.
func envBool(name string) bool {
	v, _ := strconv.ParseBool(os.Getenv(name))
	return v
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
