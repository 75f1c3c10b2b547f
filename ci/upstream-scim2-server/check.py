"""Checks `scimulate serve --upstream app=URL` in front of scim2-server.

Arguments: the endpoints file of the fronting serve, the app's own SCIM base
URL. The app's bearer token is in SCIMULATE_CI_APP_TOKEN. Every request goes
through the fronting target with the app's own token, and the app is asked
directly what it holds. Prints one line per check; exits 1 at the first that
fails. Deletes every account it created, and checks that none is left.
"""

import json
import os
import secrets
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

ENDPOINTS = json.load(open(sys.argv[1]))
APP = sys.argv[2]
TOKEN = os.environ["SCIMULATE_CI_APP_TOKEN"]
TARGET = ENDPOINTS["targets"]["app"]
FRONT = TARGET["base_url"]
ADMIN = ENDPOINTS["admin"]["url"]
ADMIN_TOKEN = ENDPOINTS["admin"]["token"]
USER = "urn:ietf:params:scim:schemas:core:2.0:User"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
RUN = secrets.token_hex(4)
CREATED = {}  # userName -> id, for the cleanup


def call(method, url, body=None, token=TOKEN):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        req.add_header("Content-Type", "application/scim+json")
    try:
        with urllib.request.urlopen(req, timeout=20) as resp:
            status, headers, raw = resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as e:
        status, headers, raw = e.code, e.headers, e.read()
    try:
        doc = json.loads(raw) if raw else None
    except ValueError:
        doc = raw.decode(errors="replace")
    return status, headers, doc


def admin(method, path, body=None):
    return call(method, ADMIN + path, body, token=ADMIN_TOKEN)


def check(ok, what, detail=""):
    if not ok:
        print(f"FAILED: {what} {detail}")
        sys.exit(1)
    print(f"ok: {what}")


def name(who):
    return f"scimulate-ci-{RUN}-{who}"


def in_app(user_name):
    """How many accounts of that userName the app holds (asked directly)."""
    f = urllib.parse.quote(f'userName eq "{user_name}"')
    status, _, doc = call("GET", f"{APP}/Users?filter={f}")
    assert status == 200, (status, doc)
    return doc["totalResults"]


def journal():
    status, _, doc = admin("GET", "/targets/app/journal")
    assert status == 200, (status, doc)
    return doc["entries"]


def fault(spec):
    status, _, doc = admin("POST", "/targets/app/faults", spec)
    check(status == 201, f"fault {spec['kind']} switched on", doc)


def clear():
    status, _, _ = admin("DELETE", "/targets/app/faults")
    assert status == 204, status


def create(who):
    status, _, doc = call("POST", f"{FRONT}/Users", {"schemas": [USER], "userName": name(who)})
    if status == 201:
        CREATED[name(who)] = doc["id"]
    return status, doc


def main():
    check(TARGET["auth"] == {"type": "upstream"}, "the endpoints file says the app's own credentials")
    check(TARGET["upstream"] == APP, "the endpoints file names the app", TARGET.get("upstream"))

    # Faults off: through and back as the app answered.
    status, ann = create("ann")
    check(status == 201, "a POST through the front reaches the app (201)", ann)
    check(in_app(name("ann")) == 1, "the app holds the account")
    _, _, direct = call("GET", f"{APP}/Users/{ann['id']}")
    _, _, through = call("GET", f"{FRONT}/Users/{ann['id']}")
    check(through == direct, "a GET through the front answers what the app answers")

    entries = journal()
    post = next((e for e in entries if e["method"] == "POST"), {})
    check(post.get("status") == 201 and post.get("operation") == "provision", "the POST is journaled as a provision")
    check(post["headers"].get("authorization") == "Bearer ***", "its Authorization is masked")
    check(TOKEN not in json.dumps(entries), "the token is nowhere in the journal")

    # rate_limit: answered at the front, the app never sees the request.
    fault({"kind": "rate_limit", "retry_after": "5s"})
    status, headers, _ = call("POST", f"{FRONT}/Users", {"schemas": [USER], "userName": name("bob")})
    check(status == 429 and headers.get("Retry-After") == "5", "rate_limit answers 429 with Retry-After: 5", status)
    check(in_app(name("bob")) == 0, "the app never saw the rate-limited POST")
    check(journal()[-1]["fault"] == "rate_limit", "the journal names rate_limit")
    clear()
    status, _ = create("bob")
    check(status == 201 and in_app(name("bob")) == 1, "cleared: the POST is forwarded again")

    # server_error: the app's account is not touched.
    fault({"kind": "server_error"})
    status, _, _ = call(
        "PATCH",
        f"{FRONT}/Users/{ann['id']}",
        {"schemas": [PATCH_OP], "Operations": [{"op": "replace", "path": "title", "value": "X"}]},
    )
    _, _, still = call("GET", f"{APP}/Users/{ann['id']}")
    check(status == 500 and "title" not in still, "server_error answers 500 and the app is unchanged", status)
    clear()

    # latency: the request waits, then reaches the app.
    fault({"kind": "latency", "delay": "300ms"})
    started = time.monotonic()
    status, _, _ = call("GET", f"{FRONT}/Users/{ann['id']}")
    waited = time.monotonic() - started
    check(status == 200 and waited >= 0.3, f"latency delays the answer ({waited:.2f}s)")
    clear()

    # stale_reads: a read right after a write sees the account as before it.
    fault({"kind": "stale_reads", "delay": "10m"})
    status, _, patched = call(
        "PATCH",
        f"{FRONT}/Users/{ann['id']}",
        {"schemas": [PATCH_OP], "Operations": [{"op": "replace", "path": "title", "value": "Boss"}]},
    )
    _, _, direct = call("GET", f"{APP}/Users/{ann['id']}")
    check(status in (200, 204) and direct.get("title") == "Boss", "under stale_reads the PATCH reaches the app", (status, patched, direct))
    _, _, seen = call("GET", f"{FRONT}/Users/{ann['id']}")
    check("title" not in seen, "stale_reads: a GET through the front sees the account as before the PATCH", seen)
    clear()
    _, _, seen = call("GET", f"{FRONT}/Users/{ann['id']}")
    check(seen.get("title") == "Boss", "cleared: a GET through the front sees the PATCH")

    # conflict: the named user's POST never reaches the app.
    fault({"kind": "conflict", "users": [name("cat")]})
    status, doc = create("cat")
    check(status == 409 and doc.get("scimType") == "uniqueness", "conflict answers 409 uniqueness", doc)
    check(in_app(name("cat")) == 0, "the app never saw the conflicting POST")
    clear()

    # A store fault is refused.
    status, _, doc = admin("POST", "/targets/app/faults", {"kind": "soft_delete"})
    check(status == 400 and "fronts a real app" in doc["error"], "soft_delete is refused with 400", doc)

    # Nothing left behind.
    for user_name, id_ in CREATED.items():
        status, _, _ = call("DELETE", f"{FRONT}/Users/{id_}")
        check(status == 204, f"deleted {user_name} through the front")
    for user_name in [name(w) for w in ("ann", "bob", "cat")]:
        check(in_app(user_name) == 0, f"the app holds no {user_name}")


main()
