package testenv

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"time"
)

// AzuriteVersion is the Azurite release scripts/install-test-deps.sh
// installs.
const AzuriteVersion = "3.37.0"

// Azurite is a running Azurite blob service (in memory, on 127.0.0.1).
// Azurite checks shared keys and SAS signatures but no Microsoft Entra
// tokens or role assignments; AzureFront adds those in front of it.
type Azurite struct {
	// Endpoint is the blob service's base URL, e.g. http://127.0.0.1:41234;
	// URLs are path-style: <Endpoint>/<account>/<container>/<blob>.
	Endpoint string
	// Accounts maps each storage account Azurite serves to its base64 key.
	Accounts map[string]string
	// LogPath is the file that holds Azurite's output.
	LogPath string

	cmd      *exec.Cmd
	exited   chan struct{}
	waitErr  error
	stopOnce sync.Once
}

// AzuriteOptions configures StartAzurite.
type AzuriteOptions struct {
	// Accounts are the storage account names to serve, each with a new
	// random key (Azurite takes its accounts at start).
	Accounts []string
	// Dir receives the log; default: a new temporary directory.
	Dir string
	// Command is the azurite-blob executable; default $DATALOOP_AZURITE,
	// else azurite-blob on PATH, else the project-local install
	// .tools/azurite/node_modules/.bin/azurite-blob.
	Command string
	// StartTimeout bounds the wait for the service to listen; default 90s.
	StartTimeout time.Duration
}

var azuriteListening = regexp.MustCompile(`successfully listens on (http://127\.0\.0\.1:\d+)`)

// FindAzurite returns the azurite-blob executable StartAzurite would run.
func FindAzurite() (string, error) {
	if p := os.Getenv("DATALOOP_AZURITE"); p != "" {
		return p, nil
	}
	if p, err := exec.LookPath("azurite-blob"); err == nil {
		return p, nil
	}
	local := filepath.Join(sourceRoot(), ".tools", "azurite", "node_modules", ".bin", "azurite-blob")
	if _, err := os.Stat(local); err == nil {
		return local, nil
	}
	return "", fmt.Errorf("azurite-blob not found on PATH, in $DATALOOP_AZURITE or at %s: run scripts/install-test-deps.sh", local)
}

// StartAzurite starts Azurite's blob service on a free port of 127.0.0.1
// with in-memory storage. It exits when Stop is called or this process
// exits.
func StartAzurite(ctx context.Context, opts AzuriteOptions) (*Azurite, error) {
	if opts.Command == "" {
		c, err := FindAzurite()
		if err != nil {
			return nil, err
		}
		opts.Command = c
	}
	if opts.StartTimeout <= 0 {
		opts.StartTimeout = 90 * time.Second
	}
	if opts.Dir == "" {
		dir, err := os.MkdirTemp("", "dataloop-azurite-")
		if err != nil {
			return nil, err
		}
		opts.Dir = dir
	}
	accounts := map[string]string{}
	var spec []string
	for _, name := range opts.Accounts {
		key := make([]byte, 64)
		if _, err := rand.Read(key); err != nil {
			return nil, err
		}
		accounts[name] = base64.StdEncoding.EncodeToString(key)
		spec = append(spec, name+":"+accounts[name])
	}
	logPath := filepath.Join(opts.Dir, "azurite.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	// NOTE: --loose and --skipApiVersionCheck let the newest SDK's headers
	// and x-ms-version through; path-style URLs only (no product-style
	// hosts on loopback).
	cmd := exec.Command(opts.Command, "--blobHost", "127.0.0.1", "--blobPort", "0",
		"--inMemoryPersistence", "--extentMemoryLimit", "256", "--loose", "--skipApiVersionCheck",
		"--disableProductStyleUrl", "--disableTelemetry")
	cmd.Dir = opts.Dir
	cmd.Env = append(os.Environ(), "AZURITE_ACCOUNTS="+strings.Join(spec, ";"))
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		logFile.Close()
		return nil, err
	}
	cmd.Stderr = logFile
	setParentDeathSignal(cmd)
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("starting %s: %w", opts.Command, err)
	}
	a := &Azurite{Accounts: accounts, LogPath: logPath, cmd: cmd, exited: make(chan struct{})}
	found := make(chan string, 1)
	go func() {
		defer logFile.Close()
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(logFile, line)
			if m := azuriteListening.FindStringSubmatch(line); m != nil {
				select {
				case found <- m[1]:
				default:
				}
			}
		}
		_, _ = io.Copy(logFile, stdout)
	}()
	go func() {
		a.waitErr = cmd.Wait()
		close(a.exited)
	}()
	ctx, cancel := context.WithTimeout(ctx, opts.StartTimeout)
	defer cancel()
	select {
	case a.Endpoint = <-found:
		return a, nil
	case <-a.exited:
		return nil, fmt.Errorf("azurite exited before listening: %v\n%s", a.waitErr, tail(logPath, 20))
	case <-ctx.Done():
		a.Stop()
		return nil, fmt.Errorf("azurite did not start listening: %w\n%s", ctx.Err(), tail(logPath, 20))
	}
}

// Stop kills Azurite and waits for it to exit. It is safe to call more than
// once.
func (a *Azurite) Stop() {
	a.stopOnce.Do(func() {
		_ = a.cmd.Process.Kill()
		<-a.exited
	})
}

// sourceRoot is the repository root of this source tree.
func sourceRoot() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "."
	}
	return filepath.Join(filepath.Dir(file), "..", "..")
}
