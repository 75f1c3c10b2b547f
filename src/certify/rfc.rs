//! The sentences the checks rest on, each quoted once from its RFC. A check
//! cites one of these (`Check::cites`); its level follows the sentence's
//! words: MUST, SHALL or REQUIRED make a MUST check, SHOULD or RECOMMENDED
//! a SHOULD check, MAY or OPTIONAL a capability probe (the catalogue's
//! tests hold every check to that). A quote of two fragments joins them
//! with " … ": the first carries the keyword, the second says what it
//! applies to. INTEROP checks cite the RFC text the identity provider's
//! request stretches; their level comes from that provider's traffic.
//!
//! The sentences of RFC 7644 §3.3–§3.14 and RFC 7643 §2.1–§3.1 and §7 were
//! checked word for word against the RFC text (tables read across their
//! columns). Of the others, these were compared with the RFC text as other
//! projects quote it: RFC 6750 §3, RFC 7644 §2 (`AUTH_MAP`), RFC 7644 §4
//! (`DISCOVERY_SPC`, `DISCOVERY_SCHEMAS`, `SCHEMA_BY_ID`), RFC 7643 §4.1.1
//! (`USERNAME_REQUIRED`, `PASSWORD_NEVER`), RFC 7643 §6 (the endpoint and
//! schema of `RT_REQUIRED`, `RT_SCHEMA_ID`), RFC 7232 §3.1 (`IF_MATCH`) and
//! §2.1 (`ETAG_CHANGES`). The rest of RFC 7643 §4–§6, RFC 7232 §3.2 and
//! RFC 6585 are not checked so yet: compare them with the published text
//! before quoting them elsewhere.

/// A quoted RFC sentence and the section it stands in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cite {
    pub section: &'static str,
    pub text: &'static str,
}

macro_rules! cite {
    ($name:ident, $section:literal, $text:literal) => {
        pub const $name: Cite = Cite {
            section: $section,
            text: $text,
        };
    };
}

// RFC 6585 §4: the rate limit `--load` honours.
cite!(
    LOAD,
    "RFC 6585 §4",
    "The 429 status code indicates that the user has sent too many requests in a given amount of time (\"rate limiting\")."
);

// RFC 7644 §2, §3.3: authentication, creating resources.
cite!(
    AUTH_MAP,
    "RFC 7644 §2",
    "Regardless of methodology, the SCIM service provider MUST be able to map the authenticated client to an access control policy in order to determine the client's authorization to retrieve and update SCIM resources."
);
cite!(
    AUTH_CHALLENGE,
    "RFC 6750 §3",
    "If the protected resource request does not include authentication credentials or does not contain an access token that enables access to the protected resource, the resource server MUST include the HTTP \"WWW-Authenticate\" response header field; it MAY include it in response to other conditions as well."
);
cite!(
    CREATE_201,
    "RFC 7644 §3.3",
    "When the service provider successfully creates the new resource, an HTTP response SHALL be returned with HTTP status code 201 (Created)."
);
cite!(
    CREATE_BODY,
    "RFC 7644 §3.3",
    "The response body SHOULD contain the service provider's representation of the newly created resource."
);
cite!(
    CREATE_LOCATION,
    "RFC 7644 §3.3",
    "The URI of the created resource SHALL include, in the HTTP \"Location\" header and the HTTP body, a JSON representation [RFC7159] with the attribute \"meta.location\"."
);
cite!(
    CREATE_READONLY,
    "RFC 7644 §3.3",
    "In the request body, attributes whose mutability is \"readOnly\" (see Sections 2.2 and 7 of [RFC7643]) SHALL be ignored."
);
cite!(
    CREATE_409,
    "RFC 7644 §3.3",
    "If the service provider determines that the creation of the requested resource conflicts with existing resources (e.g., a \"User\" resource with a duplicate \"userName\"), the service provider MUST return HTTP status code 409 (Conflict) with a \"scimType\" error code of \"uniqueness\", as per Section 3.12."
);
cite!(
    RESOURCE_TYPE_SET,
    "RFC 7644 §3.3.1",
    "When adding a resource to a specific endpoint, the meta attribute \"resourceType\" SHALL be set by the HTTP service provider to the corresponding resource type for the endpoint."
);

