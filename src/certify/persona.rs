//! Whose traffic a check imitates, and whose run (`--profile`) this is.

/// INTEROP failures count only under the matching `--profile`; `Idp`
/// matches every identity-provider profile.
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
