//! Toxics as the registry keeps them: a type with its integer attributes,
//! a stream and a toxicity, parsed from and printed to Toxiproxy's JSON
//! (reference/toxiproxy-api.md §1.4). Attribute names and units are
//! Toxiproxy's own (`toxics/*.go`), so a toxic written for it works here.

use super::error::ApiError;
use super::model::ToxicJson;
use serde_json::{Map, Value};

/// Which bytes a toxic acts on: client→server (`upstream`) or
/// server→client (`downstream`, the default).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    Upstream,
    Downstream,
}

impl Stream {
    pub fn parse(s: &str) -> Option<Stream> {
        // Toxiproxy's ParseDirection is case-insensitive.
        match s.to_ascii_lowercase().as_str() {
            "upstream" => Some(Stream::Upstream),
            "downstream" => Some(Stream::Downstream),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Stream::Upstream => "upstream",
            Stream::Downstream => "downstream",
        }
    }
}

/// A toxic type with its attributes (all integers, as in Toxiproxy).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `latency` ms ± `jitter` ms on every chunk.
    Latency { latency: i64, jitter: i64 },
    /// `rate` KB/s (1 KB = 1000 bytes, as Toxiproxy counts); 0 = unlimited.
    Bandwidth { rate: i64 },
    /// The close is held back `delay` ms.
    SlowClose { delay: i64 },
    /// Data is dropped; the connection closes after `timeout` ms without
    /// data (0: never).
    Timeout { timeout: i64 },
    /// On the first data, wait `timeout` ms, then reset the connection.
    ResetPeer { timeout: i64 },
    /// Chunks of `average_size` ± `size_variation` bytes, `delay` µs apart.
    Slicer {
        average_size: i64,
        size_variation: i64,
        delay: i64,
    },
    /// Close once `bytes` have passed.
    LimitData { bytes: i64 },
}

/// The types this proxy knows, each with its attribute names.
const TYPES: &[(&str, &[&str])] = &[
    ("latency", &["latency", "jitter"]),
    ("bandwidth", &["rate"]),
    ("slow_close", &["delay"]),
    ("timeout", &["timeout"]),
    ("reset_peer", &["timeout"]),
    ("slicer", &["average_size", "size_variation", "delay"]),
    ("limit_data", &["bytes"]),
];

impl Kind {
    pub fn type_name(&self) -> &'static str {
        match self {
            Kind::Latency { .. } => "latency",
            Kind::Bandwidth { .. } => "bandwidth",
            Kind::SlowClose { .. } => "slow_close",
            Kind::Timeout { .. } => "timeout",
            Kind::ResetPeer { .. } => "reset_peer",
            Kind::Slicer { .. } => "slicer",
            Kind::LimitData { .. } => "limit_data",
        }
    }

    pub fn is_known(type_name: &str) -> bool {
        TYPES.iter().any(|(t, _)| *t == type_name)
    }

    fn values(&self) -> Vec<i64> {
        match *self {
            Kind::Latency { latency, jitter } => vec![latency, jitter],
            Kind::Bandwidth { rate } => vec![rate],
            Kind::SlowClose { delay } => vec![delay],
            Kind::Timeout { timeout } | Kind::ResetPeer { timeout } => vec![timeout],
            Kind::Slicer {
                average_size,
                size_variation,
                delay,
            } => vec![average_size, size_variation, delay],
            Kind::LimitData { bytes } => vec![bytes],
        }
    }

    fn from_values(type_name: &str, v: &[i64]) -> Kind {
        match type_name {
            "latency" => Kind::Latency {
                latency: v[0],
                jitter: v[1],
            },
            "bandwidth" => Kind::Bandwidth { rate: v[0] },
            "slow_close" => Kind::SlowClose { delay: v[0] },
            "timeout" => Kind::Timeout { timeout: v[0] },
            "reset_peer" => Kind::ResetPeer { timeout: v[0] },
            "slicer" => Kind::Slicer {
                average_size: v[0],
                size_variation: v[1],
                delay: v[2],
            },
            _ => Kind::LimitData { bytes: v[0] },
        }
    }

    fn names(type_name: &str) -> &'static [&'static str] {
        TYPES
            .iter()
            .find(|(t, _)| *t == type_name)
            .map(|(_, n)| *n)
            .unwrap_or(&[])
    }

    /// Reads `attributes` over `base` (zeros for a new toxic, the current
    /// values for an update): Toxiproxy decodes the JSON onto the existing
    /// struct, so absent attributes keep their value and unknown ones are
    /// ignored. A present attribute must be an integer.
    pub fn parse(
        type_name: &str,
        attributes: Option<&Value>,
        base: Option<&Kind>,
    ) -> Result<Kind, ApiError> {
        let names = Kind::names(type_name);
        let mut values = base.map_or_else(|| vec![0; names.len()], Kind::values);
        match attributes {
            None | Some(Value::Null) => {}
            Some(Value::Object(map)) => {
                for (i, name) in names.iter().enumerate() {
                    match map.get(*name) {
                        None | Some(Value::Null) => {}
                        Some(v) => {
                            values[i] = v.as_i64().ok_or_else(|| {
                                ApiError::bad_body(format!(
                                    "json: cannot unmarshal {v} into attribute {name} of type int64"
                                ))
                            })?;
                        }
                    }
                }
            }
            Some(other) => {
                return Err(ApiError::bad_body(format!(
                    "json: cannot unmarshal {other} into attributes"
                )));
            }
        }
        Ok(Kind::from_values(type_name, &values))
    }

    pub fn attributes(&self) -> Map<String, Value> {
        Kind::names(self.type_name())
            .iter()
            .zip(self.values())
            .map(|(n, v)| ((*n).to_owned(), Value::from(v)))
            .collect()
    }
}

/// One toxic of a proxy.
#[derive(Debug, Clone, PartialEq)]
pub struct Toxic {
    pub name: String,
    pub kind: Kind,
    pub stream: Stream,
    /// The chance that the toxic applies to a given connection.
    pub toxicity: f64,
}

impl Toxic {
    pub fn to_json(&self) -> ToxicJson {
        ToxicJson {
            attributes: self.kind.attributes(),
            name: self.name.clone(),
            kind: self.kind.type_name().to_owned(),
            stream: self.stream.as_str().to_owned(),
            toxicity: self.toxicity,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn attributes_merge_onto_the_current_ones() {
        let k = Kind::parse("latency", Some(&json!({"latency": 100})), None).unwrap();
        assert_eq!(
            k,
            Kind::Latency {
                latency: 100,
                jitter: 0
            }
        );
        let k = Kind::parse("latency", Some(&json!({"jitter": 5, "x": "y"})), Some(&k)).unwrap();
        assert_eq!(
            k,
            Kind::Latency {
                latency: 100,
                jitter: 5
            }
        );
        assert_eq!(
            k.attributes(),
            json!({"latency": 100, "jitter": 5})
                .as_object()
                .cloned()
                .unwrap()
        );
    }

    #[test]
    fn a_non_integer_attribute_is_a_bad_body() {
        let e = Kind::parse("bandwidth", Some(&json!({"rate": "fast"})), None).unwrap_err();
        assert_eq!(e.status, 400);
        assert!(e.message.starts_with("bad request body"), "{}", e.message);
    }
}