// RFC 7644 §3.4: retrieving and querying.
cite!(
    LIST_URN,
    "RFC 7644 §3.4.2",
    "Responses MUST be identified using the following URI: \"urn:ietf:params:scim:api:messages:2.0:ListResponse\"."
);
cite!(
    LIST_TOTAL,
    "RFC 7644 §3.4.2",
    "totalResults The total number of results returned by the list or query operation. … REQUIRED."
);
cite!(
    LIST_RESOURCES,
    "RFC 7644 §3.4.2",
    "Resources A multi-valued list of complex objects containing the requested resources. … REQUIRED if \"totalResults\" is non-zero."
);
cite!(
    LIST_START_INDEX,
    "RFC 7644 §3.4.2",
    "startIndex The 1-based index of the first result in the current set of list results. REQUIRED when partial results are returned due to pagination."
);
cite!(
    LIST_ITEMS_PER_PAGE,
    "RFC 7644 §3.4.2",
    "itemsPerPage The number of resources returned in a list response page. REQUIRED when partial results are returned due to pagination."
);
cite!(
    ZERO_MATCHES,
    "RFC 7644 §3.4.2",
    "A query that does not return any matches SHALL return success (HTTP status code 200) with \"totalResults\" set to a value of 0."
);
cite!(
    FILTER_MATCH,
    "RFC 7644 §3.4.2.2",
    "When specified, only those resources matching the filter expression SHALL be returned."
);
cite!(
    FILTER_ORDER,
    "RFC 7644 §3.4.2.2",
    "Filters MUST be evaluated using the following order of operations, in order of precedence:"
);
cite!(
    FILTER_CASE,
    "RFC 7644 §3.4.2.2",
    "When comparing attributes of type String, the case sensitivity for String type attributes SHALL be determined by the attribute's \"caseExact\" characteristic (see Section 2.2 of [RFC7643])."
);
cite!(
    FILTER_UNKNOWN_OP,
    "RFC 7644 §3.4.2.2",
    "Providers MUST decline to filter results if the specified filter operation is not recognized and return an HTTP 400 error with a \"scimType\" error of \"invalidFilter\" and an appropriate human-readable response as per Section 3.12."
);
cite!(
    FILTER_BOOLEAN_ORDER,
    "RFC 7644 §3.4.2.2",
    "Boolean and Binary attributes SHALL cause a failed response (HTTP status code 400) with \"scimType\" of \"invalidFilter\"."
);
cite!(
    FILTER_SYNTAX_400,
    "RFC 7644 §3.12",
    "Implementers SHOULD handle the identified HTTP status codes as described below. … invalidFilter The specified filter syntax was invalid (does not comply with Figure 1), or the specified attribute and filter comparison combination is not supported."
);
cite!(
    FILTER_OPTIONAL,
    "RFC 7644 §3.4.2.2",
    "Filtering is an OPTIONAL parameter for SCIM service providers."
);
cite!(
    SEARCH_POST,
    "RFC 7644 §3.4.3",
    "Clients MAY execute queries without passing parameters on the URL by using the HTTP POST verb combined with the \"/.search\" path extension."
);
cite!(
    SORT_BY,
    "RFC 7644 §3.4.2.3",
    "The \"sortBy\" parameter specifies the attribute whose value SHALL be used to order the returned responses."
);
cite!(
    SORT_DEFAULT,
    "RFC 7644 §3.4.2.3",
    "If a value for \"sortBy\" is provided and no \"sortOrder\" is specified, \"sortOrder\" SHALL default to ascending."
);
cite!(
    SORT_CASE,
    "RFC 7644 §3.4.2.3",
    "\"sortOrder\" MUST sort according to the attribute type; i.e., for case-insensitive attributes, sort the result using case-insensitive Unicode alphabetic sort order with no specific locale implied, and for case-exact attribute types, sort the result using case-sensitive Unicode alphabetic sort order."
);
cite!(
    PAGE_COUNT,
    "RFC 7644 §3.4.2.4",
    "When specified, the service provider MUST NOT return more results than specified, although it MAY return fewer results."
);
cite!(
    PAGE_COUNT_NEGATIVE,
    "RFC 7644 §3.4.2.4",
    "A negative value SHALL be interpreted as \"0\". A value of \"0\" indicates that no resource results are to be returned except for \"totalResults\"."
);
cite!(
    PAGE_START,
    "RFC 7644 §3.4.2.4",
    "A value less than 1 SHALL be interpreted as 1."
);
cite!(
    PROJ_SUPPORTED,
    "RFC 7644 §3.4.2.5",
    "SCIM clients MAY use one of these two OPTIONAL parameters, which MUST be supported by SCIM service providers:"
);
cite!(
    PROJ_ALWAYS,
    "RFC 7644 §3.4.2.5",
    "This parameter SHALL have no effect on attributes whose schema \"returned\" setting is \"always\" (see Sections 2.2 and 7 of [RFC7643])."
);
cite!(
    PROJ_ATTRIBUTES,
    "RFC 7644 §3.9",
    "When specified, the default list of attributes SHALL be overridden, and each resource returned MUST contain the minimum set of resource attributes and any attributes or sub-attributes explicitly requested by the \"attributes\" parameter."
);
cite!(
    PROJ_EXCLUDED,
    "RFC 7644 §3.9",
    "excludedAttributes When specified, each resource returned MUST contain the minimum set of resource attributes."
);
cite!(
    SCHEMAS_PRESENT,
    "RFC 7643 §2.1",
    "SCIM resources are represented in JSON [RFC7159] format and MUST specify schema via the \"schemas\" attribute per Section 3."
);
cite!(
    ATTR_NAMES_CASE,
    "RFC 7643 §2.1",
    "Attribute names are case insensitive and are often \"camel-cased\" (e.g., \"camelCase\"). SCIM resources are represented in JSON [RFC7159] format and MUST specify schema via the \"schemas\" attribute per Section 3."
);

