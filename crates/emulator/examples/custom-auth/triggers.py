#!/usr/bin/env python3
"""Custom-auth Lambda triggers, run locally by cognito-auth-emulator.

The three handlers below are ordinary Cognito Lambda handlers: the same code
could be deployed to AWS Lambda unchanged. The emulator runs this file as an
external command: it writes the trigger's event JSON to stdin and reads the
returned event from stdout; `main` dispatches on the event's triggerSource.

The challenge is a question with a known answer (the arithmetic stands in for
whatever your real challenge is: a magic link, a hardware key, a captcha):
    CreateAuthChallenge  asks "What is A + B?" and keeps the sum private;
    VerifyAuthChallengeResponse  compares the user's answer with it;
    DefineAuthChallenge  proves the password by SRP first when the client asked
        for it (CHALLENGE_NAME=SRP_A), then asks the question, allows three
        wrong answers, and issues tokens for a right one.
Only the standard library is used.
"""

import json
import random
import sys

MAX_WRONG_ANSWERS = 3


def define_auth_challenge(event, context):
    session = event["request"]["session"]
    response = event["response"]
    response["issueTokens"] = False
    response["failAuthentication"] = False
    last = session[-1] if session else None
    wrong = sum(
        1
        for entry in session
        if entry["challengeName"] == "CUSTOM_CHALLENGE" and not entry["challengeResult"]
    )
    if last and last["challengeName"] == "SRP_A":
        response["challengeName"] = "PASSWORD_VERIFIER"
    elif last and last["challengeName"] == "PASSWORD_VERIFIER" and not last["challengeResult"]:
        response["failAuthentication"] = True
    elif last and last["challengeName"] == "CUSTOM_CHALLENGE" and last["challengeResult"]:
        response["issueTokens"] = True
    elif wrong >= MAX_WRONG_ANSWERS:
        response["failAuthentication"] = True
    else:
        response["challengeName"] = "CUSTOM_CHALLENGE"
    return event


def create_auth_challenge(event, context):
    a, b = random.randint(2, 49), random.randint(2, 49)
    event["response"]["publicChallengeParameters"] = {"question": f"What is {a} + {b}?"}
    event["response"]["privateChallengeParameters"] = {"answer": str(a + b)}
    event["response"]["challengeMetadata"] = "QUESTION"
    return event


def verify_auth_challenge_response(event, context):
    expected = event["request"]["privateChallengeParameters"].get("answer")
    answer = event["request"].get("challengeAnswer", "").strip()
    event["response"]["answerCorrect"] = expected is not None and answer == expected
    return event


HANDLERS = {
    "DefineAuthChallenge_Authentication": define_auth_challenge,
    "CreateAuthChallenge_Authentication": create_auth_challenge,
    "VerifyAuthChallengeResponse_Authentication": verify_auth_challenge_response,
}


def main():
    event = json.load(sys.stdin)
    handler = HANDLERS.get(event.get("triggerSource"))
    if handler is None:
        # A non-zero exit is a failed Lambda: the emulator answers
        # UserLambdaValidationException with this last line of stderr.
        print(f"no handler for {event.get('triggerSource')!r}", file=sys.stderr)
        return 1
    json.dump(handler(event, None), sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
