"""Checks a `scimulate run` whose scenario target is scim2-server (upstream:).

Arguments: the run's folder (where `scimulate run` ran: report.json and
.scimulate/runs/), the app's own SCIM base URL, the run id the scenario's
userNames carry, and the userName of the account the app held before the
run. The app's bearer token is in SCIMULATE_CI_APP_TOKEN. Prints one line per
check; exits 1 at the first that fails.
"""

import glob
import json
import os
import sys
import urllib.parse
import urllib.request

RUN_DIR, APP, RUN, BEFORE = sys.argv[1:5]
TOKEN = os.environ["SCIMULATE_CI_APP_TOKEN"]


def check(ok, what, detail=""):
    if not ok:
        print(f"FAILED: {what} {detail}")
        sys.exit(1)
    print(f"ok: {what}")


def app_users():
    """Every userName the app holds, asked directly (paged)."""
    names, start = [], 1
    while True:
        req = urllib.request.Request(f"{APP}/Users?startIndex={start}&count=100")
        req.add_header("Authorization", f"Bearer {TOKEN}")
        with urllib.request.urlopen(req, timeout=20) as resp:
            doc = json.loads(resp.read())
        page = doc.get("Resources", [])
        names += [u["userName"] for u in page]
        start += len(page)
        if not page or len(names) >= doc["totalResults"]:
            return names


report = json.load(open(os.path.join(RUN_DIR, "report.json")))
scenario = report["scenarios"][0]
checks = [(c["check"], c["passed"]) for c in scenario["checks"]]
check(report["passed"] and not scenario.get("errors"), "the run passed", json.dumps(scenario)[:2000])
check(("state", True) in checks, "the state check passed", checks)
check(any(c == "honors_retry_after" and ok for c, ok in checks), "honors_retry_after passed", checks)

[evidence] = glob.glob(os.path.join(RUN_DIR, ".scimulate/runs/*/evidence.json"))
evidence = json.load(open(evidence))
judged = [u.get("userName") for u in evidence["state"]["app"]["users"]]
check(f"ann-{RUN}@acme.test" in judged, "the judge read ann's account from the app", judged)
check(BEFORE in judged, "the judge read the account the app held before the run too", judged)
front = evidence["requests"]["app"]
check(any(r["method"] == "POST" and r["status"] == 201 for r in front), "the connector's creates are in the front's journal")
check(any(r["status"] == 429 for r in front), "the rate limit answered at the front is in the journal")
check(not any(r.get("query") == "startIndex=1&count=200" for r in front), "the judge's reads never went through the front")
check(TOKEN not in json.dumps(evidence), "the app's token is nowhere in the evidence")

held = app_users()
made = [n for n in held if n != BEFORE and RUN in n]
check(not made, "scim2-server holds no user the run created", made)
check(BEFORE in held, "the account the app held before the run is still there", held)
