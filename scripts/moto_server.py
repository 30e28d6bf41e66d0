#!/usr/bin/env python3
"""Run moto's server on 127.0.0.1 with fixes that make its IAM enforcement
behave like AWS for the requests the access checker sends.

Usage: moto_server.py [--port N] [--port-file PATH] [--watch-stdin]
                      [--remove-dir DIR]

With --port 0 (the default) the OS picks a free port; the bound port is
printed as "MOTO_PORT=<n>" on stdout and, with --port-file, written to that
file once the socket is listening, so callers never race for a port. With
--watch-stdin the server exits when its stdin reaches end of file, so a
parent that holds the other end of a pipe never leaves it running, even
when the parent is killed. With --remove-dir the server removes DIR (the
temporary directory its parent made for the log and port file) as it
exits, since a parent that exited first cannot.

Patches (moto 5.2.x):

1. Signature check and percent-encoded query strings. With auth enabled,
   moto rebuilds the request from the raw URL and lets botocore compute the
   canonical query string from it verbatim, so `prefix=data%2F` (Go SDK) or
   `prefix=data/` (botocore) never matches the client's canonical form and
   the request fails with SignatureDoesNotMatch. The patched request builder
   decodes the query into parameters, which botocore then encodes exactly as
   SigV4 requires. Object keys holding "+" fail the same way (werkzeug leaves
   "+" unencoded in the path), so S3 paths are re-encoded the SigV4 way too.
2. HeadBucket is authorized as `s3:HeadBucket`, an action real IAM does not
   have; real S3 checks `s3:ListBucket`.
3. HeadBucket errors. Real S3 answers HeadBucket on an existing bucket with
   `x-amz-bucket-region` even when access is denied, and answers 404 for a
   bucket that does not exist whoever asks; moto answers a bare 403 in both
   cases.
4. Error bodies of the IAM enforcement layer for query-protocol services
   (IAM, STS). moto wraps them as ErrorResponse/Errors/Error, which the AWS
   SDK for Go cannot parse (it reports "UnknownError"); AWS sends
   ErrorResponse/Error, so e.g. a denied AssumeRole reads "AccessDenied".
5. x-amz-bucket-region on bucket GETs. Real S3 sends it on every
   ListObjects(V2) answer (and on a denied one for an existing bucket), so a
   client learns the region from the list it makes anyway; moto sends it on
   HeadBucket only. A denied GET on a missing bucket is a 404 NoSuchBucket,
   as in S3.
6. Access denied messages as AWS words them: "User: <arn> is not authorized
   to perform: <action> on resource: "<arn>" with an explicit deny in an
   identity-based policy" or "... because no identity-based policy allows the
   <action> action". moto says "Access Denied" for both, so an explicit Deny
   cannot be told from a missing Allow.
7. sts:AssumeRole on a role that does not exist is denied, as in AWS; moto
   skips the trust check for an unknown role and hands out credentials.
"""

import argparse
import os
import shutil
import signal
import sys
import threading
from urllib.parse import parse_qsl, quote, unquote, urlsplit

import xmltodict
from botocore.awsrequest import AWSRequest
from werkzeug.serving import make_server

import moto
from moto.core.exceptions import AccessDeniedError, _RESTError
from moto.iam import access_control
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    create_backend_app,
)
from moto.s3 import responses as s3_responses
from moto.s3.exceptions import MissingBucket, S3ClientError


def _create_aws_request(self):
    signed_headers = self._get_string_between(
        "SignedHeaders=", ",", self._headers["Authorization"]
    ).split(";")
    headers = self._create_headers_for_aws_request(signed_headers, self._headers)
    parts = urlsplit(self._path)
    # GOTCHA: keep_blank_values keeps sub-resources such as "?uploads", which
    # SigV4 canonicalizes as "uploads=".
    params = parse_qsl(parts.query, keep_blank_values=True)
    path = parts.path
    if isinstance(self, access_control.S3IAMRequest):
        # S3 signs the path encoded once, every byte but unreserved ones and
        # "/"; werkzeug hands it over re-quoted with "+" and others left bare.
        path = quote(unquote(path), safe="/~")
    request = AWSRequest(
        method=self._method,
        url=path,
        data=self._body or self._data,
        headers=headers,
        params=params,
    )
    request.context["timestamp"] = headers["X-Amz-Date"]
    return request


def _patch_signature_check():
    access_control.IAMRequestBase._create_aws_request = _create_aws_request


def _patch_head_bucket_action():
    s3_responses.ACTION_MAP["BUCKET"]["HEAD"]["DEFAULT"] = "ListBucket"


