use super::*;
use rstest::rstest;

const HEAD: &str = "kind: gameday
name: gd
connector: reference
targets:
  hr-app: { profile: generic-rfc }
  slack: { profile: generic-rfc }
people:
  generate: { count: 3 }
steps:
  - joiner: p1
";

fn load(rest: &str) -> Result<GameDay, Located> {
    gameday_from_yaml(&format!("{HEAD}{rest}"), Path::new("gd.yaml"))
}

fn error(rest: &str) -> String {
    match load(rest) {
        Ok(_) => panic!("loaded: {rest}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn the_sections_load_into_probes_with_their_defaults() {
    let day = load(
        "hypotheses:
  - error_rate: { target: slack, below: 5%, window: 1m }
  - no_active_leaver: { within: 10m, every: 1s }
  - no_twins: {}
  - no_twins: { target: hr-app }
  - state: converged
safeguards:
  - error_rate: { target: hr-app, above: 50%, window: 2m }
rollback: on_abort
",
    )
    .unwrap();
    assert_eq!(day.connector, GameDayConnector::Reference);
    assert_eq!(day.rollback, Rollback::OnAbort);
    let kinds: Vec<&ProbeKind> = day.hypotheses.iter().map(|p| &p.kind).collect();
    assert_eq!(
        kinds,
        [
            &ProbeKind::ErrorRate {
                target: "slack".into(),
                limit: 0.05,
                window: Duration::from_secs(60)
            },
            &ProbeKind::NoActiveLeaver {
                within: Duration::from_secs(600)
            },
            &ProbeKind::NoTwins { target: None },
            &ProbeKind::NoTwins {
                target: Some("hr-app".into())
            },
            &ProbeKind::Converged,
        ]
    );
    assert_eq!(day.hypotheses[0].every, DEFAULT_EVERY);
    assert_eq!(day.hypotheses[1].every, Duration::from_secs(1));
    assert_eq!(day.hypotheses[0].place.line, 12);
    assert_eq!(
        day.safeguards[0].describe(ProbeRole::Safeguard),
        "error_rate of hr-app above 50% over 2m"
    );
    assert_eq!(
        day.hypotheses[0].describe(ProbeRole::Hypothesis),
        "error_rate of slack below 5% over 1m"
    );
}

#[test]
fn without_sections_a_game_day_rolls_back_always_and_probes_nothing() {
    let day = load("").unwrap();
    assert_eq!(day.rollback, Rollback::Always);
    assert!(day.hypotheses.is_empty() && day.safeguards.is_empty());
}

#[test]
fn a_connector_path_is_taken_from_the_files_folder() {
    let text = HEAD.replace("connector: reference", "connector: conn/my.yaml");
    let day = gameday_from_yaml(&text, Path::new("days/gd.yaml")).unwrap();
    assert!(
        matches!(day.connector, GameDayConnector::File { ref path, .. }
        if path == Path::new("days/conn/my.yaml"))
    );
}

#[rstest]
#[case::impossible_below(
    "impossible_below",
    "hypotheses:\n  - error_rate: { target: slack, below: 150%, window: 1m }\n"
)]
#[case::nothing_below_zero(
    "nothing_below_zero",
    "hypotheses:\n  - error_rate: { target: slack, below: 0% }\n"
)]
#[case::never_fires(
    "never_fires",
    "safeguards:\n  - error_rate: { target: slack, above: 100% }\n"
)]
#[case::not_a_percentage(
    "not_a_percentage",
    "hypotheses:\n  - error_rate: { target: slack, below: 0.05 }\n"
)]
#[case::unknown_target(
    "unknown_target",
    "hypotheses:\n  - error_rate: { target: slak, below: 5% }\n"
)]
#[case::unknown_twins_target(
    "unknown_twins_target",
    "safeguards:\n  - no_twins: { target: github }\n"
)]
#[case::above_in_a_hypothesis(
    "above_in_a_hypothesis",
    "hypotheses:\n  - error_rate: { target: slack, above: 5% }\n"
)]
#[case::below_in_a_safeguard(
    "below_in_a_safeguard",
    "safeguards:\n  - error_rate: { target: slack, below: 5% }\n"
)]
#[case::no_threshold("no_threshold", "hypotheses:\n  - error_rate: { target: slack }\n")]
#[case::state_as_a_safeguard("state_as_a_safeguard", "safeguards:\n  - state: converged\n")]
#[case::state_not_converged("state_not_converged", "hypotheses:\n  - state: convergd\n")]
#[case::unknown_probe(
    "unknown_probe",
    "hypotheses:\n  - no_active_leavers: { within: 1m }\n"
)]
#[case::zero_within("zero_within", "hypotheses:\n  - no_active_leaver: { within: 0s }\n")]
#[case::zero_every("zero_every", "hypotheses:\n  - no_twins: { every: 0s }\n")]
#[case::unknown_rollback("unknown_rollback", "rollback: sometimes\n")]
fn bad_sections_are_refused_at_their_place(#[case] name: &str, #[case] rest: &str) {
    // Named: cases run in parallel, so numbered snapshots would swap.
    insta::with_settings!({ description => rest, omit_expression => true }, {
        insta::assert_snapshot!(format!("bad_section_{name}"), error(rest));
    });
}

#[test]
fn a_game_day_without_connector_refuses_what_needs_events() {
    let elsewhere = |rest: &str| {
        let text = format!("{HEAD}{rest}").replace("connector: reference\n", "");
        gameday_from_yaml(&text, Path::new("gd.yaml"))
    };
    let lifecycle = elsewhere("").unwrap_err().to_string();
    insta::assert_snapshot!("elsewhere_lifecycle_step", lifecycle);
    let text = |rest: &str| {
        HEAD.replace(
            "  - joiner: p1\n",
            "  - fault: { target: hr-app, kind: rate_limit }\n",
        ) + rest
    };
    let load = |rest: &str| {
        gameday_from_yaml(
            &text(rest).replace("connector: reference\n", ""),
            Path::new("gd.yaml"),
        )
    };
    let leaver = load("hypotheses:\n  - no_active_leaver: { within: 1m }\n")
        .unwrap_err()
        .to_string();
    insta::assert_snapshot!("elsewhere_no_active_leaver", leaver);
    let expect = load("expect:\n  - no_alert: {}\n").unwrap_err().to_string();
    assert!(expect.contains("expect: `no_alert`"), "{expect}");
    let day =
        load("hypotheses:\n  - error_rate: { target: hr-app, below: 5% }\n  - no_twins: {}\n")
            .unwrap();
    assert_eq!(day.connector, GameDayConnector::Elsewhere);
    assert!(
        day.scenario.checks.is_empty(),
        "no implicit state check without events"
    );
}

#[test]
fn a_scenario_file_refuses_game_day_sections_and_says_where_they_belong() {
    let text = HEAD
        .replace("kind: gameday\n", "")
        .replace("connector: reference\n", "")
        + "hypotheses:\n  - no_twins: {}\n";
    let e = crate::scenario::from_yaml(&text, Path::new("s.yaml"))
        .unwrap_err()
        .to_string();
    insta::assert_snapshot!("scenario_with_hypotheses", e);
}

#[rstest]
#[case(0.05, "5%")]
#[case(0.005, "0.5%")]
#[case(0.5, "50%")]
#[case(1.0 / 3.0, "33.333%")]
fn percentages_print_as_written(#[case] fraction: f64, #[case] text: &str) {
    assert_eq!(percent(fraction), text);
}
