"""Interop: unmodified boto3 (and pycognito's AWSSRP for sign-in) drive groups,
ListUsers and ChangePassword on the emulator.

Usage: python boto3_groups_password.py ENDPOINT_URL

Each step prints 'ok' or 'FAIL' with what it saw; the script ends with
'N passed, N failed' and exits non-zero on any failure.
"""

import base64
import json
import sys

from pycognito.aws_srp import AWSSRP

from interop_common import Checks, cognito_client, error_of

PASSWORD = "Correct-Horse-9"
NEW_PASSWORD = "Brand-New-Pass-7"


def claims(token):
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))



def main(endpoint):
    idp = cognito_client(endpoint)
    check = Checks()

    pool_id = idp.create_user_pool(PoolName="groups")["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="app",
        ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    for name, email in (("alice", "alice@example.com"), ("albert", "al@example.com"), ("bob", "bob@example.com")):
        idp.admin_create_user(
            UserPoolId=pool_id,
            Username=name,
            UserAttributes=[{"Name": "email", "Value": email}],
            MessageAction="SUPPRESS",
        )
        idp.admin_set_user_password(UserPoolId=pool_id, Username=name, Password=PASSWORD, Permanent=True)

    def sign_in(password):
        return AWSSRP(
            username="alice", password=password, pool_id=pool_id, client_id=client_id, client=idp
        ).authenticate_user()["AuthenticationResult"]

    # Groups: precedence orders cognito:groups; a group without one comes last.
    idp.create_group(UserPoolId=pool_id, GroupName="staff", Precedence=10, Description="everyone")
    idp.create_group(UserPoolId=pool_id, GroupName="admins", Precedence=1)
    idp.create_group(UserPoolId=pool_id, GroupName="beta")
    for group in ("staff", "beta", "admins"):
        idp.admin_add_user_to_group(UserPoolId=pool_id, Username="alice", GroupName=group)
    idp.admin_add_user_to_group(UserPoolId=pool_id, Username="bob", GroupName="staff")
    check(
        "CreateGroup again",
        error_of(lambda: idp.create_group(UserPoolId=pool_id, GroupName="staff")),
        ("GroupExistsException", "A group with the name already exists."),
    )
    check(
        "GetGroup",
        {k: v for k, v in idp.get_group(UserPoolId=pool_id, GroupName="staff")["Group"].items()
         if k in ("GroupName", "Precedence", "Description")},
        {"GroupName": "staff", "Precedence": 10, "Description": "everyone"},
    )
    check(
        "GetGroup unknown",
        error_of(lambda: idp.get_group(UserPoolId=pool_id, GroupName="nope")),
        ("ResourceNotFoundException", "Group not found."),
    )
    pages = idp.get_paginator("list_groups").paginate(UserPoolId=pool_id, PaginationConfig={"PageSize": 2})
    check("ListGroups paginator", [g["GroupName"] for page in pages for g in page["Groups"]],
          ["admins", "beta", "staff"])
    check(
        "AdminListGroupsForUser",
        [g["GroupName"] for g in idp.admin_list_groups_for_user(UserPoolId=pool_id, Username="alice")["Groups"]],
        ["admins", "staff", "beta"],
    )
    check(
        "ListUsersInGroup",
        [u["Username"] for u in idp.list_users_in_group(UserPoolId=pool_id, GroupName="staff")["Users"]],
        ["alice", "bob"],
    )
    tokens = sign_in(PASSWORD)
    check("id token cognito:groups", claims(tokens["IdToken"]).get("cognito:groups"), ["admins", "staff", "beta"])
    check("access token cognito:groups", claims(tokens["AccessToken"]).get("cognito:groups"),
          ["admins", "staff", "beta"])
    idp.admin_remove_user_from_group(UserPoolId=pool_id, Username="alice", GroupName="admins")
    idp.delete_group(UserPoolId=pool_id, GroupName="beta")
    refreshed = idp.initiate_auth(
        ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]}
    )["AuthenticationResult"]
    check("refreshed cognito:groups", claims(refreshed["AccessToken"]).get("cognito:groups"), ["staff"])

    # ListUsers with a Filter, through boto3's paginator.
    pages = idp.get_paginator("list_users").paginate(
        UserPoolId=pool_id, Filter='username ^= "al"', PaginationConfig={"PageSize": 1}
    )
    check("ListUsers prefix filter", [u["Username"] for page in pages for u in page["Users"]], ["albert", "alice"])
    check(
        "ListUsers email filter",
        [u["Username"] for u in idp.list_users(UserPoolId=pool_id, Filter='email = "BOB@example.com"')["Users"]],
        ["bob"],
    )
    check(
        "ListUsers bad filter",
        error_of(lambda: idp.list_users(UserPoolId=pool_id, Filter="email")),
        ("InvalidParameterException", "Error while parsing filter."),
    )

    # ChangePassword: the old password is checked, then the pool's policy.
    access = tokens["AccessToken"]
    check(
        "ChangePassword wrong previous",
        error_of(lambda: idp.change_password(
            AccessToken=access, PreviousPassword="Not-The-Password-1", ProposedPassword=NEW_PASSWORD)),
        ("NotAuthorizedException", "Incorrect username or password."),
    )
    check(
        "ChangePassword weak",
        error_of(lambda: idp.change_password(
            AccessToken=access, PreviousPassword=PASSWORD, ProposedPassword="nouppercase-1")),
        ("InvalidPasswordException", "Password did not conform with policy: Password must have uppercase characters"),
    )
    check(
        "ChangePassword",
        error_of(lambda: idp.change_password(
            AccessToken=access, PreviousPassword=PASSWORD, ProposedPassword=NEW_PASSWORD)),
        None,
    )
    check("SRP with the new password", claims(sign_in(NEW_PASSWORD)["IdToken"]).get("cognito:username"), "alice")
    check(
        "SRP with the old password",
        error_of(lambda: sign_in(PASSWORD)),
        ("NotAuthorizedException", "Incorrect username or password."),
    )

    # DeleteUser with the user's own access token.
    check("DeleteUser", error_of(lambda: idp.delete_user(AccessToken=sign_in(NEW_PASSWORD)["AccessToken"])), None)
    check(
        "AdminGetUser after DeleteUser",
        error_of(lambda: idp.admin_get_user(UserPoolId=pool_id, Username="alice")),
        ("UserNotFoundException", "User does not exist."),
    )

    return check.finish()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
