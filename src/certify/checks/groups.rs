//! Groups and membership (RFC 7643 §4.2, RFC 7644 §3.3–§3.6, §3.5.2 for
//! member PATCHes). Members are always users this run created.

use crate::certify::catalogue::{Check, Fail, Verdict};
use crate::certify::checks::patch::judge_patch;
use crate::certify::compare::diff;
use crate::certify::ctx::{Ctx, GROUP_URN, brief, failed, id_of, skipped};
use crate::{certify_check as check, ensure};
use serde_json::{Value, json};

const G: &str = "groups";

pub fn checks() -> Vec<Check> {
    vec![
        check!(
            "GROUP-001",
            G,
            "RFC 7644 §3.3",
            Must,
            Rfc,
            Groups,
            "",
            create_201,
            "POST /Groups answers 201 with displayName and an id"
        ),
        check!(
            "GROUP-002",
            G,
            "RFC 7644 §3.4.1",
            Must,
            Rfc,
            Groups,
            "",
            read_back,
            "GET /Groups/{id} returns the group as created"
        ),
        check!(
            "GROUP-003",
            G,
            "RFC 7643 §4.2",
            Must,
            Rfc,
            Groups,
            "",
            members_stored,
            "members given at creation are stored"
        ),
        check!(
            "GROUP-004",
            G,
            "RFC 7643 §4.1.2",
            // A capability probe: §4.1.2 describes User.groups (readOnly,
            // optional like every User attribute but userName) and puts no
            // MUST or SHOULD on a server to fill it in.
            May,
            Rfc,
            Groups,
            "",
            user_groups_reflect,
            "a member's groups attribute lists the group"
        ),
        check!(
            "GROUP-005",
            G,
            "RFC 7644 §3.5.1",
            Must,
            Rfc,
            Groups,
            "",
            put_replaces,
            "PUT replaces displayName and members"
        ),
        check!(
            "GROUP-006",
            G,
            "RFC 7644 §3.6",
            Must,
            Rfc,
            Groups,
            "",
            delete_then_404,
            "DELETE answers 204, then GET answers 404"
        ),
        check!(
            "GROUP-007",
            G,
            "RFC 7644 §3.6",
            Must,
            Rfc,
            Groups,
            "",
            delete_keeps_users,
            "deleting a group leaves its member users in place"
        ),
        check!(
            "GROUP-008",
            G,
            "RFC 7644 §3.4.2",
            Must,
            Rfc,
            Groups,
            "",
            filter_display_name,
            "filter displayName eq finds the group"
        ),
        check!(
            "GROUP-009",
            G,
            "RFC 7643 §3.1",
            Should,
            Rfc,
            Groups,
            "",
            meta_group,
            "a group's meta.resourceType is Group"
        ),
        check!(
            "GROUP-010",
            G,
            "RFC 7644 §3.4.2",
            Should,
            Rfc,
            Groups,
            "",
            filter_member,
            "filter members[value eq \"id\"] finds the group of a member"
        ),
        check!(
            "GROUP-011",
            G,
            "RFC 7644 §3.6",
            May,
            Rfc,
            Groups,
            "",
            deleted_user_leaves_group,
            "deleting a user removes it from its groups' members"
        ),
        check!(
            "GROUP-012",
            G,
            "RFC 7644 §3.4.2",
            Must,
            Rfc,
            Groups,
            "",
            deleted_absent,
            "a deleted group is absent from query results"
        ),
    ]
}

pub fn patch_checks() -> Vec<Check> {
    const P: &str = "patch";
    vec![
        check!(
            "PATCH-050",
            P,
            "RFC 7644 §3.5.2.1",
            Must,
            Rfc,
            Patch,
            "g-add-member",
            group_case,
            "add members appends a member"
        ),
        check!(
            "PATCH-051",
            P,
            "RFC 7644 §3.5.2.2",
            Must,
            Rfc,
            Patch,
            "g-remove-filter",
            group_case,
            "remove members[value eq \"id\"] removes that member only"
        ),
        check!(
            "PATCH-052",
            P,
            "RFC 7644 §3.5.2.2",
            Must,
            Rfc,
            Patch,
            "g-remove-all",
            group_case,
            "remove members without filter removes every member"
        ),
        check!(
            "PATCH-053",
            P,
            "RFC 7644 §3.5.2.3",
            Must,
            Rfc,
            Patch,
            "g-replace-members",
            group_case,
            "replace members replaces the roster"
        ),
        check!(
            "PATCH-054",
            P,
            "RFC 7644 §3.5.2.1",
            Should,
            Rfc,
            Patch,
            "g-add-existing",
            group_case,
            "adding an existing member changes nothing (idempotent)"
        ),
        // The RFC says so only in an example ("should"); Okta and Entra resend
        // removals, so for them it is an interop need.
        check!(
            "PATCH-055",
            P,
            "RFC 7644 §3.5.2.2",
            Interop,
            Idp,
            Patch,
            "g-remove-nonmember",
            group_case,
            "removing a non-member succeeds and changes nothing"
        ),
        check!(
            "PATCH-056",
            P,
            "RFC 7644 §3.5.2.3",
            Must,
            Rfc,
            Patch,
            "g-rename",
            group_case,
            "replace displayName renames and keeps members"
        ),
        check!(
            "PATCH-057",
            P,
            "RFC 7644 §3.5.2.1",
            Must,
            Rfc,
            Patch,
            "g-add-many",
            group_case,
            "add of several members in one op adds them all"
        ),
        check!(
            "PATCH-058",
            P,
            "RFC 7644 §3.5.2",
            Must,
            Rfc,
            Patch,
            "g-add-remove",
            group_case,
            "add then remove in one request: both applied in order"
        ),
    ]
}

