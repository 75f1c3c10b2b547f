//! The scenario loader (SPEC §5): the shipped files load into what they
//! say, and the loader holds up against arbitrary input.

use proptest::prelude::*;
use scimulate::contract::alert::{AlertClass, AlertStatus};
use scimulate::contract::event::EventType;
use scimulate::fault::FaultKind;
use scimulate::scenario::{self, Action, Check, Scenario, Timing};
use std::path::Path;
use std::time::Duration;

fn load(path: &str) -> Scenario {
    // Profile names resolve from the working directory, which cargo sets
    // to the package root for tests.
    scenario::load(Path::new(path)).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn the_spec_example_loads_into_its_steps_and_checks() {
    let s = load("scenarios/leaver-during-expired-token.yaml");
    assert_eq!(s.name, "leaver-during-expired-token");
    assert_eq!(s.seed, 42);
    assert_eq!(s.target_names(), ["app-a", "app-b"]);
    assert_eq!(s.targets[1].quirks[0].kind, FaultKind::PatchAsPut);
    // Three named people, then twenty generated ones.
    assert_eq!(s.people.len(), 23);
    assert_eq!(s.person("bob").unwrap().user_name(), "bob@acme.test");
    assert!(s.person("p20").is_some() && s.person("p21").is_none());

    let timings: Vec<Timing> = s.steps.iter().map(|st| st.timing).collect();
    assert_eq!(
        timings,
        [
            Timing::Next,
            Timing::Next,
            Timing::Next,
            Timing::After(Duration::from_secs(1)),
            Timing::After(Duration::from_secs(1)),
            Timing::After(Duration::from_secs(30)),
            Timing::Next,
        ]
    );
    match &s.steps[0].action {
        Action::Lifecycle {
            event: EventType::Joiner,
            people,
            targets: Some(targets),
            ..
        } => {
            assert_eq!(people, &["bob", "carol"]);
            assert_eq!(targets, &["app-a", "app-b"]);
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(&s.steps[2].action, Action::Fault { target, spec }
        if target == "app-a" && spec.kind == FaultKind::TokenExpired));
    assert!(matches!(
        &s.steps[4].action,
        Action::Lifecycle {
            event: EventType::Leaver,
            targets: None,
            ..
        }
    ));
    assert!(matches!(&s.steps[5].action, Action::RotateToken { target } if target == "app-a"));

    let checks: Vec<(usize, Option<&str>, &str)> = s
        .checks
        .iter()
        .map(|c| (c.index, c.target.as_deref(), c.check.name()))
        .collect();
    assert_eq!(
        checks,
        [
            (0, Some("app-a"), "alert"),
            (1, Some("app-b"), "no_alert"),
            (2, Some("app-a"), "replay"),
            (3, None, "state"),
            // The implicit final state check, after the last entry.
            (4, None, "state"),
        ]
    );
    assert_eq!(
        s.checks[0].check,
        Check::Alert {
            class: AlertClass::Authentication,
            status: AlertStatus::Degraded,
            within: Duration::from_secs(10),
            fields: vec![],
        }
    );
}

#[test]
fn state_ignore_turns_the_final_state_check_off() {
    let text = "name: x\ntargets: { a: { profile: generic-rfc } }\nsteps: [ { after: 1s } ]\nexpect:\n  - no_twins: {}\n  - state: ignore\n";
    let s = scenario::from_yaml(text, Path::new("x.yaml")).expect("loads");
    let names: Vec<&str> = s.checks.iter().map(|c| c.check.name()).collect();
    assert_eq!(names, ["no_twins"]);
}

#[test]
fn a_joiner_without_targets_is_assigned_everywhere_and_all_means_everyone() {
    let text = "name: x\ntargets: { a: { profile: generic-rfc }, b: { profile: generic-rfc } }\npeople: { generate: { count: 3 } }\nsteps:\n  - joiner: all\n";
    let s = scenario::from_yaml(text, Path::new("x.yaml")).expect("loads");
    assert_eq!(
        s.steps[0].action,
        Action::Lifecycle {
            event: EventType::Joiner,
            people: vec!["p1".into(), "p2".into(), "p3".into()],
            targets: Some(vec!["a".into(), "b".into()]),
            groups: None,
            set: Default::default(),
        }
    );
}

/// A step drawn from the shapes a scenario may take, as YAML and as the
/// action name the loader must give back.
fn step() -> impl Strategy<Value = (String, &'static str)> {
    let who = prop_oneof![Just("p1"), Just("p2"), Just("[p1, p2]"), Just("all")];
    prop_oneof![
        who.clone()
            .prop_map(|w| (format!("- joiner: {w}\n  targets: [a]\n"), "joiner")),
        who.clone()
            .prop_map(|w| (format!("- mover: {w}\n  set: {{ title: Lead }}\n"), "mover")),
        who.prop_map(|w| (format!("- leaver: {w}\n"), "leaver")),
        (1u32..90).prop_map(|s| (format!("- after: {s}s\n"), "pause")),
        (1u32..90).prop_map(|s| (format!("- wait: settled\n  timeout: {s}s\n"), "wait")),
        prop_oneof![
            Just("rate_limit"),
            Just("token_expired"),
            Just("patch_as_put")
        ]
        .prop_map(|k| (format!("- fault: {{ target: a, kind: {k} }}\n"), "fault")),
        Just(("- rotate_token: a\n".to_owned(), "rotate_token")),
        Just((
            "- restart_connector: { signal: KILL }\n".to_owned(),
            "restart_connector"
        )),
    ]
}

fn action_name(a: &Action) -> &'static str {
    match a {
        Action::Lifecycle { event, .. } => event.as_str(),
        Action::Pause => "pause",
        Action::WaitSettled { .. } => "wait",
        Action::Fault { .. } | Action::ClearFault { .. } => "fault",
        Action::Network { .. } => "network",
        Action::RotateToken { .. } => "rotate_token",
        Action::Reconcile { .. } => "reconcile",
        Action::RestartConnector { .. } => "restart_connector",
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 128,
        rng_seed: proptest::test_runner::RngSeed::Fixed(0x5c1a),
        ..ProptestConfig::default()
    })]

    #[test]
    fn valid_step_lists_load_step_for_step(steps in prop::collection::vec(step(), 1..12)) {
        let mut text = String::from("name: gen\ntargets: { a: { profile: generic-rfc } }\npeople: { generate: { count: 2 } }\nsteps:\n");
        for (yaml, _) in &steps {
            for line in yaml.lines() {
                text.push_str("  ");
                text.push_str(line);
                text.push('\n');
            }
        }
        let s = scenario::from_yaml(&text, Path::new("gen.yaml")).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        let got: Vec<&str> = s.steps.iter().map(|st| action_name(&st.action)).collect();
        let want: Vec<&str> = steps.iter().map(|(_, n)| *n).collect();
        prop_assert_eq!(got, want);
    }

    #[test]
    fn arbitrary_text_is_refused_or_loaded_never_a_panic(text in ".{0,400}") {
        let _ = scenario::from_yaml(&text, Path::new("any.yaml"));
    }

    #[test]
    fn scenario_shaped_noise_gives_located_errors(
        key in "[a-z_]{1,12}",
        value in "[a-z0-9 :{}\\[\\],]{0,20}",
    ) {
        let text = format!("name: x\ntargets: {{ a: {{ profile: generic-rfc }} }}\nsteps:\n  - {key}: {value}\n");
        if let Err(e) = scenario::from_yaml(&text, Path::new("n.yaml")) {
            prop_assert!(e.to_string().starts_with("n.yaml: line "), "{}", e);
        }
    }
}

