//! Filters (RFC 7644 §3.4.2.2). Two users certify made share a title that
//! scopes every query to them; which of the two a filter should return is
//! computed by the filter evaluator of src/scim over their stored state,
//! and the server's answer must agree exactly.

use crate::certify::check::{Check, Group};
use crate::certify::ctx::{Ctx, id_of};
use crate::certify::discovery::Needs;
use crate::certify::rfc;
use crate::certify::verdict::{Fail, Verdict, failed};
use crate::ensure;
use crate::scim::filter;
use crate::scim::schema::ResourceSchema;
use serde_json::{Value, json};

const G: Group = Group::new("filter").needs(Needs::Filter);

pub fn checks() -> Vec<Check> {
    vec![
        G.must("FILTER-001", case)
            .cites(rfc::FILTER_MATCH)
            .arg("userName eq \"{ua}\"")
            .title("eq on userName"),
        G.must("FILTER-002", case)
            .cites(rfc::FILTER_CASE)
            .arg("userName eq \"{UA}\"")
            .title("eq on userName ignores case (caseExact false)"),
        G.must("FILTER-003", case)
            .cites(rfc::FILTER_MATCH)
            .arg("{t} and displayName ne \"{da}\"")
            .title("ne on displayName"),
        G.must("FILTER-004", case)
            .cites(rfc::FILTER_MATCH)
            .arg("{t} and displayName co \"Subj\"")
            .title("co on displayName"),
        G.must("FILTER-005", case)
            .cites(rfc::FILTER_MATCH)
            .arg("userName sw \"{pa}\"")
            .title("sw on userName"),
        G.must("FILTER-006", case)
            .cites(rfc::FILTER_MATCH)
            .arg("{t} and userName ew \"fb@example.com\"")
            .title("ew on userName"),
        G.must("FILTER-007", case)
            .cites(rfc::FILTER_MATCH)
            .arg("{t} and nickName pr")
            .title("pr on nickName (one user has it)"),
        G.must("FILTER-008", case)
            .cites(rfc::FILTER_MATCH)
            .arg("{t} and nickName gt \"nick-abb\"")
            .title("gt on a string (nickName)"),
        G.must("FILTER-009", case)
            .cites(rfc::FILTER_MATCH)
            .arg("{t} and nickName ge \"nick-abc\"")
            .title("ge on a string (nickName)"),
        G.must("FILTER-010", case)
            .cites(rfc::FILTER_MATCH)
            .arg("{t} and nickName lt \"nick-abd\"")
            .title("lt on a string (nickName)"),
        G.must("FILTER-011", case)
            .cites(rfc::FILTER_MATCH)
            .arg("{t} and nickName le \"nick-abc\"")
            .title("le on a string (nickName)"),
        G.must("FILTER-012", case)
            .cites(rfc::FILTER_MATCH)
            .arg("{t} and nickName lt \"nick-abc\"")
            .title("lt excludes the equal value"),
        G.must("FILTER-013", case)
            .cites(rfc::FILTER_MATCH)
            .arg("{t} and active eq true")
            .title("eq on a boolean (true)"),
        G.must("FILTER-014", case)
            .cites(rfc::FILTER_MATCH)
            .arg("{t} and active eq false")
            .title("eq on a boolean (false) finds deactivated users"),
        G.must("FILTER-015", case)
            .cites(rfc::FILTER_MATCH)
            .arg("displayName eq \"{da}\" or displayName eq \"{db}\"")
            .title("or of two comparisons, alone (no parentheses)"),
        G.must("FILTER-016", case)
            .cites(rfc::FILTER_MATCH)
            .arg("{t} and not (active eq true)")
            .title("not, last in an and chain"),
        G.must("FILTER-017", case)
            .cites(rfc::FILTER_ORDER)
            .arg("(userName eq \"{ua}\" or userName eq \"{ub}\") and active eq false")
            .title("a group first decides precedence: (A or B) and C"),
        G.must("FILTER-018", case)
            .cites(rfc::FILTER_MATCH)
            .arg("emails[type eq \"work\" and value eq \"{ea}\"]")
            .title("complex value filter"),
        G.must("FILTER-019", case)
            .cites(rfc::FILTER_MATCH)
            .arg("emails.value eq \"{ea}\"")
            .title("sub-attribute of a multi-valued attribute"),
        G.must("FILTER-020", case)
            .cites(rfc::FILTER_NAMES_CASE)
            .arg("userName EQ \"{ua}\"")
            .title("operators are case-insensitive"),
        G.must("FILTER-021", case)
            .cites(rfc::FILTER_NAMES_CASE)
            .arg("USERNAME eq \"{ua}\"")
            .title("attribute names are case-insensitive"),
        G.must("FILTER-022", case)
            .cites(rfc::CASE_EXACT_FILTERS)
            .arg("externalId eq \"{xl}\"")
            .title("externalId is caseExact: other case does not match"),
        G.must("FILTER-023", case)
            .cites(rfc::FILTER_MATCH)
            .arg("externalId eq \"{xa}\"")
            .title("eq on externalId"),
        G.must("FILTER-024", case)
            .cites(rfc::FILTER_MATCH)
            .arg("{t} and name.givenName eq \"Filtra\"")
            .title("sub-attribute of a complex attribute"),
        G.must("FILTER-025", case)
            .cites(rfc::FILTER_MATCH)
            .arg("id eq \"{ida}\"")
            .title("eq on id"),
        G.must("FILTER-026", case)
            .cites(rfc::FILTER_MATCH)
            .arg("{t} and meta.lastModified gt \"2000-01-01T00:00:00Z\"")
            .title("gt on a dateTime"),
        G.must("FILTER-027", case)
            .cites(rfc::FILTER_MATCH)
            .arg("{t} and meta.resourceType eq \"User\"")
            .title("eq on meta.resourceType"),
        G.must("FILTER-028", case)
            .cites(rfc::FILTER_MATCH)
            .arg("{t}")
            .title("the scoping filter alone returns exactly the two users"),
        G.must("FILTER-029", case)
            .cites(rfc::FILTER_MATCH)
            .arg("urn:ietf:params:scim:schemas:core:2.0:User:userName eq \"{ua}\"")
            .title("fully qualified attribute names"),
        G.must("FILTER-030", case)
            .cites(rfc::FILTER_CASE)
            .arg("{t} and displayName co \"subj\"")
            .title("co ignores case on a caseExact false attribute"),
        G.must("FILTER-031", case)
            .cites(rfc::FILTER_CASE)
            .arg("userName sw \"{PA}\"")
            .title("sw ignores case on userName"),
        G.must("FILTER-032", case)
            .cites(rfc::FILTER_MATCH)
            .arg("userName eq \"{ua}\" and userName eq \"{ub}\"")
            .title("and of exclusive terms matches nothing"),
        G.must("FILTER-033", case)
            .cites(rfc::FILTER_MATCH)
            .arg("{t} and title pr and nickName pr")
            .title("and of pr terms"),
        G.must("FILTER-034", case)
            .cites(rfc::FILTER_MATCH)
            .arg("{t} and emails[type eq \"home\"]")
            .title("value filter with no match on either user"),
        // The same operators in every place a filter can put them: first,
        // middle and last of and/or chains, a group first, in the middle
        // and last, nested groups, not in a chain, and precedence with no
        // parentheses at all. Each names only this run's users.
        G.must("FILTER-035", case)
            .cites(rfc::FILTER_MATCH)
            .arg("nickName pr and {t}")
            .title("a comparison first in an and chain"),
        G.must("FILTER-036", case)
            .cites(rfc::FILTER_MATCH)
            .arg("{t} and nickName pr and active eq true")
            .title("a comparison in the middle of an and chain"),
        G.must("FILTER-037", case)
            .cites(rfc::FILTER_MATCH)
            .arg("{t} and active eq true and nickName pr")
            .title("a comparison last in an and chain"),
        G.must("FILTER-038", case)
            .cites(rfc::FILTER_MATCH)
            .arg("userName eq \"{ua}\" or userName eq \"{na}\" or userName eq \"{nb}\"")
            .title("the matching comparison first in an or chain"),
        G.must("FILTER-039", case)
            .cites(rfc::FILTER_MATCH)
            .arg("userName eq \"{na}\" or userName eq \"{ua}\" or userName eq \"{nb}\"")
            .title("the matching comparison in the middle of an or chain"),
        G.must("FILTER-050", case)
            .cites(rfc::FILTER_MATCH)
            .arg("userName eq \"{na}\" or userName eq \"{nb}\" or userName eq \"{ub}\"")
            .title("the matching comparison last in an or chain"),
        G.must("FILTER-051", case)
            .cites(rfc::FILTER_ORDER)
            .arg("{t} and (userName eq \"{ua}\" or userName eq \"{ub}\") and active eq false")
            .title("a group in the middle of an and chain: A and (B or C) and D"),
        G.must("FILTER-052", case)
            .cites(rfc::FILTER_ORDER)
            .arg("(nickName pr or active eq false) and userName eq \"{ua}\"")
            .title("a group first in an and chain"),
        G.must("FILTER-053", case)
            .cites(rfc::FILTER_ORDER)
            .arg("{t} and (nickName pr or displayName eq \"{na}\")")
            .title("a group last in an and chain"),
        G.must("FILTER-054", case)
            .cites(rfc::FILTER_ORDER)
            .arg("{t} and ((userName eq \"{ua}\" or userName eq \"{ub}\") and (active eq true))")
            .title("nested groups"),
        G.must("FILTER-055", case)
            .cites(rfc::FILTER_ORDER)
            .arg("{t} and not (nickName pr) and active eq false")
            .title("not in the middle of an and chain"),
        G.must("FILTER-056", case)
            .cites(rfc::FILTER_ORDER)
            // A or (B and inactive): both. Read left to right, (A or B)
            // and inactive gives B alone.
            .arg("userName eq \"{ua}\" or userName eq \"{ub}\" and active eq false")
            .title("and binds tighter than or without parentheses"),
        G.must("FILTER-057", case)
            .cites(rfc::FILTER_MATCH)
            .arg("not (userName ne \"{ua}\")")
            .title("not alone, around a single comparison"),
    ]
}