// RFC 7644 §3.5: modifying.
cite!(
    PUT_SUPPORTED,
    "RFC 7644 §3.5",
    "Implementers MUST support HTTP PUT as specified in Section 4.3 of [RFC7231]."
);
cite!(
    PUT_REPLACES,
    "RFC 7644 §3.5.1",
    "readWrite, writeOnly Any values provided SHALL replace the existing attribute values."
);
cite!(
    PUT_READONLY,
    "RFC 7644 §3.5.1",
    "readOnly Any values provided SHALL be ignored."
);
cite!(
    PUT_NO_CREATE,
    "RFC 7644 §3.5.1",
    "Because SCIM resource identifiers are assigned by the service provider, HTTP PUT MUST NOT be used to create new resources."
);
cite!(
    PUT_CLEARS,
    "RFC 7644 §3.5",
    "Implementers MUST support HTTP PUT as specified in Section 4.3 of [RFC7231]. … (§3.5.1) The service provider MAY assume that any existing values are to be cleared, or the service provider MAY assign a default value to the final resource representation."
);
cite!(
    PATCH_OPTIONAL,
    "RFC 7644 §3.5.2",
    "HTTP PATCH is an OPTIONAL server function that enables clients to update one or more attributes of a SCIM resource using a sequence of operations to \"add\", \"remove\", or \"replace\" values."
);
cite!(
    PATCH_OP,
    "RFC 7644 §3.5.2",
    "Each PATCH operation object MUST have exactly one \"op\" member, whose value indicates the operation to perform and MAY be one of \"add\", \"remove\", or \"replace\"."
);
cite!(
    PATCH_ADD,
    "RFC 7644 §3.5.2",
    "Each PATCH operation object MUST have exactly one \"op\" member, whose value indicates the operation to perform and MAY be one of \"add\", \"remove\", or \"replace\". … (§3.5.2.1) The \"add\" operation is used to add a new attribute value to an existing resource."
);
cite!(
    PATCH_ADD_COMPLEX,
    "RFC 7644 §3.5.2.1",
    "If the target location specifies a complex attribute, a set of sub-attributes SHALL be specified in the \"value\" parameter."
);
cite!(
    PATCH_ADD_EXISTING,
    "RFC 7644 §3.5.2.1",
    "If the target location already contains the value specified, no changes SHOULD be made to the resource, and a success response SHOULD be returned."
);
cite!(
    PATCH_ADD_TIMESTAMP,
    "RFC 7644 §3.5.2.1",
    "Unless other operations change the resource, this operation SHALL NOT change the modify timestamp of the resource."
);
cite!(
    PATCH_REMOVE_SINGLE,
    "RFC 7644 §3.5.2.2",
    "If the target location is a single-value attribute, the attribute and its associated value is removed, and the attribute SHALL be considered unassigned."
);
cite!(
    PATCH_REMOVE_ALL,
    "RFC 7644 §3.5.2.2",
    "If the target location is a multi-valued attribute and no filter is specified, the attribute and all values are removed, and the attribute SHALL be considered unassigned."
);
cite!(
    PATCH_REMOVE_FILTER,
    "RFC 7644 §3.5.2.2",
    "If no other values remain after removal of the selected values, the multi-valued attribute SHALL be considered unassigned."
);
cite!(
    PATCH_REMOVE_SUB,
    "RFC 7644 §3.5.2.2",
    "Sub-attributes whose values have been removed SHALL be considered unassigned."
);
cite!(
    PATCH_REMOVE_NO_PATH,
    "RFC 7644 §3.5.2",
    "The \"path\" attribute is OPTIONAL for \"add\" and \"replace\" and is REQUIRED for \"remove\" operations. … (§3.5.2.2) If \"path\" is unspecified, the operation fails with HTTP status code 400 and a \"scimType\" error code of \"noTarget\"."
);
cite!(
    PATCH_REMOVE_REQUIRED,
    "RFC 7644 §3.5.2.2",
    "If an attribute is removed or becomes unassigned and is defined as a required attribute or a read-only attribute, the server SHALL return an HTTP response status code and a JSON detail error response as defined in Section 3.12, with a \"scimType\" error code of \"mutability\"."
);
cite!(
    PATCH_REPLACE_NO_PATH,
    "RFC 7644 §3.5.2.3",
    "In this case, the \"value\" attribute SHALL contain a list of one or more attributes that are to be replaced."
);
cite!(
    PATCH_REPLACE_ABSENT,
    "RFC 7644 §3.5.2.3",
    "If the target location path specifies an attribute that does not exist, the service provider SHALL treat the operation as an \"add\"."
);
cite!(
    PATCH_REPLACE_COMPLEX,
    "RFC 7644 §3.5.2.3",
    "If the target location specifies a complex attribute, a set of sub-attributes SHALL be specified in the \"value\" parameter, which replaces any existing values or adds where an attribute did not previously exist."
);
cite!(
    PATCH_REPLACE_FILTER,
    "RFC 7644 §3.5.2.3",
    "If the target location is a multi-valued attribute and a value selection (\"valuePath\") filter is specified that matches one or more values of the multi-valued attribute, then all matching record values SHALL be replaced."
);
cite!(
    PATCH_NO_TARGET,
    "RFC 7644 §3.5.2.3",
    "If the target location is a multi-valued attribute for which a value selection filter (\"valuePath\") has been supplied and no record match was made, the service provider SHALL indicate failure by returning HTTP status code 400 and a \"scimType\" error code of \"noTarget\"."
);
cite!(
    PATCH_PRIMARY,
    "RFC 7644 §3.5.2",
    "For multi-valued attributes, a PATCH operation that sets a value's \"primary\" sub-attribute to \"true\" SHALL cause the server to automatically set \"primary\" to \"false\" for any other values in the array."
);
cite!(
    PATCH_ATOMIC,
    "RFC 7644 §3.5.2",
    "A PATCH request, regardless of the number of operations, SHALL be treated as atomic."
);
cite!(
    PATCH_RESTORE,
    "RFC 7644 §3.5.2",
    "If a single operation encounters an error condition, the original SCIM resource MUST be restored, and a failure status SHALL be returned."
);
cite!(
    PATCH_MUTABILITY,
    "RFC 7644 §3.5.2",
    "An operation that is not compatible with an attribute's mutability or schema SHALL return the appropriate HTTP response status code and a JSON detail error response as defined in Section 3.12."
);
cite!(
    PATCH_200,
    "RFC 7644 §3.5.2",
    "On successful completion, the server either MUST return a 200 OK response code and the entire resource within the response body, subject to the \"attributes\" query parameter (see Section 3.9), or MAY return HTTP status code 204 (No Content) and the appropriate response headers for a successful PATCH request."
);
cite!(
    PATCH_ATTRIBUTES_200,
    "RFC 7644 §3.5.2",
    "The server MUST return a 200 OK if the \"attributes\" parameter is specified in the request."
);

