//! PATCH, part two: requests that must fail, and fail atomically (RFC
//! 7644 §3.5.2: "the original SCIM resource MUST be restored"), and what a
//! successful answer must look like.

use super::patch::{needs_kept, rich_body, rich_user};
use crate::certify::check::{Check, Group};
use crate::certify::compare::diff;
use crate::certify::ctx::{Ctx, PATCH_URN, brief, expect_error, id_of, resource_path};
use crate::certify::discovery::Needs;
use crate::certify::probe::deleted_user;
use crate::certify::rfc;
use crate::certify::verdict::{Verdict, failed};
use crate::ensure;
use reqwest::Method;
use serde_json::{Value, json};

const G: Group = Group::new("patch").needs(Needs::Patch);

pub fn checks() -> Vec<Check> {
    vec![
        G.must("PATCH-030", error_case)
            .cites(rfc::PATCH_RESTORE)
            .arg("atomic-remove")
            .title(
                "atomicity: a second op that fails (remove without path) leaves nothing applied",
            ),
        G.must("PATCH-031", error_case)
            .cites(rfc::PATCH_RESTORE)
            .arg("atomic-notarget")
            .title("atomicity: a second op with no matching filter leaves nothing applied"),
        G.must("PATCH-032", error_case)
            .cites(rfc::PATCH_REMOVE_NO_PATH)
            .arg("remove-nopath")
            .title("remove without a path answers 400 noTarget"),
        G.should("PATCH-033", error_case)
            .cites(rfc::ERROR_INVALID_PATH)
            .arg("bad-path")
            .title("a malformed path answers 400 invalidPath"),
        G.must("PATCH-034", error_case)
            .cites(rfc::PATCH_MUTABILITY)
            .arg("readonly-id")
            .title("replacing the readOnly id answers 400 (mutability) and changes nothing"),
        G.must("PATCH-035", error_case)
            .cites(rfc::PATCH_REMOVE_REQUIRED)
            .arg("remove-required")
            .title("removing the required userName answers 400 and changes nothing"),
        G.should("PATCH-036", error_case)
            .cites(rfc::ERROR_400)
            .arg("no-schema")
            .title("a PATCH body without the PatchOp schema answers 400"),
        G.should("PATCH-037", error_case)
            .cites(rfc::ERROR_400)
            .arg("empty-ops")
            .title("a PATCH with no Operations answers 400"),
        G.should("PATCH-038", error_case)
            .cites(rfc::ERROR_400)
            .arg("bad-op")
            .title("an op other than add, remove, replace answers 400"),
        G.must("PATCH-039", error_case)
            .cites(rfc::PATCH_NO_TARGET)
            .arg("nomatch-filter")
            .title("replace with a value filter matching nothing answers 400 noTarget"),
        G.must("PATCH-040", answer_matches_state)
            .cites(rfc::PATCH_200)
            .title("a 200 answer to PATCH is the resource as stored"),
        G.must("PATCH-041", attributes_forces_200)
            .cites(rfc::PATCH_ATTRIBUTES_200)
            .title("PATCH with ?attributes= answers 200 with the requested attributes"),
        G.must("PATCH-042", patch_deleted_404)
            .cites(rfc::DELETE_404)
            .title("PATCH of a deleted user answers 404"),
    ]
}