/// The two users: A active with a nickName and a work email, B inactive.
pub async fn pair(c: &Ctx) -> Result<Vec<Value>, Fail> {
    c.filter_pair
        .get_or_init(|| async {
            let title = c.name("filter-title");
            let n = c.name("");
            // The title scopes every query: without it nothing can be
            // judged. The rest is read back and judged as the server holds it.
            let a = c
                .new_user_keeping(json!({
                    "userName": format!("{n}fa@example.com"), "displayName": format!("{n}Filter Subject"),
                    "title": title, "nickName": "nick-abc", "externalId": format!("{n}Ext-MiXeD"),
                    "name": {"givenName": "Filtra", "familyName": "Subject"},
                    "emails": [{"value": format!("{n}fa-mail@example.com"), "type": "work", "primary": true}],
                    "active": true}), &["title"])
                .await?;
            let b = c
                .new_user_keeping(json!({
                    "userName": format!("{n}fb@example.com"), "displayName": format!("{n}Other Subject"),
                    "title": title, "active": false}), &["title"])
                .await?;
            let a = c.read_ok("Users", id_of(&a)).await?;
            let b = c.read_ok("Users", id_of(&b)).await?;
            Ok(vec![a, b])
        })
        .await
        .clone()
}

/// A check's filter with the run's values put in: `{t}` the title only
/// this run's two users share, `{ua}`/`{ub}` their userNames, `{da}`/`{db}`
/// their displayNames, `{na}`/`{nb}` names nobody has.
fn fill(t: &str, u: &[Value]) -> String {
    let s = |v: &Value| v.as_str().unwrap_or("").to_owned();
    let ua = s(&u[0]["userName"]);
    let n = ua.trim_end_matches("fa@example.com").to_owned();
    t.replace("{t}", &scope(u))
        .replace("{ua}", &ua)
        .replace("{da}", &s(&u[0]["displayName"]))
        .replace("{db}", &s(&u[1]["displayName"]))
        .replace("{na}", &format!("{n}nobody-a@example.com"))
        .replace("{nb}", &format!("{n}nobody-b@example.com"))
        .replace("{UA}", &ua.to_uppercase())
        .replace("{ub}", &s(&u[1]["userName"]))
        .replace("{pa}", &format!("{n}fa"))
        .replace("{PA}", &format!("{n}fa").to_uppercase())
        .replace("{ea}", &format!("{n}fa-mail@example.com"))
        .replace("{xa}", &s(&u[0]["externalId"]))
        .replace("{xl}", &s(&u[0]["externalId"]).to_lowercase())
        .replace("{ida}", &s(&u[0]["id"]))
}