// RFC 7644 §3.6, §3.7, §3.8, §3.11, §3.12, §3.14.
cite!(
    DELETE_404,
    "RFC 7644 §3.6",
    "Service providers MAY choose not to permanently delete the resource but MUST return a 404 (Not Found) error code for all operations associated with the previously deleted resource."
);
cite!(
    DELETE_OMIT,
    "RFC 7644 §3.6",
    "Service providers MUST omit the resource from future query results."
);
cite!(
    DELETE_CONFLICT,
    "RFC 7644 §3.6",
    "In addition, the service provider SHOULD NOT consider the deleted resource in conflict calculation."
);
cite!(
    DELETE_204,
    "RFC 7644 §3.6",
    "In response to a successful DELETE, the server SHALL return a successful HTTP status code 204 (No Content)."
);
cite!(
    BULK_CONTINUE,
    "RFC 7644 §3.7",
    "The service provider MUST continue performing as many changes as possible and disregard partial failures."
);
cite!(
    BULK_FAIL_ON_ERRORS,
    "RFC 7644 §3.7",
    "The service provider MUST continue performing as many changes as possible and disregard partial failures. The client MAY override this behavior by specifying a value for the \"failOnErrors\" attribute."
);
cite!(
    BULK_ID,
    "RFC 7644 §3.7",
    "The service provider MUST return the same \"bulkId\" together with the newly created resource."
);
cite!(
    BULK_200,
    "RFC 7644 §3.7",
    "If a bulk job is processed successfully, HTTP response code 200 OK MUST be returned; otherwise, an appropriate HTTP error code MUST be returned."
);
cite!(
    BULK_INTENT,
    "RFC 7644 §3.7",
    "When doing so, the service provider MUST ensure that the client's intent is preserved and the same stateful result is achieved as for non-optimized processing."
);
cite!(
    BULK_ID_REF,
    "RFC 7644 §3.7.2",
    "The service provider MUST replace the string \"bulkId:qwerty\" with the permanent resource id once created."
);
cite!(
    BULK_STATUS,
    "RFC 7644 §3.7.3",
    "The status attribute MUST include the code attribute that holds the HTTP response code that would have been returned if a single HTTP request would have been used."
);
cite!(
    BULK_413,
    "RFC 7644 §3.7.4",
    "If either limit is exceeded, the service provider MUST return HTTP response code 413 (Payload Too Large)."
);
cite!(
    JSON_ACCEPT,
    "RFC 7644 §3.8",
    "Service providers MUST support the \"Accept\" header \"Accept: application/scim+json\" and SHOULD support the header \"Accept: application/json\", both of which specify JSON documents conforming to [RFC7159]."
);
cite!(
    JSON_UTF8,
    "RFC 7644 §3.8",
    "Servers MUST accept requests and be able to return JSON-structured responses using UTF-8 encoding [RFC3629]."
);
cite!(
    ME_501,
    "RFC 7644 §3.11",
    "A service provider that does NOT support this feature SHOULD respond with HTTP status code 501 (Not Implemented)."
);
cite!(
    ME_ALIAS,
    "RFC 7644 §3.11",
    "A client MAY use a URL of the form \"<base-URI>/Me\" as a URI alias for the User or other resource associated with the currently authenticated subject for any SCIM operation."
);
cite!(
    ERROR_BODY,
    "RFC 7644 §3.12",
    "In addition to returning an HTTP response code, implementers MUST return the errors in the body of the response in a JSON format, using the attributes described below."
);
cite!(
    ERROR_STATUS,
    "RFC 7644 §3.12",
    "status The HTTP status code (see Section 6 of [RFC7231]) expressed as a JSON string. REQUIRED."
);
cite!(
    ERROR_CODES,
    "RFC 7644 §3.12",
    "Implementers SHOULD handle the identified HTTP status codes as described below."
);
cite!(
    ERROR_400,
    "RFC 7644 §3.12",
    "Implementers SHOULD handle the identified HTTP status codes as described below. … 400 (Bad Request) … Request is unparsable, syntactically incorrect, or violates schema."
);
cite!(
    ERROR_INVALID_VALUE,
    "RFC 7644 §3.12",
    "Implementers SHOULD handle the identified HTTP status codes as described below. … invalidValue A required value was missing, or the value specified was not compatible with the operation or attribute type (see Section 2.2 of [RFC7643]), or resource schema (see Section 4 of [RFC7643])."
);
cite!(
    ERROR_INVALID_PATH,
    "RFC 7644 §3.12",
    "Implementers SHOULD handle the identified HTTP status codes as described below. … invalidPath The \"path\" attribute was invalid or malformed (see Figure 7)."
);
cite!(
    ERROR_NOT_FOUND,
    "RFC 7644 §3.12",
    "Implementers SHOULD handle the identified HTTP status codes as described below. … 404 (Not Found) … Specified resource (e.g., User) or endpoint does not exist."
);
cite!(
    ERROR_500,
    "RFC 7644 §3.12",
    "Implementers SHOULD handle the identified HTTP status codes as described below. … 400 (Bad Request) … Request is unparsable, syntactically incorrect, or violates schema. … 500 (Internal Server Error) … An internal error."
);
cite!(
    ERROR_SCIM_TYPE,
    "RFC 7644 §3.12",
    "scimType A SCIM detail error keyword. See Table 9. OPTIONAL."
);
cite!(
    ERROR_DETAIL,
    "RFC 7644 §3.12",
    "detail A detailed human-readable message. OPTIONAL."
);
cite!(
    ETAG_HEADER,
    "RFC 7644 §3.14",
    "When supported, SCIM ETags MUST be specified as an HTTP header and SHOULD be specified within the 'version' attribute contained in the resource's 'meta' attribute."
);
cite!(
    ETAG_VERSION,
    "RFC 7644 §3.14",
    "When supported, SCIM ETags MUST be specified as an HTTP header and SHOULD be specified within the 'version' attribute contained in the resource's 'meta' attribute. … version The version of the resource being returned. This value must be the same as the entity-tag (ETag) HTTP response header (see Sections 2.1 and 2.3 of [RFC7232])."
);
cite!(
    IF_MATCH,
    "RFC 7232 §3.1",
    "An origin server MUST NOT perform the requested method if a received If-Match condition evaluates to false; instead, the origin server MUST respond with either a) the 412 (Precondition Failed) status code or b) one of the 2xx (Successful) status codes if the origin server has verified that a state change is being requested and the final state is already reflected in the current state of the target resource"
);
cite!(
    IF_NONE_MATCH,
    "RFC 7232 §3.2",
    "An origin server MUST NOT perform the requested method if the condition evaluates to false; instead, the origin server MUST respond with either a) the 304 (Not Modified) status code if the request method is GET or HEAD or b) the 412 (Precondition Failed) status code for all other request methods."
);
cite!(
    ETAG_CHANGES,
    "RFC 7232 §2.1",
    "An origin server SHOULD change a weak entity-tag whenever it considers prior representations to be unacceptable as a substitute for the current representation."
);

