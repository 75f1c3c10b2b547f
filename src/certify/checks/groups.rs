//! Groups and membership (RFC 7643 §4.2, RFC 7644 §3.3–§3.6, §3.5.2 for
//! member PATCHes). Members are always users this run created.

use crate::certify::check::{Check, Group};
use crate::certify::checks::patch::judge_patch;
use crate::certify::compare::diff;
use crate::certify::ctx::{Ctx, GROUP_URN, brief, id_of};
use crate::certify::discovery::Needs;
use crate::certify::persona::Persona;
use crate::certify::probe::{delete_fixture, eq_filter, expect_attr, member_ids, new_users};
use crate::certify::rfc;
use crate::certify::verdict::{Verdict, failed, skipped};
use crate::ensure;
use serde_json::json;

const G: Group = Group::new("groups").needs(Needs::Groups);

pub fn checks() -> Vec<Check> {
    vec![
        G.must("GROUP-001", create_201)
            .cites(rfc::CREATE_201)
            .title("POST /Groups answers 201 with displayName and an id"),
        G.should("GROUP-002", read_back)
            .cites(rfc::CREATE_BODY)
            .title("GET /Groups/{id} returns the group as created"),
        G.may("GROUP-003", members_stored)
            .cites(rfc::CREATE_FREE)
            .title("members given at creation are stored"),
        // A capability probe: §4.1.2 describes User.groups (readOnly,
        // optional like every User attribute but userName) and puts no
        // MUST or SHOULD on a server to fill it in.
        G.may("GROUP-004", user_groups_reflect)
            .cites(rfc::USER_GROUPS)
            .title("a member's groups attribute lists the group"),
        G.must("GROUP-005", put_replaces)
            .cites(rfc::PUT_REPLACES)
            .title("PUT replaces displayName and members"),
        G.must("GROUP-006", delete_then_404)
            .cites(rfc::DELETE_204)
            .title("DELETE answers 204, then GET answers 404"),
        G.may("GROUP-007", delete_keeps_users)
            .cites(rfc::DELETE_ONE)
            .title("deleting a group leaves its member users in place"),
        G.must("GROUP-008", filter_display_name)
            .cites(rfc::FILTER_MATCH)
            .needs(Needs::Filter)
            .title("filter displayName eq finds the group"),
        G.must("GROUP-009", meta_group)
            .cites(rfc::RESOURCE_TYPE_SET)
            .title("a group's meta.resourceType is Group"),
        G.must("GROUP-010", filter_member)
            .cites(rfc::FILTER_MATCH)
            .needs(Needs::Filter)
            .title("filter members[value eq \"id\"] finds the group of a member"),
        G.may("GROUP-011", deleted_user_leaves_group)
            .cites(rfc::DELETE_ONE)
            .title("deleting a user removes it from its groups' members"),
        G.must("GROUP-012", deleted_absent)
            .cites(rfc::DELETE_OMIT)
            .title("a deleted group is absent from query results"),
    ]
}

/// Member PATCHes: listed in the patch group (the registry runs them after
/// patch's own checks), defined here beside the group fixtures they use.
pub fn patch_checks() -> Vec<Check> {
    const P: Group = Group::new("patch").needs(Needs::Patch);
    vec![
        P.must("PATCH-050", group_case)
            .cites(rfc::PATCH_ADD)
            .arg("g-add-member")
            .title("add members appends a member"),
        P.must("PATCH-051", group_case)
            .cites(rfc::PATCH_REMOVE_FILTER)
            .arg("g-remove-filter")
            .title("remove members[value eq \"id\"] removes that member only"),
        P.must("PATCH-052", group_case)
            .cites(rfc::PATCH_REMOVE_ALL)
            .arg("g-remove-all")
            .title("remove members without filter removes every member"),
        P.must("PATCH-053", group_case)
            .cites(rfc::PATCH_REPLACE_ALL)
            .arg("g-replace-members")
            .title("replace members replaces the roster"),
        P.should("PATCH-054", group_case)
            .cites(rfc::PATCH_ADD_EXISTING)
            .arg("g-add-existing")
            .title("adding an existing member changes nothing (idempotent)"),
        // The RFC says so only in an example ("should"); Okta and Entra resend
        // removals, so for them it is an interop need.
        P.interop("PATCH-055", group_case)
            .cites(rfc::PATCH_REMOVE_FILTER)
            .persona(Persona::Idp)
            .arg("g-remove-nonmember")
            .title("removing a non-member succeeds and changes nothing"),
        P.must("PATCH-056", group_case)
            .cites(rfc::PATCH_REPLACE)
            .arg("g-rename")
            .title("replace displayName renames and keeps members"),
        P.must("PATCH-057", group_case)
            .cites(rfc::PATCH_ADD)
            .arg("g-add-many")
            .title("add of several members in one op adds them all"),
        P.must("PATCH-058", group_case)
            .cites(rfc::PATCH_SEQUENCE)
            .arg("g-add-remove")
            .title("add then remove in one request: both applied in order"),
    ]
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
    expect_attr(&r.body, "displayName", json!(name))?;
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
    let u = new_users(c, 2).await?;
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
    let u = new_users(c, 1).await?;
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
    let u = new_users(c, 2).await?;
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
    expect_attr(&got, "displayName", json!(name))?;
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
    let u = new_users(c, 1).await?;
    let g = c.new_group(&[&u[0]]).await?;
    let r = c.delete("Groups", id_of(&g)).await?;
    ensure!(r.is_success(), "DELETE answered {}", r.status);
    c.read_ok("Users", &u[0]).await?;
    Ok("member still there".into())
}

async fn filter_display_name(c: &Ctx, _: &'static str) -> Verdict {
    let g = c.new_group(&[]).await?;
    let l = c.list("Groups", &eq_filter("displayName", &g)).await?;
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
    let u = new_users(c, 1).await?;
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
    let u = new_users(c, 2).await?;
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
    delete_fixture(c, "Groups", id_of(&g)).await?;
    let l = c.list("Groups", &eq_filter("displayName", &g)).await?;
    ensure!(Ctx::ids(&l).is_empty(), "still listed");
    Ok("absent".into())
}

async fn group_case(c: &Ctx, case: &'static str) -> Verdict {
    if !c.found.groups {
        return Err(skipped("the server serves no Groups"));
    }
    let u = new_users(c, 4).await?;
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
    // Cases that start from the members given at creation cannot be
    // judged where the server did not keep them (RFC 7644 §3.3 lets it).
    let mut given = vec![u[0].clone(), u[1].clone()];
    given.sort();
    if matches!(case, "g-remove-filter" | "g-add-existing" | "g-add-remove")
        && member_ids(&before) != given
    {
        return Err(skipped(format!(
            "the server did not keep the members given at creation (holds {:?}); RFC 7644 \
             §3.3 lets it ignore what is POSTed, and this case starts from them",
            member_ids(&before)
        )));
    }
    let no_change = matches!(case, "g-add-existing" | "g-remove-nonmember");
    judge_patch(c, "Groups", &before, ops, no_change).await
}
