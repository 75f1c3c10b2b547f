//! `scimulate report`: one report from the JSON reports of the partitions
//! of one pack (`--partition K/N` on N machines), or one report as it is.
//!
//! A merged report must say what one run of the whole pack would have said,
//! or nothing: CI gates on it, and a merge that quietly lacked a slice, or
//! mixed in a slice of another pack, would pass what did not run. So every
//! report must be a partition of one split (same N, each K once, none
//! missing) of one pack (the same selection and scenario files, seeds, time
//! scale, profile, `--fail-on`, baseline and scimulate version, as each
//! report's `pack` records), and every selected scenario (or check) must be
//! in exactly one of them. The merged report holds them in the order one
//! run would have played them.

use super::model::{HarnessError, Pack, ReportKind, RunReport};
use super::read::kind_name;
use crate::partition::Partition;
use std::collections::{BTreeMap, VecDeque};

/// One report and the file it came from (named in every error).
pub struct Source {
    pub origin: String,
    pub report: RunReport,
}

/// Merges the reports, or says why they cannot be merged, naming the
/// file(s) at fault. One report that is not a slice is returned as it is.
pub fn merge(sources: Vec<Source>) -> Result<RunReport, String> {
    let Some(first) = sources.first() else {
        return Err("no report to merge".to_owned());
    };
    if sources.len() == 1 && first.report.partition.is_none_or(Partition::is_whole) {
        return Ok(sources.into_iter().next().expect("one").report);
    }
    let slices = slices(&sources)?;
    let pack = same_pack(&slices)?;
    let n = slices[0].1.n();
    complete_split(&slices, n)?;
    let first = &slices[0].0.report;
    let mut merged = first.clone();
    merged.partition = None;
    merged.pack = Some(pack.clone());
    merged.started_at = slices
        .iter()
        .map(|(s, _)| s.report.started_at)
        .min()
        .expect("a slice");
    let end = slices
        .iter()
        .map(|(s, _)| {
            s.report.started_at
                + chrono::Duration::milliseconds(
                    i64::try_from(s.report.duration_ms).unwrap_or(i64::MAX),
                )
        })
        .max()
        .expect("a slice");
    merged.duration_ms = u64::try_from((end - merged.started_at).num_milliseconds()).unwrap_or(0);
    let mut subjects: Vec<&str> = Vec::new();
    for (s, _) in &slices {
        if let Some(subject) = s.report.subject.as_deref()
            && !subjects.contains(&subject)
        {
            subjects.push(subject);
        }
    }
    merged.subject = (!subjects.is_empty()).then(|| subjects.join(", "));
    merged.interrupted = slices.iter().any(|(s, _)| s.report.interrupted);
    merged.errors = slices
        .iter()
        .flat_map(|(s, p)| {
            s.report.errors.iter().map(move |e| HarnessError {
                during: Some(match &e.during {
                    Some(d) => format!("partition {p}: {d}"),
                    None => format!("partition {p}"),
                }),
                message: e.message.clone(),
            })
        })
        .collect();
    let what = item_name(first.kind);
    match first.kind {
        ReportKind::Run => {
            let items = slices.iter().map(|(s, _)| {
                let list = s.report.scenarios.clone().unwrap_or_default();
                (s.origin.as_str(), list)
            });
            merged.scenarios = Some(in_pack_order(items, &pack.selected, what, |s| &s.name)?);
        }
        ReportKind::Certify => {
            let items = slices.iter().map(|(s, _)| {
                let list = s.report.checks.clone().unwrap_or_default();
                (s.origin.as_str(), list)
            });
            merged.checks = Some(in_pack_order(items, &pack.selected, what, |c| &c.id)?);
        }
    }
    merged.refresh_passed();
    Ok(merged)
}

/// What a report's items are called in messages.
fn item_name(kind: ReportKind) -> &'static str {
    match kind {
        ReportKind::Run => "scenario",
        ReportKind::Certify => "check",
    }
}

/// Every report with its partition; each must be a slice of one kind.
fn slices(sources: &[Source]) -> Result<Vec<(&Source, Partition)>, String> {
    let first = &sources[0];
    let mut out = Vec::new();
    for s in sources {
        if s.report.kind != first.report.kind {
            return Err(format!(
                "{}: a {} report, but {} is a {} report: run and certify reports cannot be merged",
                s.origin,
                kind_name(s.report.kind),
                first.origin,
                kind_name(first.report.kind)
            ));
        }
        let Some(p) = s.report.partition else {
            return Err(format!(
                "{}: not a partition (it was written without --partition K/N): only the reports of the partitions of one pack merge, or one report alone is rendered again",
                s.origin
            ));
        };
        out.push((s, p));
    }
    Ok(out)
}