async fn users(c: &Ctx, n: usize) -> Result<Vec<String>, Fail> {
    let mut ids = Vec::new();
    for _ in 0..n {
        ids.push(id_of(&c.new_user(json!({})).await?).to_owned());
    }
    Ok(ids)
}

fn member_ids(g: &Value) -> Vec<String> {
    let mut v: Vec<String> = g["members"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| m["value"].as_str().map(str::to_owned))
        .collect();
    v.sort();
    v
}

async fn create_201(c: &Ctx, _: &'static str) -> Verdict {
    let name = c.name("g");
    let r = c
        .post(
            "Groups",
            &json!({"schemas": [GROUP_URN], "displayName": name}),
        )
        .await?;
    ensure!(r.status == 201, "answered {}: {}", r.status, brief(&r.body));
    ensure!(!id_of(&r.body).is_empty(), "no id");
    ensure!(
        r.body["displayName"] == json!(name),
        "displayName is {}",
        brief(&r.body["displayName"])
    );
    Ok("201".into())
}

async fn read_back(c: &Ctx, _: &'static str) -> Verdict {
    let g = c.new_group(&[]).await?;
    let got = c.read_ok("Groups", id_of(&g)).await?;
    if let Some(d) = diff(&g, &got) {
        return Err(failed(format!("GET differs from the create answer: {d}")));
    }
    Ok("same".into())
}

async fn members_stored(c: &Ctx, _: &'static str) -> Verdict {
    let u = users(c, 2).await?;
    let g = c.new_group(&[&u[0], &u[1]]).await?;
    let got = c.read_ok("Groups", id_of(&g)).await?;
    let mut want = u.clone();
    want.sort();
    ensure!(
        member_ids(&got) == want,
        "members are {:?}, expected {want:?}",
        member_ids(&got)
    );
    Ok("2 members".into())
}

async fn user_groups_reflect(c: &Ctx, _: &'static str) -> Verdict {
    let u = users(c, 1).await?;
    let g = c.new_group(&[&u[0]]).await?;
    let got = c.read_ok("Users", &u[0]).await?;
    let listed = got["groups"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|x| x["value"].as_str() == Some(id_of(&g)));
    ensure!(listed, "the user's groups are {}", brief(&got["groups"]));
    Ok("listed".into())
}

async fn put_replaces(c: &Ctx, _: &'static str) -> Verdict {
    let u = users(c, 2).await?;
    let g = c.new_group(&[&u[0]]).await?;
    let name = c.name("g-renamed");
    let r = c
        .put(
            "Groups",
            id_of(&g),
            &json!({"schemas": [GROUP_URN], "displayName": name, "members": [{"value": u[1]}]}),
        )
        .await?;
    ensure!(r.status == 200, "PUT answered {}", r.status);
    let got = c.read_ok("Groups", id_of(&g)).await?;
    ensure!(
        got["displayName"] == json!(name),
        "displayName is {}",
        brief(&got["displayName"])
    );
    ensure!(
        member_ids(&got) == vec![u[1].clone()],
        "members are {:?}",
        member_ids(&got)
    );
    Ok("replaced".into())
}

async fn delete_then_404(c: &Ctx, _: &'static str) -> Verdict {
    let g = c.new_group(&[]).await?;
    let r = c.delete("Groups", id_of(&g)).await?;
    ensure!(r.status == 204, "DELETE answered {}", r.status);
    let g2 = c.read("Groups", id_of(&g)).await?;
    ensure!(g2.status == 404, "GET after DELETE answered {}", g2.status);
    Ok("204 then 404".into())
}

