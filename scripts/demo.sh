#!/usr/bin/env bash
# `make demo`: the whole provider on one machine, no cloud account.
#
#  1. starts moto (scripts/moto_server.py) on 127.0.0.1 with IAM enforcement on,
#     and cmd/dataloop-localstack: fake-gcs-server and Azurite, each behind
#     an enforcing front (tokens, IAM bindings, role assignments),
#  2. creates the Google Cloud and Azure sides as their owners would: a
#     bucket, a service account with a key, custom roles bound on the bucket;
#     a container and a role assignment for an application registered in the
#     local Entra ID,
#  3. starts the Dataloop platform emulator, which plays the platform's AWS
#     account in that moto and checks GCS and Azure drivers against the local
#     Cloud Storage and Azure,
#  4. builds the provider and points Terraform at it with a dev override,
#  5. applies examples/quickstart: bucket and role (aws CLI), a cross-account
#     integration and an S3 storage driver; a GCP private-key integration and
#     a GCS driver; an Azure client-secret integration and an Azure Blob
#     driver; each driver verified by the platform's access check,
#  6. plans examples/quickstart-underprivileged, drivers whose identities lack
#     a permission or role, and shows the plan failing with the fixes.
#
# Everything lives under .demo/ and every process started here is stopped on
# exit. Set DEMO_KEEP=1 to leave moto, the local GCS and Azure and the
# emulator running afterwards.
set -euo pipefail

cd "$(dirname "$0")/.."
root="$PWD"
demo="$root/.demo"

bold=$'\e[1m' dim=$'\e[2m' red=$'\e[31m' green=$'\e[32m' reset=$'\e[0m'
if [ ! -t 1 ]; then bold='' dim='' red='' green='' reset=''; fi

step() { printf '\n%s==> %s%s %s(%ss)%s\n' "$bold" "$*" "$reset" "$dim" "$SECONDS" "$reset"; }
info() { printf '%s    %s%s\n' "$dim" "$*" "$reset"; }
die() {
	printf '%sdemo: %s%s\n' "$red" "$*" "$reset" >&2
	exit 1
}

