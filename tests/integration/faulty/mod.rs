//! A started target with the admin calls fault tests make: switch a fault
//! on or off, read the journal and what the store holds.

#![allow(dead_code)]

use crate::common::{self, Harness, USER};
use reqwest::Method;
use serde_json::{Value, json};

pub const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
pub const GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
pub const ERROR: &str = "urn:ietf:params:scim:api:messages:2.0:Error";

pub struct Faulty {
    pub h: Harness,
    pub target: String,
}

impl Faulty {
    pub async fn generic() -> Faulty {
        Faulty::start(scimulate::mock::profile::GENERIC_RFC_YAML).await
    }

    pub async fn start(profile_yaml: &str) -> Faulty {
        let h = common::start(profile_yaml).await;
        let target = h
            .serving
            .endpoints
            .targets
            .keys()
            .next()
            .expect("a target")
            .clone();
        Faulty { h, target }
    }

    fn at(&self, rest: &str) -> String {
        format!("/targets/{}{rest}", self.target)
    }

    /// Switches a fault on; returns the admin API's answer (201 asserted).
    pub async fn add(&self, fault: Value) -> Value {
        let (status, body) = self.add_raw(&fault).await;
        assert_eq!(status, 201, "{body}");
        body
    }

    pub async fn add_raw(&self, fault: &Value) -> (u16, Value) {
        self.h
            .admin(Method::POST, &self.at("/faults"), Some(fault))
            .await
    }

    pub async fn clear_all(&self) {
        let (status, _) = self
            .h
            .admin(Method::DELETE, &self.at("/faults"), None)
            .await;
        assert_eq!(status, 204);
    }

    pub async fn faults(&self) -> Vec<Value> {
        let (_, body) = self.h.admin(Method::GET, &self.at("/faults"), None).await;
        body["faults"].as_array().expect("faults").clone()
    }

    pub async fn reset(&self) {
        let (status, _) = self.h.admin(Method::POST, &self.at("/reset"), None).await;
        assert_eq!(status, 204);
    }

    pub async fn journal(&self) -> Vec<Value> {
        let (_, j) = self.h.admin(Method::GET, &self.at("/journal"), None).await;
        j["entries"].as_array().expect("entries").clone()
    }

    /// The last journal entry's `fault` and `operation`.
    pub async fn last_entry(&self) -> (Value, Value) {
        let e = self.journal().await.pop().expect("an entry");
        (e["fault"].clone(), e["operation"].clone())
    }

    /// What the store holds (admin state route).
    pub async fn users(&self) -> Vec<Value> {
        let (_, state) = self.h.admin(Method::GET, &self.at("/state"), None).await;
        state["Users"].as_array().expect("Users").clone()
    }

    pub async fn groups(&self) -> Vec<Value> {
        let (_, state) = self.h.admin(Method::GET, &self.at("/state"), None).await;
        state["Groups"].as_array().expect("Groups").clone()
    }

    pub async fn send(&self, method: Method, path: &str, body: Option<&Value>) -> (u16, Value) {
        let (status, _, body) = self.h.send(method, path, body).await;
        (status, body)
    }

    pub async fn post_user(&self, user: Value) -> (u16, Value) {
        self.send(Method::POST, "/Users", Some(&user)).await
    }

    /// Creates a user (201 asserted); returns its id.
    pub async fn create(&self, user: Value) -> String {
        let (status, body) = self.post_user(user).await;
        assert_eq!(status, 201, "{body}");
        body["id"].as_str().expect("id").to_owned()
    }

    pub async fn get_user(&self, id: &str) -> (u16, Value) {
        self.send(Method::GET, &format!("/Users/{id}"), None).await
    }

    pub async fn patch_user(&self, id: &str, operations: Value) -> (u16, Value) {
        let body = json!({"schemas": [common::PATCH_OP], "Operations": operations});
        self.send(Method::PATCH, &format!("/Users/{id}"), Some(&body))
            .await
    }

    /// userNames found by `GET /Users?filter=...`.
    pub async fn find(&self, filter: &str) -> Vec<String> {
        let q: String = form_urlencoded(filter);
        let (status, body) = self
            .send(Method::GET, &format!("/Users?filter={q}"), None)
            .await;
        assert_eq!(status, 200, "{body}");
        body["Resources"]
            .as_array()
            .expect("Resources")
            .iter()
            .map(|r| r["userName"].as_str().unwrap_or_default().to_owned())
            .collect()
    }
}

pub fn user(user_name: &str) -> Value {
    json!({"schemas": [USER], "userName": user_name})
}

/// A SCIM error of this status and scimType whose detail mentions `needle`.
pub fn assert_error(status: u16, body: &Value, expected: u16, scim_type: &str, needle: &str) {
    assert_eq!(status, expected, "{body}");
    assert_eq!(body["schemas"][0], ERROR, "{body}");
    assert_eq!(body["status"], expected.to_string(), "{body}");
    assert_eq!(body["scimType"], scim_type, "{body}");
    let detail = body["detail"].as_str().unwrap_or_default();
    assert!(detail.contains(needle), "{detail:?} should name {needle:?}");
}

fn form_urlencoded(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
