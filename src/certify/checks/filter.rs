//! Filters (RFC 7644 §3.4.2.2). Two users certify made share a title that
//! scopes every query to them; which of the two a filter should return is
//! computed by the filter evaluator of src/scim over their stored state,
//! and the server's answer must agree exactly.

use crate::certify::catalogue::{Check, Fail, Verdict};
use crate::certify::ctx::{Ctx, failed, id_of};
use crate::scim::filter;
use crate::scim::schema::ResourceSchema;
use crate::{certify_check as check, ensure};
use serde_json::{Value, json};

const G: &str = "filter";

pub fn checks() -> Vec<Check> {
    vec![
        check!(
            "FILTER-001",
            G,
            "RFC 7644 §3.4.2.2",
            Must,
            Rfc,
            Filter,
            "userName eq \"{ua}\"",
            case,
            "eq on userName"
        ),
        check!(
            "FILTER-002",
            G,
            "RFC 7643 §2.2",
            Must,
            Rfc,
            Filter,
            "userName eq \"{UA}\"",
            case,
            "eq on userName ignores case (caseExact false)"
        ),
        check!(
            "FILTER-003",
            G,
            "RFC 7644 §3.4.2.2",
            Must,
            Rfc,
            Filter,
            "displayName ne \"Filter Subject\"",
            case,
            "ne"
        ),
        check!(
            "FILTER-004",
            G,
            "RFC 7644 §3.4.2.2",
            Must,
            Rfc,
            Filter,
            "displayName co \"Subj\"",
            case,
            "co"
        ),
        check!(
            "FILTER-005",
            G,
            "RFC 7644 §3.4.2.2",
            Must,
            Rfc,
            Filter,
            "userName sw \"{pa}\"",
            case,
            "sw"
        ),
        check!(
            "FILTER-006",
            G,
            "RFC 7644 §3.4.2.2",
            Must,
            Rfc,
            Filter,
            "userName ew \"fb@example.com\"",
            case,
            "ew"
        ),
        check!(
            "FILTER-007",
            G,
            "RFC 7644 §3.4.2.2",
            Must,
            Rfc,
            Filter,
            "nickName pr",
            case,
            "pr"
        ),
        check!(
            "FILTER-008",
            G,
            "RFC 7644 §3.4.2.2",
            Must,
            Rfc,
            Filter,
            "nickName gt \"nick-abb\"",
            case,
            "gt on a string"
        ),
        check!(
            "FILTER-009",
            G,
            "RFC 7644 §3.4.2.2",
            Must,
            Rfc,
            Filter,
            "nickName ge \"nick-abc\"",
            case,
            "ge on a string"
        ),
        check!(
            "FILTER-010",
            G,
            "RFC 7644 §3.4.2.2",
            Must,
            Rfc,
            Filter,
            "nickName lt \"nick-abd\"",
            case,
            "lt on a string"
        ),
        check!(
            "FILTER-011",
            G,
            "RFC 7644 §3.4.2.2",
            Must,
            Rfc,
            Filter,
            "nickName le \"nick-abc\"",
            case,
            "le on a string"
        ),
        check!(
            "FILTER-012",
            G,
            "RFC 7644 §3.4.2.2",
            Must,
            Rfc,
            Filter,
            "nickName lt \"nick-abc\"",
            case,
            "lt excludes the equal value"
        ),
        check!(
            "FILTER-013",
            G,
            "RFC 7644 §3.4.2.2",
            Must,
            Rfc,
            Filter,
            "active eq true",
            case,
            "eq on a boolean (true)"
        ),
        check!(
            "FILTER-014",
            G,
            "RFC 7644 §3.4.2.2",
            Must,
            Rfc,
            Filter,
            "active eq false",
            case,
            "eq on a boolean (false) finds deactivated users"
        ),
        check!(
            "FILTER-015",
            G,
            "RFC 7644 §3.4.2.2",
            Must,
            Rfc,
            Filter,
            "(displayName eq \"Filter Subject\" or displayName eq \"Other Subject\")",
            case,
            "or"
        ),
        check!(
            "FILTER-016",
            G,
            "RFC 7644 §3.4.2.2",
            Must,
            Rfc,
            Filter,
            "not (active eq true)",
            case,
            "not"
        ),
        check!(
            "FILTER-017",
            G,
            "RFC 7644 §3.4.2.2",
            Must,
            Rfc,
            Filter,
            "(userName eq \"{ua}\" or userName eq \"{ub}\") and active eq false",
            case,
            "grouping decides precedence"
        ),
        check!(
            "FILTER-018",
            G,
            "RFC 7644 §3.4.2.2",
            Must,
            Rfc,
            Filter,
            "emails[type eq \"work\" and value eq \"{ea}\"]",
            case,
            "complex value filter"
        ),
        check!(
            "FILTER-019",
            G,
            "RFC 7644 §3.4.2.2",
            Must,
            Rfc,
            Filter,
            "emails.value eq \"{ea}\"",
            case,
            "sub-attribute of a multi-valued attribute"
        ),
        check!(
            "FILTER-020",
            G,
            "RFC 7644 §3.4.2.2",
            Must,
            Rfc,
            Filter,
            "userName EQ \"{ua}\"",
            case,
            "operators are case-insensitive"
        ),
        check!(
            "FILTER-021",
            G,
            "RFC 7644 §3.4.2.2",
            Must,
            Rfc,
            Filter,
            "USERNAME eq \"{ua}\"",
            case,
            "attribute names are case-insensitive"
        ),
        check!(
            "FILTER-022",
            G,
            "RFC 7643 §3.1",
            Must,
            Rfc,
            Filter,
            "externalId eq \"{xl}\"",
            case,
            "externalId is caseExact: other case does not match"
        ),
        check!(
            "FILTER-023",
            G,
            "RFC 7644 §3.4.2.2",
            Must,
            Rfc,
            Filter,
            "externalId eq \"{xa}\"",
            case,
            "eq on externalId"
        ),
        check!(
            "FILTER-024",
            G,
            "RFC 7644 §3.4.2.2",
            Must,
            Rfc,
            Filter,
            "name.givenName eq \"Filtra\"",
            case,
            "sub-attribute of a complex attribute"
        ),
        check!(
            "FILTER-025",
            G,
            "RFC 7644 §3.4.2.2",
            Must,
            Rfc,
            Filter,
            "id eq \"{ida}\"",
            case,
            "eq on id"
        ),
        check!(
            "FILTER-026",
            G,
            "RFC 7644 §3.4.2.2",
            Should,
            Rfc,
            Filter,
            "meta.lastModified gt \"2000-01-01T00:00:00Z\"",
            case,
            "gt on a dateTime"
        ),
        check!(
            "FILTER-027",
            G,
            "RFC 7644 §3.4.2.2",
            Should,
            Rfc,
            Filter,
            "meta.resourceType eq \"User\"",
            case,
            "eq on meta.resourceType"
        ),
        check!(
            "FILTER-028",
            G,
            "RFC 7644 §3.4.2.2",
            Must,
            Rfc,
            Filter,
            "",
            case,
            "the scoping filter alone returns exactly the two users"
        ),
        check!(
            "FILTER-029",
            G,
            "RFC 7644 §3.4.2.2",
            Should,
            Rfc,
            Filter,
            "urn:ietf:params:scim:schemas:core:2.0:User:userName eq \"{ua}\"",
            case,
            "fully qualified attribute names"
        ),
        check!(
            "FILTER-030",
            G,
            "RFC 7643 §2.2",
            Must,
            Rfc,
            Filter,
            "displayName co \"subj\"",
            case,
            "co ignores case on a caseExact false attribute"
        ),
        check!(
            "FILTER-031",
            G,
            "RFC 7643 §2.2",
            Must,
            Rfc,
            Filter,
            "userName sw \"{PA}\"",
            case,
            "sw ignores case on userName"
        ),
        check!(
            "FILTER-032",
            G,
            "RFC 7644 §3.4.2.2",
            Must,
            Rfc,
            Filter,
            "userName eq \"{ua}\" and userName eq \"{ub}\"",
            case,
            "and of exclusive terms matches nothing"
        ),
        check!(
            "FILTER-033",
            G,
            "RFC 7644 §3.4.2.2",
            Must,
            Rfc,
            Filter,
            "title pr and nickName pr",
            case,
            "and of pr terms"
        ),
        check!(
            "FILTER-034",
            G,
            "RFC 7644 §3.4.2.2",
            Must,
            Rfc,
            Filter,
            "emails[type eq \"home\"]",
            case,
            "value filter with no match on either user"
        ),
    ]
}