/// The pack every slice shares, or the first difference found.
fn same_pack<'a>(slices: &[(&'a Source, Partition)]) -> Result<&'a Pack, String> {
    let pack_of = |s: &'a Source| {
        s.report.pack.as_ref().ok_or_else(|| {
            format!(
                "{}: records no pack (what was selected and how it ran), so it cannot be merged safely; it was written by an older scimulate",
                s.origin
            )
        })
    };
    let (a, _) = slices[0];
    let pa = pack_of(a)?;
    for &(b, _) in &slices[1..] {
        let pb = pack_of(b)?;
        let differs = |x: String, y: String| {
            Err(format!(
                "{}: ran with {y}, but {} with {x}: the reports are not slices of one run",
                b.origin, a.origin
            ))
        };
        if pb.version != pa.version {
            return differs(
                format!("scimulate {}", pa.version),
                format!("scimulate {}", pb.version),
            );
        }
        if pb.selected != pa.selected {
            return Err(format!(
                "{}: a slice of another pack than {}: {}",
                b.origin,
                a.origin,
                selection_difference(&pa.selected, &pb.selected, &a.origin, &b.origin)
            ));
        }
        if pb.digest != pa.digest {
            return Err(format!(
                "{}: a slice of another pack than {}: the same {} names but other files (digest {} against {})",
                b.origin,
                a.origin,
                item_name(a.report.kind),
                pb.digest,
                pa.digest
            ));
        }
        let seed = |r: &RunReport, p: &Pack| match (p.seed, r.seed) {
            (Some(s), _) => format!("--seed {s}"),
            (None, Some(s)) => format!("the scenarios' own seeds (the first {s})"),
            (None, None) => "no seed".to_owned(),
        };
        if (pb.seed, b.report.seed) != (pa.seed, a.report.seed) {
            return differs(seed(&a.report, pa), seed(&b.report, pb));
        }
        let flag = |flag: &str, v: Option<String>| match v {
            Some(v) => format!("{flag} {v}"),
            None => format!("no {flag}"),
        };
        if pb.time_scale != pa.time_scale {
            let t = |p: &Pack| flag("--time-scale", p.time_scale.map(|t| t.to_string()));
            return differs(t(pa), t(pb));
        }
        if pb.profile != pa.profile {
            return differs(
                flag("--profile", pa.profile.clone()),
                flag("--profile", pb.profile.clone()),
            );
        }
        if b.report.fail_on != a.report.fail_on {
            let f = |r: &RunReport| {
                let name = r
                    .fail_on
                    .and_then(|f| serde_json::to_value(f).ok())
                    .and_then(|v| v.as_str().map(str::to_owned));
                flag("--fail-on", name)
            };
            return differs(f(&a.report), f(&b.report));
        }
        if b.report.baseline != a.report.baseline {
            return differs(
                flag("--baseline", a.report.baseline.clone()),
                flag("--baseline", b.report.baseline.clone()),
            );
        }
    }
    Ok(pa)
}

/// "N scenarios against M; only in a: x, y; only in b: z".
fn selection_difference(a: &[String], b: &[String], a_name: &str, b_name: &str) -> String {
    let only = |x: &[String], y: &[String]| -> Vec<String> {
        x.iter().filter(|n| !y.contains(n)).cloned().collect()
    };
    let mut parts = vec![format!("it selects {} against {}", b.len(), a.len())];
    for (list, name) in [(only(b, a), b_name), (only(a, b), a_name)] {
        if !list.is_empty() {
            parts.push(format!("only in {name}: {}", shortened(&list)));
        }
    }
    if parts.len() == 1 {
        parts.push("the same names in another order".to_owned());
    }
    parts.join("; ")
}