pids=()
cleanup() {
	local status=$?
	if [ "${DEMO_KEEP:-}" = 1 ] && [ "$status" = 0 ]; then
		step "Leaving the local stack running (DEMO_KEEP=1)"
		info "moto:     $aws_endpoint"
		info "GCS:      ${DATALOOP_LOCAL_GCS_ENDPOINT:-}"
		info "Azure:    ${DATALOOP_LOCAL_AZURE_BLOB_ENDPOINT:-}"
		info "platform: ${DATALOOP_ENDPOINT:-}"
		info "use it:   source .demo/env; terraform -chdir=.demo/quickstart plan"
		info "stop it:  kill ${pids[*]}"
		return
	fi
	for pid in "${pids[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	for pid in "${pids[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	if [ "$status" != 0 ]; then
		for log in "$demo"/*.log; do
			[ -s "$log" ] || continue
			printf '\n%s--- last lines of %s%s\n' "$dim" "${log#"$root"/}" "$reset" >&2
			tail -n 15 "$log" >&2
		done
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# wait_for_file FILE SECONDS PID: wait until FILE is non-empty, while PID runs.
wait_for_file() {
	local file=$1 deadline=$((SECONDS + $2)) pid=$3
	until [ -s "$file" ]; do
		kill -0 "$pid" 2>/dev/null || return 1
		[ $SECONDS -lt $deadline ] || return 1
		sleep 0.2
	done
}

for tool in go terraform python3 aws curl jq; do
	command -v "$tool" >/dev/null 2>&1 || die "$tool is not on PATH (see scripts/install-test-deps.sh)"
done

rm -rf "$demo"
mkdir -p "$demo/bin"

# moto (Python) starts while Go builds.
python3 scripts/moto_server.py --port 0 --port-file "$demo/moto.port" >"$demo/moto.log" 2>&1 &
pids+=($!)
moto_pid=$!

step "Building the provider, the platform emulator and the local GCS and Azure launcher"
# No DWARF (-s -w): these binaries are for this run only, and they link faster.
go build -ldflags="-s -w" -o "$demo/bin/" . ./cmd/dataloop-emulator ./cmd/dataloop-localstack
info "$demo/bin/terraform-provider-dataloop"

# The local GCS and Azure start while moto does. The launcher writes their
# endpoints and owner credentials to .demo/localstack.env (mode 0600; it
# holds secrets of these local services, so it is sourced, never printed).
# It stops when this script dies, unless DEMO_KEEP=1 keeps the stack.
keep_flag=()
if [ "${DEMO_KEEP:-}" = 1 ]; then keep_flag=(-die-with-parent=false); fi
"$demo/bin/dataloop-localstack" serve -dir "$demo/localstack" -env-file "$demo/localstack.env" "${keep_flag[@]}" \
	>"$demo/localstack.log" 2>&1 &
pids+=($!)
localstack_pid=$!

step "Starting moto (local AWS) with IAM enforcement"
wait_for_file "$demo/moto.port" 90 "$moto_pid" || die "moto did not start (see .demo/moto.log)"
aws_endpoint="http://127.0.0.1:$(cat "$demo/moto.port")"
export AWS_DEFAULT_REGION=us-east-1 AWS_REGION=us-east-1
export AWS_ENDPOINT_URL="$aws_endpoint"
unset AWS_PROFILE AWS_SESSION_TOKEN

# Before enforcement moto accepts any key: create an admin user and its key,
# then turn enforcement on so every later request is checked against IAM,
# and prove it: an unknown key is refused, the admin key accepted. One
# Python process (boto3 comes with moto) instead of one aws CLI per call.
admin_key="$(python3 - "$aws_endpoint" <<'PY'
import sys
import urllib.request

import boto3
import botocore.exceptions

endpoint = sys.argv[1]


def client(service, key, secret):
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id=key, aws_secret_access_key=secret)


iam = client("iam", "bootstrap", "bootstrap")
iam.create_user(UserName="demo-admin")
iam.put_user_policy(UserName="demo-admin", PolicyName="admin", PolicyDocument=(
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'))
key = iam.create_access_key(UserName="demo-admin")["AccessKey"]
urllib.request.urlopen(urllib.request.Request(
    endpoint + "/moto-api/reset-auth", data=b"0", headers={"Content-Type": "text/plain"}, method="POST")).read()
try:
    client("sts", "bootstrap", "bootstrap").get_caller_identity()
    sys.exit("moto accepted an unknown key: IAM enforcement is not on")
except botocore.exceptions.ClientError:
    pass
client("sts", key["AccessKeyId"], key["SecretAccessKey"]).get_caller_identity()
print(key["AccessKeyId"], key["SecretAccessKey"])
PY
)" || die "could not create moto's admin key with IAM enforcement on (see above)"
read -r AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY <<<"$admin_key"
export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
info "$aws_endpoint (admin: demo-admin)"

step "Local Google Cloud Storage and Azure Blob Storage (cmd/dataloop-localstack)"
wait_for_file "$demo/localstack.env" 120 "$localstack_pid" || die "the local GCS and Azure did not start (see .demo/localstack.log)"
# shellcheck source=/dev/null
. "$demo/localstack.env"
localstack() { "$demo/bin/dataloop-localstack" "$@"; }
info "GCS:   $DATALOOP_LOCAL_GCS_ENDPOINT (fake-gcs-server behind the IAM front)"
info "Azure: $DATALOOP_LOCAL_AZURE_BLOB_ENDPOINT (Azurite behind the Entra ID and role-assignment front, test CA via SSL_CERT_FILE)"

# The Google Cloud side, as google_storage_bucket, google_service_account
# (+ key), google_project_iam_custom_role and google_storage_bucket_iam_member
# would make it: the bucket, a service account whose key the integration
# holds, and the driver's custom roles bound on raw/ only (the grants of
# dataloop_gcs_grants). The key file stays in .demo/ (mode 0600).
localstack gcs create-bucket dataloop-quickstart
gcs_email="$(localstack gcs create-service-account dataloop-quickstart "$demo/gcs-key.json")"
localstack gcs grant -bucket dataloop-quickstart -path raw/ -member "$gcs_email" -role-id dataloop_quickstart >/dev/null
info "bucket gs://dataloop-quickstart: custom roles for $gcs_email on raw/"

# The Azure side, as azurerm_storage_container and azurerm_role_assignment
# would make it: the quickstart's container, with Storage Blob Data
# Contributor for the application the launcher registered, and a second
# container without any role for the under-privileged plan.
localstack azure create-container quickstart
localstack azure create-container curated
localstack azure assign-role -container quickstart -role "Storage Blob Data Contributor" \
	-principal "$DATALOOP_LOCAL_AZURE_PRINCIPAL_ID" >/dev/null
info "container quickstart: Storage Blob Data Contributor for client $DATALOOP_LOCAL_AZURE_CLIENT_ID"
info "container curated: no role assignment"

step "Starting the Dataloop platform emulator"
# The emulator creates the platform's IAM users in moto with the admin key
# from the environment (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY).
"$demo/bin/dataloop-emulator" -listen 127.0.0.1:0 -state "$demo/platform-state.json" \
	-aws-endpoint "$aws_endpoint" \
	-gcs-endpoint "$DATALOOP_LOCAL_GCS_ENDPOINT" -gcp-platform-key "$DATALOOP_LOCAL_GCP_PLATFORM_KEY_FILE" \
	-azure-blob-endpoint "$DATALOOP_LOCAL_AZURE_BLOB_ENDPOINT" -azure-authority-host "$DATALOOP_LOCAL_AZURE_AUTHORITY_HOST" \
	-v >"$demo/emulator.url" 2>"$demo/emulator.log" &
pids+=($!)
wait_for_file "$demo/emulator.url" 30 "$!" || die "the emulator did not start (see .demo/emulator.log)"
export DATALOOP_ENDPOINT
DATALOOP_ENDPOINT="$(head -n 1 "$demo/emulator.url")"
export DATALOOP_TOKEN=demo-token DATALOOP_ORG_ID=org-demo
curl -fsS -H "Authorization: Bearer $DATALOOP_TOKEN" "$DATALOOP_ENDPOINT/users/me" >/dev/null ||
	die "the emulator does not answer at $DATALOOP_ENDPOINT"
info "$DATALOOP_ENDPOINT (token demo-token, org org-demo, project proj-demo)"

step "Pointing Terraform at the local build (dev_overrides, no terraform init)"
scripts/dev-terraformrc "$demo/bin" >"$demo/terraformrc"
export TF_CLI_CONFIG_FILE="$demo/terraformrc"
export CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1
# The quickstart creates its bucket and role with the aws CLI, in moto.
export TF_VAR_aws_endpoint="$aws_endpoint"
# Its GCS and Azure drivers use the bucket, key, container and application
# made above; the provider's credential checks talk to the key's token
# endpoint and to the local Entra ID and Blob service.
export TF_VAR_gcs TF_VAR_gcs_key_json
TF_VAR_gcs='{bucket="dataloop-quickstart"}'
TF_VAR_gcs_key_json="$(cat "$demo/gcs-key.json")"
export TF_VAR_azure TF_VAR_azure_client_secret TF_VAR_azure_authority_host TF_VAR_azure_blob_endpoint
TF_VAR_azure="{tenant_id=\"$DATALOOP_LOCAL_AZURE_TENANT_ID\", client_id=\"$DATALOOP_LOCAL_AZURE_CLIENT_ID\", storage_account_name=\"$DATALOOP_LOCAL_AZURE_ACCOUNT\", container=\"quickstart\"}"
TF_VAR_azure_client_secret="$DATALOOP_LOCAL_AZURE_CLIENT_SECRET"
TF_VAR_azure_authority_host="$DATALOOP_LOCAL_AZURE_AUTHORITY_HOST"
TF_VAR_azure_blob_endpoint="$DATALOOP_LOCAL_AZURE_BLOB_ENDPOINT"
info "TF_CLI_CONFIG_FILE=${TF_CLI_CONFIG_FILE#"$root"/}"

# For DEMO_KEEP=1: the settings to reach the stack from another shell. The
# AWS key is moto's, valid only on this local server.
cat >"$demo/env" <<ENV
export AWS_ENDPOINT_URL=$aws_endpoint AWS_DEFAULT_REGION=$AWS_DEFAULT_REGION AWS_REGION=$AWS_REGION
export AWS_ACCESS_KEY_ID=$AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY=$AWS_SECRET_ACCESS_KEY
export DATALOOP_ENDPOINT=$DATALOOP_ENDPOINT DATALOOP_TOKEN=$DATALOOP_TOKEN DATALOOP_ORG_ID=$DATALOOP_ORG_ID
export TF_CLI_CONFIG_FILE=$TF_CLI_CONFIG_FILE TF_VAR_aws_endpoint=$aws_endpoint
. $demo/localstack.env
export TF_VAR_gcs='$TF_VAR_gcs' TF_VAR_gcs_key_json="\$(cat $demo/gcs-key.json)"
export TF_VAR_azure='$TF_VAR_azure' TF_VAR_azure_client_secret="\$DATALOOP_LOCAL_AZURE_CLIENT_SECRET"
export TF_VAR_azure_authority_host=$TF_VAR_azure_authority_host TF_VAR_azure_blob_endpoint=$TF_VAR_azure_blob_endpoint
ENV

# Work on copies so the examples stay free of state files.
cp -R examples/quickstart "$demo/quickstart"
cp -R examples/quickstart-underprivileged "$demo/underprivileged"

step "terraform apply examples/quickstart"
tf() { terraform -chdir="$1" "${@:2}"; }
tf "$demo/quickstart" apply -auto-approve -input=false -compact-warnings

step "What the platform holds now"
curl -fsS -H "Authorization: Bearer $DATALOOP_TOKEN" "$DATALOOP_ENDPOINT/drivers?projectId=proj-demo" |
	jq '[.[] | {id, name, type, integrationType, bucketName, bucket, containerName, region, path, allowExternalDelete}]'
curl -fsS -H "Authorization: Bearer $DATALOOP_TOKEN" "$DATALOOP_ENDPOINT/orgs/$DATALOOP_ORG_ID/integrations" |
	jq '[.[] | {id, name, type, metadata}]'

step "terraform plan examples/quickstart (no changes; the access data sources re-verify each driver)"
tf "$demo/quickstart" plan -input=false -compact-warnings | tee "$demo/quickstart-plan.log"
# The access data sources are read again; no managed resource may change.
grep -Eq "No changes\.|0 to add, 0 to change, 0 to destroy" "$demo/quickstart-plan.log" ||
	die "the quickstart plan is not empty after apply"

step "terraform plan examples/quickstart-underprivileged (expected to fail)"
info "A second S3 driver on curated/ of the same bucket, through the quickstart role, whose policy grants raw/ only,"
info "a GCS driver on curated/ of the quickstart's bucket, whose grants cover raw/ only,"
info "and an Azure driver on container curated, where the quickstart's service principal holds no role."
# The quickstart's integration and project are inputs, so every input of the
# driver is known at plan time and the access check runs during the plan. A
# plan-time failure is a warning by default; the example sets
# access_check.plan_severity = "error", as a strict pipeline would.
export TF_VAR_project_id TF_VAR_integration_id TF_VAR_bucket TF_VAR_region TF_VAR_azure_integration_id TF_VAR_azure_container
TF_VAR_azure_integration_id="$(tf "$demo/quickstart" output -raw azure_integration_id)"
TF_VAR_azure_container=curated
export TF_VAR_gcs_integration_id TF_VAR_gcs_bucket=dataloop-quickstart
TF_VAR_gcs_integration_id="$(tf "$demo/quickstart" output -raw gcs_integration_id)"
TF_VAR_project_id="$(tf "$demo/quickstart" output -raw project_id)"
TF_VAR_integration_id="$(tf "$demo/quickstart" output -raw integration_id)"
TF_VAR_bucket="$(tf "$demo/quickstart" output -raw bucket)"
TF_VAR_region="$(tf "$demo/quickstart" output -raw region)"
set +e
tf "$demo/underprivileged" plan -input=false -compact-warnings 2>&1 | tee "$demo/underprivileged-plan.log"
plan_status=${PIPESTATUS[0]}
set -e
if [ "$plan_status" = 0 ]; then
	die "the under-privileged plan succeeded; the access check should have failed it"
fi
for expected in "s3:PutObject" "storage.objects.create" "Storage Blob Data Contributor"; do
	grep -q "$expected" "$demo/underprivileged-plan.log" ||
		die "the under-privileged plan did not name $expected"
done

step "Done"
printf '%s    quickstart applied: the platform verified its S3 bucket, its GCS bucket and its Azure container before creating each driver.%s\n' "$green" "$reset"
printf '%s    under-privileged drivers: rejected at plan time, each with the missing permission or role and its fix.%s\n' "$green" "$reset"
info "State and logs are in ${demo#"$root"/}/; run 'make demo' again to start over."
info "The demo took ${SECONDS}s."
