//! Garbled input for every parser (issue 19): the filter parser, the
//! attribute and PATCH path parsers, the PATCH engine, and the scenario,
//! profile and connector loaders. None may panic, and every error says
//! where: a position inside the filter, the path it could not read, the
//! operation it refused, or the line and column of the file.
//!
//! The files are the repository's own valid ones, mutated: lines and
//! characters deleted, duplicated, swapped, YAML punctuation inserted,
//! the text cut short. `filter_rfc`, `patch_rfc` and `scenario_load` hold
//! the properties of valid input.

use proptest::prelude::*;
use proptest::sample::Index;
use scimulate::located::Located;
use scimulate::mock::profile::Profile;
use scimulate::scim::filter;
use scimulate::scim::patch::{PATCH_OP_URN, PatchPath, PatchRequest, apply};
use scimulate::scim::path::AttrPath;
use scimulate::scim::schema::ResourceSchema;
use serde_json::{Map, Value, json};
use std::path::Path;
use std::sync::LazyLock;

fn config(cases: u32, seed: u64) -> ProptestConfig {
    ProptestConfig {
        cases,
        rng_seed: proptest::test_runner::RngSeed::Fixed(seed),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// One edit of a text.
#[derive(Debug, Clone)]
enum Edit {
    DeleteLine(Index),
    DuplicateLine(Index),
    SwapLines(Index, Index),
    DeleteChar(Index),
    DuplicateChar(Index),
    SwapChars(Index, Index),
    Insert(Index, char),
    Cut(Index),
}

fn edit() -> impl Strategy<Value = Edit> {
    let punctuation = prop::sample::select(vec![
        ':', '-', '[', ']', '{', '}', '"', '\'', ' ', '\t', '#', '&', '*', '!', '|', '>', '%', '@',
        '`', '\n', ',', '?', 'x', '0', '.', '\\', 'é', '\u{0}',
    ]);
    prop_oneof![
        any::<Index>().prop_map(Edit::DeleteLine),
        any::<Index>().prop_map(Edit::DuplicateLine),
        (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Edit::SwapLines(a, b)),
        any::<Index>().prop_map(Edit::DeleteChar),
        any::<Index>().prop_map(Edit::DuplicateChar),
        (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Edit::SwapChars(a, b)),
        (any::<Index>(), punctuation).prop_map(|(a, c)| Edit::Insert(a, c)),
        any::<Index>().prop_map(Edit::Cut),
    ]
}

fn apply_edit(text: &str, edit: &Edit) -> String {
    let mut lines: Vec<&str> = text.split_inclusive('\n').collect();
    let mut chars: Vec<char> = text.chars().collect();
    if lines.is_empty() || chars.is_empty() {
        return text.to_owned();
    }
    let (nl, nc) = (lines.len(), chars.len());
    match edit {
        Edit::DeleteLine(i) => {
            lines.remove(i.index(nl));
        }
        Edit::DuplicateLine(i) => {
            let i = i.index(nl);
            lines.insert(i, lines[i]);
        }
        Edit::SwapLines(a, b) => lines.swap(a.index(nl), b.index(nl)),
        Edit::DeleteChar(i) => {
            chars.remove(i.index(nc));
        }
        Edit::DuplicateChar(i) => {
            let i = i.index(nc);
            chars.insert(i, chars[i]);
        }
        Edit::SwapChars(a, b) => chars.swap(a.index(nc), b.index(nc)),
        Edit::Insert(i, c) => chars.insert(i.index(nc), *c),
        Edit::Cut(i) => chars.truncate(i.index(nc)),
    }
    match edit {
        Edit::DeleteLine(_) | Edit::DuplicateLine(_) | Edit::SwapLines(..) => lines.concat(),
        _ => chars.into_iter().collect(),
    }
}

fn edited(text: &str, edits: &[Edit]) -> String {
    edits.iter().fold(text.to_owned(), |t, e| apply_edit(&t, e))
}

/// The valid files of a kind, from the repository.
fn corpus(folders: &[&str]) -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for folder in folders {
        let mut entries: Vec<_> = std::fs::read_dir(root.join(folder))
            .unwrap_or_else(|e| panic!("{folder}: {e}"))
            .map(|e| e.expect("an entry").path())
            .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
            .collect();
        entries.sort();
        for path in entries {
            let text = std::fs::read_to_string(&path).expect("a file");
            files.push((
                path.file_name().unwrap().to_string_lossy().into_owned(),
                text,
            ));
        }
    }
    assert!(!files.is_empty(), "no files in {folders:?}");
    files
}

static SCENARIOS: LazyLock<Vec<(String, String)>> =
    LazyLock::new(|| corpus(&["scenarios", "benches/scenarios"]));
static PROFILES: LazyLock<Vec<(String, String)>> =
    LazyLock::new(|| corpus(&["mock-targets", "tests/data/profiles-ok"]));
static CONNECTORS: LazyLock<Vec<(String, String)>> =
    LazyLock::new(|| corpus(&["connectors", "tests/data/connectors-ok"]));

/// A loader's error must name the file and say at which line and column,
/// a line of the text (or the one after its end).
fn located(e: &Located, origin: &str, text: &str) -> Result<(), TestCaseError> {
    let rendered = e.to_string();
    let Some(place) = e.place else {
        return Err(TestCaseError::fail(format!(
            "an error with no place: {rendered}\n--- text ---\n{text}"
        )));
    };
    let lines = text.lines().count() as u64 + 1;
    prop_assert!(
        place.line >= 1 && place.line <= lines && place.column >= 1,
        "place {place:?} outside the text ({lines} lines): {rendered}"
    );
    prop_assert!(
        rendered.starts_with(&format!(
            "{origin}: line {} column {}",
            place.line, place.column
        )),
        "{rendered}"
    );
    Ok(())
}

proptest! {
    #![proptest_config(config(384, 0xf122))]

    #[test]
    fn mutated_scenarios_load_or_say_where(which in any::<Index>(), edits in prop::collection::vec(edit(), 1..4)) {
        let (name, text) = &SCENARIOS[which.index(SCENARIOS.len())];
        let text = edited(text, &edits);
        if let Err(e) = scimulate::scenario::from_yaml(&text, Path::new(name)) {
            located(&e, name, &text)?;
        }
    }

    #[test]
    fn mutated_profiles_load_or_say_where(which in any::<Index>(), edits in prop::collection::vec(edit(), 1..4)) {
        let (name, text) = &PROFILES[which.index(PROFILES.len())];
        let text = edited(text, &edits);
        if let Err(e) = Profile::from_yaml(&text, name) {
            located(&e, name, &text)?;
        }
    }

    #[test]
    fn mutated_connector_files_load_or_say_where(which in any::<Index>(), edits in prop::collection::vec(edit(), 1..4)) {
        let (name, text) = &CONNECTORS[which.index(CONNECTORS.len())];
        let text = edited(text, &edits);
        if let Err(e) = scimulate::connector::from_yaml(&text, name) {
            located(&e, name, &text)?;
        }
    }

    #[test]
    fn random_bytes_are_refused_at_a_place(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let text = String::from_utf8_lossy(&bytes);
        if let Err(e) = scimulate::scenario::from_yaml(&text, Path::new("r.yaml")) {
            located(&e, "r.yaml", &text)?;
        }
        if let Err(e) = Profile::from_yaml(&text, "r.yaml") {
            located(&e, "r.yaml", &text)?;
        }
        if let Err(e) = scimulate::connector::from_yaml(&text, "r.yaml") {
            located(&e, "r.yaml", &text)?;
        }
    }
}

const FILTERS: &[&str] = &[
    r#"userName eq "bjensen""#,
    r#"name.familyName co "O'Malley""#,
    r#"userName sw "J""#,
    r#"urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J""#,
    r#"title pr and userType eq "Employee""#,
    r#"meta.lastModified gt "2011-05-13T04:42:34Z""#,
    r#"emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]"#,
    r#"not (userName eq "x") and (title pr or active eq true)"#,
    r#"members[value eq "2819c223-7f76-453a-919d-413861904646"]"#,
    r#"age gt 1.5e3 or age le -4"#,
];

proptest! {
    #![proptest_config(config(1024, 0xf17e))]

    /// A filter error's position is a place in the filter (its end at
    /// most), and the message says it.
    #[test]
    fn filter_errors_are_at_a_place_in_the_filter(which in any::<Index>(), edits in prop::collection::vec(edit(), 1..5)) {
        let text = edited(FILTERS[which.index(FILTERS.len())], &edits);
        if let Err(e) = filter::parse(&text) {
            prop_assert!(e.position <= text.chars().count(), "{e} in {text:?}");
            let said = format!("position {}", e.position);
            prop_assert!(e.to_string().contains(&said), "{e}");
        }
    }

    #[test]
    fn attribute_paths_name_the_path_they_refuse(text in r#"(urn:[a-z:.0-9]{0,20}:)?[a-zA-Z$0-9_.\-\[\] "]{0,20}"#) {
        if let Err(e) = AttrPath::parse(&text) {
            prop_assert!(e.detail.contains(&text), "{} for {text:?}", e.detail);
        }
    }

    #[test]
    fn patch_paths_name_the_path_they_refuse(which in any::<Index>(), attr in "[a-zA-Z.]{0,10}", edits in prop::collection::vec(edit(), 0..4)) {
        let filter = FILTERS[which.index(FILTERS.len())];
        let text = edited(&format!("{attr}[{filter}].value"), &edits);
        if let Err(e) = PatchPath::parse(&text) {
            prop_assert!(e.detail.contains(&format!("{text:?}")), "{} for {text:?}", e.detail);
        }
    }
}

/// Any JSON, keys drawn mostly from a PATCH request's own.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        prop::sample::select(vec![
            "add",
            "Replace",
            "remove",
            "members",
            "emails[type eq \"work\"].value",
            "name.givenName",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager",
            "members[value eq \"x\"]",
            "active",
            "userName",
            "id",
            "meta.version",
            "",
            "[",
            "x.y.z",
        ])
        .prop_map(Value::from),
        ".{0,6}".prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 32, 4, |inner| {
        let key = prop_oneof![
            prop::sample::select(vec![
                "op",
                "path",
                "value",
                "Operations",
                "schemas",
                "members",
                "emails",
                "active",
                "displayName",
                "value",
                "primary",
                "type",
                "name",
                "givenName",
            ])
            .prop_map(str::to_owned),
            "[a-zA-Z]{0,5}",
        ];
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((key, inner), 0..4)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

fn resources() -> [(Value, ResourceSchema); 2] {
    [
        (
            json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "id": "u1", "userName": "bjensen",
                   "emails": [{"value": "b@example.com", "type": "work", "primary": true}], "active": true}),
            ResourceSchema::user(),
        ),
        (
            json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "id": "g1", "displayName": "G",
                   "members": [{"value": "u1"}, {"value": "u2"}]}),
            ResourceSchema::group(),
        ),
    ]
}

proptest! {
    #![proptest_config(config(1024, 0x9a7c))]

    /// Any body: refused with a 4xx that names the field or operation, or
    /// parsed; a parsed request applies or fails, per operation, never
    /// touching the resource it failed on.
    #[test]
    fn any_patch_body_is_refused_at_a_field_or_applied(ops in any_json(), schemas_ok in any::<bool>()) {
        let body = if schemas_ok {
            json!({"schemas": [PATCH_OP_URN], "Operations": ops})
        } else {
            ops
        };
        let request = match PatchRequest::from_json(&body) {
            Ok(r) => r,
            Err(e) => {
                prop_assert!((400..500).contains(&e.status), "{e:?}");
                prop_assert!(
                    ["schemas", "Operations", "op ", "path", "value"].iter().any(|f| e.detail.contains(f)),
                    "an error naming no field: {}", e.detail
                );
                return Ok(());
            }
        };
        for (resource, schema) in resources() {
            if let Err(e) = apply(&resource, &request, &schema) {
                prop_assert!((400..500).contains(&e.status), "{e:?}");
                prop_assert!(e.detail.starts_with("Operations["), "{}", e.detail);
            }
        }
    }
}