// RFC 7644 §4 and RFC 7643 §5–§7: discovery.
cite!(
    DISCOVERY_SPC,
    "RFC 7644 §4",
    "This endpoint SHALL return responses with a JSON object using a \"schemas\" attribute of \"urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig\"."
);
cite!(
    DISCOVERY_SCHEMAS,
    "RFC 7644 §4",
    "An HTTP GET to the endpoint \"/Schemas\" SHALL return all supported schemas in ListResponse format (see Figure 3)."
);
cite!(
    DISCOVERY_LIST,
    "RFC 7644 §4",
    "When returning multiple ResourceTypes or Schemas, the message form described by \"urn:ietf:params:scim:api:messages:2.0:ListResponse\" (ListResponse) form SHALL be used as shown in Figure 3 and in Figure 9 below."
);
cite!(
    DISCOVERY_SINGLE,
    "RFC 7644 §4",
    "In cases where a request is for a specific \"ResourceType\" or \"Schema\", the single JSON object is returned in the same way as a single User or Group is retrieved, as per Section 3.4.1. … When returning multiple ResourceTypes or Schemas, the message form described by \"urn:ietf:params:scim:api:messages:2.0:ListResponse\" (ListResponse) form SHALL be used"
);
cite!(
    SPC_FEATURE,
    "RFC 7643 §5",
    "supported A Boolean value specifying whether or not the operation is supported. REQUIRED."
);
cite!(
    SPC_AUTH,
    "RFC 7643 §5",
    "authenticationSchemes A complex type that specifies supported authentication scheme properties. … REQUIRED. … type The authentication scheme. … REQUIRED. … name The common authentication scheme name, e.g., HTTP Basic. REQUIRED. … description A description of the authentication scheme. REQUIRED."
);
cite!(
    SPC_BULK,
    "RFC 7643 §5",
    "maxOperations An integer value specifying the maximum number of operations. REQUIRED. … maxPayloadSize An integer value specifying the maximum payload size in bytes. REQUIRED."
);
cite!(
    SPC_FILTER,
    "RFC 7643 §5",
    "maxResults An integer value specifying the maximum number of resources returned in a response. REQUIRED."
);
cite!(
    RT_REQUIRED,
    "RFC 7643 §6",
    "name The resource type name. … REQUIRED. … endpoint The resource type's HTTP-addressable endpoint relative to the Base URL of the service provider, e.g., \"Users\". REQUIRED. … schema The resource type's primary/base schema URI, e.g., \"urn:ietf:params:scim:schemas:core:2.0:User\". … REQUIRED."
);
cite!(
    RT_EXTENSIONS,
    "RFC 7643 §6",
    "schema The URI of an extended schema, e.g., \"urn:edu:2.0:Staff\". This MUST be equal to the \"id\" attribute of a \"Schema\" resource. REQUIRED. … required A Boolean value that specifies whether or not the schema extension is required for the resource type. … REQUIRED."
);
cite!(
    RT_GROUPS,
    "RFC 7644 §4",
    "SCIM defines three endpoints to facilitate discovery of SCIM service provider features and schema that MAY be retrieved using HTTP GET:"
);
cite!(
    SCHEMA_FOR_EVERY_URN,
    "RFC 7643 §7",
    "For every schema URI used in a resource object, there is a corresponding \"Schema\" resource. … Unlike other core resources, the \"Schema\" resource MAY contain a complex object within a sub-attribute, and all attributes are REQUIRED unless otherwise specified."
);
cite!(
    SCHEMA_ATTRS_REQUIRED,
    "RFC 7643 §7",
    "Unlike other core resources, the \"Schema\" resource MAY contain a complex object within a sub-attribute, and all attributes are REQUIRED unless otherwise specified."
);
cite!(
    SCHEMA_SUB_ATTRIBUTES,
    "RFC 7643 §7",
    "When an attribute is of type \"complex\", there SHOULD be a corresponding schema attribute \"subAttributes\" defined, listing the sub-attributes of the attribute."
);
cite!(
    SCHEMA_DEFINITIONS,
    "RFC 7643 §7",
    "For each \"schemas\" URI value, this schema specifies the defined attribute(s) and their characteristics (mutability, returnability, etc). … readWrite The attribute MAY be updated and read at any time."
);

