#!/usr/bin/env bash
# Makes sure the tools that `make test` and `make demo` use are present, and
# downloads the Go modules. The machine image ships terraform, moto (Python)
# and the aws CLI; fake-gcs-server is built from the Go module proxy. Nothing
# here reaches beyond the Go module proxy and Debian.
set -euo pipefail

cd "$(dirname "$0")/.."

missing=0

need() {
	local name=$1 hint=$2
	if ! command -v "$name" >/dev/null 2>&1; then
		echo "MISSING: $name — $hint" >&2
		missing=1
		return 1
	fi
}

# Terraform >= 1.11: write-only attributes (secret_access_key_wo and friends).
if need terraform "install Terraform >= 1.11 and put it on PATH"; then
	tf_version="$(terraform version -json | sed -n 's/.*"terraform_version": *"\([^"]*\)".*/\1/p')"
	echo "terraform  ${tf_version} ($(command -v terraform))"
	if [ "$(printf '%s\n' 1.11.0 "$tf_version" | sort -V | head -n1)" != 1.11.0 ]; then
		echo "MISSING: terraform >= 1.11 (found $tf_version)" >&2
		missing=1
	fi
fi

# moto runs the local AWS (IAM, STS, S3) for the access-check tests and the demo.
python="$(command -v python3 || true)"
if [ -z "$python" ]; then
	echo "MISSING: python3 — needed by scripts/moto_server.py" >&2
	missing=1
elif moto_version="$("$python" -c 'import moto; print(moto.__version__)' 2>/dev/null)"; then
	echo "moto       ${moto_version} ($python)"
	need moto_server "install moto[server]" >/dev/null && echo "moto_server $(command -v moto_server)"
else
	echo "MISSING: the moto Python package — install moto[server] 5.2.x for $python" >&2
	missing=1
fi

# The aws CLI creates buckets and roles in the quickstart (terraform_data + local-exec).
if ! command -v aws >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
	echo "aws CLI not found; installing Debian's awscli"
	DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq awscli >/dev/null
fi
if need aws "install the aws CLI (Debian package awscli)"; then
	echo "aws        $(aws --version 2>&1)"
fi

# Azurite is the local Azure Blob service (behind the test-only enforcing front
# in internal/testenv). Global npm install when the prefix is writable, else a
# project-local one under .tools/azurite that the tests and the demo also find.
azurite_version=3.37.0
if command -v azurite-blob >/dev/null 2>&1; then
	echo "azurite    $(azurite-blob --version 2>/dev/null) ($(command -v azurite-blob))"
elif [ -x .tools/azurite/node_modules/.bin/azurite-blob ]; then
	echo "azurite    $(.tools/azurite/node_modules/.bin/azurite-blob --version 2>/dev/null) (.tools/azurite)"
elif need npm "install Node.js 20+ and npm (Debian packages nodejs npm) for Azurite"; then
	echo "installing azurite@${azurite_version} with npm"
	if [ -w "$(npm config get prefix)/lib" ] || [ -w "$(npm config get prefix)" ]; then
		npm install -g --no-fund --no-audit --loglevel=error "azurite@${azurite_version}" >/dev/null
	else
		npm install --prefix .tools/azurite --no-fund --no-audit --loglevel=error "azurite@${azurite_version}" >/dev/null
	fi
	if command -v azurite-blob >/dev/null 2>&1; then
		echo "azurite    $(azurite-blob --version 2>/dev/null) ($(command -v azurite-blob))"
	elif [ -x .tools/azurite/node_modules/.bin/azurite-blob ]; then
		echo "azurite    $(.tools/azurite/node_modules/.bin/azurite-blob --version 2>/dev/null) (.tools/azurite)"
	else
		echo "MISSING: azurite-blob after npm install" >&2
		missing=1
	fi
fi

echo "go         $(go version | cut -d' ' -f3-)"

# fake-gcs-server is the local Cloud Storage behind the tests' enforcing front
# (internal/testenv/gcsfront). go install puts it in $GOBIN or $GOPATH/bin,
# which the tests and the demo search even when it is not on PATH. Building it
# takes several minutes on a small machine, so an installed binary of the
# pinned version is kept.
fake_gcs_version=v1.56.1
gobin="$(go env GOBIN)"
[ -n "$gobin" ] || gobin="$(go env GOPATH | cut -d: -f1)/bin"
fake_gcs="$(command -v fake-gcs-server || true)"
[ -n "$fake_gcs" ] || fake_gcs="$gobin/fake-gcs-server"
if [ ! -x "$fake_gcs" ] || ! go version -m "$fake_gcs" 2>/dev/null | grep -q "fake-gcs-server[[:space:]]*${fake_gcs_version}"; then
	echo "installing fake-gcs-server ${fake_gcs_version} (go install; this takes a few minutes)"
	go install "github.com/fsouza/fake-gcs-server@${fake_gcs_version}"
	fake_gcs="$gobin/fake-gcs-server"
fi
if [ -x "$fake_gcs" ]; then
	echo "fake-gcs-server ${fake_gcs_version} ($fake_gcs)"
else
	echo "MISSING: fake-gcs-server — go install github.com/fsouza/fake-gcs-server@${fake_gcs_version}" >&2
	missing=1
fi

go mod download
echo "go modules downloaded"

if [ "$missing" != 0 ]; then
	echo "Some test dependencies are missing (see above)." >&2
	exit 1
fi
