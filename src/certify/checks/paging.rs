//! Pagination and sorting (RFC 7644 §3.4.2.3–§3.4.2.4), over three users
//! certify made that share a title (the filter that scopes each query).

use crate::certify::check::{Check, Group};
use crate::certify::client::Resp;
use crate::certify::ctx::{Ctx, brief, id_of};
use crate::certify::discovery::Needs;
use crate::certify::probe::{expect_attr, expect_integer};
use crate::certify::rfc;
use crate::certify::verdict::{Fail, Verdict};
use crate::ensure;
use serde_json::{Value, json};

const G: Group = Group::new("pagination").needs(Needs::Filter);

pub fn checks() -> Vec<Check> {
    vec![
        G.must("PAGE-001", count_limits)
            .cites(rfc::PAGE_COUNT)
            .title("count=1 returns at most one resource and the full totalResults"),
        G.must("PAGE-002", paged_fields)
            .cites(rfc::LIST_START_INDEX)
            .title("a paged answer carries itemsPerPage and startIndex"),
        G.may("PAGE-003", pages_cover)
            .cites(rfc::PAGE_NOT_STATEFUL)
            .title("pages of one walk the whole set without repeats"),
        G.must("PAGE-004", count_zero)
            .cites(rfc::PAGE_COUNT_NEGATIVE)
            .title("count=0 returns totalResults and no resources"),
        G.must("PAGE-005", count_negative)
            .cites(rfc::PAGE_COUNT_NEGATIVE)
            .title("a negative count is treated as 0"),
        G.must("PAGE-006", start_zero)
            .cites(rfc::PAGE_START)
            .title("startIndex below 1 is treated as 1"),
        G.may("PAGE-007", start_beyond)
            .cites(rfc::PAGE_NOT_STATEFUL)
            .title("startIndex beyond the results answers 200 with no resources"),
        G.must("PAGE-008", start_echoed)
            .cites(rfc::LIST_START_INDEX)
            .title("the answer's startIndex is the one requested"),
        G.must("PAGE-009", items_per_page)
            .cites(rfc::LIST_ITEMS_PER_PAGE)
            .title("itemsPerPage equals the number of resources returned on a full page"),
        G.must("PAGE-012", items_short_page)
            .cites(rfc::LIST_ITEMS_PER_PAGE)
            .title("itemsPerPage, when given, is the number returned, not the count asked for"),
        G.must("PAGE-013", items_last_page)
            .cites(rfc::LIST_ITEMS_PER_PAGE)
            .title("the last, partial page has itemsPerPage equal to the number it returns"),
        G.must("PAGE-010", unfiltered_list)
            .cites(rfc::LIST_URN)
            .needs(Needs::Nothing)
            .title("GET /Users without a filter answers a ListResponse (an empty server is fine)"),
        G.must("PAGE-011", unfiltered_count)
            .cites(rfc::PAGE_COUNT)
            .needs(Needs::Nothing)
            .title("GET /Users?count=2 returns at most two resources"),
        G.must("SORT-001", sorted)
            .cites(rfc::SORT_BY)
            .needs(Needs::Sort)
            .arg("displayName:ascending")
            .title("sortBy=displayName returns ascending order"),
        G.must("SORT-002", sorted)
            .cites(rfc::SORT_BY)
            .needs(Needs::Sort)
            .arg("displayName:descending")
            .title("sortOrder=descending reverses the order"),
        G.must("SORT-003", sorted)
            .cites(rfc::SORT_DEFAULT)
            .needs(Needs::Sort)
            .arg("displayName:")
            .title("without sortOrder the order is ascending"),
        G.must("SORT-004", sorted_pages)
            .cites(rfc::SORT_BY)
            .needs(Needs::Sort)
            .title("sorted pages of one follow the sorted order"),
        G.must("SORT-005", sorted)
            .cites(rfc::SORT_CASE)
            .needs(Needs::Sort)
            .arg("userName:ascending")
            .title("sortBy=userName sorts case-insensitively (caseExact false)"),
    ]
}

