//! Filters (RFC 7644 §3.4.2.2). Two users certify made share a title that
//! scopes every query to them; which of the two a filter should return is
//! computed by the filter evaluator of src/scim over their stored state,
//! and the server's answer must agree exactly.

use crate::certify::check::{Check, Group};
use crate::certify::ctx::{Ctx, id_of};
use crate::certify::discovery::Needs;
use crate::certify::verdict::{Fail, Verdict, failed};
use crate::ensure;
use crate::scim::filter;
use crate::scim::schema::ResourceSchema;
use serde_json::{Value, json};

const G: Group = Group::new("filter").needs(Needs::Filter);

pub fn checks() -> Vec<Check> {
    vec![
        G.must("FILTER-001", case)
            .rfc("RFC 7644 §3.4.2.2")
            .arg("userName eq \"{ua}\"")
            .description("eq on userName"),
        G.must("FILTER-002", case)
            .rfc("RFC 7643 §2.2")
            .arg("userName eq \"{UA}\"")
            .description("eq on userName ignores case (caseExact false)"),
        G.must("FILTER-003", case)
            .rfc("RFC 7644 §3.4.2.2")
            .arg("displayName ne \"Filter Subject\"")
            .description("ne"),
        G.must("FILTER-004", case)
            .rfc("RFC 7644 §3.4.2.2")
            .arg("displayName co \"Subj\"")
            .description("co"),
        G.must("FILTER-005", case)
            .rfc("RFC 7644 §3.4.2.2")
            .arg("userName sw \"{pa}\"")
            .description("sw"),
        G.must("FILTER-006", case)
            .rfc("RFC 7644 §3.4.2.2")
            .arg("userName ew \"fb@example.com\"")
            .description("ew"),
        G.must("FILTER-007", case)
            .rfc("RFC 7644 §3.4.2.2")
            .arg("nickName pr")
            .description("pr"),
        G.must("FILTER-008", case)
            .rfc("RFC 7644 §3.4.2.2")
            .arg("nickName gt \"nick-abb\"")
            .description("gt on a string"),
        G.must("FILTER-009", case)
            .rfc("RFC 7644 §3.4.2.2")
            .arg("nickName ge \"nick-abc\"")
            .description("ge on a string"),
        G.must("FILTER-010", case)
            .rfc("RFC 7644 §3.4.2.2")
            .arg("nickName lt \"nick-abd\"")
            .description("lt on a string"),
        G.must("FILTER-011", case)
            .rfc("RFC 7644 §3.4.2.2")
            .arg("nickName le \"nick-abc\"")
            .description("le on a string"),
        G.must("FILTER-012", case)
            .rfc("RFC 7644 §3.4.2.2")
            .arg("nickName lt \"nick-abc\"")
            .description("lt excludes the equal value"),
        G.must("FILTER-013", case)
            .rfc("RFC 7644 §3.4.2.2")
            .arg("active eq true")
            .description("eq on a boolean (true)"),
        G.must("FILTER-014", case)
            .rfc("RFC 7644 §3.4.2.2")
            .arg("active eq false")
            .description("eq on a boolean (false) finds deactivated users"),
        G.must("FILTER-015", case)
            .rfc("RFC 7644 §3.4.2.2")
            .arg("(displayName eq \"Filter Subject\" or displayName eq \"Other Subject\")")
            .description("or"),
        G.must("FILTER-016", case)
            .rfc("RFC 7644 §3.4.2.2")
            .arg("not (active eq true)")
            .description("not"),
        G.must("FILTER-017", case)
            .rfc("RFC 7644 §3.4.2.2")
            .arg("(userName eq \"{ua}\" or userName eq \"{ub}\") and active eq false")
            .description("grouping decides precedence"),
        G.must("FILTER-018", case)
            .rfc("RFC 7644 §3.4.2.2")
            .arg("emails[type eq \"work\" and value eq \"{ea}\"]")
            .description("complex value filter"),
        G.must("FILTER-019", case)
            .rfc("RFC 7644 §3.4.2.2")
            .arg("emails.value eq \"{ea}\"")
            .description("sub-attribute of a multi-valued attribute"),
        G.must("FILTER-020", case)
            .rfc("RFC 7644 §3.4.2.2")
            .arg("userName EQ \"{ua}\"")
            .description("operators are case-insensitive"),
        G.must("FILTER-021", case)
            .rfc("RFC 7644 §3.4.2.2")
            .arg("USERNAME eq \"{ua}\"")
            .description("attribute names are case-insensitive"),
        G.must("FILTER-022", case)
            .rfc("RFC 7643 §3.1")
            .arg("externalId eq \"{xl}\"")
            .description("externalId is caseExact: other case does not match"),
        G.must("FILTER-023", case)
            .rfc("RFC 7644 §3.4.2.2")
            .arg("externalId eq \"{xa}\"")
            .description("eq on externalId"),
        G.must("FILTER-024", case)
            .rfc("RFC 7644 §3.4.2.2")
            .arg("name.givenName eq \"Filtra\"")
            .description("sub-attribute of a complex attribute"),
        G.must("FILTER-025", case)
            .rfc("RFC 7644 §3.4.2.2")
            .arg("id eq \"{ida}\"")
            .description("eq on id"),
        G.should("FILTER-026", case)
            .rfc("RFC 7644 §3.4.2.2")
            .arg("meta.lastModified gt \"2000-01-01T00:00:00Z\"")
            .description("gt on a dateTime"),
        G.should("FILTER-027", case)
            .rfc("RFC 7644 §3.4.2.2")
            .arg("meta.resourceType eq \"User\"")
            .description("eq on meta.resourceType"),
        G.must("FILTER-028", case)
            .rfc("RFC 7644 §3.4.2.2")
            .description("the scoping filter alone returns exactly the two users"),
        G.should("FILTER-029", case)
            .rfc("RFC 7644 §3.4.2.2")
            .arg("urn:ietf:params:scim:schemas:core:2.0:User:userName eq \"{ua}\"")
            .description("fully qualified attribute names"),
        G.must("FILTER-030", case)
            .rfc("RFC 7643 §2.2")
            .arg("displayName co \"subj\"")
            .description("co ignores case on a caseExact false attribute"),
        G.must("FILTER-031", case)
            .rfc("RFC 7643 §2.2")
            .arg("userName sw \"{PA}\"")
            .description("sw ignores case on userName"),
        G.must("FILTER-032", case)
            .rfc("RFC 7644 §3.4.2.2")
            .arg("userName eq \"{ua}\" and userName eq \"{ub}\"")
            .description("and of exclusive terms matches nothing"),
        G.must("FILTER-033", case)
            .rfc("RFC 7644 §3.4.2.2")
            .arg("title pr and nickName pr")
            .description("and of pr terms"),
        G.must("FILTER-034", case)
            .rfc("RFC 7644 §3.4.2.2")
            .arg("emails[type eq \"home\"]")
            .description("value filter with no match on either user"),
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
