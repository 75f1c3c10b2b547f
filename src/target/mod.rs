//! The mock SCIM target: a service provider that behaves like RFC 7644 says.

pub mod profile;
