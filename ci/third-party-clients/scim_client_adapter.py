#!/usr/bin/env python3
"""Exec adapter for `scim-client` from PyPI (module scim_client), docs/connectors.md
exec delivery.

One process per event: the event JSON on stdin, the targets file named by
SCIMULATE_TARGETS_FILE. For every app of the event it uses the library's
whole write API as its README shows it:

  find:    SCIMClient.search_users('userName eq "..."')
  joiner:  SCIMClient.create_user(User(...))       POST
  others:  SCIMClient.update_user(User(...))       PUT of the whole person
           (a leaver is the person with active: false)

Exit 0 when every call succeeded, 1 otherwise (the event is then not
accepted). On purpose the adapter adds nothing scim_client lacks: no
queue, no retry beyond the library's own (3 attempts on 5xx and 429,
sleeping 1 s then 2 s then 3 s), no alert, no timeout (the library takes
`timeout=` but never hands it to urlopen), no reconcile, no groups (the
library has no Group API). The only lookup is the one a user needs to get
an id: by userName.
"""
import json
import os
import sys
import urllib.error

from scim_client import SCIMClient, User
from scim_client.defaults import Sentinel

ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"


class Person(User):
    """User plus `title`: the library's documented way to carry more
    attributes is a User subclass (SCIMClient.Meta.UserCls); its User keeps
    unknown attributes in `extra_fields`, which `to_dict` never sends."""

    def __init__(self, *, title=Sentinel, **kwargs):
        super().__init__(**kwargs)
        self.title = title


def to_user(person, user_id):
    """The event's person as the library's model (snake_case keywords)."""
    name = person.get("name") or {}
    enterprise = person.get(ENTERPRISE)
    kwargs = dict(
        id=user_id if user_id is not None else Sentinel,
        external_id=person.get("externalId", Sentinel),
        user_name=person["userName"],
        active=person.get("active", True),
        name={"given_name": name.get("givenName", Sentinel),
              "family_name": name.get("familyName", Sentinel)},
        display_name=person.get("displayName", Sentinel),
        emails=person.get("emails", []),
        title=person.get("title", Sentinel),
    )
    if enterprise is not None:
        kwargs["schemas"] = [User.CORE_SCHEMA, ENTERPRISE]
        kwargs["enterprise_user"] = enterprise
    return Person(**kwargs)


def apply(client, person):
    found = client.search_users('userName eq "%s"' % person["userName"]).resources
    if not found:
        if person.get("active", True):
            client.create_user(to_user(person, None))
        return
    client.update_user(to_user(person, found[0].id))


def main():
    event = json.load(sys.stdin)
    if event.get("person") is None:
        print("scim_client has no reconcile: %s ignored" % event["id"], file=sys.stderr)
        return 1
    with open(os.environ["SCIMULATE_TARGETS_FILE"]) as f:
        targets = {t["name"]: t for t in json.load(f)["targets"]}
    failed = False
    for name in event["targets"]:
        t = targets[name]
        client = SCIMClient(base_url=t["base_url"], token=t["auth"]["token"])
        try:
            apply(client, event["person"])
        except (urllib.error.URLError, OSError, ValueError, KeyError, TypeError) as e:
            print("%s %s: %s: %s" % (event["id"], name, type(e).__name__, e), file=sys.stderr)
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