fn error_ops(case: &str) -> (Value, u16, Option<&'static str>) {
    match case {
        "atomic-remove" => (
            json!({"schemas": [PATCH_URN], "Operations": [{"op": "replace", "path": "title", "value": "Must Roll Back"}, {"op": "remove"}]}),
            400,
            None,
        ),
        "atomic-notarget" => (
            json!({"schemas": [PATCH_URN], "Operations": [{"op": "replace", "path": "title", "value": "Must Roll Back"}, {"op": "replace", "path": "emails[type eq \"nosuch\"].value", "value": "x@example.com"}]}),
            400,
            None,
        ),
        "remove-nopath" => (
            json!({"schemas": [PATCH_URN], "Operations": [{"op": "remove"}]}),
            400,
            Some("noTarget"),
        ),
        "bad-path" => (
            json!({"schemas": [PATCH_URN], "Operations": [{"op": "replace", "path": "emails[type eq", "value": "x"}]}),
            400,
            Some("invalidPath"),
        ),
        "readonly-id" => (
            json!({"schemas": [PATCH_URN], "Operations": [{"op": "replace", "path": "id", "value": "new-id"}]}),
            400,
            None,
        ),
        "remove-required" => (
            json!({"schemas": [PATCH_URN], "Operations": [{"op": "remove", "path": "userName"}]}),
            400,
            None,
        ),
        "no-schema" => (
            json!({"Operations": [{"op": "replace", "path": "title", "value": "x"}]}),
            400,
            None,
        ),
        "empty-ops" => (json!({"schemas": [PATCH_URN], "Operations": []}), 400, None),
        "bad-op" => (
            json!({"schemas": [PATCH_URN], "Operations": [{"op": "frobnicate", "path": "title", "value": "x"}]}),
            400,
            None,
        ),
        "nomatch-filter" => (
            json!({"schemas": [PATCH_URN], "Operations": [{"op": "replace", "path": "emails[type eq \"nosuch\"].value", "value": "x@example.com"}]}),
            400,
            Some("noTarget"),
        ),
        _ => (json!({}), 400, None),
    }
}

async fn error_case(c: &Ctx, case: &'static str) -> Verdict {
    let u = rich_user(c, true).await?;
    let before = c.read_ok("Users", id_of(&u)).await?;
    let (body, status, scim_type) = error_ops(case);
    needs_kept(&body["Operations"], &rich_body(true), &before)?;
    let r = c
        .send(Method::PATCH, &resource_path("Users", id_of(&u)), &body)
        .await?;
    // Atomicity asks for a failure status and nothing applied; the exact
    // status is another check's business.
    let answered = if case.starts_with("atomic") && r.status >= 400 {
        Ok(())
    } else {
        expect_error(&r, status, scim_type)
    };
    let after = c.read_ok("Users", id_of(&u)).await?;
    if let Some(d) = diff(&before, &after) {
        return Err(failed(format!(
            "answered {} but changed the user: {d}",
            r.status
        )));
    }
    answered?;
    Ok(format!("{} and nothing changed", r.status))
}

async fn answer_matches_state(c: &Ctx, _: &'static str) -> Verdict {
    let u = rich_user(c, true).await?;
    needs_kept(
        &json!([{"op": "replace", "path": "title"}]),
        &rich_body(true),
        &u,
    )?;
    let r = c
        .patch(
            "Users",
            id_of(&u),
            json!([{"op": "replace", "path": "title", "value": "Answer"}]),
        )
        .await?;
    if r.status == 204 {
        return Ok("204 (no body to compare)".into());
    }
    ensure!(r.status == 200, "PATCH answered {}", r.status);
    let got = c.read_ok("Users", id_of(&u)).await?;
    if let Some(d) = diff(&got, &r.body) {
        return Err(failed(format!(
            "the 200 answer is not the stored resource: {d}"
        )));
    }
    Ok("200 with the stored resource".into())
}

async fn attributes_forces_200(c: &Ctx, _: &'static str) -> Verdict {
    let u = rich_user(c, true).await?;
    needs_kept(
        &json!([{"op": "replace", "path": "title"}]),
        &rich_body(true),
        &u,
    )?;
    let body = json!({"schemas": [PATCH_URN], "Operations": [{"op": "replace", "path": "title", "value": "Projected"}]});
    let r = c
        .send(
            Method::PATCH,
            &format!("{}?attributes=title", resource_path("Users", id_of(&u))),
            &body,
        )
        .await?;
    ensure!(
        r.status == 200,
        "answered {} (the RFC requires 200 when attributes are requested)",
        r.status
    );
    ensure!(
        r.body["title"] == json!("Projected"),
        "title in the answer is {}",
        brief(&r.body["title"])
    );
    Ok("200 with title".into())
}

async fn patch_deleted_404(c: &Ctx, _: &'static str) -> Verdict {
    let u = deleted_user(c).await?;
    let r = c
        .patch(
            "Users",
            id_of(&u),
            json!([{"op": "replace", "path": "title", "value": "Ghost"}]),
        )
        .await?;
    ensure!(r.status == 404, "PATCH after DELETE answered {}", r.status);
    Ok("404".into())
}
