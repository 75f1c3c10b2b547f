#!/usr/bin/env python3
"""A minimal provisioning connector for scimulate, in Python with the
standard library only. docs/connectors.md walks through it.

It takes lifecycle events on a webhook, keeps what it could not deliver
yet, and delivers it to the SCIM apps named in the targets file:

- an event is accepted at once (202) and an event id seen before changes
  nothing; a malformed event is answered 400;
- each app has its own queue; a person's undelivered events fold into the
  newest one (events carry the person's whole desired state), and the
  queue delivers deprovisioning first, then in original order;
- accounts are found by externalId, then by userName, and written with a
  full PUT, so an app that mangles PATCH cannot lose attributes;
- 429 and 503 are retried after their Retry-After, other failures with a
  backoff; 400, 403, 404 and 409 are not retried (the event is parked);
- a 401 or two failures in a row raise a `degraded` alert of the class the
  failure belongs to, and the first success after that a `healthy` one;
- SIGHUP (`reload: sighup`) re-reads the targets file, and so does a 401;
- GET /audit lists what happened to every event at every app.

Run it with:  scimulate run scenarios/leaver-during-expired-token.yaml \
                --connector docs/examples/minimal-connector.yaml --time-scale 10
"""
import datetime
import email.utils
import json
import os
import signal
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT = int(os.environ["SCIMULATE_PORT"])
TARGETS_FILE = os.environ["SCIMULATE_TARGETS_FILE"]
ALERT_URL = os.environ["SCIMULATE_ALERT_URL"]
NAME = os.environ.get("SCIMULATE_CONNECTOR_NAME", "minimal")
USER_SCHEMAS = ["urn:ietf:params:scim:schemas:core:2.0:User",
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
NOT_RETRYABLE = {400, 403, 404, 409}
CLASSES = {401: "authentication", 403: "authorization", 404: "not_found",
           409: "conflict", 429: "rate_limit"}

lock = threading.Condition()   # guards everything below; notified on news
targets = {}                   # name -> the targets file's entry
queues = {}                    # target -> {person key: item}
health = {}                    # target -> {"status", "class", "since", "failures"}
audit = []                     # one record per event and target
seen = set()                   # accepted event ids
known = {}                     # person key -> the apps of their last event
not_before = {}                # target -> time.monotonic() of the next try
workers = {}                   # target -> its delivery thread
TOKEN_WAIT = 30.0              # after a 401, re-read the targets file this late


def now():
    return datetime.datetime.now(datetime.timezone.utc)


def stamp(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (t.microsecond // 1000)


def load_targets():
    with open(TARGETS_FILE) as f:
        entries = json.load(f)["targets"]
    with lock:
        for t in entries:
            if targets.get(t["name"], {}).get("auth") != t["auth"]:
                not_before[t["name"]] = 0   # a new token: try again now
        targets.clear()
        targets.update({t["name"]: t for t in entries})
        for name in targets:
            queues.setdefault(name, {})
            health.setdefault(name, {"status": "healthy", "failures": 0})
            if name not in workers:
                workers[name] = threading.Thread(target=work, args=(name,), daemon=True)
                workers[name].start()
        lock.notify_all()



class Failure(Exception):
    def __init__(self, status, retry_after=None):
        super().__init__("HTTP %s" % status)
        self.status = status              # 0: no answer at all
        self.retry_after = retry_after    # seconds, or None


def call(target, method, path, body=None):
    """One SCIM request; the answer's JSON, or Failure."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(target["base_url"] + path, data=data, method=method)
    req.add_header("Authorization", "Bearer " + target["auth"]["token"])
    req.add_header("Accept", "application/scim+json")
    if data is not None:
        req.add_header("Content-Type", "application/scim+json")
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            text = r.read()
            return json.loads(text) if text else None
    except urllib.error.HTTPError as e:
        raise Failure(e.code, retry_after(e.headers.get("Retry-After")))
    except OSError:
        raise Failure(0)


def retry_after(value):
    if not value:
        return None
    if value.strip().isdigit():
        return int(value)
    when = email.utils.parsedate_to_datetime(value)
    return max(0.0, (when - now()).total_seconds())


def find(target, person):
    """The id of the person's account: by externalId, then by userName."""
    for attribute in ("externalId", "userName"):
        value = person.get(attribute)
        if value is None:
            continue
        query = urllib.parse.quote('%s eq "%s"' % (attribute, value))
        found = call(target, "GET", "/Users?filter=" + query)
        if found and found.get("Resources"):
            return found["Resources"][0]["id"]
    return None


def kind(event, target):
    """deprovision, provision or update: what the event means for this app."""
    if event["type"] == "leaver" or target not in event["targets"]:
        return "deprovision"
    return {"joiner": "provision", "rehire": "provision"}.get(event["type"], "update")


def deliver(name, event):
    target = targets[name]
    person = event["person"]
    account = find(target, person)
    if kind(event, name) == "deprovision":
        if account is not None:
            call(target, "DELETE", "/Users/" + account)
        return
    user = dict(person, schemas=USER_SCHEMAS)
    if account is None:
        account = call(target, "POST", "/Users", user)["id"]
    else:
        call(target, "PUT", "/Users/" + account, user)
    sync_groups(target, account, event["groups"])


def sync_groups(target, account, wanted):
    """Membership of exactly the `wanted` groups (by displayName)."""
    user = call(target, "GET", "/Users/" + account) or {}
    have = {g.get("display"): g["value"] for g in user.get("groups", [])}
    for group in wanted:
        if group in have:
            continue
        query = urllib.parse.quote('displayName eq "%s"' % group)
        found = call(target, "GET", "/Groups?filter=" + query)
        member = [{"value": account}]
        if found and found.get("Resources"):
            patch = {"schemas": [PATCH_SCHEMA],
                     "Operations": [{"op": "add", "path": "members", "value": member}]}
            call(target, "PATCH", "/Groups/" + found["Resources"][0]["id"], patch)
        else:
            call(target, "POST", "/Groups",
                 {"schemas": [GROUP_SCHEMA], "displayName": group, "members": member})
    for group, group_id in have.items():
        if group not in wanted:
            patch = {"schemas": [PATCH_SCHEMA], "Operations": [
                {"op": "remove", "path": 'members[value eq "%s"]' % account}]}
            call(target, "PATCH", "/Groups/" + group_id, patch)


def alert(name, status, state):
    pending = {"deprovision": 0, "provision": 0, "update": 0}
    for item in queues[name].values():
        for e in item["events"]:
            pending[kind(e, name)] += 1
    body = {"spec": "scimulate.alert/v1", "connector": NAME, "target": name,
            "status": status, "class": state["class"],
            "first_failure_at": stamp(state["since"]), "pending": pending}
    req = urllib.request.Request(ALERT_URL, data=json.dumps(body).encode(), method="POST")
    req.add_header("Content-Type", "application/json")
    try:
        urllib.request.urlopen(req, timeout=5).close()
    except OSError as e:
        print("alert to scimulate failed: %s" % e, flush=True)


def next_item(name):
    """Deprovisioning first, then in the original order."""
    items = queues[name].values()
    if not items:
        return None
    rank = lambda i: (kind(i["event"], name) != "deprovision", i["first"])
    return min(items, key=rank)


def work(name):
    backoff = 0.2
    while True:
        with lock:
            while True:
                item = next_item(name)
                delay = not_before.get(name, 0) - time.monotonic()
                if item is not None and delay <= 0:
                    break
                lock.wait(timeout=delay if item is not None else None)
        try:
            deliver(name, item["event"])
        except Failure as f:
            with lock:
                state = health[name]
                state["failures"] += 1
                for waiting in queues[name].values():
                    waiting["replay"] = True
                if state["failures"] == 1:
                    state["since"], state["class"] = now(), classify(f.status)
                if state["status"] == "healthy" and (f.status == 401 or state["failures"] >= 2):
                    state["status"] = "degraded"
                    alert(name, "degraded", state)
                if f.status in NOT_RETRYABLE:
                    done(name, item, "parked")
                    continue
                if f.status == 401:
                    # Sending the same token again is pointless: wait for a
                    # new one (SIGHUP), or re-read the file after a while.
                    wait = TOKEN_WAIT
                elif f.retry_after is not None:
                    wait = f.retry_after
                else:
                    wait, backoff = backoff, min(backoff * 2, 2.0)
                not_before[name] = time.monotonic() + wait
            if f.status == 401:
                load_targets()
            continue
        with lock:
            backoff = 0.2
            done(name, item, "delivered", item.get("replay", False))
            if health[name]["status"] != "healthy":
                alert(name, "healthy", health[name])
            health[name] = {"status": "healthy", "failures": 0}


def classify(status):
    if status == 0:
        return "connectivity"
    if status >= 500:
        return "server_error"
    return CLASSES.get(status, "schema_mismatch")


def done(name, item, outcome, replayed=False):
    """Called with the lock held: the item leaves the queue, audited."""
    queue = queues[name]
    if queue.get(item["key"]) is item:
        del queue[item["key"]]
    executed = stamp(now()) if outcome == "delivered" else None
    for e in item["events"]:
        audit.append({"event_id": e["id"], "target": name, "operation": e["type"],
                      "original_at": e["occurred_at"], "executed_at": executed,
                      "outcome": outcome if e is item["event"] else "superseded",
                      "replayed": replayed})


def accept(event):
    """Queues the event for every app it names or drops; with the lock held."""
    person = event.get("person") or {}
    key = person.get("externalId") or person.get("userName")
    if event["type"] == "reconcile" or key is None:
        return
    for name in set(event["targets"]) | set(known.get(key, [])):
        if name not in queues:
            continue
        old = queues[name].get(key)
        queues[name][key] = {
            "key": key, "event": event,
            "events": (old["events"] if old else []) + [event],
            "first": old["first"] if old else (event["occurred_at"], event["id"]),
            "replay": health[name]["failures"] > 0 or bool(old and old.get("replay")),
        }
    known[key] = event["targets"]
    lock.notify_all()



class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, status, body=None):
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/healthz":
            self.answer(200, {"status": "ok"})
        elif self.path == "/audit":
            with lock:
                self.answer(200, list(audit))
        else:
            self.answer(404)

    def do_POST(self):
        if self.path != "/events":
            return self.answer(404)
        try:
            event = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            event["id"], event["type"], event["targets"], event["occurred_at"]
        except (ValueError, KeyError, TypeError):
            return self.answer(400, {"error": "expected a scimulate.event/v1 object"})
        with lock:
            if event["id"] not in seen:
                seen.add(event["id"])
                accept(event)
        self.answer(202)


signal.signal(signal.SIGHUP, lambda *_: threading.Thread(target=load_targets).start())
load_targets()
server = ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
print("minimal connector listening on 127.0.0.1:%d" % PORT, flush=True)
server.serve_forever()
