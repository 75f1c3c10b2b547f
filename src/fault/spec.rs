//! The fault object (SPEC §3.4): the same JSON in the admin API, a
//! scenario's `fault:` step and a profile's `quirks` (where a bare name
//! means the kind with its defaults).

use super::FaultKind;
use super::param::Param;
use super::request::Operation;
use crate::duration::HumanDuration;
use crate::scim::schema::ResourceTypeName;
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};
use std::fmt;

/// `retry_after`: a duration (sent as whole seconds), `{http_date: DURATION}`
/// (sent as an HTTP-date that far in the future), or `none` (no header).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum RetryAfter {
    Seconds(HumanDuration),
    HttpDate { http_date: HumanDuration },
    None(NoneWord),
}

/// The literal word `none`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NoneWord {
    None,
}

/// `delay`: fixed, or drawn uniformly from `[min, max]` per request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Delay {
    Fixed(HumanDuration),
    Range {
        min: HumanDuration,
        max: HumanDuration,
    },
}

/// What `delay` may be written as; its own error names neither form, so
/// `Delay` says what was expected instead.
#[derive(Deserialize)]
#[serde(untagged)]
enum DelayForm {
    Fixed(HumanDuration),
    Range {
        min: HumanDuration,
        max: HumanDuration,
    },
}

impl<'de> Deserialize<'de> for Delay {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match DelayForm::deserialize(d) {
            Ok(DelayForm::Fixed(f)) => Ok(Delay::Fixed(f)),
            Ok(DelayForm::Range { min, max }) => Ok(Delay::Range { min, max }),
            Err(_) => Err(de::Error::custom(
                "delay: expected a duration such as 500ms or 2s, or {min: DURATION, max: DURATION}",
            )),
        }
    }
}

/// What an app admin does behind the connector's back (`manual_change`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ManualAction {
    Delete,
    GrantGroup,
    Edit,
}

/// A fault: its kind, scope, window and the kind's own parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultSpec {
    pub kind: FaultKind,
    // Scope: which requests the fault shapes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub methods: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_type: Option<ResourceTypeName>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation: Option<Operation>,
    // Window: it ends at its first bound.
    #[serde(default, rename = "for", skip_serializing_if = "Option::is_none")]
    pub for_duration: Option<HumanDuration>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub for_requests: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probability: Option<f64>,
    // Parameters of particular kinds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<RetryAfter>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay: Option<Delay>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attributes: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub require: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drop_extension: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub users: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<ManualAction>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub set: Option<Map<String, Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fail_every: Option<u64>,
}

const METHODS: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE"];

impl FaultSpec {
    /// The kind with its defaults: what a bare name in `quirks` means.
    pub fn of(kind: FaultKind) -> FaultSpec {
        FaultSpec {
            kind,
            methods: None,
            resource_type: None,
            operation: None,
            for_duration: None,
            for_requests: None,
            probability: None,
            retry_after: None,
            delay: None,
            attributes: None,
            require: None,
            drop_extension: None,
            users: None,
            action: None,
            group: None,
            set: None,
            fail_every: None,
        }
    }

    /// Whether the fault object gives this parameter.
    fn gives(&self, param: Param) -> bool {
        match param {
            Param::RetryAfter => self.retry_after.is_some(),
            Param::Delay => self.delay.is_some(),
            Param::Attributes => self.attributes.is_some(),
            Param::Require => self.require.is_some(),
            Param::DropExtension => self.drop_extension.is_some(),
            Param::Users => self.users.is_some(),
            Param::Action => self.action.is_some(),
            Param::Group => self.group.is_some(),
            Param::Set => self.set.is_some(),
            Param::FailEvery => self.fail_every.is_some(),
        }
    }

    /// Whether the parameter is given with something in it: empty `users`
    /// name nobody.
    fn fills(&self, param: Param) -> bool {
        match param {
            Param::Users => self.users.as_ref().is_some_and(|l| !l.is_empty()),
            other => self.gives(other),
        }
    }

