//! The registry: the one place that lists the check groups, in run order.
//! Each check is defined once, in its group's file (id, group, RFC section,
//! level, persona, title and the quoted RFC sentence beside the function that
//! runs it), so
//! `--list`, `--only` and the report all read the same facts.

use super::check::Check;
use super::checks;
use crate::report::Level;

/// The whole catalogue, in run order: discovery first (the rest depends
/// on what it finds), security last.
pub fn all() -> Vec<Check> {
    let mut v = Vec::new();
    v.extend(checks::discovery::checks());
    v.extend(checks::resource_types::checks());
    v.extend(checks::schemas::checks());
    v.extend(checks::users::checks());
    v.extend(checks::lifecycle::checks());
    v.extend(checks::user_state::checks());
    v.extend(checks::groups::checks());
    v.extend(checks::patch::checks());
    v.extend(checks::groups::patch_checks());
    v.extend(checks::patch_errors::checks());
    v.extend(checks::filter::checks());
    v.extend(checks::filter_errors::checks());
    v.extend(checks::paging::checks());
    v.extend(checks::projection::checks());
    v.extend(checks::errors::checks());
    v.extend(checks::etag::checks());
    v.extend(checks::bulk::checks());
    v.extend(checks::security::checks());
    v.extend(checks::entra::checks());
    v.extend(checks::okta::checks());
    v.extend(checks::load::checks());
    v
}

/// `--only`: the checks named, or an error naming the unknown ids.
pub fn select(only: &[String]) -> Result<Vec<Check>, String> {
    let all = all();
    if only.is_empty() {
        return Ok(all);
    }
    let unknown: Vec<&str> = only
        .iter()
        .filter(|id| !all.iter().any(|c| c.id.eq_ignore_ascii_case(id)))
        .map(String::as_str)
        .collect();
    if !unknown.is_empty() {
        let named: Vec<String> = unknown
            .iter()
            .map(
                |id| match crate::yaml::closest(id, all.iter().map(|c| c.id)) {
                    Some(near) => format!("{id} (did you mean {near}?)"),
                    None => (*id).to_owned(),
                },
            )
            .collect();
        return Err(format!(
            "--only: unknown check id(s): {}; expected ids from `scimulate certify --list`, e.g. PATCH-007",
            named.join(", ")
        ));
    }
    Ok(all
        .into_iter()
        .filter(|c| only.iter().any(|id| c.id.eq_ignore_ascii_case(id)))
        .collect())
}

pub fn level_str(l: Level) -> &'static str {
    match l {
        Level::Must => "MUST",
        Level::Should => "SHOULD",
        Level::Interop => "INTEROP",
        Level::May => "MAY",
    }
}

/// `--list`: one line per check.
pub fn write_list(out: &mut dyn std::io::Write) -> std::io::Result<()> {
    write_list_of(&all(), out)
}

/// `--list` of a selection: per check a line with its id, group, level,
/// persona, RFC section and title, and under it the sentence it rests on.
pub fn write_list_of(checks: &[Check], out: &mut dyn std::io::Write) -> std::io::Result<()> {
    for c in checks {
        writeln!(
            out,
            "{:<22} {:<11} {:<8} {:<6} {:<18} {}",
            c.id,
            c.group,
            level_str(c.level),
            c.persona.as_str(),
            c.rfc,
            c.title
        )?;
        writeln!(out, "    \"{}\"", c.quote)?;
    }
    Ok(())
}

/// The RFC 2119 keywords a quoted sentence carries (upper case, whole words).
pub fn keywords(quote: &str) -> Vec<&str> {
    quote
        .split(|ch: char| !ch.is_ascii_alphabetic())
        .filter(|w| {
            matches!(
                *w,
                "MUST" | "SHALL" | "REQUIRED" | "SHOULD" | "RECOMMENDED" | "MAY" | "OPTIONAL"
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::certify::persona::Persona;
    use std::collections::HashSet;

    #[test]
    fn ids_are_unique() {
        let mut seen = HashSet::new();
        for c in all() {
            assert!(seen.insert(c.id), "duplicate id {}", c.id);
        }
    }

    /// SPEC §8.6: a check's level follows the words of the sentence it
    /// quotes. A MUST check quotes MUST, SHALL or REQUIRED; a SHOULD check
    /// SHOULD or RECOMMENDED. MAY probes and INTEROP checks are never
    /// failed under the RFC, so any sentence serves them.
    #[test]
    fn every_level_follows_its_quoted_sentence() {
        let mut wrong = Vec::new();
        for c in all() {
            let words = keywords(c.quote);
            let has = |ks: &[&str]| words.iter().any(|w| ks.contains(w));
            let ok = match c.level {
                Level::Must => has(&["MUST", "SHALL", "REQUIRED"]),
                Level::Should => has(&["SHOULD", "RECOMMENDED"]),
                Level::May | Level::Interop => true,
            };
            if !ok {
                wrong.push(format!("{} {:?}: {:?}", c.id, c.level, c.quote));
            }
        }
        assert!(
            wrong.is_empty(),
            "levels without their words:\n{}",
            wrong.join("\n")
        );
    }

    #[test]
    fn keywords_are_whole_upper_case_words() {
        assert_eq!(keywords("clients MUST NOT; it MAY"), vec!["MUST", "MAY"]);
        assert!(keywords("a mustard SHALLOW must").is_empty());
    }

    #[test]
    fn every_check_has_rfc_level_title_and_quote() {
        for c in all() {
            assert!(!c.rfc.is_empty(), "{} has no RFC section", c.id);
            assert!(!c.title.is_empty(), "{} has no title", c.id);
            assert!(c.quote.len() > 20, "{} quotes no sentence", c.id);
            assert!(!c.group.is_empty(), "{}", c.id);
            // INTEROP belongs to an identity provider; RFC-persona checks
            // are MUST/SHOULD/MAY from the RFC's own words.
            if c.level == Level::Interop {
                assert_ne!(c.persona, Persona::Rfc, "{}", c.id);
            }
        }
    }

    #[test]
    fn select_rejects_unknown_ids() {
        assert!(select(&["NOPE-1".into()]).is_err());
        let e = select(&["FILTR-001".into()]).unwrap_err();
        assert!(e.contains("FILTR-001 (did you mean FILTER-001?)"), "{e}");
        let first = all()[0].id.to_owned();
        assert_eq!(select(&[first.to_lowercase()]).unwrap().len(), 1);
    }

    #[test]
    fn catalogue_is_large() {
        assert!(all().len() >= 150, "{} checks", all().len());
    }
}
