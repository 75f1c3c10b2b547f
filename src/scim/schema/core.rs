//! The schemas of RFC 7643 as data: User (§4.1), Enterprise User (§4.3),
//! Group (§4.2), the common attributes (§3.1) and the discovery schemas
//! (§5, §6, §7), following the representation of §8.7.
//!
//! They are built with the [`Attribute`] builder rather than parsed from
//! JSON so that a typo is a compile error and each characteristic that
//! differs from the §2.2 defaults stands out.

use super::Schema;
use super::attribute::{Attribute as A, Mutability::*, Returned, Uniqueness};

pub const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub const GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
pub const ENTERPRISE_USER: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
pub const SERVICE_PROVIDER_CONFIG: &str =
    "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";
pub const RESOURCE_TYPE: &str = "urn:ietf:params:scim:schemas:core:2.0:ResourceType";
pub const SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Schema";

/// `schemas`, `id`, `externalId` and `meta` (RFC 7643 §3, §3.1): part of
/// every resource but of no schema, so they are kept apart from the schemas
/// `/Schemas` serves. `schemas` is here so filters may name it (RFC 7644
/// §3.4.2.2 filters on it); the server computes its value.
pub fn common_attributes() -> Vec<A> {
    vec![
        A::reference("schemas", &["uri"])
            .multi()
            .case_exact()
            .read_only()
            .returned(Returned::Always)
            .describe("The schema URNs the resource conforms to."),
        A::string("id")
            .case_exact()
            .read_only()
            .returned(Returned::Always)
            .unique(Uniqueness::Server)
            .describe("Unique identifier for the resource, assigned by the service provider."),
        A::string("externalId")
            .case_exact()
            .describe("Identifier of the resource as defined by the provisioning client."),
        A::complex(
            "meta",
            vec![
                A::string("resourceType").case_exact().read_only(),
                A::date_time("created").read_only(),
                A::date_time("lastModified").read_only(),
                A::reference("location", &["uri"]).case_exact().read_only(),
                A::string("version").case_exact().read_only(),
            ],
        )
        .read_only()
        .describe("Resource metadata."),
    ]
}

/// value/display/type/primary, the shape most multi-valued attributes share.
fn typed_values(name: &str, types: &[&str], value: A) -> A {
    A::complex(
        name,
        vec![
            value,
            A::string("display"),
            A::string("type").canonical(types),
            A::boolean("primary"),
        ],
    )
    .multi()
}

pub fn user() -> Schema {
    let attributes = vec![
        A::string("userName")
            .required()
            .unique(Uniqueness::Server)
            .describe("Unique identifier for the User, typically used to sign in."),
        A::complex(
            "name",
            vec![
                A::string("formatted"),
                A::string("familyName"),
                A::string("givenName"),
                A::string("middleName"),
                A::string("honorificPrefix"),
                A::string("honorificSuffix"),
            ],
        ),
        A::string("displayName"),
        A::string("nickName"),
        A::reference("profileUrl", &["external"]),
        A::string("title"),
        A::string("userType"),
        A::string("preferredLanguage"),
        A::string("locale"),
        A::string("timezone"),
        A::boolean("active"),
        A::string("password")
            .mutability(WriteOnly)
            .returned(Returned::Never)
            .describe("The User's cleartext password; never returned."),
        typed_values("emails", &["work", "home", "other"], A::string("value")),
        typed_values(
            "phoneNumbers",
            &["work", "home", "mobile", "fax", "pager", "other"],
            A::string("value"),
        ),
        typed_values(
            "ims",
            &["aim", "gtalk", "icq", "xmpp", "msn", "skype", "qq", "yahoo"],
            A::string("value"),
        ),
        typed_values(
            "photos",
            &["photo", "thumbnail"],
            A::reference("value", &["external"]),
        ),
        A::complex(
            "addresses",
            vec![
                A::string("formatted"),
                A::string("streetAddress"),
                A::string("locality"),
                A::string("region"),
                A::string("postalCode"),
                A::string("country"),
                A::string("type").canonical(&["work", "home", "other"]),
                A::boolean("primary"),
            ],
        )
        .multi(),
        A::complex(
            "groups",
            vec![
                A::string("value").read_only(),
                A::reference("$ref", &["User", "Group"]).read_only(),
                A::string("display").read_only(),
                A::string("type")
                    .canonical(&["direct", "indirect"])
                    .read_only(),
            ],
        )
        .multi()
        .read_only()
        .describe("Groups the User belongs to, maintained by the service provider."),
        typed_values("entitlements", &[], A::string("value")),
        typed_values("roles", &[], A::string("value")),
        typed_values("x509Certificates", &[], A::binary("value")),
    ];
    Schema::new(USER, "User", "User Account", attributes)
}

