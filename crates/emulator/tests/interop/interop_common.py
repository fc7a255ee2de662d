"""What the boto3 interop scripts share: an SDK client for the emulator, the
(code, message) of a refused call, and the ok/FAIL tally each script prints."""

import boto3
from botocore.exceptions import ClientError


def cognito_client(endpoint):
    """An unmodified boto3 cognito-idp client pointed at the emulator (any
    credentials: the emulator does not check signatures)."""
    return boto3.client(
        "cognito-idp",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key="secret",
    )


def error_of(call):
    """(code, message) of the ClientError `call` raises, or None if it succeeds."""
    try:
        call()
    except ClientError as error:
        return error.response["Error"]["Code"], error.response["Error"]["Message"]
    return None


class Checks:
    """Prints 'ok' or 'FAIL' per check; `finish` prints 'N passed, N failed'
    and returns the exit status."""

    def __init__(self):
        self.results = []

    def __call__(self, label, got, want):
        ok = got == want
        self.results.append(ok)
        print(f"{'ok  ' if ok else 'FAIL'} {label}: {got!r}" + ("" if ok else f", wanted {want!r}"))

    def finish(self):
        passed, failed = self.results.count(True), self.results.count(False)
        print(f"{passed} passed, {failed} failed")
        return 1 if failed else 0
