#!/usr/bin/env python3
"""Posts alerts in both forms (and one malformed) to $SCIMULATE_ALERT_URL,
then logs the answers it got and stays up until stopped."""
import json, os, signal, urllib.error, urllib.request

url = os.environ["SCIMULATE_ALERT_URL"]


def post(payload):
    req = urllib.request.Request(url, data=json.dumps(payload).encode(),
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


native = post({"spec": "scimulate.alert/v1", "connector": "poster", "target": "app-a",
               "status": "degraded", "class": "authentication",
               "first_failure_at": "2026-11-22T10:00:03.120Z",
               "pending": {"deprovision": 2, "provision": 1, "update": 0},
               "message": "401 invalid_token from app-a"})
manager = post({"version": "4", "status": "firing", "receiver": "scimulate", "groupKey": "{}:{}",
                "alerts": [{"status": "firing",
                            "labels": {"alertname": "ScimTargetDown", "app": "app-b",
                                       "failure_type": "server_error", "severity": "critical"},
                            "annotations": {"pending_deprovision": "1", "pending_provision": "0",
                                            "pending_update": "4", "summary": "503 from app-b"},
                            "startsAt": "2026-11-22T10:00:04.5Z",
                            "endsAt": "0001-01-01T00:00:00Z"}]})
malformed = post({"spec": "scimulate.alert/v1", "target": "app-a", "status": "sad",
                  "class": "authentication"})
print(f"posted: native {native}, alertmanager {manager}, malformed {malformed}", flush=True)
while True:
    signal.pause()