pub fn enterprise_user() -> Schema {
    let attributes = vec![
        A::string("employeeNumber"),
        A::string("costCenter"),
        A::string("organization"),
        A::string("division"),
        A::string("department"),
        A::complex(
            "manager",
            vec![
                A::string("value"),
                A::reference("$ref", &["User"]),
                A::string("displayName").read_only(),
            ],
        ),
    ];
    Schema::new(
        ENTERPRISE_USER,
        "EnterpriseUser",
        "Enterprise User",
        attributes,
    )
}

pub fn group() -> Schema {
    let attributes = vec![
        // RFC 7643 §4.2 calls displayName REQUIRED (the §8.7.1 listing says
        // otherwise; the prose is normative and every IdP sends it).
        A::string("displayName").required(),
        A::complex(
            "members",
            vec![
                A::string("value").immutable(),
                A::reference("$ref", &["User", "Group"]).immutable(),
                A::string("display").read_only(),
                A::string("type").canonical(&["User", "Group"]).immutable(),
            ],
        )
        .multi(),
    ];
    Schema::new(GROUP, "Group", "Group", attributes)
}

pub fn service_provider_config() -> Schema {
    let supported = |name: &str| {
        A::complex(name, vec![A::boolean("supported").required().read_only()])
            .required()
            .read_only()
    };
    let attributes = vec![
        A::reference("documentationUri", &["external"]).read_only(),
        supported("patch"),
        A::complex(
            "bulk",
            vec![
                A::boolean("supported").required().read_only(),
                A::integer("maxOperations").required().read_only(),
                A::integer("maxPayloadSize").required().read_only(),
            ],
        )
        .required()
        .read_only(),
        A::complex(
            "filter",
            vec![
                A::boolean("supported").required().read_only(),
                A::integer("maxResults").required().read_only(),
            ],
        )
        .required()
        .read_only(),
        supported("changePassword"),
        supported("sort"),
        supported("etag"),
        A::complex(
            "authenticationSchemes",
            vec![
                A::string("type").required().read_only(),
                A::string("name").required().read_only(),
                A::string("description").required().read_only(),
                A::reference("specUri", &["external"]).read_only(),
                A::reference("documentationUri", &["external"]).read_only(),
                A::boolean("primary").read_only(),
            ],
        )
        .multi()
        .required()
        .read_only(),
    ];
    Schema::new(
        SERVICE_PROVIDER_CONFIG,
        "Service Provider Configuration",
        "Schema for representing the service provider's configuration",
        attributes,
    )
}

pub fn resource_type() -> Schema {
    let attributes = vec![
        A::string("id").read_only(),
        A::string("name").required().read_only(),
        A::string("description").read_only(),
        A::reference("endpoint", &["uri"]).required().read_only(),
        A::reference("schema", &["uri"])
            .required()
            .case_exact()
            .read_only(),
        A::complex(
            "schemaExtensions",
            vec![
                A::reference("schema", &["uri"])
                    .required()
                    .case_exact()
                    .read_only(),
                A::boolean("required").required().read_only(),
            ],
        )
        .multi()
        .read_only(),
    ];
    Schema::new(
        RESOURCE_TYPE,
        "ResourceType",
        "Specifies the schema that describes a SCIM resource type",
        attributes,
    )
}

pub fn schema() -> Schema {
    let attr_subs = |with_subs: bool| {
        let mut subs = vec![
            A::string("name").required().case_exact().read_only(),
            A::string("type")
                .required()
                .canonical(&[
                    "string",
                    "complex",
                    "boolean",
                    "decimal",
                    "integer",
                    "dateTime",
                    "reference",
                    "binary",
                ])
                .read_only(),
            A::boolean("multiValued").required().read_only(),
            A::string("description").read_only(),
            A::boolean("required").read_only(),
            A::string("canonicalValues")
                .multi()
                .case_exact()
                .read_only(),
            A::boolean("caseExact").read_only(),
            A::string("mutability")
                .case_exact()
                .canonical(&["readOnly", "readWrite", "immutable", "writeOnly"])
                .read_only(),
            A::string("returned")
                .case_exact()
                .canonical(&["always", "never", "default", "request"])
                .read_only(),
            A::string("uniqueness")
                .case_exact()
                .canonical(&["none", "server", "global"])
                .read_only(),
            A::string("referenceTypes").multi().case_exact().read_only(),
        ];
        if with_subs {
            // Sub-attributes share the attribute shape minus nesting (RFC 7643 §7).
            let nested = subs.clone();
            subs.push(A::complex("subAttributes", nested).multi().read_only());
        }
        subs
    };
    let attributes = vec![
        A::string("id").read_only(),
        A::string("name").read_only(),
        A::string("description").read_only(),
        A::complex("attributes", attr_subs(true))
            .multi()
            .required()
            .read_only(),
    ];
    Schema::new(
        SCHEMA,
        "Schema",
        "Specifies the schema attribute characteristics",
        attributes,
    )
}