    /// Checks what serde cannot: parameters that fit the kind, a probability
    /// in [0, 1], non-empty windows, known methods, and what some kinds need.
    /// The error names the field and what was expected.
    pub fn validate(&self) -> Result<(), String> {
        let info = self.kind.info();
        if let Some(alien) = Param::ALL
            .into_iter()
            .find(|p| self.gives(*p) && !info.takes.contains(p))
        {
            let own: Vec<&str> = Param::ALL
                .into_iter()
                .filter(|p| info.takes.contains(p))
                .map(Param::name)
                .collect();
            return Err(format!(
                "{}: not a parameter of fault kind {} (it takes: {})",
                alien.name(),
                self.kind,
                if own.is_empty() {
                    "none".to_owned()
                } else {
                    own.join(", ")
                }
            ));
        }
        if let Some(p) = self.probability
            && !(0.0..=1.0).contains(&p)
        {
            return Err(format!(
                "probability: expected a number from 0 to 1, found {p}"
            ));
        }
        if self.for_requests == Some(0) {
            return Err("for_requests: expected a positive number of requests".into());
        }
        if let Some(methods) = &self.methods
            && let Some(m) = methods
                .iter()
                .find(|m| !METHODS.contains(&m.to_ascii_uppercase().as_str()))
        {
            return Err(format!(
                "methods: '{m}' is not one of {}",
                METHODS.join(", ")
            ));
        }
        if let Some(Delay::Range { min, max }) = self.delay
            && min > max
        {
            return Err(format!("delay: min ({min}) is greater than max ({max})"));
        }
        if self.fail_every == Some(0) {
            return Err("fail_every: expected a positive n (every n-th operation fails)".into());
        }
        if let Some(need) = info.needs.iter().find(|n| !self.fills(n.param)) {
            return Err(format!(
                "{}: fault kind {} needs {}",
                need.param.name(),
                self.kind,
                need.what
            ));
        }
        // Only `manual_change` takes `action`; each action needs its own.
        match self.action {
            Some(ManualAction::GrantGroup) if self.group.is_none() => {
                Err("group: action grant_group needs the group's displayName".into())
            }
            Some(ManualAction::Edit) if self.set.is_none() => {
                Err("set: action edit needs the attributes to set".into())
            }
            _ => Ok(()),
        }
    }

    /// Whether `method` is within the scope's methods (all when unset).
    pub fn covers_method(&self, method: &str) -> bool {
        self.methods
            .as_ref()
            .is_none_or(|ms| ms.iter().any(|m| m.eq_ignore_ascii_case(method)))
    }
}

/// A quirk entry: a bare kind name, or a whole fault object.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Quirk(pub FaultSpec);