/// The two users: A active with a nickName and a work email, B inactive.
pub async fn pair(c: &Ctx) -> Result<Vec<Value>, Fail> {
    c.filter_pair
        .get_or_init(|| async {
            let title = c.name("filter-title");
            let n = c.name("");
            let a = c
                .new_user(json!({
                    "userName": format!("{n}fa@example.com"), "displayName": "Filter Subject",
                    "title": title, "nickName": "nick-abc", "externalId": format!("{n}Ext-MiXeD"),
                    "name": {"givenName": "Filtra", "familyName": "Subject"},
                    "emails": [{"value": format!("{n}fa-mail@example.com"), "type": "work", "primary": true}],
                    "active": true}))
                .await?;
            let b = c
                .new_user(json!({
                    "userName": format!("{n}fb@example.com"), "displayName": "Other Subject",
                    "title": title, "active": false}))
                .await?;
            let a = c.read_ok("Users", id_of(&a)).await?;
            let b = c.read_ok("Users", id_of(&b)).await?;
            Ok(vec![a, b])
        })
        .await
        .clone()
}

fn fill(t: &str, u: &[Value]) -> String {
    let s = |v: &Value| v.as_str().unwrap_or("").to_owned();
    let ua = s(&u[0]["userName"]);
    let n = ua.trim_end_matches("fa@example.com").to_owned();
    t.replace("{ua}", &ua)
        .replace("{UA}", &ua.to_uppercase())
        .replace("{ub}", &s(&u[1]["userName"]))
        .replace("{pa}", &format!("{n}fa"))
        .replace("{PA}", &format!("{n}fa").to_uppercase())
        .replace("{ea}", &format!("{n}fa-mail@example.com"))
        .replace("{xa}", &s(&u[0]["externalId"]))
        .replace("{xl}", &s(&u[0]["externalId"]).to_lowercase())
        .replace("{ida}", &s(&u[0]["id"]))
}

