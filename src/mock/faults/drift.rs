//! `schema_drift` (SPEC §3.2): the app "updated". Writes that set one of
//! `attributes` are refused, POST and PUT lacking one of `require` are
//! refused, and `drop_extension` disappears from `/Schemas` and
//! `/ResourceTypes` and is refused in writes; all with 400 `invalidValue`
//! naming the attribute or schema.

use super::shaping::{fault, mark};
use crate::fault::{FaultKind, FaultSpec};
use crate::mock::state::TargetState;
use crate::scim::patch::{PatchOpKind, PatchRequest};
use crate::scim::path::AttrPath;
use crate::scim::path::get_ci;
use crate::scim::schema::ResourceSchema;
use crate::scim::schema::ResourceTypeName;
use crate::scim::{ScimError, ScimResult};
use serde_json::{Map, Value};

/// Where an attribute lives: its schema (an extension URN, or `None` for
/// the core and common attributes), its canonical name, and a sub-attribute.
#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    pub extension: Option<String>,
    pub name: String,
    pub sub: Option<String>,
}

/// Resolves a name as files and people write it: a core attribute
/// (`title`, `name.givenName`), a URN-qualified one, or the short name of an
/// extension attribute (`department`).
pub fn resolve(schema: &ResourceSchema, text: &str) -> Option<Place> {
    let path = AttrPath::parse(text).ok()?;
    if let Some(r) = schema.resolve(&path) {
        let attribute = r.attribute?;
        return Some(Place {
            extension: r.in_extension.then(|| r.schema.to_owned()),
            name: attribute.name.clone(),
            sub: r.sub.map(|s| s.name.clone()),
        });
    }
    if path.urn.is_some() {
        return None;
    }
    schema.extensions.iter().find_map(|(ext, _)| {
        let attribute = ext.attribute(&path.name)?;
        let sub = match &path.sub {
            Some(s) => Some(attribute.sub_attribute(s)?.name.clone()),
            None => None,
        };
        Some(Place {
            extension: Some(ext.id.clone()),
            name: attribute.name.clone(),
            sub,
        })
    })
}

impl Place {
    /// The full path, as the PATCH engine takes it.
    pub fn path(&self) -> String {
        let mut out = match &self.extension {
            Some(urn) => format!("{urn}:{}", self.name),
            None => self.name.clone(),
        };
        if let Some(sub) = &self.sub {
            out.push('.');
            out.push_str(sub);
        }
        out
    }

    /// Whether a client's JSON (a resource or a PATCH value object) gives
    /// this attribute a value. Keys are compared case-insensitively, and
    /// dotted keys (`"name.givenName"`, Entra's no-path replace) count.
    fn set_in(&self, object: &Value) -> bool {
        let container = match &self.extension {
            None => Some(object),
            Some(urn) => get_ci(object, urn),
        };
        let direct = container
            .and_then(|c| get_ci(c, &self.name))
            .is_some_and(|v| match &self.sub {
                None => !v.is_null(),
                Some(sub) => get_ci(v, sub).is_some_and(|s| !s.is_null()),
            });
        direct || get_ci(object, &self.path()).is_some_and(|v| !v.is_null())
    }

