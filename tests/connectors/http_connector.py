#!/usr/bin/env python3
"""A scripted connector: ready by HTTP, records the events it receives.

argv: --port PORT --targets FILE. Writes what it was started with to
$SCIMULATE_WORKDIR/started.json, prints its first token (scimulate must mask
it), records events in events.jsonl, and on SIGHUP or POST /reload re-reads
the targets file and posts an alert saying so (the test waits on the alert
sink, not on a clock).
"""
import json, os, signal, sys, urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

args = dict(zip(sys.argv[1::2], sys.argv[2::2]))
port = int(args["--port"])
targets_file = args["--targets"]
workdir = os.environ["SCIMULATE_WORKDIR"]


def token():
    with open(targets_file) as f:
        return json.load(f)["targets"][0]["auth"]["token"]


def reloaded(how):
    body = json.dumps({
        "spec": "scimulate.alert/v1", "connector": os.environ["SCIMULATE_CONNECTOR_NAME"],
        "target": "app-a", "status": "healthy", "class": "authentication",
        "message": f"reloaded by {how}: token ends {token()[-4:]}",
    }).encode()
    req = urllib.request.Request(os.environ["SCIMULATE_ALERT_URL"], data=body,
                                 headers={"Content-Type": "application/json"})
    urllib.request.urlopen(req, timeout=5).read()


with open(os.path.join(workdir, "started.json"), "w") as f:
    json.dump({"argv": sys.argv[1:], "cwd": os.getcwd(),
               "env": {k: v for k, v in os.environ.items() if k.startswith(("SCIMULATE_", "TEST_"))}}, f)
print(f"starting with token={token()}", flush=True)
print(f"stderr also sees {token()}", file=sys.stderr, flush=True)


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def answer(self, status, body=b"{}"):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/healthz":
            self.answer(200, b'{"ok": true}')
        elif self.path == "/audit":
            self.answer(200, json.dumps([{
                "event_id": "evt-1", "target": "app-a", "operation": "leaver",
                "original_at": "2026-11-22T10:00:05.000Z", "executed_at": "2026-11-22T10:00:40.000Z",
                "outcome": "delivered", "replayed": True}]).encode())
        else:
            self.answer(404)

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.path == "/events":
            try:
                event = json.loads(body)
                assert event["spec"] == "scimulate.event/v1"
            except Exception:
                self.answer(400, b'{"error": "malformed event"}')
                return
            if event["id"].startswith("refuse"):
                self.answer(503, f"busy, token={token()}".encode())
                return
            with open(os.path.join(workdir, "events.jsonl"), "a") as f:
                f.write(json.dumps(event) + "\n")
            self.answer(202)
        elif self.path == "/reload":
            self.answer(204, b"")
            reloaded("http")
        else:
            self.answer(404)


signal.signal(signal.SIGHUP, lambda *_: reloaded("sighup"))
signal.signal(signal.SIGTERM, lambda *_: (print("stopping on SIGTERM", flush=True), os._exit(0)))
server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
print(f"listening on {port}", flush=True)
server.serve_forever()