/// A list for a message: the first ten names, then how many more.
fn shortened(names: &[String]) -> String {
    const SHOWN: usize = 10;
    let mut text = names
        .iter()
        .take(SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > SHOWN {
        text.push_str(&format!(" and {} more", names.len() - SHOWN));
    }
    text
}

/// The slices are 1/N to N/N, each once.
fn complete_split(slices: &[(&Source, Partition)], n: u32) -> Result<(), String> {
    let (a, pa) = slices[0];
    let mut by_k: BTreeMap<u32, &str> = BTreeMap::new();
    for &(s, p) in slices {
        if p.n() != n {
            return Err(format!(
                "{}: partition {p}, but {} is partition {pa}: slices of different splits cannot be merged",
                s.origin, a.origin
            ));
        }
        if let Some(other) = by_k.insert(p.k(), &s.origin) {
            return Err(if other == s.origin {
                format!("{other} is given twice: give each partition's report once")
            } else {
                format!(
                    "{other} and {} are both partition {p}: give each partition's report once",
                    s.origin
                )
            });
        }
    }
    let missing: Vec<String> = (1..=n)
        .filter(|k| !by_k.contains_key(k))
        .map(|k| format!("{k}/{n}"))
        .collect();
    if !missing.is_empty() {
        let given: Vec<String> = by_k
            .iter()
            .map(|(k, origin)| format!("{k}/{n} ({origin})"))
            .collect();
        let what = item_name(a.report.kind);
        return Err(format!(
            "partition{} {} missing (given: {}): give the report of every partition, or the {what}s of the missing ones would pass unjudged",
            if missing.len() == 1 { "" } else { "s" },
            missing.join(", "),
            given.join(", "),
        ));
    }
    Ok(())
}

/// The items of every slice in the pack's order; each selected item in
/// exactly one slice (as often as it is selected), nothing else.
fn in_pack_order<'a, T>(
    slices: impl Iterator<Item = (&'a str, Vec<T>)>,
    selected: &[String],
    what: &str,
    name: impl Fn(&T) -> &String,
) -> Result<Vec<T>, String> {
    let mut held: BTreeMap<String, VecDeque<(&'a str, T)>> = BTreeMap::new();
    for (origin, items) in slices {
        for item in items {
            let n = name(&item);
            if !selected.contains(n) {
                return Err(format!(
                    "{origin}: holds {what} {n}, which its pack does not select"
                ));
            }
            held.entry(n.clone()).or_default().push_back((origin, item));
        }
    }
    let mut wanted: BTreeMap<&String, usize> = BTreeMap::new();
    for n in selected {
        *wanted.entry(n).or_default() += 1;
    }
    for (n, count) in &wanted {
        let found = held.get(*n).map_or(0, VecDeque::len);
        if found > *count {
            let files: Vec<&str> = held[*n].iter().map(|(o, _)| *o).collect();
            return Err(format!(
                "{} each hold {what} {n}: the slices overlap",
                files.join(" and ")
            ));
        }
    }
    let mut merged = Vec::with_capacity(selected.len());
    let mut absent = Vec::new();
    for n in selected {
        match held.get_mut(n).and_then(VecDeque::pop_front) {
            Some((_, item)) => merged.push(item),
            None => absent.push(n.clone()),
        }
    }
    if !absent.is_empty() {
        return Err(format!(
            "no report holds {what}{} {}, which the pack selects: a partition was cut short",
            if absent.len() == 1 { "" } else { "s" },
            shortened(&absent)
        ));
    }
    Ok(merged)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::model::{CertifyCheck, CheckReport, FailOn, Level, Outcome, ScenarioReport};
    use chrono::{TimeZone, Utc};

    const PACK: [&str; 5] = ["e", "a", "d", "b", "c"];

    fn pack(names: &[&str]) -> Pack {
        let mut p = Pack::new(
            names.iter().map(|n| (*n).to_owned()).collect(),
            "0".repeat(16),
        );
        p.time_scale = Some(10.0);
        p
    }

    /// A scenario whose one check passes unless its name is `failing`.
    fn scenario(name: &str, failing: &str) -> ScenarioReport {
        let check = CheckReport::new(0, "state", "app-a", name != failing, "m");
        let mut s = ScenarioReport::new(name, &format!("scenarios/{name}.yaml"), vec![check]);
        s.seed = Some(42);
        s
    }

    /// The report of slice k/n of PACK, started k seconds in and lasting
    /// 10 s, with `failing` failed if it falls in that slice.
    fn slice(k: u32, n: u32, failing: &str) -> Source {
        let p = Partition::new(k, n).unwrap();
        let names = p.pick(PACK.to_vec(), |s| s);
        let at = Utc.timestamp_opt(i64::from(k), 0).unwrap();
        let scenarios = names.iter().map(|s| scenario(s, failing)).collect();
        let mut report = RunReport::run(42, at, 10_000, scenarios);
        report.pack = Some(pack(&PACK));
        report.partition = Some(p);
        Source {
            origin: format!("p{k}.json"),
            report,
        }
    }

    fn names(r: &RunReport) -> Vec<&str> {
        r.scenarios().iter().map(|s| s.name.as_str()).collect()
    }

    #[test]
    fn the_slices_merge_into_the_pack_in_its_order() {
        let merged = merge(vec![slice(2, 3, ""), slice(3, 3, ""), slice(1, 3, "")]).unwrap();
        assert_eq!(names(&merged), PACK);
        assert!(merged.passed);
        assert_eq!(merged.partition, None);
        assert_eq!(merged.pack, Some(pack(&PACK)));
        // From the first start (1 s) to the last end (3 s + 10 s).
        assert_eq!(merged.started_at, Utc.timestamp_opt(1, 0).unwrap());
        assert_eq!(merged.duration_ms, 12_000);
    }

    #[test]
    fn a_failure_in_one_slice_fails_the_merged_report() {
        let merged = merge(vec![slice(1, 2, "d"), slice(2, 2, "d")]).unwrap();
        assert!(!merged.passed);
        assert_eq!(
            crate::report::exit_status(&merged),
            crate::exit::Outcome::CheckFailed
        );
    }

    #[test]
    fn empty_slices_merge() {
        let sources: Vec<Source> = (1..=8).map(|k| slice(k, 8, "")).collect();
        assert!(sources[7].report.scenarios().is_empty());
        assert_eq!(names(&merge(sources).unwrap()), PACK);
    }

    #[test]
    fn one_report_that_is_not_a_slice_is_rendered_as_it_is() {
        let mut whole = slice(1, 1, "a");
        assert_eq!(merge(vec![whole]).map(|r| r.passed), Ok(false));
        whole = slice(1, 1, "");
        whole.report.partition = None;
        whole.report.pack = None;
        let report = whole.report.clone();
        assert_eq!(merge(vec![whole]), Ok(report));
    }

    #[test]
    fn harness_errors_say_which_partition_had_them() {
        let mut b = slice(2, 2, "");
        b.report.errors.push(HarnessError {
            during: Some("start connector".into()),
            message: "port in use".into(),
        });
        let merged = merge(vec![slice(1, 2, ""), b]).unwrap();
        assert_eq!(
            merged.errors[0].during.as_deref(),
            Some("partition 2/2: start connector")
        );
        assert_eq!(
            crate::report::exit_status(&merged),
            crate::exit::Outcome::HarnessProblem
        );
    }

    fn refused(sources: Vec<Source>) -> String {
        merge(sources).unwrap_err()
    }

    #[test]
    fn missing_duplicate_and_mismatched_partitions_are_refused() {
        assert_eq!(
            refused(vec![slice(1, 3, ""), slice(3, 3, "")]),
            "partition 2/3 missing (given: 1/3 (p1.json), 3/3 (p3.json)): give the report of every partition, or the scenarios of the missing ones would pass unjudged"
        );
        assert_eq!(
            refused(vec![slice(2, 3, "")]),
            "partitions 1/3, 3/3 missing (given: 2/3 (p2.json)): give the report of every partition, or the scenarios of the missing ones would pass unjudged"
        );
        assert_eq!(
            refused(vec![slice(1, 2, ""), slice(1, 2, "")]),
            "p1.json is given twice: give each partition's report once"
        );
        assert_eq!(
            refused(vec![slice(1, 2, ""), slice(2, 3, "")]),
            "p2.json: partition 2/3, but p1.json is partition 1/2: slices of different splits cannot be merged"
        );
        let mut whole = slice(1, 1, "");
        whole.report.partition = None;
        assert!(refused(vec![slice(1, 2, ""), whole]).starts_with("p1.json: not a partition"),);
    }

    #[test]
    fn slices_of_different_packs_or_settings_are_refused() {
        let with = |f: &dyn Fn(&mut RunReport)| {
            let mut b = slice(2, 2, "");
            f(&mut b.report);
            refused(vec![slice(1, 2, ""), b])
        };
        fn pack_of(r: &mut RunReport) -> &mut Pack {
            r.pack.as_mut().unwrap()
        }
        assert_eq!(
            with(&|r| pack_of(r).selected.push("f".into())),
            "p2.json: a slice of another pack than p1.json: it selects 6 against 5; only in p2.json: f"
        );
        assert_eq!(
            with(&|r| pack_of(r).selected.reverse()),
            "p2.json: a slice of another pack than p1.json: it selects 5 against 5; the same names in another order"
        );
        assert_eq!(
            with(&|r| pack_of(r).digest = "1".repeat(16)),
            "p2.json: a slice of another pack than p1.json: the same scenario names but other files (digest 1111111111111111 against 0000000000000000)"
        );
        assert_eq!(
            with(&|r| pack_of(r).seed = Some(7)),
            "p2.json: ran with --seed 7, but p1.json with the scenarios' own seeds (the first 42): the reports are not slices of one run"
        );
        assert_eq!(
            with(&|r| r.seed = Some(43)),
            "p2.json: ran with the scenarios' own seeds (the first 43), but p1.json with the scenarios' own seeds (the first 42): the reports are not slices of one run"
        );
        assert_eq!(
            with(&|r| pack_of(r).time_scale = Some(60.0)),
            "p2.json: ran with --time-scale 60, but p1.json with --time-scale 10: the reports are not slices of one run"
        );
        assert_eq!(
            with(&|r| pack_of(r).version = "9.9.9".into()),
            format!(
                "p2.json: ran with scimulate 9.9.9, but p1.json with scimulate {}: the reports are not slices of one run",
                env!("CARGO_PKG_VERSION")
            )
        );
        assert_eq!(
            with(&|r| r.baseline = Some("base.json".into())),
            "p2.json: ran with --baseline base.json, but p1.json with no --baseline: the reports are not slices of one run"
        );
        assert!(with(&|r| r.pack = None).starts_with("p2.json: records no pack"),);
    }

    #[test]
    fn overlapping_foreign_and_lost_scenarios_are_refused() {
        let mut b = slice(2, 2, "");
        b.report.scenarios.as_mut().unwrap().push(scenario("a", ""));
        assert_eq!(
            refused(vec![slice(1, 2, ""), b]),
            "p1.json and p2.json each hold scenario a: the slices overlap"
        );
        let mut b = slice(2, 2, "");
        b.report.scenarios.as_mut().unwrap().push(scenario("z", ""));
        assert_eq!(
            refused(vec![slice(1, 2, ""), b]),
            "p2.json: holds scenario z, which its pack does not select"
        );
        let mut b = slice(2, 2, "");
        b.report.scenarios.as_mut().unwrap().clear();
        assert_eq!(
            refused(vec![slice(1, 2, ""), b]),
            "no report holds scenarios d, b, which the pack selects: a partition was cut short"
        );
    }

    fn certify_slice(k: u32, n: u32, fail_on: FailOn) -> Source {
        let ids = ["USER-001", "USER-002", "PATCH-001"];
        let p = Partition::new(k, n).unwrap();
        let checks = p
            .pick(ids.to_vec(), |s| s)
            .into_iter()
            .map(|id| CertifyCheck {
                id: id.into(),
                group: "users".into(),
                rfc: "RFC 7644 §3.3".into(),
                title: String::new(),
                quote: String::new(),
                level: Level::Should,
                outcome: Outcome::Failed,
                message: String::new(),
                warning: false,
                cause: None,
                baseline: None,
                duration_ms: None,
                exchanges: Vec::new(),
            })
            .collect();
        let mut report = RunReport::certify(Utc.timestamp_opt(0, 0).unwrap(), 5, checks, fail_on);
        let mut pk = pack(&ids);
        pk.time_scale = None;
        pk.profile = Some("rfc".into());
        report.pack = Some(pk);
        report.partition = Some(p);
        Source {
            origin: format!("c{k}.json"),
            report,
        }
    }

    #[test]
    fn certify_slices_merge_and_keep_their_fail_on() {
        let merged = merge(vec![
            certify_slice(1, 2, FailOn::Must),
            certify_slice(2, 2, FailOn::Must),
        ])
        .unwrap();
        let ids: Vec<&str> = merged
            .certify_checks()
            .iter()
            .map(|c| c.id.as_str())
            .collect();
        assert_eq!(ids, ["USER-001", "USER-002", "PATCH-001"]);
        // SHOULD failures do not count under --fail-on must.
        assert_eq!(
            crate::report::exit_status(&merged),
            crate::exit::Outcome::Passed
        );
        assert_eq!(
            refused(vec![
                certify_slice(1, 2, FailOn::Must),
                certify_slice(2, 2, FailOn::Should)
            ]),
            "c2.json: ran with --fail-on should, but c1.json with --fail-on must: the reports are not slices of one run"
        );
        assert_eq!(
            refused(vec![slice(1, 2, ""), certify_slice(2, 2, FailOn::Must)]),
            "c2.json: a certify report, but p1.json is a run report: run and certify reports cannot be merged"
        );
    }
}
