//! The PATCH engine (RFC 7644 §3.5.2).