/// Three users sharing a title, displayNames out of order, userNames in
/// mixed case.
async fn set(c: &Ctx) -> Result<Vec<Value>, Fail> {
    c.page_set
        .get_or_init(|| async {
            let title = c.name("page-title");
            let n = c.name("");
            let mut v = Vec::new();
            for (dn, un) in [("Page B", "pb"), ("page a", "PA"), ("Page C", "pc")] {
                v.push(c.new_user_keeping(json!({"title": title, "displayName": dn, "userName": format!("{n}{un}@example.com")}), &["title"]).await?);
            }
            Ok(v)
        })
        .await
        .clone()
}

fn scope(s: &[Value]) -> String {
    format!(
        "title eq {}",
        Ctx::quoted(s[0]["title"].as_str().unwrap_or(""))
    )
}

async fn page(c: &Ctx, s: &[Value], more: &str) -> Result<Resp, Fail> {
    let r = c.query("Users", &scope(s), more).await?;
    ensure!(
        r.status == 200,
        "query{more} answered {}: {}",
        r.status,
        brief(&r.body)
    );
    Ok(r)
}

fn n_resources(r: &Resp) -> usize {
    r.body["Resources"].as_array().map(Vec::len).unwrap_or(0)
}

async fn count_limits(c: &Ctx, _: &'static str) -> Verdict {
    let s = set(c).await?;
    let r = page(c, &s, "&count=1").await?;
    ensure!(n_resources(&r) <= 1, "count=1 returned {}", n_resources(&r));
    ensure!(
        r.body["totalResults"] == json!(3),
        "totalResults is {} (3 users match)",
        brief(&r.body["totalResults"])
    );
    Ok("at most 1, total 3".into())
}

async fn paged_fields(c: &Ctx, _: &'static str) -> Verdict {
    let s = set(c).await?;
    let r = page(c, &s, "&startIndex=2&count=1").await?;
    expect_integer(&r.body, "itemsPerPage")?;
    expect_integer(&r.body, "startIndex")?;
    Ok("present".into())
}

async fn walk(c: &Ctx, s: &[Value], extra: &str) -> Result<Vec<String>, Fail> {
    let mut ids = Vec::new();
    for i in 1..=3 {
        let r = page(c, s, &format!("&startIndex={i}&count=1{extra}")).await?;
        ids.extend(Ctx::ids(&r.body));
    }
    Ok(ids)
}

async fn pages_cover(c: &Ctx, _: &'static str) -> Verdict {
    let s = set(c).await?;
    let mut ids = walk(c, &s, "").await?;
    ids.sort();
    let mut want: Vec<String> = s.iter().map(|u| id_of(u).to_owned()).collect();
    want.sort();
    ensure!(
        ids == want,
        "pages returned {ids:?}, expected each of {want:?} once"
    );
    Ok("complete".into())
}

async fn count_zero(c: &Ctx, _: &'static str) -> Verdict {
    let s = set(c).await?;
    let r = page(c, &s, "&count=0").await?;
    ensure!(
        n_resources(&r) == 0,
        "count=0 returned {} resources",
        n_resources(&r)
    );
    expect_attr(&r.body, "totalResults", json!(3))?;
    Ok("totals only".into())
}

async fn count_negative(c: &Ctx, _: &'static str) -> Verdict {
    let s = set(c).await?;
    let r = page(c, &s, "&count=-1").await?;
    ensure!(
        n_resources(&r) == 0,
        "count=-1 returned {} resources",
        n_resources(&r)
    );
    Ok("treated as 0".into())
}

async fn start_zero(c: &Ctx, _: &'static str) -> Verdict {
    let s = set(c).await?;
    let a = page(c, &s, "&startIndex=0&count=3").await?;
    ensure!(
        n_resources(&a) == 3,
        "startIndex=0 returned {} of 3",
        n_resources(&a)
    );
    Ok("treated as 1".into())
}

async fn start_beyond(c: &Ctx, _: &'static str) -> Verdict {
    let s = set(c).await?;
    let r = page(c, &s, "&startIndex=50&count=10").await?;
    ensure!(n_resources(&r) == 0, "returned {}", n_resources(&r));
    expect_attr(&r.body, "totalResults", json!(3))?;
    Ok("empty page".into())
}

