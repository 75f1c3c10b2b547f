#!/usr/bin/env python3
"""A naive but real SCIM connector for the runner's tests: it provisions,
updates and deactivates as events arrive, with no queue, no retry and no
alerts. It passes a calm scenario and fails a faulty one for the right
reasons. Switches that add one defect each:
NAIVE_CRASH_AFTER=N  exit after the N-th event;
NAIVE_RETRY=N        retry a failed call N times, ignoring Retry-After,
NAIVE_RETRY_DELAY_MS=D   D ms apart (default 0: at once).
It correlates by userName only, so a renamed person gets a second account;
NAIVE_EXTERNAL_ID=1 fixes that by looking up externalId first.
NAIVE_KEEP_TARGETS=PATH copies the targets file it was given to PATH at
start (a test's way to learn the tokens a run handed out)."""
import json, os, sys, time, urllib.error, urllib.parse, urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT = int(os.environ["SCIMULATE_PORT"])
TARGETS_FILE = os.environ["SCIMULATE_TARGETS_FILE"]
CRASH_AFTER = int(os.environ.get("NAIVE_CRASH_AFTER", "0"))
RETRIES = int(os.environ.get("NAIVE_RETRY", "0"))
RETRY_DELAY = int(os.environ.get("NAIVE_RETRY_DELAY_MS", "0")) / 1000.0
BY_EXTERNAL_ID = os.environ.get("NAIVE_EXTERNAL_ID") == "1"
seen = set()
if os.environ.get("NAIVE_KEEP_TARGETS"):
    with open(TARGETS_FILE) as src, open(os.environ["NAIVE_KEEP_TARGETS"], "w") as dst:
        dst.write(src.read())


def targets():
    with open(TARGETS_FILE) as f:
        return {t["name"]: t for t in json.load(f)["targets"]}


def call(target, method, path, body=None):
    status, answer = once(target, method, path, body)
    for _ in range(RETRIES):
        if status != 0 and status < 400:
            break
        time.sleep(RETRY_DELAY)
        status, answer = once(target, method, path, body)
    return status, answer


def once(target, method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(target["base_url"] + path, data=data, method=method)
    req.add_header("Authorization", "Bearer " + target["auth"]["token"])
    if data is not None:
        req.add_header("Content-Type", "application/scim+json")
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            text = r.read()
            return r.status, json.loads(text) if text else None
    except urllib.error.HTTPError as e:
        return e.code, None
    except OSError:
        return 0, None


def find(target, person):
    lookups = [("userName", person["userName"])]
    if BY_EXTERNAL_ID:
        lookups.insert(0, ("externalId", person["externalId"]))
    for attribute, value in lookups:
        q = urllib.parse.quote('%s eq "%s"' % (attribute, value))
        status, body = call(target, "GET", "/Users?filter=" + q)
        if status == 200 and body and body.get("Resources"):
            return body["Resources"][0]["id"]
    return None


def apply(event):
    person = event["person"]
    user = dict(person)
    user["schemas"] = ["urn:ietf:params:scim:schemas:core:2.0:User",
                       "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]
    all_targets = targets()
    for name in event["targets"]:
        t = all_targets.get(name)
        if t is None:
            continue
        # Careless on purpose: the harness must mask what connectors log.
        print("calling %s with token %s" % (name, t["auth"]["token"]), flush=True)
        account = find(t, person)
        if account is None and person.get("active", True):
            call(t, "POST", "/Users", user)
        elif account is not None:
            call(t, "PUT", "/Users/" + account, user)


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        self.send_response(200 if self.path == "/healthz" else 404)
        self.end_headers()

    def do_POST(self):
        event = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if event["id"] not in seen:
            seen.add(event["id"])
            if event["type"] != "reconcile":
                apply(event)
        self.send_response(202)
        self.end_headers()
        if CRASH_AFTER and len(seen) >= CRASH_AFTER:
            print("naive connector: giving up after %d events" % len(seen), flush=True)
            os._exit(7)


print("naive connector listening on %d" % PORT, flush=True)
ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
