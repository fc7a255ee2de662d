"""Interop: unmodified boto3 drives the account lifecycle on the emulator, the
sequence our client runs against MiniStack (crates/flows/tests/ministack.rs):
SignUp, ConfirmSignUp with the code from the emulator's outbox, ChangePassword,
ForgotPassword and ConfirmForgotPassword, each new password proven by an SRP
sign-in (pycognito's AWSSRP), and Cognito's refusals along the way.

Usage: python boto3_account.py ENDPOINT_URL

Each step prints 'ok' or 'FAIL' with what it saw; the script ends with
'N passed, N failed' and exits non-zero on any failure.
"""

import json
import sys
import urllib.parse
import urllib.request

from pycognito.aws_srp import AWSSRP

from interop_common import Checks, cognito_client, error_of

FIRST = "Correct-Horse-9"
CHANGED = "Changed-Horse-42"
RESET = "Reset-Horse-73"



def main(endpoint):
    idp = cognito_client(endpoint)
    check = Checks()

    def last_code(username, purpose):
        query = urllib.parse.urlencode({"username": username})
        with urllib.request.urlopen(f"{endpoint}/_emulator/outbox?{query}") as reply:
            messages = json.load(reply)["messages"]
        return [m["code"] for m in messages if m["purpose"] == purpose][-1]

    pool_id = idp.create_user_pool(PoolName="account", AutoVerifiedAttributes=["email"])["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="app",
        ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]

    def sign_in(password):
        return AWSSRP(
            username="mira", password=password, pool_id=pool_id, client_id=client_id, client=idp
        ).authenticate_user()["AuthenticationResult"]

    signed_up = idp.sign_up(
        ClientId=client_id,
        Username="mira",
        Password=FIRST,
        UserAttributes=[{"Name": "email", "Value": "mira@example.com"}],
    )
    check("SignUp UserConfirmed", signed_up["UserConfirmed"], False)
    check("SignUp delivery", signed_up["CodeDeliveryDetails"]["DeliveryMedium"], "EMAIL")
    check(
        "SignUp again",
        error_of(lambda: idp.sign_up(ClientId=client_id, Username="mira", Password=FIRST)),
        ("UsernameExistsException", "User already exists"),
    )
    check(
        "SRP before confirming",
        error_of(lambda: sign_in(FIRST)),
        ("UserNotConfirmedException", "User is not confirmed."),
    )
    check(
        "ConfirmSignUp wrong code",
        error_of(lambda: idp.confirm_sign_up(ClientId=client_id, Username="mira", ConfirmationCode="000000x")),
        ("CodeMismatchException", "Invalid verification code provided, please try again."),
    )
    code = last_code("mira", "SIGN_UP")
    check(
        "ConfirmSignUp",
        error_of(lambda: idp.confirm_sign_up(ClientId=client_id, Username="mira", ConfirmationCode=code)),
        None,
    )
    check(
        "ConfirmSignUp unknown user",
        error_of(lambda: idp.confirm_sign_up(ClientId=client_id, Username="nobody", ConfirmationCode=code)),
        ("UserNotFoundException", "Username/client id combination not found."),
    )
    tokens = sign_in(FIRST)
    check("SRP after confirming", bool(tokens["AccessToken"]), True)

    check(
        "ChangePassword",
        error_of(lambda: idp.change_password(
            AccessToken=tokens["AccessToken"], PreviousPassword=FIRST, ProposedPassword=CHANGED)),
        None,
    )
    check("SRP with the changed password", bool(sign_in(CHANGED)["AccessToken"]), True)

    sent = idp.forgot_password(ClientId=client_id, Username="mira")["CodeDeliveryDetails"]
    check("ForgotPassword delivery", (sent["DeliveryMedium"], sent["AttributeName"]), ("EMAIL", "email"))
    check(
        "ForgotPassword unknown user",
        error_of(lambda: idp.forgot_password(ClientId=client_id, Username="nobody")),
        ("UserNotFoundException", "Username/client id combination not found."),
    )
    code = last_code("mira", "FORGOT_PASSWORD")
    check(
        "ConfirmForgotPassword weak password",
        error_of(lambda: idp.confirm_forgot_password(
            ClientId=client_id, Username="mira", ConfirmationCode=code, Password="short")),
        ("InvalidPasswordException", "Password did not conform with policy: Password not long enough"),
    )
    check(
        "ConfirmForgotPassword",
        error_of(lambda: idp.confirm_forgot_password(
            ClientId=client_id, Username="mira", ConfirmationCode=code, Password=RESET)),
        None,
    )
    check(
        "SRP with the changed password after the reset",
        error_of(lambda: sign_in(CHANGED)),
        ("NotAuthorizedException", "Incorrect username or password."),
    )
    check("SRP with the reset password", bool(sign_in(RESET)["AccessToken"]), True)

    return check.finish()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