async fn delete_keeps_users(c: &Ctx, _: &'static str) -> Verdict {
    let u = users(c, 1).await?;
    let g = c.new_group(&[&u[0]]).await?;
    let r = c.delete("Groups", id_of(&g)).await?;
    ensure!(r.is_success(), "DELETE answered {}", r.status);
    c.read_ok("Users", &u[0]).await?;
    Ok("member still there".into())
}

async fn filter_display_name(c: &Ctx, _: &'static str) -> Verdict {
    let g = c.new_group(&[]).await?;
    let l = c
        .list(
            "Groups",
            &format!(
                "displayName eq {}",
                Ctx::quoted(g["displayName"].as_str().unwrap_or(""))
            ),
        )
        .await?;
    ensure!(
        Ctx::ids(&l) == vec![id_of(&g).to_owned()],
        "found {:?}",
        Ctx::ids(&l)
    );
    Ok("found".into())
}

async fn meta_group(c: &Ctx, _: &'static str) -> Verdict {
    let g = c.new_group(&[]).await?;
    ensure!(
        g["meta"]["resourceType"] == json!("Group"),
        "meta.resourceType is {}",
        brief(&g["meta"]["resourceType"])
    );
    Ok("Group".into())
}

async fn filter_member(c: &Ctx, _: &'static str) -> Verdict {
    let u = users(c, 1).await?;
    let g = c.new_group(&[&u[0]]).await?;
    let l = c
        .list(
            "Groups",
            &format!("members[value eq {}]", Ctx::quoted(&u[0])),
        )
        .await?;
    ensure!(
        Ctx::ids(&l).iter().any(|i| i == id_of(&g)),
        "the group is not found by member"
    );
    Ok("found".into())
}

async fn deleted_user_leaves_group(c: &Ctx, _: &'static str) -> Verdict {
    let u = users(c, 2).await?;
    let g = c.new_group(&[&u[0], &u[1]]).await?;
    let r = c.delete("Users", &u[0]).await?;
    ensure!(r.is_success(), "DELETE answered {}", r.status);
    let got = c.read_ok("Groups", id_of(&g)).await?;
    ensure!(
        member_ids(&got) == vec![u[1].clone()],
        "members are {:?}",
        member_ids(&got)
    );
    Ok("removed".into())
}

async fn deleted_absent(c: &Ctx, _: &'static str) -> Verdict {
    let g = c.new_group(&[]).await?;
    let r = c.delete("Groups", id_of(&g)).await?;
    if !r.is_success() {
        return Err(skipped(format!("DELETE answered {}", r.status)));
    }
    let l = c
        .list(
            "Groups",
            &format!(
                "displayName eq {}",
                Ctx::quoted(g["displayName"].as_str().unwrap_or(""))
            ),
        )
        .await?;
    ensure!(Ctx::ids(&l).is_empty(), "still listed");
    Ok("absent".into())
}

async fn group_case(c: &Ctx, case: &'static str) -> Verdict {
    if !c.found.groups {
        return Err(skipped("the server serves no Groups"));
    }
    let u = users(c, 4).await?;
    let g = c.new_group(&[&u[0], &u[1]]).await?;
    let before = c.read_ok("Groups", id_of(&g)).await?;
    let m = |i: usize| json!({"value": u[i]});
    let eq = |i: usize| format!("members[value eq {}]", Ctx::quoted(&u[i]));
    let ops = match case {
        "g-add-member" => json!([{"op": "add", "path": "members", "value": [m(2)]}]),
        "g-remove-filter" => json!([{"op": "remove", "path": eq(0)}]),
        "g-remove-all" => json!([{"op": "remove", "path": "members"}]),
        "g-replace-members" => json!([{"op": "replace", "path": "members", "value": [m(2)]}]),
        "g-add-existing" => json!([{"op": "add", "path": "members", "value": [m(0)]}]),
        "g-remove-nonmember" => json!([{"op": "remove", "path": eq(3)}]),
        "g-rename" => {
            json!([{"op": "replace", "path": "displayName", "value": c.name("g-renamed")}])
        }
        "g-add-many" => json!([{"op": "add", "path": "members", "value": [m(2), m(3)]}]),
        "g-add-remove" => {
            json!([{"op": "add", "path": "members", "value": [m(2)]}, {"op": "remove", "path": eq(0)}])
        }
        _ => json!([]),
    };
    let no_change = matches!(case, "g-add-existing" | "g-remove-nonmember");
    judge_patch(c, "Groups", &before, ops, no_change).await
}