async fn start_echoed(c: &Ctx, _: &'static str) -> Verdict {
    let s = set(c).await?;
    let r = page(c, &s, "&startIndex=2&count=1").await?;
    expect_attr(&r.body, "startIndex", json!(2))?;
    Ok("2".into())
}

async fn items_per_page(c: &Ctx, _: &'static str) -> Verdict {
    let s = set(c).await?;
    let r = page(c, &s, "&count=2").await?;
    ensure!(
        r.body["itemsPerPage"] == json!(n_resources(&r)),
        "itemsPerPage {} with {} resources",
        brief(&r.body["itemsPerPage"]),
        n_resources(&r)
    );
    Ok("consistent".into())
}

/// count=10 of three: a short answer. itemsPerPage is not REQUIRED when
/// nothing is left out, but one that is given means what §3.4.2 says.
async fn items_short_page(c: &Ctx, _: &'static str) -> Verdict {
    let s = set(c).await?;
    let r = page(c, &s, "&startIndex=1&count=10").await?;
    let n = n_resources(&r);
    match r.body.get("itemsPerPage") {
        None => Ok(format!("{n} returned, itemsPerPage absent (not paged)")),
        Some(v) => {
            ensure!(
                *v == json!(n),
                "count=10 returned {n} resources but itemsPerPage is {} (the count asked for, not the number returned)",
                brief(v)
            );
            Ok(format!("itemsPerPage {n}"))
        }
    }
}

/// startIndex=3&count=2 of three: the last page holds one.
async fn items_last_page(c: &Ctx, _: &'static str) -> Verdict {
    let s = set(c).await?;
    let r = page(c, &s, "&startIndex=3&count=2").await?;
    let n = n_resources(&r);
    ensure!(n == 1, "startIndex=3&count=2 of 3 returned {n} resources");
    ensure!(
        r.body["itemsPerPage"] == json!(1),
        "the last page returned 1 resource but itemsPerPage is {}",
        brief(&r.body["itemsPerPage"])
    );
    Ok("itemsPerPage 1".into())
}

async fn unfiltered_list(c: &Ctx, _: &'static str) -> Verdict {
    let r = c.get("/Users?count=1").await?;
    ensure!(r.status == 200, "answered {}", r.status);
    expect_integer(&r.body, "totalResults")?;
    Ok("ListResponse".into())
}

async fn unfiltered_count(c: &Ctx, _: &'static str) -> Verdict {
    let r = c.get("/Users?startIndex=1&count=2").await?;
    ensure!(r.status == 200, "answered {}", r.status);
    ensure!(n_resources(&r) <= 2, "returned {}", n_resources(&r));
    Ok(format!("{} resource(s)", n_resources(&r)))
}

fn key(u: &Value, attr: &str) -> String {
    u[attr].as_str().unwrap_or("").to_lowercase()
}

async fn sorted(c: &Ctx, spec: &'static str) -> Verdict {
    let s = set(c).await?;
    let (attr, order) = spec.split_once(':').unwrap_or((spec, ""));
    let more = if order.is_empty() {
        format!("&sortBy={attr}")
    } else {
        format!("&sortBy={attr}&sortOrder={order}")
    };
    let r = page(c, &s, &more).await?;
    let got: Vec<String> = r.body["Resources"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|u| key(u, attr))
        .collect();
    let mut want: Vec<String> = s.iter().map(|u| key(u, attr)).collect();
    want.sort();
    if order == "descending" {
        want.reverse();
    }
    ensure!(got == want, "order {got:?}, expected {want:?}");
    Ok("sorted".into())
}

async fn sorted_pages(c: &Ctx, _: &'static str) -> Verdict {
    let s = set(c).await?;
    let ids = walk(c, &s, "&sortBy=displayName").await?;
    let mut by_name: Vec<&Value> = s.iter().collect();
    by_name.sort_by_key(|u| key(u, "displayName"));
    let want: Vec<String> = by_name.iter().map(|u| id_of(u).to_owned()).collect();
    ensure!(ids == want, "pages gave {ids:?}, expected {want:?}");
    Ok("stable".into())
}
