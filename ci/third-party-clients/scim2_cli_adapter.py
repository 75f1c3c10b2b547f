#!/usr/bin/env python3
"""Exec adapter for `scim2` (scim2-cli from PyPI), exec delivery (docs/connectors.md).

One process per event: the event JSON on stdin, the targets file named by
SCIMULATE_TARGETS_FILE. For every app of the event it runs the `scim2`
command as a person would at a shell:

  find:    scim2 query user --filter 'userName eq "..."'
  joiner:  scim2 create user            (the person as JSON on stdin)
  others:  scim2 modify user ID         (a PatchOp on stdin: the attributes
                                         that differ from what the app holds,
                                         `active: false` for a leaver)
  groups:  scim2 query/create group, scim2 modify group GID (add/remove member)

Exit 0 when every command succeeded, 1 otherwise (the event is then not
accepted). On purpose the adapter adds nothing scim2-cli lacks: no queue,
no retry, no Retry-After, no alert, no timeout of its own (scim2-cli's HTTP
client, httpx2, has a default 5 s timeout), no reconcile. The only lookup is
the one a user needs to get an id: by userName.
The bearer token goes through SCIM_CLI_HEADERS, never the command line.
"""
import json
import os
import subprocess
import sys

ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
USER = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
# The User attributes events carry (docs/connectors.md): one the app holds but the
# event omits is removed.
MANAGED = ["externalId", "userName", "name", "displayName", "emails", "title", "active", ENTERPRISE]


class Failed(Exception):
    pass


def scim2(target, *args, payload=None):
    """Runs one scim2 command; its JSON output, or Failed with its stderr."""
    env = dict(os.environ, SCIM_CLI_HEADERS="Authorization: Bearer " + target["auth"]["token"])
    p = subprocess.run(
        ["scim2", "--url", target["base_url"], *args, "--no-indent"],
        input=json.dumps(payload) if payload is not None else "",
        capture_output=True, text=True, env=env,
    )
    if p.returncode != 0:
        last = (p.stderr.strip().splitlines() or ["(no output)"])[-1]
        raise Failed("scim2 %s: exit %d: %s" % (" ".join(args[:2]), p.returncode, last))
    return json.loads(p.stdout) if p.stdout.strip() else None


def find(target, kind, attribute, value):
    answer = scim2(target, "query", kind, "--filter", '%s eq "%s"' % (attribute, value))
    found = (answer or {}).get("Resources") or []
    return found[0] if found else None


def user_patch(current, person):
    """The PatchOp that turns `current` into `person`, or None if equal."""
    changed = {k: person[k] for k in MANAGED if k in person and current.get(k) != person[k]}
    ops = [{"op": "replace", "value": changed}] if changed else []
    ops += [{"op": "remove", "path": k} for k in MANAGED if k in current and k not in person]
    return {"schemas": [PATCH], "Operations": ops} if ops else None


def sync_groups(target, user_id, wanted):
    member_of = scim2(target, "query", "group", "--filter", 'members[value eq "%s"]' % user_id)
    have = {g["displayName"]: g["id"] for g in (member_of or {}).get("Resources") or []}
    for name in wanted:
        if name in have:
            continue
        group = find(target, "group", "displayName", name) or scim2(
            target, "create", "group", payload={"schemas": [GROUP], "displayName": name})
        scim2(target, "modify", "group", group["id"], payload={"schemas": [PATCH], "Operations": [
            {"op": "add", "path": "members", "value": [{"value": user_id}]}]})
    for name, gid in have.items():
        if name not in wanted:
            scim2(target, "modify", "group", gid, payload={"schemas": [PATCH], "Operations": [
                {"op": "remove", "path": 'members[value eq "%s"]' % user_id}]})


def apply(target, event):
    person = event["person"]
    current = find(target, "user", "userName", person["userName"])
    if current is None:
        if not person.get("active", True):
            return  # nothing to deprovision
        body = dict(person, schemas=[USER] + ([ENTERPRISE] if ENTERPRISE in person else []))
        current = scim2(target, "create", "user", payload=body)
    else:
        patch = user_patch(current, person)
        if patch is not None:
            scim2(target, "modify", "user", current["id"], payload=patch)
    sync_groups(target, current["id"], event.get("groups") or [])


def main():
    event = json.load(sys.stdin)
    if event.get("person") is None:
        print("scim2-cli has no reconcile: %s ignored" % event["id"], file=sys.stderr)
        return 1
    with open(os.environ["SCIMULATE_TARGETS_FILE"]) as f:
        targets = {t["name"]: t for t in json.load(f)["targets"]}
    failed = False
    for name in event["targets"]:
        try:
            apply(targets[name], event)
        except Failed as e:
            print("%s %s: %s" % (event["id"], name, e), file=sys.stderr)
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
