use super::*;
use rstest::rstest;

#[rstest]
#[case::no_equals("hr-app", "expected NAME=URL")]
#[case::empty_name("=http://127.0.0.1:1/scim", "must be letters, digits")]
#[case::bad_name("hr app=http://127.0.0.1:1/scim", "must be letters, digits")]
#[case::not_a_url("hr=127.0.0.1:1/scim", "is not a URL")]
#[case::scheme("hr=ftp://127.0.0.1/scim", "expected an http:// or https:// URL")]
#[case::query("hr=http://127.0.0.1:1/scim?x=1", "takes no query")]
fn a_bad_upstream_argument_says_what_was_expected(#[case] arg: &str, #[case] says: &str) {
    let why = UpstreamSpec::parse(arg, None).unwrap_err();
    assert!(why.contains(says), "{why}");
    assert!(why.starts_with("--upstream"), "{why}");
}

#[test]
fn an_upstream_argument_keeps_the_base_path_without_its_trailing_slash() {
    let spec = UpstreamSpec::parse("hr-app=https://hr.example:8443/scim/v2/", None).unwrap();
    assert_eq!(spec.name, "hr-app");
    assert_eq!(spec.url, "https://hr.example:8443/scim/v2");
    assert_eq!(
        split_url(&spec.url).unwrap(),
        ("https://hr.example:8443".to_owned(), "/scim/v2".to_owned())
    );
    let root = UpstreamSpec::parse("hr=http://127.0.0.1:1", None).unwrap();
    let (state, _) = state(&root, "http://127.0.0.1:2", 0).unwrap();
    assert_eq!(state.profile.base_path, "/");
    assert_eq!(state.base_url, "http://127.0.0.1:2");
}

#[test]
fn store_and_once_faults_are_refused_and_front_door_and_answer_faults_are_not() {
    for kind in FaultKind::ALL {
        let verdict = refuses(kind, "http://app/scim");
        match kind.info().stage {
            Stage::Store | Stage::Once => {
                let why = verdict.unwrap_err();
                assert!(why.starts_with(kind.as_str()), "{why}");
                assert!(why.contains("http://app/scim"), "{why}");
                assert!(why.contains("rate_limit"), "lists what applies: {why}");
            }
            Stage::FrontDoor | Stage::Answer => assert_eq!(verdict, Ok(()), "{kind}"),
        }
    }
}

#[test]
fn a_fronting_target_refuses_a_store_fault_and_seeding() {
    let spec = UpstreamSpec::parse("hr=http://127.0.0.1:1/scim/v2", None).unwrap();
    let (state, _) = state(&spec, "http://127.0.0.1:2", 0).unwrap();
    let spec = |kind: &str| serde_json::from_value(serde_json::json!({ "kind": kind })).unwrap();
    let why = state.add_fault(spec("patch_as_put")).unwrap_err();
    assert!(why.contains("patch_as_put cannot be switched on"), "{why}");
    assert!(state.add_fault(spec("rate_limit")).is_ok());
    let refused = state
        .seed(crate::scim::schema::ResourceTypeName::User, vec![])
        .unwrap_err();
    assert!(
        refused.detail.contains("fronts a real app"),
        "{}",
        refused.detail
    );
}
