"""Interop: pycognito (an SRP client we did not write) signs in to the emulator.

Usage: python pycognito_srp.py ENDPOINT_URL

The emulator starts empty; this script sets it up with unmodified boto3
(CreateUserPool, CreateUserPoolClient, AdminCreateUser, AdminSetUserPassword),
then signs in with pycognito's AWSSRP for each kind of pool and client:
the right password must give tokens issued to the user (the JWT claims
`cognito:username`/`username`, `aud`/`client_id` and `token_use` checked),
a wrong one NotAuthorizedException.
Prints 'N passed, N failed' and exits non-zero on any failure.
"""

import base64
import json
import sys

import boto3
from botocore.exceptions import ClientError
from pycognito.aws_srp import AWSSRP

PASSWORD = "Correct-Horse-9"


def claims(token):
    """A JWT's payload, unverified: the claims say whom it was issued to."""
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def check_tokens(result, username, client_id, email=None):
    """Raises AssertionError naming the first claim that is not as expected.

    `username` is the pool's internal name; None for a pool that signs in by
    email, whose internal name is the user's sub.
    """
    id_claims = claims(result["IdToken"])
    access = claims(result["AccessToken"])
    internal = username if username is not None else id_claims["sub"]
    expected = [
        ("id token_use", id_claims.get("token_use"), "id"),
        ("id cognito:username", id_claims.get("cognito:username"), internal),
        ("id aud", id_claims.get("aud"), client_id),
        ("access token_use", access.get("token_use"), "access"),
        ("access username", access.get("username"), internal),
        ("access client_id", access.get("client_id"), client_id),
        ("access sub", access.get("sub"), id_claims["sub"]),
    ]
    if email is not None:
        expected.append(("id email", id_claims.get("email"), email))
    for name, got, want in expected:
        assert got == want, f"{name} is {got!r}, not {want!r}"
    assert result["RefreshToken"], "no RefreshToken"


def main(endpoint):
    idp = boto3.client(
        "cognito-idp",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key="secret",
    )
    passed, failed = 0, 0

    pools = {
        "plain": {},
        "email-username": {"UsernameAttributes": ["email"]},
        "email-alias": {"AliasAttributes": ["email"]},
    }
    for kind, options in pools.items():
        pool_id = idp.create_user_pool(PoolName=kind, **options)["UserPool"]["Id"]
        email = None
        if kind == "plain":
            username, sign_in_as, attributes = "alice", "alice", []
            internal = "alice"
        elif kind == "email-username":
            username = sign_in_as = email = "bob@example.com"
            attributes = [{"Name": "email_verified", "Value": "true"}]
            internal = None
        else:
            username, sign_in_as, email = "carol", "carol@example.com", "carol@example.com"
            internal = "carol"
            attributes = [
                {"Name": "email", "Value": "carol@example.com"},
                {"Name": "email_verified", "Value": "true"},
            ]
        idp.admin_create_user(
            UserPoolId=pool_id,
            Username=username,
            UserAttributes=attributes,
            MessageAction="SUPPRESS",
        )
        idp.admin_set_user_password(
            UserPoolId=pool_id, Username=username, Password=PASSWORD, Permanent=True
        )
        for with_secret in (False, True):
            client = idp.create_user_pool_client(
                UserPoolId=pool_id,
                ClientName=f"{kind}-{with_secret}",
                GenerateSecret=with_secret,
                ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
            )["UserPoolClient"]
            label = f"{kind} pool, {'with' if with_secret else 'without'} secret"

            def srp(password):
                return AWSSRP(
                    username=sign_in_as,
                    password=password,
                    pool_id=pool_id,
                    client_id=client["ClientId"],
                    client_secret=client.get("ClientSecret"),
                    client=idp,
                ).authenticate_user()

            try:
                tokens = srp(PASSWORD)
                check_tokens(tokens["AuthenticationResult"], internal, client["ClientId"], email)
                print(f"ok   {label}: right password -> tokens")
                passed += 1
            except Exception as error:  # noqa: BLE001 - report every failure
                print(f"FAIL {label}: right password -> {error!r}")
                failed += 1
            try:
                srp("Wrong-Password-1")
                print(f"FAIL {label}: wrong password -> tokens")
                failed += 1
            except ClientError as error:
                code = error.response["Error"]["Code"]
                message = error.response["Error"]["Message"]
                if code == "NotAuthorizedException" and message == "Incorrect username or password.":
                    print(f"ok   {label}: wrong password -> {code}")
                    passed += 1
                else:
                    print(f"FAIL {label}: wrong password -> {code}: {message}")
                    failed += 1
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
