//! The catalogue: every check has exactly one definition here (id, group,
//! RFC section, level, persona, description) beside the function that runs
//! it, so `--list`, `--only` and the report all read the same facts.

use super::checks;
use super::ctx::Ctx;
use crate::report::Level;
use std::future::Future;
use std::pin::Pin;

/// What a check function returns: `Ok(message)` when it passed.
pub type Verdict = Result<String, Fail>;

/// Why a check did not pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fail {
    /// The server did something the check's level forbids.
    Failed(String),
    /// The check could not be judged (feature absent, precondition unmet).
    Skipped(String),
}

pub type BoxFut<'a> = Pin<Box<dyn Future<Output = Verdict> + Send + 'a>>;
/// A check body; `arg` lets one function serve a table of checks.
pub type CheckFn = for<'a> fn(&'a Ctx, &'static str) -> BoxFut<'a>;

/// Whose traffic a check imitates. INTEROP failures count only under the
/// matching `--profile`; `Idp` matches every identity-provider profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Persona {
    Rfc,
    Idp,
    Entra,
    Okta,
}

impl Persona {
    pub fn as_str(self) -> &'static str {
        match self {
            Persona::Rfc => "rfc",
            Persona::Idp => "idp",
            Persona::Entra => "entra",
            Persona::Okta => "okta",
        }
    }

    /// Whether a run under `profile` is this persona's run.
    pub fn belongs_to(self, profile: Persona) -> bool {
        match self {
            Persona::Idp => matches!(profile, Persona::Entra | Persona::Okta),
            p => p == profile,
        }
    }
}

/// A feature a check needs the server to advertise in
/// /ServiceProviderConfig (or, for `Groups`, in /ResourceTypes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needs {
    Nothing,
    Patch,
    Bulk,
    Filter,
    Sort,
    Etag,
    Groups,
    ExpiredToken,
}

#[derive(Clone, Copy)]
pub struct Check {
    pub id: &'static str,
    pub group: &'static str,
    pub rfc: &'static str,
    pub level: Level,
    pub persona: Persona,
    pub needs: Needs,
    pub description: &'static str,
    pub arg: &'static str,
    pub run: CheckFn,
}

impl std::fmt::Debug for Check {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Check").field("id", &self.id).finish()
    }
}

/// Declares a check: `check!(id, group, rfc, Level, Persona, Needs, arg, fn, description)`.
#[macro_export]
#[doc(hidden)]
macro_rules! certify_check {
    ($id:expr, $group:expr, $rfc:expr, $level:ident, $persona:ident, $needs:ident, $arg:expr, $f:path, $desc:expr) => {
        $crate::certify::catalogue::Check {
            id: $id,
            group: $group,
            rfc: $rfc,
            level: $crate::report::Level::$level,
            persona: $crate::certify::catalogue::Persona::$persona,
            needs: $crate::certify::catalogue::Needs::$needs,
            description: $desc,
            arg: $arg,
            run: |c, a| Box::pin($f(c, a)),
        }
    };
}

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
        return Err(format!(
            "--only: unknown check id(s): {} (see `scimulate certify --list`)",
            unknown.join(", ")
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
    for c in all() {
        writeln!(
            out,
            "{:<22} {:<11} {:<8} {:<6} {:<22} {}",
            c.id,
            c.group,
            level_str(c.level),
            c.persona.as_str(),
            c.rfc,
            c.description
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_are_unique() {
        let mut seen = HashSet::new();
        for c in all() {
            assert!(seen.insert(c.id), "duplicate id {}", c.id);
        }
    }

    #[test]
    fn every_check_has_rfc_level_and_description() {
        for c in all() {
            assert!(!c.rfc.is_empty(), "{} has no RFC section", c.id);
            assert!(!c.description.is_empty(), "{} has no description", c.id);
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
        let first = all()[0].id.to_owned();
        assert_eq!(select(&[first.to_lowercase()]).unwrap().len(), 1);
    }

    /// Issue #6: certify against scim2-server failed GROUP-004 at SHOULD,
    /// but RFC 7643 §4.1.2 puts no MUST or SHOULD on filling User.groups:
    /// a server without it is skipped as not supporting it, not failed.
    /// ERR-011 cites where "schemas" is required, not §3.3 (silent on it).
    #[test]
    fn levels_and_sections_rest_on_the_rfc_words() {
        let by_id = |id: &str| all().into_iter().find(|c| c.id == id).unwrap();
        let g = by_id("GROUP-004");
        assert_eq!((g.level, g.rfc), (Level::May, "RFC 7643 §4.1.2"));
        let judged = crate::certify::runner::judge(
            &g,
            Err(Fail::Failed("the user's groups are null".into())),
            Persona::Rfc,
        );
        assert_eq!(judged.outcome, crate::report::Outcome::Skipped);
        assert!(judged.message.starts_with("not supported (optional)"));
        assert_eq!(by_id("ERR-011").rfc, "RFC 7643 §2.1");
    }

    #[test]
    fn catalogue_is_large() {
        assert!(all().len() >= 150, "{} checks", all().len());
    }
}