/// A scenario of `count` generated people and two targets, with `rest`
/// (an `existing:` block, steps) after it.
fn with_people(count: usize, rest: &str) -> Result<Scenario, String> {
    let text = format!(
        "name: ex\ntargets: {{ a: {{ profile: generic-rfc }}, b: {{ profile: generic-rfc }} }}\npeople: {{ generate: {{ count: {count} }}, named: {{ bob: {{}} }} }}\n{rest}"
    );
    scenario::from_yaml(&text, Path::new("ex.yaml")).map_err(|e| e.to_string())
}

#[test]
fn existing_people_default_to_every_target_and_ranges_expand() {
    let s = with_people(
        10,
        "existing:\n  - people: p1..p4\n  - people: [bob, p9]\n    targets: [b]\n    groups: [eng]\nsteps:\n  - leaver: p2..p3\n",
    )
    .unwrap();
    assert_eq!(s.existing.len(), 2);
    assert_eq!(s.existing[0].people, ["p1", "p2", "p3", "p4"]);
    assert_eq!(s.existing[0].targets, ["a", "b"]);
    assert!(s.existing[0].groups.is_empty());
    assert_eq!(s.existing[1].people, ["bob", "p9"]);
    assert_eq!(s.existing[1].targets, ["b"]);
    assert_eq!(s.existing[1].groups, ["eng"]);
    assert!(matches!(&s.steps[0].action,
        Action::Lifecycle { event: EventType::Leaver, people, .. } if people == &["p2", "p3"]));
}

