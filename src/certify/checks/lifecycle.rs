//! Users, part two: the end of an account's life (RFC 7644 §3.5.1, §3.6).
//! Deactivation must really deactivate; a deleted user must be gone from
//! reads and queries, for good.

use crate::certify::check::{Check, Group};
use crate::certify::client::Cred;
use crate::certify::ctx::{Ctx, brief, id_of, resource_path};
use crate::certify::discovery::Needs;
use crate::certify::probe::{deleted_user, eq_filter, replace_user, user_body_for};
use crate::certify::rfc;
use crate::certify::verdict::Verdict;
use crate::ensure;
use reqwest::Method;
use serde_json::{Value, json};

const G: Group = Group::new("users");

pub fn checks() -> Vec<Check> {
    vec![
        G.must("USER-017", delete_204)
            .cites(rfc::DELETE_204)
            .title("DELETE answers 204"),
        G.must("USER-018", delete_then_404)
            .cites(rfc::DELETE_404)
            .title("after DELETE, GET answers 404"),
        G.must("USER-019", delete_absent_from_query)
            .cites(rfc::DELETE_OMIT)
            .needs(Needs::Filter)
            .title("after DELETE, the user is absent from query results"),
        G.must("USER-020", delete_then_put_404)
            .cites(rfc::DELETE_404)
            .title("after DELETE, PUT answers 404"),
        G.must("USER-021", delete_twice_404)
            .cites(rfc::DELETE_404)
            .title("a second DELETE answers 404"),
        G.should("USER-022", recreate_after_delete)
            .cites(rfc::DELETE_CONFLICT)
            .title("the same userName can be created again after DELETE (no 409)"),
        G.must("USER-023", put_deactivates)
            .cites(rfc::PUT_REPLACES)
            .title("PUT with active false deactivates: GET shows active false"),
        G.must("USER-024", put_reactivates)
            .cites(rfc::PUT_REPLACES)
            .title("PUT with active true reactivates: GET shows active true"),
        G.may("USER-025", create_inactive)
            .cites(rfc::CREATE_FREE)
            .title("a user created with active false is stored inactive"),
    ]
}

async fn delete_204(c: &Ctx, _: &'static str) -> Verdict {
    let u = c.new_user(json!({})).await?;
    let r = c.delete("Users", id_of(&u)).await?;
    ensure!(r.status == 204, "DELETE answered {}", r.status);
    Ok("204".into())
}

async fn delete_then_404(c: &Ctx, _: &'static str) -> Verdict {
    let u = deleted_user(c).await?;
    let r = c.read("Users", id_of(&u)).await?;
    ensure!(
        r.status == 404,
        "GET after DELETE answered {}: {}",
        r.status,
        brief(&r.body)
    );
    Ok("404".into())
}

async fn delete_absent_from_query(c: &Ctx, _: &'static str) -> Verdict {
    let u = deleted_user(c).await?;
    let r = c.query("Users", &eq_filter("userName", &u), "").await?;
    ensure!(r.status == 200, "query answered {}", r.status);
    ensure!(
        !Ctx::ids(&r.body).iter().any(|i| i == id_of(&u)),
        "the deleted user is still listed"
    );
    Ok("absent".into())
}

async fn delete_then_put_404(c: &Ctx, _: &'static str) -> Verdict {
    let u = deleted_user(c).await?;
    let r = c
        .put("Users", id_of(&u), &user_body_for(&u, json!({})))
        .await?;
    ensure!(r.status == 404, "PUT after DELETE answered {}", r.status);
    Ok("404".into())
}

async fn delete_twice_404(c: &Ctx, _: &'static str) -> Verdict {
    let u = deleted_user(c).await?;
    // The ledger allows one DELETE per resource; the second goes around
    // it on purpose, to a resource this run created and already deleted.
    let path = resource_path("Users", id_of(&u));
    let r = c
        .raw(Method::DELETE, &path, None, Cred::Normal, &[])
        .await?;
    ensure!(r.status == 404, "the second DELETE answered {}", r.status);
    Ok("404".into())
}

async fn recreate_after_delete(c: &Ctx, _: &'static str) -> Verdict {
    let u = deleted_user(c).await?;
    let r = c.post("Users", &user_body_for(&u, json!({}))).await?;
    ensure!(
        r.status == 201,
        "re-create answered {}: {}",
        r.status,
        brief(&r.body)
    );
    Ok("201".into())
}

async fn set_active_put(c: &Ctx, u: &Value, active: bool) -> Verdict {
    let got = replace_user(c, u, json!({"active": active})).await?;
    ensure!(
        got["active"] == json!(active),
        "GET shows active {} after PUT active {active}",
        brief(&got["active"])
    );
    Ok(format!("active {active}"))
}

async fn put_deactivates(c: &Ctx, _: &'static str) -> Verdict {
    let u = c.new_user(json!({"active": true})).await?;
    set_active_put(c, &u, false).await
}

async fn put_reactivates(c: &Ctx, _: &'static str) -> Verdict {
    let u = c.new_user(json!({"active": false})).await?;
    set_active_put(c, &u, true).await
}

async fn create_inactive(c: &Ctx, _: &'static str) -> Verdict {
    let u = c.new_user(json!({"active": false})).await?;
    let got = c.read_ok("Users", id_of(&u)).await?;
    ensure!(
        got["active"] == json!(false),
        "stored active is {}",
        brief(&got["active"])
    );
    Ok("inactive".into())
}
