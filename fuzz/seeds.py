#!/usr/bin/env python3
"""Writes the seed corpora fuzz/corpus/<target>/ from the SRP test vectors.

Run from anywhere: python3 fuzz/seeds.py [path/to/cognito-srp-vectors.json]
(default: crates/srp/tests/data/, the copy in the repository).
"""
import calendar
import datetime
import json
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
VECTORS = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    ROOT, "crates", "srp", "tests", "data", "cognito-srp-vectors.json")


def seconds(utc):
    moment = datetime.datetime.strptime(utc, "%Y-%m-%dT%H:%M:%SZ")
    return calendar.timegm(moment.timetuple())


def write(target, name, data):
    folder = os.path.join(HERE, "corpus", target)
    os.makedirs(folder, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(folder, name), "wb") as out:
        out.write(data)


def chunk(hex_text):
    raw = bytes.fromhex(hex_text if len(hex_text) % 2 == 0 else "0" + hex_text)
    return struct.pack(">H", len(raw)) + raw


def main():
    doc = json.load(open(VECTORS))
    users = doc["user_srp"]
    picked = [users[0]]
    for tag in ["B_odd", "wire_uppercase", "salt_odd", "alias", "ts_single_digit_day"]:
        for v in users:
            if tag in v.get("tags", []) and v not in picked:
                picked.append(v)
                break
    by_id = {v["id"]: v for v in users}
    confirms = {c["id"]: c for c in doc["confirm_device"]}

    for i, v in enumerate(picked):
        cp = v["challenge_parameters"]
        secs = str(seconds(v["timestamp_utc"]))
        write("challenge_to_claim", f"user-{i}", "\n".join([
            cp["SALT"], cp["SRP_B"], cp["SECRET_BLOCK"], cp.get("USERNAME", "~"),
            cp["USER_ID_FOR_SRP"], v["password"], v["a"], secs, v["pool_id"],
            v.get("device_key") or "~"]))
        exp = v["expected"]
        write("server_verify", f"user-{i}", "\n".join([
            v["pool_id"], cp["USER_ID_FOR_SRP"], v["password"], v["server"]["salt"],
            v["server"]["b"], v["a"], "0102030405", secs,
            exp["A"], cp["SECRET_BLOCK"], exp["timestamp"], exp["password_claim_signature"],
            "-ZhUnQ0bW", "eu-west-1_11111111-2222-3333-4444-555555555555", v["a"][:112]]))

    for i, neg in enumerate(doc["negative"]):
        base = by_id[neg["based_on"]]
        cp = dict(base["challenge_parameters"])
        cp.update(neg.get("challenge_parameters_override", {}))
        write("challenge_to_claim", f"negative-{i}", "\n".join([
            cp.get("SALT", "~"), cp.get("SRP_B", "~"), cp.get("SECRET_BLOCK", "~"),
            cp.get("USERNAME", "~"), cp.get("USER_ID_FOR_SRP", "~"), base["password"],
            base["a"], "1739212212", base["pool_id"]]))

    for i, v in enumerate(doc["device_srp"][:2]):
        cp = v["challenge_parameters"]
        write("challenge_to_claim", f"device-{i}", "\n".join([
            cp["SALT"], cp["SRP_B"], cp["SECRET_BLOCK"], cp.get("USERNAME", "~"), "~",
            v["device_password"], v["a"], "1739212212", "eu-west-1_Example12",
            v["device_key"], v["device_group_key"]]))

    n_hex = doc["constants"]["N"]
    for i, v in enumerate(picked[:3]):
        exp = v["expected"]
        body = (chunk(v["a"]) + chunk(v["challenge_parameters"]["SRP_B"]) +
                chunk(v["server"]["verifier"]) + chunk(exp["u"]) + chunk(exp["x"]) +
                chunk(v["server"]["b"]))
        for modes in [(0, 0, 0), (3, 1, 1), (4, 7, 2), (9, 5, 0), (8, 6, 21)]:
            write("core_differential", f"user-{i}-modes-{'-'.join(map(str, modes))}",
                  bytes(modes) + body)
        server_side = (chunk(v["a"]) + chunk(exp["A"]) + chunk(v["server"]["verifier"]) +
                       chunk(exp["u"]) + chunk(exp["x"]) + chunk(v["server"]["b"]))
        write("core_differential", f"user-{i}-server", bytes((0, 0, 0)) + server_side)
    write("core_differential", "n-plus-one", bytes((3, 7, 0)) + chunk("01") + chunk("01") +
          chunk(n_hex) + chunk("01") + chunk("01") + chunk("01"))

    stamps = [t["timestamp"] for t in doc["timestamps"]]
    for i, c in enumerate(list(confirms.values())[:3]):
        cfg = c["expected"]["DeviceSecretVerifierConfig"]
        write("parsers", f"confirm-{i}", "\n".join([
            picked[i]["challenge_parameters"]["SRP_B"], cfg["PasswordVerifier"], cfg["Salt"],
            stamps[i % len(stamps)], str(seconds(picked[i]["timestamp_utc"]))]))
    for i, p in enumerate(doc["pad_hex"][:4]):
        write("parsers", f"pad-{i}", "\n".join([
            p["value"], "AQID", "AQ", stamps[(i + 5) % len(stamps)], "-62135596800"]))
    write("parsers", "edges", "\n".join([
        "-" + "0" * 10 + "ABCdef", "gA==", "AA", "thu jan 01 00:00:00 gmt 1970",
        "253402300799"]))


if __name__ == "__main__":
    main()
