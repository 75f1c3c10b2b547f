//! The filters of RFC 7644 §3.4.2.2 (Figure 2) parse, print back to the
//! same tree, and select what the RFC means; plus property tests.

use proptest::prelude::*;
use rstest::rstest;
use scimulate::scim::filter::{self, CompValue, CompareOp, Filter};
use scimulate::scim::path::AttrPath;
use scimulate::scim::schema::ResourceSchema;
use serde_json::{Value, json};

fn bjensen() -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "id": "2819c223-7f76-453a-919d-413861904646",
        "userName": "bjensen",
        "name": {"familyName": "Jensen", "givenName": "Barbara"},
        "title": "Tour Guide",
        "userType": "Employee",
        "emails": [
            {"value": "bjensen@example.com", "type": "work", "primary": true},
            {"value": "babs@jensen.org", "type": "home"}
        ],
        "ims": [{"value": "someaimhandle", "type": "aim"}],
        "meta": {"resourceType": "User", "created": "2010-01-23T04:56:22Z",
                 "lastModified": "2011-05-13T04:42:34Z", "version": "W/\"3694e05e9dff591\""}
    })
}

#[rstest]
#[case(r#"userName Eq "john""#, false)]
#[case(r#"userName eq "BJENSEN""#, true)]
#[case(r#"name.familyName co "O'Malley""#, false)]
#[case(r#"userName sw "J""#, false)]
#[case(r#"urn:ietf:params:scim:schemas:core:2.0:User:userName sw "B""#, true)]
#[case(r#"title pr"#, true)]
#[case(r#"meta.lastModified gt "2011-05-13T04:42:34Z""#, false)]
#[case(r#"meta.lastModified ge "2011-05-13T04:42:34Z""#, true)]
#[case(r#"meta.lastModified lt "2011-05-13T06:42:34+02:00""#, false)]
#[case(r#"meta.lastModified le "2011-05-13T06:42:34+02:00""#, true)]
#[case(r#"title pr and userType eq "Employee""#, true)]
#[case(r#"title pr or userType eq "Intern""#, true)]
#[case(
    r#"schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User""#,
    false
)]
#[case(
    r#"userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")"#,
    true
)]
#[case(
    r#"userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")"#,
    false
)]
#[case(r#"userType eq "Employee" and (emails.type eq "work")"#, true)]
#[case(
    r#"userType eq "Employee" and emails[type eq "work" and value co "@example.com"]"#,
    true
)]
#[case(r#"emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]"#, true)]
#[case(r#"emails[type eq "home" and value co "@example.com"]"#, false)]
fn rfc_figure_2_filters(#[case] text: &str, #[case] matches_bjensen: bool) {
    let schema = ResourceSchema::user();
    let parsed = filter::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
    let printed = parsed.to_string();
    assert_eq!(filter::parse(&printed).unwrap(), parsed, "{printed}");
    filter::check(&parsed, &schema).unwrap_or_else(|e| panic!("{text}: {}", e.detail));
    assert_eq!(
        filter::matches(&parsed, &bjensen(), &schema),
        matches_bjensen,
        "{text}"
    );
}

#[rstest]
#[case::missing_operator(r#"userName "bjensen""#)]
#[case::unterminated_string(r#"userName eq "bjensen"#)]
#[case::unbalanced_paren(r#"(userName eq "a" or title pr"#)]
#[case::trailing_garbage(r#"userName eq "a" title"#)]
#[case::bad_number(r#"age gt 01"#)]
#[case::empty("")]
#[case::unclosed_value_filter(r#"emails[type eq "work""#)]
#[case::bad_keyword(r#"active eq yes"#)]
fn parse_errors_say_where_and_what_was_expected(#[case] text: &str) {
    let e = filter::parse(text).unwrap_err();
    insta::with_settings!({snapshot_suffix => text.replace(|c: char| !c.is_ascii_alphanumeric(), "_")}, {
        insta::assert_snapshot!(e.to_string());
    });
}