def _patch_bucket_region_headers():
    """Patches 3 and 5: the region header and 404s on HEAD and GET bucket."""
    original = s3_responses.S3Response._bucket_response

    def _bucket_response(self, request, full_url):
        if request.method not in ("HEAD", "GET"):
            return original(self, request, full_url)
        bucket_name = self.parse_bucket_name_from_url(request, full_url)
        try:
            result = original(self, request, full_url)
        except S3ClientError as err:
            if not bucket_name:
                raise
            try:
                bucket = self.backend.head_bucket(bucket_name)
            except MissingBucket:
                if err.code == "AccessDenied":
                    if request.method == "HEAD":
                        return 404, {}, ""
                    raise MissingBucket(bucket=bucket_name)
                raise
            status, headers, body = self.serialized(
                s3_responses.ActionResult(err)
            )
            headers["x-amz-bucket-region"] = bucket.region_name
            return status, headers, body
        if request.method == "GET" and bucket_name and isinstance(result, tuple) and len(result) == 3:
            status, headers, body = result
            try:
                bucket = self.backend.head_bucket(bucket_name)
            except MissingBucket:
                return result
            headers = dict(headers or {})
            headers["x-amz-bucket-region"] = bucket.region_name
            return status, headers, body
        return result

    s3_responses.S3Response._bucket_response = _bucket_response


def _patch_access_denied():
    """Patches 6 and 7: AWS's access denied reasons; no role, no session."""
    from moto.iam.access_control import IAMPolicy, PermissionResult
    from moto.s3.exceptions import BucketAccessDeniedError

    def check_action_permitted(self, resource):
        if self._action == "sts:GetCallerIdentity":
            return
        who = f"User: {self._access_key.arn} is not authorized to perform: {self._action} on resource: \"{resource}\""
        permitted = False
        for doc in self._access_key.collect_policies():
            result = IAMPolicy(doc).is_action_permitted(self._action, resource)
            if result == PermissionResult.DENIED:
                self._denied_message = who + " with an explicit deny in an identity-based policy"
                self._raise_access_denied()
            elif result == PermissionResult.PERMITTED:
                permitted = True
        if self._action == "sts:AssumeRole" and ":role/" in resource:
            try:
                self.backend.get_role_by_arn(resource)
            except Exception:
                # AWS does not say whether the role exists.
                self._denied_message = who
                self._raise_access_denied()
        if self._is_assuming_role_operation(resource):
            if permitted and not self._check_role_trust_relationship(resource):
                self._denied_message = who
                self._raise_access_denied()
        if not permitted:
            self._denied_message = who + f" because no identity-based policy allows the {self._action} action"
            self._raise_access_denied()

    access_control.IAMRequestBase.check_action_permitted = check_action_permitted

    def s3_denied(self):
        message = getattr(self, "_denied_message", "Access Denied")
        err = BucketAccessDeniedError(bucket=self._data.get("BucketName", ""))
        S3ClientError.__init__(err, "AccessDenied", message)
        if "BucketName" in self._data:
            err.bucket_name = self._data["BucketName"]
        raise err

    access_control.S3IAMRequest._raise_access_denied = s3_denied

    def query_denied(self):
        message = getattr(self, "_denied_message", "")
        if not message:
            raise AccessDeniedError(user_arn=self._access_key.arn, action=self._action)
        err = AccessDeniedError(user_arn=self._access_key.arn, action=self._action)
        err.message = message
        raise err

    access_control.IAMRequest._raise_access_denied = query_denied


_remove_dir = ""


def _cleanup():
    if _remove_dir:
        shutil.rmtree(_remove_dir, ignore_errors=True)


def _exit_on_stdin_eof():
    while sys.stdin.buffer.read(4096):
        pass
    # os._exit skips finally blocks and atexit, so clean up here.
    _cleanup()
    os._exit(0)


def _patch_query_error_bodies():
    def wrap(original):
        def raise_error(self, *args):
            try:
                original(self, *args)
            except _RESTError as err:
                if self._service != "ec2":
                    err.description = xmltodict.unparse(
                        {
                            "ErrorResponse": {
                                "Error": {
                                    "Type": "Sender",
                                    "Code": err.error_type,
                                    "Message": err.message,
                                }
                            }
                        },
                        full_document=True,
                    )
                raise

        return raise_error

    cls = access_control.IAMRequest
    for name in (
        "_raise_access_denied",
        "_raise_signature_does_not_match",
        "_raise_invalid_access_key",
    ):
        setattr(cls, name, wrap(getattr(cls, name)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--port-file", default="")
    parser.add_argument("--watch-stdin", action="store_true")
    parser.add_argument("--remove-dir", default="")
    args = parser.parse_args()
    global _remove_dir
    _remove_dir = args.remove_dir

    if not moto.__version__.startswith("5.2."):
        # The patches replace moto internals; check them on a new version.
        print(
            f"warning: moto {moto.__version__}: patches were written for 5.2.x",
            file=sys.stderr,
        )
    _patch_signature_check()
    _patch_head_bucket_action()
    _patch_bucket_region_headers()
    _patch_access_denied()
    _patch_query_error_bodies()

    app = DomainDispatcherApplication(create_backend_app)
    server = make_server("127.0.0.1", args.port, app, threaded=True)
    port = server.server_port
    # moto builds some URLs (presigned, queue URLs) from MOTO_PORT.
    os.environ["MOTO_PORT"] = str(port)

    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write(str(port))
        os.replace(tmp, args.port_file)
    print(f"MOTO_PORT={port}", flush=True)

    def stop(signum, frame):
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if args.watch_stdin:
        threading.Thread(target=_exit_on_stdin_eof, daemon=True).start()
    try:
        server.serve_forever()
    finally:
        _cleanup()


if __name__ == "__main__":
    main()
