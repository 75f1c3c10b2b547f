//! `upstream:` targets in scenario files: loaded with their read token's
//! variable and CA file; what a real app cannot take (a store fault, a token
//! rotation at the proxy, seeded accounts) is bad input at its line and
//! column, from the loader and from `scimulate check` (exit 2).

use clap::Parser;
use scimulate::scenario::{self, Scenario, UpstreamTarget};
use std::path::{Path, PathBuf};

const HEAD: &str = "name: up
targets:
  hr: { upstream: \"http://127.0.0.1:1/scim/v2/\", read_token_env: HR_READ_TOKEN, ca_file: certs/hr.pem }
  app: { profile: generic-rfc }
people: { named: { ann: {} } }
";

fn load(rest: &str) -> Result<Scenario, String> {
    scenario::from_yaml(&format!("{HEAD}{rest}"), Path::new("packs/up.yaml"))
        .map_err(|e| e.to_string())
}

#[test]
fn an_upstream_target_loads_with_its_read_token_variable_and_ca_file() {
    let s = load("steps:\n  - joiner: ann\n  - fault: { target: hr, kind: rate_limit }\n").unwrap();
    let hr = s.targets.iter().find(|t| t.name == "hr").unwrap();
    assert_eq!(
        hr.upstream,
        Some(UpstreamTarget {
            url: "http://127.0.0.1:1/scim/v2".into(),
            read_token_env: "HR_READ_TOKEN".into(),
            token_env: None,
            ca_file: Some(PathBuf::from("packs/certs/hr.pem")),
        })
    );
    let app = s.targets.iter().find(|t| t.name == "app").unwrap();
    assert_eq!(app.upstream, None);
}

#[test]
fn an_upstream_target_may_name_the_connector_token_variable() {
    let text = "name: up\ntargets:\n  hr: { upstream: \"http://127.0.0.1:1/scim\", read_token_env: R, token_env: HR_TOKEN }\nsteps: []\n";
    let s = scenario::from_yaml(text, Path::new("up.yaml")).unwrap();
    let hr = s.targets[0].upstream.as_ref().unwrap();
    assert_eq!(hr.token_env.as_deref(), Some("HR_TOKEN"));
}

#[rstest::rstest]
#[case::store_fault(
    "steps:\n  - fault: { target: hr, kind: patch_as_put }\n",
    "line 7 column 5",
    "fault: patch_as_put cannot be switched on for this target: it fronts a real app (http://127.0.0.1:1/scim/v2)"
)]
#[case::once_fault(
    "steps:\n  - joiner: ann\n  - fault: { target: hr, kind: manual_change, users: [ann], action: delete }\n",
    "line 8 column 5",
    "fault: manual_change cannot be switched on"
)]
#[case::rotation(
    "steps:\n  - rotate_token: hr\n",
    "line 7 column 5",
    "rotate_token: target `hr` fronts a real app"
)]
#[case::existing(
    "existing:\n  - people: [ann]\nsteps: []\n",
    "line 7 column 5",
    "existing: target `hr` fronts a real app"
)]
fn what_a_real_app_cannot_take_is_refused_at_its_place(
    #[case] rest: &str,
    #[case] place: &str,
    #[case] message: &str,
) {
    let e = load(rest).unwrap_err();
    assert!(e.contains(place), "{e}");
    assert!(e.contains(message), "{e}");
}

#[test]
fn a_store_fault_on_a_mock_target_beside_it_still_loads() {
    load("steps:\n  - fault: { target: app, kind: patch_as_put }\n").unwrap();
}

#[rstest::rstest]
#[case::no_read_token(
    "  hr: { upstream: \"http://127.0.0.1:1/scim\" }\n",
    "line 3 column 19",
    "target `hr`: `upstream` needs `read_token_env: VAR`"
)]
#[case::both(
    "  hr: { profile: generic-rfc, upstream: \"http://127.0.0.1:1/scim\", read_token_env: T }\n",
    "line 3 column 18",
    "not both"
)]
#[case::neither(
    "  hr: { quirks: [] }\n",
    "line 3 column 3",
    "target `hr`: expected `profile: NAME` (a mock) or `upstream: URL` (a real app)"
)]
#[case::bad_url(
    "  hr: { upstream: \"ftp://x/scim\", read_token_env: T }\n",
    "line 3 column 19",
    "target `hr`: upstream: \"ftp://x/scim\": expected an http:// or https:// URL"
)]
#[case::bad_variable(
    "  hr: { upstream: \"http://127.0.0.1:1/scim\", read_token_env: \"A B\" }\n",
    "line 3 column 62",
    "read_token_env: expected an environment variable name"
)]
#[case::token_on_a_mock(
    "  hr: { profile: generic-rfc, read_token_env: T }\n",
    "line 3 column 47",
    "`read_token_env`, `token_env` and `ca_file` go with `upstream: URL`"
)]
#[case::connector_token_on_a_mock(
    "  hr: { profile: generic-rfc, token_env: T }\n",
    "line 3 column 42",
    "`read_token_env`, `token_env` and `ca_file` go with `upstream: URL`"
)]
#[case::bad_connector_variable(
    "  hr: { upstream: \"http://127.0.0.1:1/scim\", read_token_env: T, token_env: \"$X\" }\n",
    "line 3 column 76",
    "target `hr`: token_env: expected an environment variable name"
)]
#[case::store_quirk(
    "  hr: { upstream: \"http://127.0.0.1:1/scim\", read_token_env: T, quirks: [soft_delete] }\n",
    "line 3 column 19",
    "quirks: soft_delete cannot be switched on"
)]
fn an_upstream_target_written_wrong_is_refused_at_its_place(
    #[case] target: &str,
    #[case] place: &str,
    #[case] message: &str,
) {
    let text = format!("name: up\ntargets:\n{target}steps: []\n");
    let e = scenario::from_yaml(&text, Path::new("up.yaml"))
        .unwrap_err()
        .to_string();
    assert!(e.contains(place), "{e}");
    assert!(e.contains(message), "{e}");
}

#[test]
fn scimulate_check_refuses_a_store_fault_on_an_upstream_target_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("up.yaml");
    std::fs::write(
        &file,
        format!("kind: scenario\n{HEAD}steps:\n  - fault: {{ target: hr, kind: soft_delete }}\n"),
    )
    .unwrap();
    let cli = scimulate::cli::Cli::try_parse_from(["scimulate", "check", file.to_str().unwrap()])
        .unwrap();
    let Err(e) = scimulate::cli::run(cli) else {
        panic!("a store fault on an upstream target was accepted")
    };
    assert_eq!(e.code(), scimulate::exit::BAD_INPUT, "{e}");
    let text = e.to_string();
    assert!(text.contains("line 8 column 5"), "{text}");
    assert!(text.contains("soft_delete cannot be switched on"), "{text}");
}