#[rstest]
#[case::id_is_case_exact(r#"id eq "2819C223-7F76-453A-919D-413861904646""#, false)]
#[case::user_name_is_not(r#"userName eq "BJensen""#, true)]
#[case::boolean(r#"emails[primary eq true and type eq "work"]"#, true)]
#[case::ne_on_unassigned(r#"nickName ne "x""#, true)]
#[case::eq_null_on_unassigned(r#"nickName eq null"#, true)]
#[case::pr_on_missing(r#"nickName pr"#, false)]
#[case::precedence(
    r#"userName eq "x" or userName eq "bjensen" and title eq "nope""#,
    false
)]
fn evaluator_semantics(#[case] text: &str, #[case] expected: bool) {
    let f = filter::parse(text).unwrap();
    assert_eq!(
        filter::matches(&f, &bjensen(), &ResourceSchema::user()),
        expected,
        "{text}"
    );
}

fn attr_path() -> impl Strategy<Value = AttrPath> {
    (
        prop_oneof![
            Just(None),
            Just(Some(
                "urn:ietf:params:scim:schemas:core:2.0:User".to_owned()
            ))
        ],
        "[a-zA-Z][a-zA-Z0-9_-]{0,8}",
        proptest::option::of("[a-zA-Z][a-zA-Z0-9]{0,5}"),
    )
        .prop_filter("keywords are not attribute names here", |(_, n, _)| {
            !["not", "and", "or"].contains(&n.to_ascii_lowercase().as_str())
        })
        .prop_map(|(urn, name, sub)| AttrPath { urn, name, sub })
}

fn comp_value() -> impl Strategy<Value = CompValue> {
    prop_oneof![
        Just(CompValue::Null),
        any::<bool>().prop_map(CompValue::Bool),
        any::<i64>().prop_map(|n| CompValue::Number(n.into())),
        ".{0,12}".prop_map(CompValue::String),
    ]
}

fn filter_tree() -> impl Strategy<Value = Filter> {
    let leaf = prop_oneof![
        attr_path().prop_map(Filter::Present),
        (
            attr_path(),
            prop::sample::select(CompareOp::ALL.to_vec()),
            comp_value()
        )
            .prop_map(|(path, op, value)| Filter::Compare { path, op, value }),
    ];
    leaf.prop_recursive(5, 40, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| Filter::And(Box::new(a), Box::new(b))),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| Filter::Or(Box::new(a), Box::new(b))),
            inner.clone().prop_map(|a| Filter::Not(Box::new(a))),
            (
                attr_path().prop_map(|mut p| {
                    p.sub = None;
                    p
                }),
                inner
            )
                .prop_map(|(path, f)| Filter::ValuePath {
                    path,
                    filter: Box::new(f)
                }),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, rng_seed: proptest::test_runner::RngSeed::Fixed(7), ..ProptestConfig::default() })]

    #[test]
    fn printing_then_parsing_gives_back_the_tree(f in filter_tree()) {
        let text = f.to_string();
        prop_assert_eq!(filter::parse(&text).map_err(|e| TestCaseError::fail(e.to_string()))?, f, "{}", text);
    }

    /// A string value means what JSON says it means (RFC 7644 §3.4.2.2:
    /// compValue strings are JSON strings): escapes decoded, raw control
    /// characters refused, whichever path the parser takes.
    #[test]
    fn string_values_are_json_strings(body in r#"([^"\\]|\\[nrtbf/"\\u]|\\u[0-9a-fA-F]{4}|[\x00-\x1f]){0,16}"#) {
        let literal = format!("\"{body}\"");
        let expected = serde_json::from_str::<String>(&literal).ok();
        let parsed = match filter::parse(&format!("userName eq {literal}")) {
            Ok(Filter::Compare { value: CompValue::String(v), .. }) => Some(v),
            Ok(other) => return Err(TestCaseError::fail(format!("{other:?}"))),
            Err(_) => None,
        };
        prop_assert_eq!(parsed, expected, "{}", literal);
    }

    #[test]
    fn the_parser_never_panics(text in "\\PC{0,80}") {
        let _ = filter::parse(&text);
    }

    #[test]
    fn the_parser_never_panics_on_filter_like_text(text in r#"[a-z \(\)\[\]"\.:0-9]{0,60}( (eq|and|or|not|pr) [a-z"\(\)]{0,10}){0,4}"#) {
        if let Ok(f) = filter::parse(&text) {
            let _ = filter::matches(&f, &bjensen(), &ResourceSchema::user());
        }
    }
}