// RFC 7643 §3.1, §4: common attributes, User and Group.
cite!(
    ID_ASSIGNED,
    "RFC 7643 §3.1",
    "The value of the \"id\" attribute is always issued by the service provider and MUST NOT be specified by the client."
);
cite!(
    ID_STABLE,
    "RFC 7643 §3.1",
    "It MUST be a stable, non-reassignable identifier that does not change when the same resource is returned in subsequent requests."
);
cite!(
    META_ASSIGNED,
    "RFC 7643 §3.1",
    "When accepted by a service provider (e.g., after a SCIM create), the attributes \"id\" and \"meta\" (and its associated sub-attributes) MUST be assigned values by the service provider."
);
cite!(
    META_READONLY,
    "RFC 7643 §3.1",
    "meta A complex attribute containing resource metadata. … This attribute SHALL be ignored when provided by clients."
);
cite!(
    EXTERNAL_ID,
    "RFC 7643 §3.1",
    "The service provider MUST always interpret the externalId as scoped to the provisioning domain. … This attribute has \"caseExact\" as \"true\" and a mutability of \"readWrite\"."
);
cite!(
    CASE_EXACT_PRESERVED,
    "RFC 7643 §7",
    "For attributes that are case exact, the server SHALL preserve case for any value submitted."
);
cite!(
    CASE_EXACT_FILTERS,
    "RFC 7643 §7",
    "caseExact A Boolean value that specifies whether or not a string attribute is case sensitive. The server SHALL use case sensitivity when evaluating filters."
);
cite!(
    USERNAME_REQUIRED,
    "RFC 7643 §4.1.1",
    "Each User MUST include a non-empty userName value. This identifier MUST be unique across the service provider's entire set of Users. This attribute is REQUIRED and is case insensitive."
);
cite!(
    PASSWORD_NEVER,
    "RFC 7643 §4.1.1",
    "The cleartext value or the hashed value of a password SHALL NOT be returnable by a service provider."
);
cite!(
    RETURNED_NEVER,
    "RFC 7643 §7",
    "writeOnly The attribute MAY be updated at any time. Attribute values SHALL NOT be returned (e.g., because the value is a stored hash)."
);
cite!(
    USER_GROUPS,
    "RFC 7643 §4.1.2",
    "groups A list of groups to which the user belongs, either through direct membership, through nested groups, or dynamically calculated. … Since this attribute has a mutability of \"readOnly\", group membership changes MUST be applied via the \"Group\" Resource (Section 4.2). This attribute has a mutability of \"readOnly\"."
);
cite!(
    GROUP_MEMBERS,
    "RFC 7643 §4.2",
    "members A list of members of the Group. While values MAY be added or removed, sub-attributes of members are \"immutable\"."
);
cite!(
    SCHEMA_OPTIONAL_ATTRIBUTE,
    "RFC 7643 §2.2",
    "If not otherwise stated in Section 7, SCIM attributes have the following characteristics: … \"required\" is \"false\" (i.e., not REQUIRED),"
);
cite!(
    BOOLEAN_TYPE,
    "RFC 7643 §2.3.2",
    "Boolean The literal \"true\" or \"false\". The JSON format is defined in Section 3 of [RFC7159]. A boolean has no case sensitivity or any other characteristics. … SCIM extensions SHOULD NOT introduce new data types."
);
cite!(
    PATCH_REPLACE,
    "RFC 7644 §3.5.2",
    "Each PATCH operation object MUST have exactly one \"op\" member, whose value indicates the operation to perform and MAY be one of \"add\", \"remove\", or \"replace\". … (§3.5.2.3) The \"replace\" operation replaces the value at the target location specified by the \"path\"."
);
cite!(
    PATCH_REPLACE_ALL,
    "RFC 7644 §3.5.2",
    "Each PATCH operation object MUST have exactly one \"op\" member, whose value indicates the operation to perform and MAY be one of \"add\", \"remove\", or \"replace\". … (§3.5.2.3) If the target location is a multi-valued attribute and no filter is specified, the attribute and all values are replaced."
);
cite!(
    PATCH_SEQUENCE,
    "RFC 7644 §3.5.2",
    "Each PATCH operation object MUST have exactly one \"op\" member, whose value indicates the operation to perform and MAY be one of \"add\", \"remove\", or \"replace\". … Operations are applied sequentially in the order they appear in the array."
);
cite!(
    PATCH_NAMES_CASE,
    "RFC 7644 §3.5.2",
    "Each PATCH operation object MUST have exactly one \"op\" member, whose value indicates the operation to perform and MAY be one of \"add\", \"remove\", or \"replace\". … (RFC 7643 §2.1) Attribute names are case insensitive and are often \"camel-cased\" (e.g., \"camelCase\")."
);
cite!(
    PROJ_NAMES_CASE,
    "RFC 7644 §3.9",
    "When specified, the default list of attributes SHALL be overridden, and each resource returned MUST contain the minimum set of resource attributes and any attributes or sub-attributes explicitly requested by the \"attributes\" parameter. … (RFC 7643 §2.1) Attribute names are case insensitive and are often \"camel-cased\" (e.g., \"camelCase\")."
);
cite!(
    FILTER_NAMES_CASE,
    "RFC 7644 §3.4.2.2",
    "When specified, only those resources matching the filter expression SHALL be returned. … Attribute names and attribute operators used in filters are case insensitive."
);
cite!(
    IF_MATCH_EVAL,
    "RFC 7232 §3.1",
    "An origin server that receives an If-Match header field MUST evaluate the condition prior to performing the method (Section 5). … If the field-value is a list of entity-tags, the condition is true if any of the listed tags match the entity-tag of the selected representation."
);
cite!(
    PUT_ANSWER,
    "RFC 7644 §3.5.1",
    "Unless otherwise specified, a successful PUT operation returns a 200 OK response code and the entire resource within the response body, enabling the client to correlate the client's and the service provider's views of the updated resource."
);
cite!(
    CREATE_FREE,
    "RFC 7644 §3.3",
    "Since the server is free to alter and/or ignore POSTed content, returning the full representation can be useful to the client, enabling it to correlate the client's and server's views of the new resource."
);
cite!(
    DELETE_ONE,
    "RFC 7644 §3.6",
    "Service providers MAY choose not to permanently delete the resource but MUST return a 404 (Not Found) error code for all operations associated with the previously deleted resource."
);
cite!(
    SCHEMA_BY_ID,
    "RFC 7644 §4",
    "Individual schema definitions can be returned by appending the schema URI to the /Schemas endpoint."
);
cite!(
    SPC_STABLE,
    "RFC 7643 §5",
    "The service provider configuration resource enables a service provider to discover SCIM specification features in a standardized form as well as provide additional implementation details to clients."
);
cite!(
    RT_SCHEMA_ID,
    "RFC 7643 §6",
    "schema The resource type's primary/base schema URI, e.g., \"urn:ietf:params:scim:schemas:core:2.0:User\". This MUST be equal to the \"id\" attribute of the associated \"Schema\" resource. REQUIRED."
);
cite!(
    ERROR_INVALID_SYNTAX,
    "RFC 7644 §3.12",
    "Implementers SHOULD handle the identified HTTP status codes as described below. … scimType A SCIM detail error keyword. See Table 9. OPTIONAL. … invalidSyntax The request body message structure was invalid or did not conform to the request schema."
);
cite!(
    ERROR_400_SCHEMAS,
    "RFC 7644 §3.12",
    "Implementers SHOULD handle the identified HTTP status codes as described below. … 400 (Bad Request) … Request is unparsable, syntactically incorrect, or violates schema. … (RFC 7643 §2.1) SCIM resources are represented in JSON [RFC7159] format and MUST specify schema via the \"schemas\" attribute per Section 3."
);
cite!(
    ERROR_TYPES,
    "RFC 7644 §3.12",
    "Implementers SHOULD handle the identified HTTP status codes as described below. … For HTTP status code 400 (Bad Request) responses, the following detail error types are defined:"
);
cite!(
    PAGE_NOT_STATEFUL,
    "RFC 7644 §3.4.2.4",
    "Because pagination is not stateful, clients MUST be prepared to handle inconsistent results. For example, a request for a list of 10 resources beginning with a startIndex of 1 MAY return different results when repeated, since resources on the service provider may have changed between requests."
);
cite!(
    SCHEMA_KEYWORDS,
    "RFC 7643 §7",
    "Unlike other core resources, the \"Schema\" resource MAY contain a complex object within a sub-attribute, and all attributes are REQUIRED unless otherwise specified. … mutability A single keyword indicating the circumstances under which the value of the attribute can be (re)defined:"
);
cite!(
    LAST_MODIFIED,
    "RFC 7643 §3.1",
    "lastModified The most recent DateTime that the details of this resource were updated at the service provider. If this resource has never been modified since its initial creation, the value MUST be the same as the value of \"created\"."
);
cite!(
    PROJ_SCHEMAS,
    "RFC 7643 §2.1",
    "SCIM resources are represented in JSON [RFC7159] format and MUST specify schema via the \"schemas\" attribute per Section 3."
);
cite!(
    NOOP_TIMESTAMP,
    "RFC 7644 §3.5.2.1",
    "Unless other operations change the resource, this operation SHALL NOT change the modify timestamp of the resource."
);
cite!(
    NOOP_UNCHANGED,
    "RFC 7644 §3.5.2.1",
    "If the target location already contains the value specified, no changes SHOULD be made to the resource, and a success response SHOULD be returned."
);