/// `title eq T and (expr)`: the title scopes the query to the two users.
pub fn scoped(u: &[Value], expr: &str) -> String {
    let t = Ctx::quoted(u[0]["title"].as_str().unwrap_or(""));
    if expr.is_empty() {
        format!("title eq {t}")
    } else {
        format!("title eq {t} and ({expr})")
    }
}

/// What the evaluator says a filter should return of the two.
fn expected(f: &str, u: &[Value]) -> Result<Vec<String>, Fail> {
    let parsed = filter::parse(f)
        .map_err(|e| failed(format!("harness: filter {f:?} does not parse: {e:?}")))?;
    let schema = ResourceSchema::user();
    Ok(u.iter()
        .filter(|r| filter::matches(&parsed, r, &schema))
        .map(|r| id_of(r).to_owned())
        .collect())
}

async fn case(c: &Ctx, template: &'static str) -> Verdict {
    let u = pair(c).await?;
    let f = scoped(&u, &fill(template, &u));
    let want = expected(&f, &u)?;
    let list = c.list("Users", &f).await?;
    let mut got = Ctx::ids(&list);
    got.sort();
    let mut want_sorted = want.clone();
    want_sorted.sort();
    ensure!(
        got == want_sorted,
        "filter {f}: returned {} of the test users, expected {}",
        got.len(),
        want.len()
    );
    Ok(format!("{} match(es)", got.len()))
}
