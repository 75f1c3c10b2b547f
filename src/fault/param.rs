//! The fault object's parameters (SPEC §3.4): the fields that belong to
//! some kinds only. Which kind takes or needs which is declared with the
//! kind, in the catalogue.

/// A parameter of the fault object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Param {
    RetryAfter,
    Delay,
    Attributes,
    Require,
    DropExtension,
    Users,
    Action,
    Group,
    Set,
    FailEvery,
}

impl Param {
    /// In the order messages list them.
    pub const ALL: [Param; 10] = [
        Param::RetryAfter,
        Param::Delay,
        Param::Attributes,
        Param::Require,
        Param::DropExtension,
        Param::Users,
        Param::Action,
        Param::Group,
        Param::Set,
        Param::FailEvery,
    ];

    /// The field's name in the fault object.
    pub fn name(self) -> &'static str {
        match self {
            Param::RetryAfter => "retry_after",
            Param::Delay => "delay",
            Param::Attributes => "attributes",
            Param::Require => "require",
            Param::DropExtension => "drop_extension",
            Param::Users => "users",
            Param::Action => "action",
            Param::Group => "group",
            Param::Set => "set",
            Param::FailEvery => "fail_every",
        }
    }
}

/// A parameter a kind cannot do without, and what its error says the kind
/// needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Need {
    pub param: Param,
    pub what: &'static str,
}

/// The people a kind acts on (an empty list names nobody).
pub const NAMED_USERS: Need = Need {
    param: Param::Users,
    what: "the userNames it applies to",
};
