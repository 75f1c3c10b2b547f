//! Steps that checks of several groups take the same way: a request sent
//! without a valid token and its 401; a write read back and compared; the
//! users a query finds by userName; fixtures made and deleted; and the
//! shapes every answer of a kind must have. Messages are the checks' own:
//! a step fails with the words the check used before it was shared.

use super::client::{Cred, Resp};
use super::ctx::{Ctx, ERROR_URN, USER_URN, brief, id_of};
use super::verdict::{Fail, Verdict, skipped};
use crate::ensure;
use reqwest::Method;
use serde_json::{Value, json};

/// Sends a request with `cred` in place of the run's token; anything but
/// 401 fails ("answered {status}").
pub async fn refused(
    c: &Ctx,
    m: Method,
    path: &str,
    body: Option<&Value>,
    cred: Cred,
    headers: &[(&str, &str)],
) -> Result<Resp, Fail> {
    let r = c.raw(m, path, body, cred, headers).await?;
    ensure!(r.status == 401, "answered {}", r.status);
    Ok(r)
}

/// A User body with `u`'s userName, then `extra`'s attributes in order.
pub fn user_body_for(u: &Value, extra: Value) -> Value {
    let mut body = json!({"schemas": [USER_URN], "userName": u["userName"]});
    if let (Some(b), Value::Object(e)) = (body.as_object_mut(), extra) {
        b.extend(e);
    }
    body
}

/// PUT of user `u` with `extra`, which must answer 200 ("PUT answered
/// {status}"); the PUT's answer.
pub async fn put_user(c: &Ctx, u: &Value, extra: Value) -> Result<Resp, Fail> {
    let r = c.put("Users", id_of(u), &user_body_for(u, extra)).await?;
    ensure!(r.status == 200, "PUT answered {}", r.status);
    Ok(r)
}

/// `put_user`, then what a GET reads back: a write counts when the server
/// holds it, not when it echoes it.
pub async fn replace_user(c: &Ctx, u: &Value, extra: Value) -> Result<Value, Fail> {
    put_user(c, u, extra).await?;
    c.read_ok("Users", id_of(u)).await
}

/// Fails with "{key} is {what v holds}" unless `v[key]` is `want`.
pub fn expect_attr(v: &Value, key: &str, want: Value) -> Result<(), Fail> {
    ensure!(v[key] == want, "{key} is {}", brief(&v[key]));
    Ok(())
}

/// Fails with "{key} is {what v holds}" unless `v[key]` is an unsigned
/// integer.
pub fn expect_integer(v: &Value, key: &str) -> Result<(), Fail> {
    ensure!(v[key].is_u64(), "{key} is {}", brief(&v[key]));
    Ok(())
}

/// `attr eq "<r's attr>"`: the filter that finds `r` by a string attribute.
pub fn eq_filter(attr: &str, r: &Value) -> String {
    format!("{attr} eq {}", Ctx::quoted(r[attr].as_str().unwrap_or("")))
}

/// The ids a query for `resource`'s userName lists, whatever the answer's
/// status (a refused query lists none).
pub async fn users_named(c: &Ctx, resource: &Value) -> Result<Vec<String>, Fail> {
    let l = c
        .query("Users", &eq_filter("userName", resource), "")
        .await?;
    Ok(Ctx::ids(&l.body))
}

/// `n` users made for the check; their ids.
pub async fn new_users(c: &Ctx, n: usize) -> Result<Vec<String>, Fail> {
    let mut ids = Vec::new();
    for _ in 0..n {
        ids.push(id_of(&c.new_user(json!({})).await?).to_owned());
    }
    Ok(ids)
}

/// DELETE of a fixture the check needs gone: a refusal skips the check
/// (the lifecycle checks judge DELETE itself).
pub async fn delete_fixture(c: &Ctx, endpoint: &str, id: &str) -> Result<(), Fail> {
    let r = c.delete(endpoint, id).await?;
    if !r.is_success() {
        return Err(skipped(format!("DELETE answered {}", r.status)));
    }
    Ok(())
}

/// A user this run created and then deleted.
pub async fn deleted_user(c: &Ctx) -> Result<Value, Fail> {
    let u = c.new_user(json!({})).await?;
    delete_fixture(c, "Users", id_of(&u)).await?;
    Ok(u)
}

/// The member ids of a group, sorted.
pub fn member_ids(g: &Value) -> Vec<String> {
    let mut v: Vec<String> = g["members"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| m["value"].as_str().map(str::to_owned))
        .collect();
    v.sort();
    v
}

/// Whether a body declares the Error schema.
pub fn is_error_body(b: &Value) -> bool {
    b["schemas"]
        .as_array()
        .is_some_and(|a| a.iter().any(|s| s == ERROR_URN))
}

/// Fails with "not an Error body: {body}" unless the body declares the
/// Error schema.
pub fn expect_error_body(r: &Resp) -> Result<(), Fail> {
    ensure!(
        is_error_body(&r.body),
        "not an Error body: {}",
        brief(&r.body)
    );
    Ok(())
}

/// The answer's Content-Type is SCIM's or JSON's; passes with it.
pub fn json_content_type(r: &Resp) -> Verdict {
    let ct = r.header("content-type").unwrap_or("");
    ensure!(
        ct.starts_with("application/scim+json") || ct.starts_with("application/json"),
        "Content-Type is {ct:?}"
    );
    Ok(ct.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::certify::verdict::failed;

    #[test]
    fn user_body_for_keeps_the_name_first_and_the_extras_in_order() {
        let u = json!({"id": "1", "userName": "ada@example.com", "title": "old"});
        let b = user_body_for(&u, json!({"title": "new", "active": false}));
        assert_eq!(
            b.to_string(),
            format!(
                r#"{{"schemas":["{USER_URN}"],"userName":"ada@example.com","title":"new","active":false}}"#
            )
        );
    }

    #[test]
    fn expect_attr_names_what_it_found() {
        let v = json!({"title": "Old"});
        assert!(expect_attr(&v, "title", json!("Old")).is_ok());
        assert_eq!(
            expect_attr(&v, "title", json!("New")),
            Err(failed("title is \"Old\""))
        );
        assert_eq!(
            expect_attr(&v, "nickName", json!("x")),
            Err(failed("nickName is null"))
        );
    }

    #[test]
    fn expect_integer_wants_a_count() {
        let v = json!({"totalResults": 3, "startIndex": "1"});
        assert!(expect_integer(&v, "totalResults").is_ok());
        assert_eq!(
            expect_integer(&v, "startIndex"),
            Err(failed("startIndex is \"1\""))
        );
    }

    #[test]
    fn eq_filter_quotes_the_value() {
        let g = json!({"displayName": "say \"hi\""});
        assert_eq!(
            eq_filter("displayName", &g),
            r#"displayName eq "say \"hi\"""#
        );
    }

    #[test]
    fn member_ids_are_sorted_and_skip_valueless_members() {
        let g = json!({"members": [{"value": "b"}, {"display": "x"}, {"value": "a"}]});
        assert_eq!(member_ids(&g), vec!["a", "b"]);
        assert!(member_ids(&json!({})).is_empty());
    }
}