impl<'de> Deserialize<'de> for Quirk {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct QuirkVisitor;
        impl<'de> Visitor<'de> for QuirkVisitor {
            type Value = Quirk;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a fault kind name or a fault object")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Quirk, E> {
                let kind = FaultKind::parse(v).ok_or_else(|| {
                    let names: Vec<&str> = FaultKind::ALL.iter().map(|k| k.as_str()).collect();
                    E::custom(format!(
                        "unknown fault kind `{v}`, expected one of {}",
                        names.join(", ")
                    ))
                })?;
                Ok(Quirk(FaultSpec::of(kind)))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Quirk, A::Error> {
                let spec = FaultSpec::deserialize(de::value::MapAccessDeserializer::new(map))?;
                spec.validate().map_err(de::Error::custom)?;
                Ok(Quirk(spec))
            }
        }
        d.deserialize_any(QuirkVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;
    use serde_json::json;

    fn spec(v: Value) -> Result<FaultSpec, String> {
        let s: FaultSpec = serde_json::from_value(v).map_err(|e| e.to_string())?;
        s.validate()?;
        Ok(s)
    }

    #[test]
    fn the_spec_example_parses() {
        let s = spec(json!({"kind": "rate_limit", "methods": ["POST", "PATCH"], "resource_type": "User",
            "operation": "provision", "for": "30s", "for_requests": 10, "probability": 0.5, "retry_after": "2s"}))
        .expect("valid");
        assert_eq!(s.kind, FaultKind::RateLimit);
        assert_eq!(s.for_requests, Some(10));
        assert!(s.covers_method("patch") && !s.covers_method("GET"));
        assert!(matches!(s.retry_after, Some(RetryAfter::Seconds(_))));
    }

    #[rstest]
    #[case(json!({"kind": "rate_limit", "retry_after": {"http_date": "5s"}}))]
    #[case(json!({"kind": "unavailable", "retry_after": "none"}))]
    #[case(json!({"kind": "latency", "delay": {"min": "10ms", "max": "50ms"}}))]
    #[case(json!({"kind": "schema_drift", "attributes": ["title"], "require": ["costCenter"],
        "drop_extension": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"}))]
    #[case(json!({"kind": "manual_change", "action": "edit", "users": ["bob@acme.test"], "set": {"title": "X"}}))]
    #[case(json!({"kind": "partial_bulk", "fail_every": 3}))]
    #[case(json!({"kind": "conflict", "users": ["a@b.c"]}))]
    fn parameters_of_each_kind_parse(#[case] v: Value) {
        spec(v).expect("valid");
    }

    #[rstest]
    #[case(json!({"kind": "rate_limit", "delay": "1s"}), "delay: not a parameter of fault kind rate_limit (it takes: retry_after)")]
    #[case(json!({"kind": "server_error", "probability": 1.5}), "probability: expected a number from 0 to 1, found 1.5")]
    #[case(json!({"kind": "server_error", "for_requests": 0}), "for_requests: expected a positive number of requests")]
    #[case(json!({"kind": "server_error", "methods": ["FETCH"]}), "methods: 'FETCH' is not one of GET, POST, PUT, PATCH, DELETE")]
    #[case(json!({"kind": "jit_twin"}), "users: fault kind jit_twin needs the userNames it applies to")]
    #[case(json!({"kind": "manual_change", "action": "delete"}), "users: fault kind manual_change needs the userNames it applies to")]
    #[case(json!({"kind": "manual_change", "users": ["a"]}), "action: fault kind manual_change needs one of delete, grant_group, edit")]
    #[case(json!({"kind": "manual_change", "action": "grant_group", "users": ["a"]}), "group: action grant_group needs the group's displayName")]
    #[case(json!({"kind": "latency", "delay": {"min": "2s", "max": "1s"}}), "delay: min (2s) is greater than max (1s)")]
    fn invalid_specs_name_the_field(#[case] v: Value, #[case] message: &str) {
        assert_eq!(spec(v).unwrap_err(), message);
    }

    #[test]
    fn every_parameter_is_a_field_of_the_fault_object() {
        // Param's names are the fields serde reads and writes.
        let every: FaultSpec = serde_json::from_value(json!({"kind": "manual_change",
            "retry_after": "1s", "delay": "1s", "attributes": [], "require": [],
            "drop_extension": "x", "users": [], "action": "edit", "group": "g", "set": {},
            "fail_every": 1}))
        .expect("every field is known");
        let fields = serde_json::to_value(&every).expect("serialises");
        for p in Param::ALL {
            assert!(every.gives(p), "{p:?}");
            assert!(fields.get(p.name()).is_some(), "{}", p.name());
        }
    }

    #[test]
    fn unknown_fields_and_kinds_are_rejected() {
        assert!(
            spec(json!({"kind": "rate_limit", "retry": "2s"}))
                .unwrap_err()
                .contains("unknown field `retry`")
        );
        assert!(
            spec(json!({"kind": "meteor_strike"}))
                .unwrap_err()
                .contains("unknown variant `meteor_strike`")
        );
    }

    #[test]
    fn quirks_accept_bare_names_and_objects() {
        let q: Vec<Quirk> =
            serde_saphyr::from_str("- patch_as_put\n- { kind: latency, delay: 20ms }\n")
                .expect("quirks");
        assert_eq!(q[0].0, FaultSpec::of(FaultKind::PatchAsPut));
        assert_eq!(q[1].0.kind, FaultKind::Latency);
        let err = serde_saphyr::from_str::<Vec<Quirk>>("- patch_as_pot\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("unknown fault kind `patch_as_pot`"), "{err}");
        assert!(err.contains("line 1"), "{err}");
    }
}