/// `title eq T`: the term that scopes a query to the two users.
pub fn scope(u: &[Value]) -> String {
    format!(
        "title eq {}",
        Ctx::quoted(u[0]["title"].as_str().unwrap_or(""))
    )
}

/// `title eq T and expr` (`expr` empty: the scope alone). The caller's
/// expression is not put in parentheses: a filter that needs a group says
/// so itself, and a check of `or` or `not` does not fail on a server that
/// cannot nest parentheses (FILTER-051 to 054 judge that).
pub fn scoped(u: &[Value], expr: &str) -> String {
    if expr.is_empty() {
        scope(u)
    } else {
        format!("{} and {expr}", scope(u))
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

/// Every template names only this run's users: through `{t}`, or through
/// values only they hold (their userNames, displayNames, ids).
async fn case(c: &Ctx, template: &'static str) -> Verdict {
    let u = pair(c).await?;
    let f = fill(template, &u);
    let want = expected(&f, &u)?;
    let list = c.list("Users", &f).await?;
    let mut got = Ctx::ids(&list);
    got.sort();
    let mut want_sorted = want.clone();
    want_sorted.sort();
    ensure!(
        got == want_sorted,
        "filter {f}: returned {}, expected {}",
        names(&got, &u),
        names(&want_sorted, &u)
    );
    Ok(format!("{} match(es)", got.len()))
}

/// Which of the two users a list of ids holds, by name ("A and B", "none"),
/// and how many others.
fn names(ids: &[String], u: &[Value]) -> String {
    let mut out: Vec<String> = Vec::new();
    for (label, r) in ["user A (active, nickName)", "user B (inactive)"]
        .iter()
        .zip(u)
    {
        if ids.iter().any(|i| i == id_of(r)) {
            out.push((*label).to_owned());
        }
    }
    let others = ids
        .iter()
        .filter(|i| !u.iter().any(|r| id_of(r) == i.as_str()))
        .count();
    if others > 0 {
        out.push(format!("{others} other resource(s)"));
    }
    if out.is_empty() {
        "none".into()
    } else {
        out.join(" and ")
    }
}
