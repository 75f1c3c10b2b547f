//! Filters, part two: invalid filters are errors, not silent successes,
//! and every answer is a well-formed ListResponse (RFC 7644 §3.4.2, §3.4.3).

use super::filter::{pair, scoped};
use crate::certify::check::{Check, Group};
use crate::certify::client::Resp;
use crate::certify::ctx::{Ctx, LIST_URN, SEARCH_URN, brief, expect_error};
use crate::certify::discovery::Needs;
use crate::certify::probe::{expect_attr, expect_integer};
use crate::certify::rfc;
use crate::certify::verdict::{Fail, Verdict, failed, skipped};
use crate::ensure;
use crate::scim::filter;
use crate::scim::schema::ResourceSchema;
use reqwest::Method;
use serde_json::json;

const G: Group = Group::new("filter").needs(Needs::Filter);

pub fn checks() -> Vec<Check> {
    vec![
        G.must("FILTER-040", invalid)
            .cites(rfc::FILTER_UNKNOWN_OP)
            .arg("userName regex \"x\"")
            .title("an unknown operator answers 400 invalidFilter (not a silent 200)"),
        G.should("FILTER-041", invalid)
            .cites(rfc::FILTER_SYNTAX_400)
            .arg("(userName eq \"x\"")
            .title("unbalanced parentheses answer 400 invalidFilter"),
        G.should("FILTER-042", invalid)
            .cites(rfc::FILTER_SYNTAX_400)
            .arg("userName eq")
            .title("a comparison without a value answers 400 invalidFilter"),
        G.must("FILTER-043", invalid)
            .cites(rfc::FILTER_BOOLEAN_ORDER)
            .arg("active gt true")
            .title("gt on a boolean answers 400 invalidFilter"),
        G.should("FILTER-044", invalid)
            .cites(rfc::FILTER_SYNTAX_400)
            .arg("userName eq unquoted")
            .title("an unquoted string value answers 400 invalidFilter"),
        G.must("FILTER-045", zero_matches)
            .cites(rfc::ZERO_MATCHES)
            .title("zero matches answer 200 with totalResults 0"),
        G.must("FILTER-046", list_shape)
            .cites(rfc::LIST_URN)
            .title("a query answers a ListResponse: schemas, integer totalResults, Resources"),
        G.may("FILTER-047", search_post)
            .cites(rfc::SEARCH_POST)
            .title("POST /Users/.search with a SearchRequest answers like GET"),
        G.must("FILTER-048", no_extra)
            .cites(rfc::FILTER_MATCH)
            .title("every resource a filter returns matches it"),
    ]
}

async fn invalid(c: &Ctx, f: &'static str) -> Verdict {
    let r = c.query("Users", f, "").await?;
    if r.status == 200 {
        return Err(failed(format!(
            "filter {f:?} answered 200 (a silent success hides the error)"
        )));
    }
    expect_error(&r, 400, Some("invalidFilter"))?;
    Ok("400 invalidFilter".into())
}

async fn zero_matches(c: &Ctx, _: &'static str) -> Verdict {
    let r = c
        .query(
            "Users",
            &format!(
                "userName eq {}",
                Ctx::quoted(&format!("{}nobody@example.com", c.prefix))
            ),
            "",
        )
        .await?;
    ensure!(r.status == 200, "answered {}: {}", r.status, brief(&r.body));
    expect_attr(&r.body, "totalResults", json!(0))?;
    ensure!(Ctx::ids(&r.body).is_empty(), "Resources not empty");
    Ok("200, totalResults 0".into())
}

fn list_ok(r: &Resp) -> Result<(), Fail> {
    ensure!(r.status == 200, "answered {}", r.status);
    let urn_ok = r.body["schemas"]
        .as_array()
        .is_some_and(|a| a.iter().any(|s| s == LIST_URN));
    ensure!(urn_ok, "schemas is {}", brief(&r.body["schemas"]));
    expect_integer(&r.body, "totalResults")?;
    let n = r.body["totalResults"].as_u64().unwrap_or(0);
    ensure!(
        n == 0 || r.body["Resources"].is_array(),
        "Resources missing with totalResults {n}"
    );
    Ok(())
}

async fn list_shape(c: &Ctx, _: &'static str) -> Verdict {
    let u = pair(c).await?;
    let r = c.query("Users", &scoped(&u, ""), "").await?;
    list_ok(&r)?;
    Ok("ListResponse".into())
}

async fn search_post(c: &Ctx, _: &'static str) -> Verdict {
    let u = pair(c).await?;
    let body =
        json!({"schemas": [SEARCH_URN], "filter": scoped(&u, ""), "startIndex": 1, "count": 10});
    let r = c.send(Method::POST, "/Users/.search", &body).await?;
    list_ok(&r)?;
    ensure!(
        Ctx::ids(&r.body).len() == 2,
        "returned {} of the 2 users",
        Ctx::ids(&r.body).len()
    );
    Ok(".search works".into())
}

async fn no_extra(c: &Ctx, _: &'static str) -> Verdict {
    pair(c).await?;
    let f = format!("userName sw {}", Ctx::quoted(&c.prefix));
    let l = c.list("Users", &f).await?;
    let parsed = filter::parse(&f).map_err(|_| skipped("harness: filter"))?;
    let schema = ResourceSchema::user();
    for r in l["Resources"].as_array().into_iter().flatten() {
        ensure!(
            filter::matches(&parsed, r, &schema),
            "returned {} which does not match {f}",
            brief(&r["userName"])
        );
    }
    Ok("all match".into())
}
