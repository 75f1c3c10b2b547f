//! Connector files (SPEC §4): every file under tests/data/connectors-bad is
//! refused with its file, line and column (snapshotted), every file under
//! tests/data/connectors-ok loads. Adding a case means adding a file.

use scimulate::connector::file::{AlertFormat, Events, Ready, Reload};
use scimulate::connector::{self, placeholders::Values};
use std::path::{Path, PathBuf};
use std::time::Duration;

fn corpus(dir: &str) -> Vec<PathBuf> {
    let dir = Path::new("tests/data").join(dir);
    let mut files: Vec<_> = std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(&dir))
        .expect("corpus folder")
        .map(|e| dir.join(e.expect("entry").file_name()))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "empty corpus {}", dir.display());
    files
}

fn read(rel: &Path) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)).expect("read")
}

#[test]
fn every_bad_connector_file_is_refused_with_file_line_and_column() {
    let mut report = String::new();
    let files = corpus("connectors-bad");
    assert!(files.len() >= 10, "the corpus keeps at least 10 cases");
    for rel in files {
        let origin = rel.display().to_string();
        let err = connector::from_yaml(&read(&rel), &origin)
            .expect_err(&format!("{origin}: expected an error"))
            .to_string();
        let first = err.lines().next().unwrap_or_default();
        assert!(
            first.starts_with(&format!("{origin}: line ")) && first.contains(" column "),
            "{origin}: the first line must say file, line and column:\n{err}"
        );
        assert!(
            err.contains(&format!("--> {origin}:")),
            "{origin}: the offending text must be shown:\n{err}"
        );
        report.push_str(&format!("=== {origin}\n{err}\n"));
    }
    insta::assert_snapshot!(report);
}

#[test]
fn good_connector_files_load() {
    for rel in corpus("connectors-ok") {
        let origin = rel.display().to_string();
        if let Err(e) = connector::from_yaml(&read(&rel), &origin) {
            panic!("{origin}: {e}");
        }
    }
}

#[test]
fn the_full_example_keeps_every_setting() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/connectors-ok/full.yaml");
    let f = connector::load(&path).expect("loads");
    assert_eq!(f.name, "acme-provisioner");
    assert_eq!(f.reload, Reload::Sighup);
    assert_eq!(f.alerts.format, AlertFormat::Alertmanager);
    assert_eq!(f.alerts.target_label, "app");
    assert_eq!(f.alerts.class_label, "failure_type");
    assert!(f.audit.is_some());
    let start = f.start.as_ref().expect("start");
    assert!(matches!(
        &start.ready,
        Some(Ready::Http { timeout, .. }) if *timeout == Duration::from_secs(20)
    ));
    let values = Values {
        scimulate: "/bin/scimulate".into(),
        name: f.name.clone(),
        port: 4100,
        targets_file: "/w/targets.json".into(),
        alert_url: "http://127.0.0.1:4101/alerts".into(),
        workdir: "/w".into(),
        time_scale: None,
    };
    let (program, args) = f.command_line(&start.command, &values);
    assert_eq!(program, path.parent().unwrap().join("./my-connector"));
    assert_eq!(
        args,
        [
            "--listen",
            "127.0.0.1:4100",
            "--targets",
            "/w/targets.json",
            "--json",
            "{\"a\": 1}"
        ]
    );
    assert_eq!(
        start.env["ALERTS"].fill(&values),
        "http://127.0.0.1:4101/alerts"
    );
    assert_eq!(start.env["SELF"].fill(&values), "/bin/scimulate");
    assert_eq!(start.env["WHO"].fill(&values), "acme-provisioner");
    let Events::Webhook { url } = &f.events else {
        panic!("webhook")
    };
    assert_eq!(url.fill(&values), "http://127.0.0.1:4100/events");
}

#[test]
fn defaults_for_an_already_running_connector() {
    let f = connector::from_yaml(
        "name: x\nevents:\n  exec: { command: [push] }\n",
        "dir/x.yaml",
    )
    .expect("loads");
    assert!(f.start.is_none());
    assert_eq!(f.reload, Reload::None);
    assert_eq!(f.alerts.format, AlertFormat::Scimulate);
    assert_eq!(
        (
            f.alerts.target_label.as_str(),
            f.alerts.class_label.as_str()
        ),
        ("target", "class")
    );
    assert!(matches!(f.events, Events::Exec { timeout, .. } if timeout == Duration::from_secs(30)));
}
