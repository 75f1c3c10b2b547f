//! What a target that fronts a real app (`mock/upstream`) must hear of
//! its faults, as the target's state sees it. The state holds the app's
//! side through this trait rather than by its type, so the target's state
//! (which every part of the mock reads) does not depend on the forwarder
//! (which reads every part of the mock).

/// The app behind a fronting target, as fault switching needs it.
pub trait Fronting: Send + Sync {
    /// The app's SCIM base URL, for messages.
    fn url(&self) -> &str;
    /// `token_expired` switched on: the credentials seen so far are refused.
    fn expire_seen_tokens(&self);
    /// The last `token_expired` fault is gone: old credentials pass again.
    fn forgive_tokens(&self);
    /// The last `stale_reads` fault is gone: what was remembered is let go.
    fn forget_history(&self);
}
