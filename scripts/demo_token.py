#!/usr/bin/env python3
"""A bearer token for a demo (or load) account, as an API client gets one: the e-mail, the password and, for an account
that signs in with a second factor, the code of the published demo authenticator key (README), computed here with
the standard library (RFC 6238: HMAC-SHA-1, 30 s, 6 digits).

    python3 scripts/demo_token.py http://127.0.0.1:8080 admin@permanence.test [password]
"""
import base64
import hashlib
import hmac
import json
import struct
import sys
import time
import urllib.request

DEMO_KEY = "PERMANENCEDEMOKEYFORTOTPCODES234"
_used = {}


def totp(key=DEMO_KEY, step=None):
    step = int(time.time()) // 30 if step is None else step
    mac = hmac.new(base64.b32decode(key), struct.pack(">Q", step), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    return "%06d" % ((struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000)


def code(email):
    """A code opens once: a second sign-in of the same account takes the next step's code (accepted one step ahead)."""
    step = max(int(time.time()) // 30, _used.get(email, -1) + 1)
    while step > int(time.time()) // 30 + 1:
        time.sleep(0.5)
    _used[email] = step
    return totp(step=step)


def token(base, email, password="permanence-demo", label="script"):
    body = {"email": email, "password": password, "code": code(email), "label": label}
    request = urllib.request.Request(base + "/api/v1/auth/token", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    return json.load(urllib.request.urlopen(request))["token"]


if __name__ == "__main__":
    print(token(sys.argv[1], sys.argv[2], *(sys.argv[3:4] or [])))