#[rstest::rstest]
#[case::reversed(
    "steps:\n  - leaver: p5..p2\n",
    "line 5 column 13",
    "range `p5..p2`: expected pA..pB with 1 <= A <= B <= 10"
)]
#[case::beyond(
    "steps:\n  - leaver: [p1, p8..p11]\n",
    "line 5 column 13",
    "range `p8..p11`: expected pA..pB with 1 <= A <= B <= 10"
)]
#[case::zero("steps:\n  - leaver: p0..p3\n", "line 5 column 13", "range `p0..p3`")]
#[case::named(
    "steps:\n  - leaver: bob..p3\n",
    "line 5 column 13",
    "range `bob..p3`: expected pA..pB of generated people"
)]
#[case::twice(
    "existing:\n  - people: p1..p3\n  - people: [p3]\nsteps: []\n",
    "line 6 column 13",
    "existing: `p3` is named more than once"
)]
#[case::unknown_target(
    "existing:\n  - people: all\n    targets: [c]\nsteps: []\n",
    "line 6 column 14",
    "no target named `c`"
)]
#[case::no_target(
    "existing:\n  - people: all\n    targets: []\nsteps: []\n",
    "line 6 column 14",
    "existing: targets: expected at least one target"
)]
#[case::unknown_person(
    "existing:\n  - people: [carol]\nsteps: []\n",
    "line 5 column 13",
    "no person named `carol`"
)]
fn existing_and_ranges_refuse_what_cannot_be(
    #[case] rest: &str,
    #[case] place: &str,
    #[case] message: &str,
) {
    let e = with_people(10, rest).unwrap_err();
    assert!(e.contains(place), "{e}");
    assert!(e.contains(message), "{e}");
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 64,
        rng_seed: proptest::test_runner::RngSeed::Fixed(0xe815),
        ..ProptestConfig::default()
    })]

    /// `pA..pB` names exactly the people a list of them names, in order.
    #[test]
    fn a_range_names_what_the_list_names(a in 1usize..40, len in 0usize..10) {
        let b = (a + len).min(40);
        let list: Vec<String> = (a..=b).map(|i| format!("p{i}")).collect();
        let ranged = with_people(40, &format!("existing:\n  - people: p{a}..p{b}\nsteps: []\n"))
            .map_err(TestCaseError::fail)?;
        let listed = with_people(40, &format!("existing:\n  - people: [{}]\nsteps: []\n", list.join(", ")))
            .map_err(TestCaseError::fail)?;
        prop_assert_eq!(&ranged.existing[0].people, &list);
        prop_assert_eq!(&listed.existing[0].people, &list);
    }
}
