//! One check's definition, and the builders the group files declare their
//! checks with:
//!
//! ```text
//! const G: Group = Group::new("users");
//! G.must("USER-001", create_201)
//!     .cites(rfc::CREATE_201)
//!     .title("POST /Users answers 201 …")
//! ```
//!
//! A file states its group's defaults once (name, and the persona and
//! feature its checks share); a check states its id, level, the RFC
//! sentence it rests on (`rfc.rs`) and its title, and only the facts that
//! differ from the defaults. This
//! module knows no group: the registry (`catalogue`) lists them.

use super::ctx::Ctx;
use super::discovery::Needs;
use super::persona::Persona;
use super::rfc::Cite;
use super::verdict::Verdict;
use crate::report::Level;
use std::future::Future;
use std::pin::Pin;

pub type BoxFut<'a> = Pin<Box<dyn Future<Output = Verdict> + Send + 'a>>;

/// A check body with its type erased; `arg` lets one function serve a
/// table of checks.
pub type CheckFn = dyn for<'a> Fn(&'a Ctx, &'static str) -> BoxFut<'a> + Send + Sync;

#[derive(Clone, Copy)]
pub struct Check {
    pub id: &'static str,
    pub group: &'static str,
    /// The RFC section of the sentence the check rests on.
    pub rfc: &'static str,
    /// That sentence, quoted (`rfc.rs`).
    pub quote: &'static str,
    pub level: Level,
    pub persona: Persona,
    pub needs: Needs,
    /// What the check tests, in one line: `--list` and every report show it.
    pub title: &'static str,
    pub arg: &'static str,
    pub run: &'static CheckFn,
}

impl std::fmt::Debug for Check {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Check").field("id", &self.id).finish()
    }
}

/// A check function, `async fn(&Ctx, &'static str) -> Verdict`, at one
/// borrow of the context. Its future borrows the context, so the future's
/// type differs per borrow; a plain `Fn(&Ctx, &str) -> Fut` bound cannot
/// say that, this trait names the future per lifetime.
pub trait BodyAt<'a>: Fn(&'a Ctx, &'static str) -> <Self as BodyAt<'a>>::Fut {
    type Fut: Future<Output = Verdict> + Send + 'a;
}

impl<'a, F, Fut> BodyAt<'a> for F
where
    F: Fn(&'a Ctx, &'static str) -> Fut,
    Fut: Future<Output = Verdict> + Send + 'a,
{
    type Fut = Fut;
}

/// A check function, for every borrow of the context.
pub trait Body: for<'a> BodyAt<'a> + Send + Sync + 'static {}

impl<F> Body for F where F: for<'a> BodyAt<'a> + Send + Sync + 'static {}

/// Boxes the future of each run of `body`. A check function is a fn item,
/// which takes no memory, so leaking it allocates nothing however often the
/// catalogue is built; the assertion keeps it so.
fn erase<F: Body>(body: F) -> &'static CheckFn {
    const {
        assert!(
            size_of::<F>() == 0,
            "a check body is a function, not a closure that captures"
        )
    };
    Box::leak(Box::new(higher_ranked(move |c, arg| {
        Box::pin(body(c, arg))
    })))
}

/// Makes the closure in `erase` generic over the context's lifetime
/// (closures infer one lifetime unless told).
fn higher_ranked<C>(c: C) -> C
where
    C: for<'a> Fn(&'a Ctx, &'static str) -> BoxFut<'a>,
{
    c
}

/// What the checks of one file share: the group they are listed under, and
/// the persona and feature most of them have. Each file declares its group
/// once, as a `const`; the level methods start a check with its defaults.
#[derive(Clone, Copy)]
pub struct Group {
    name: &'static str,
    persona: Persona,
    needs: Needs,
}

impl Group {
    /// A group of RFC checks that need nothing advertised.
    pub const fn new(name: &'static str) -> Group {
        Group {
            name,
            persona: Persona::Rfc,
            needs: Needs::Nothing,
        }
    }

    pub const fn persona(self, persona: Persona) -> Group {
        Group { persona, ..self }
    }

    pub const fn needs(self, needs: Needs) -> Group {
        Group { needs, ..self }
    }

    pub fn must(self, id: &'static str, run: impl Body) -> Check {
        self.check(Level::Must, id, run)
    }

    pub fn should(self, id: &'static str, run: impl Body) -> Check {
        self.check(Level::Should, id, run)
    }

    pub fn may(self, id: &'static str, run: impl Body) -> Check {
        self.check(Level::May, id, run)
    }

    pub fn interop(self, id: &'static str, run: impl Body) -> Check {
        self.check(Level::Interop, id, run)
    }

    fn check(self, level: Level, id: &'static str, run: impl Body) -> Check {
        Check {
            id,
            group: self.name,
            rfc: "",
            quote: "",
            level,
            persona: self.persona,
            needs: self.needs,
            title: "",
            arg: "",
            run: erase(run),
        }
    }
}

impl Check {
    /// The RFC sentence whose words the check's level rests on.
    pub const fn cites(self, cite: Cite) -> Check {
        Check {
            rfc: cite.section,
            quote: cite.text,
            ..self
        }
    }

    /// The one line `--list` and the reports show.
    pub const fn title(self, title: &'static str) -> Check {
        Check { title, ..self }
    }

    pub const fn persona(self, persona: Persona) -> Check {
        Check { persona, ..self }
    }

    pub const fn needs(self, needs: Needs) -> Check {
        Check { needs, ..self }
    }

    /// What the check function is handed: one function serves several
    /// checks that differ only in this.
    pub const fn arg(self, arg: &'static str) -> Check {
        Check { arg, ..self }
    }
}