    /// Whether `other` (a PATCH path) is this attribute, within it or
    /// around it.
    fn overlaps(&self, other: &Place) -> bool {
        let same_schema = match (&self.extension, &other.extension) {
            (None, None) => true,
            (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
            _ => false,
        };
        same_schema
            && self.name.eq_ignore_ascii_case(&other.name)
            && (self.sub.is_none() || other.sub.is_none() || self.sub == other.sub)
    }
}

/// Checks a fault's names when it is added: each must be an attribute of a
/// resource type the target serves, and `drop_extension` an extension it has.
pub fn validate(state: &TargetState, spec: &FaultSpec) -> Result<(), String> {
    let schemas: Vec<_> = [ResourceTypeName::User, ResourceTypeName::Group]
        .into_iter()
        .filter(|k| state.serves(*k))
        .map(|k| state.schema(k).clone())
        .collect();
    for (field, names) in [("attributes", &spec.attributes), ("require", &spec.require)] {
        for name in names.iter().flatten() {
            if !schemas.iter().any(|s| resolve(s, name).is_some()) {
                return Err(format!(
                    "{field}: '{name}' is not an attribute of this target's resource types"
                ));
            }
        }
    }
    if let Some(urn) = &spec.drop_extension
        && !schemas.iter().any(|s| s.extension(urn).is_some())
    {
        return Err(format!(
            "drop_extension: '{urn}' is not a schema extension this target serves"
        ));
    }
    Ok(())
}

fn refuse(what: String) -> ScimError {
    mark(FaultKind::SchemaDrift);
    ScimError::invalid_value(what)
}

fn no_longer(name: &str) -> ScimError {
    refuse(format!(
        "attribute '{name}' is not supported by this service provider"
    ))
}

fn dropped(urn: &str) -> ScimError {
    refuse(format!(
        "schema extension '{urn}' is not supported by this service provider"
    ))
}

/// POST and PUT bodies.
pub fn check_resource(
    kind: ResourceTypeName,
    schema: &ResourceSchema,
    body: &Value,
) -> ScimResult<()> {
    let Some(f) = fault(FaultKind::SchemaDrift) else {
        return Ok(());
    };
    let spec = &f.spec;
    if let Some(urn) = &spec.drop_extension {
        let listed = get_ci(body, "schemas")
            .and_then(Value::as_array)
            .is_some_and(|l| {
                l.iter()
                    .any(|s| s.as_str().is_some_and(|s| s.eq_ignore_ascii_case(urn)))
            });
        if listed || get_ci(body, urn).is_some() {
            return Err(dropped(urn));
        }
    }
    for name in spec.attributes.iter().flatten() {
        if resolve(schema, name).is_some_and(|p| p.set_in(body)) {
            return Err(no_longer(name));
        }
    }
    for name in spec.require.iter().flatten() {
        if let Some(place) = resolve(schema, name)
            && !place.set_in(body)
        {
            return Err(refuse(format!(
                "attribute '{name}' is required for {kind:?} resources"
            )));
        }
    }
    Ok(())
}

/// PATCH: an `add` or `replace` that sets a rejected attribute or touches
/// the dropped extension.
pub fn check_patch(schema: &ResourceSchema, request: &PatchRequest) -> ScimResult<()> {
    let Some(f) = fault(FaultKind::SchemaDrift) else {
        return Ok(());
    };
    let spec = &f.spec;
    let rejected: Vec<(&String, Place)> = spec
        .attributes
        .iter()
        .flatten()
        .filter_map(|n| Some((n, resolve(schema, n)?)))
        .collect();
    for op in &request.operations {
        if op.op == PatchOpKind::Remove {
            continue;
        }
        let value = op.value.clone().unwrap_or(Value::Null);
        let target = op.path.as_ref().and_then(|p| {
            let r = schema.resolve(&p.attr)?;
            Some((r.schema.to_owned(), r.in_extension, r.attribute, r.sub))
        });
        if let Some(urn) = &spec.drop_extension {
            let in_path = target
                .as_ref()
                .is_some_and(|(s, ext, _, _)| *ext && s.eq_ignore_ascii_case(urn));
            let in_value = op.path.is_none()
                && value.as_object().is_some_and(|m| {
                    m.keys().any(|k| {
                        k.get(..urn.len())
                            .is_some_and(|p| p.eq_ignore_ascii_case(urn))
                    })
                });
            if in_path || in_value {
                return Err(dropped(urn));
            }
        }
        for (name, place) in &rejected {
            let hit = match &target {
                // A path naming an attribute: it, within it or around it.
                Some((s, ext, Some(attribute), sub)) => place.overlaps(&Place {
                    extension: ext.then(|| s.clone()),
                    name: attribute.name.clone(),
                    sub: sub.map(|a| a.name.clone()),
                }),
                // A path naming a whole extension: its value object.
                Some((s, true, None, _)) => {
                    let mut wrapped = Map::new();
                    wrapped.insert(s.clone(), value.clone());
                    place.set_in(&Value::Object(wrapped))
                }
                Some(_) => false,
                None => place.set_in(&value),
            };
            if hit {
                return Err(no_longer(name));
            }
        }
    }
    Ok(())
}

/// The extension a `schema_drift` fault shaping this request dropped.
pub fn dropped_extension() -> Option<String> {
    fault(FaultKind::SchemaDrift)?.spec.drop_extension.clone()
}

/// Whether discovery should hide `urn` (marking the answer as shaped).
pub fn hides(urn: &str) -> bool {
    let hidden = dropped_extension().is_some_and(|d| d.eq_ignore_ascii_case(urn));
    if hidden {
        mark(FaultKind::SchemaDrift);
    }
    hidden
}

/// Copies one attribute (top level, or within its extension) from `from`
/// into `to`: what PATCH-as-PUT keeps of an operation it could not replay.
pub fn copy_attribute(to: &mut Value, from: &Value, path: &AttrPath, schema: &ResourceSchema) {
    let Some(r) = schema.resolve(path) else {
        return;
    };
    let (Some(to), Some(from)) = (to.as_object_mut(), from.as_object()) else {
        return;
    };
    match (r.in_extension, r.attribute) {
        (false, Some(a)) => {
            if let Some(v) = from.get(&a.name) {
                to.insert(a.name.clone(), v.clone());
            }
        }
        (true, attribute) => {
            let Some(ext) = from.get(r.schema).and_then(Value::as_object) else {
                return;
            };
            let slot = to
                .entry(r.schema.to_owned())
                .or_insert_with(|| Value::Object(Map::new()));
            match (attribute, slot.as_object_mut()) {
                (Some(a), Some(slot)) => {
                    if let Some(v) = ext.get(&a.name) {
                        slot.insert(a.name.clone(), v.clone());
                    }
                }
                (None, _) => *slot = Value::Object(ext.clone()),
                _ => {}
            }
        }
        (false, None) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_resolve_as_people_write_them() {
        let s = ResourceSchema::user();
        let p = resolve(&s, "department").expect("short extension name");
        assert_eq!(
            p.path(),
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department"
        );
        assert_eq!(
            resolve(&s, "NAME.givenname").map(|p| p.path()),
            Some("name.givenName".into())
        );
        assert!(resolve(&s, "costCentre").is_none());
    }

    #[test]
    fn set_in_reads_nested_dotted_and_extension_keys() {
        let s = ResourceSchema::user();
        let given = resolve(&s, "name.givenName").unwrap();
        assert!(given.set_in(&serde_json::json!({"name": {"givenName": "B"}})));
        assert!(given.set_in(&serde_json::json!({"name.givenName": "B"})));
        assert!(!given.set_in(&serde_json::json!({"name": {"familyName": "J"}})));
        let dept = resolve(&s, "department").unwrap();
        assert!(dept.set_in(&serde_json::json!({
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "X"}})));
    }
}
