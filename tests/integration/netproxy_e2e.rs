//! `serve` with its targets fronted by proxies: a SCIM GET through
//! `base_url` works, a reset_peer toxic or a disabled proxy (set through
//! the client) makes it fail with a connection error, and `reset`
//! restores it. Then the same against a "real" Toxiproxy given by URL.

use scimulate::mock::profile::{GENERIC_RFC_YAML, Profile};
use scimulate::netproxy::{ApiServer, Client, NewToxic, Registry};
use scimulate::serve::{self, ServeOptions, Serving, TargetAuth};
use serde_json::{Value, json};
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

async fn start(options: &ServeOptions) -> Serving {
    let profile = Profile::from_yaml(GENERIC_RFC_YAML, "generic-rfc.yaml").unwrap();
    serve::start(vec![profile], options).await.expect("serve")
}

fn token(s: &Serving) -> String {
    match &s.endpoints.targets["generic-rfc"].auth {
        TargetAuth::Bearer { token } => token.clone(),
        TargetAuth::Oauth2ClientCredentials { .. } | TargetAuth::Upstream => {
            panic!("bearer expected")
        }
    }
}

/// A fresh client per request, so no pooled connection hides what a new
/// connection would meet.
async fn get_users(base: &str, token: &str) -> Result<u16, reqwest::Error> {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let resp = http
        .get(format!("{base}/Users"))
        .bearer_auth(token)
        .send()
        .await?;
    let status = resp.status().as_u16();
    resp.text().await?;
    Ok(status)
}

#[tokio::test]
async fn network_faults_through_the_built_in_proxy_break_and_restore_scim_calls() {
    let serving = start(&ServeOptions::default()).await;
    let ep = &serving.endpoints;
    let target = &ep.targets["generic-rfc"];
    let url = ep
        .toxiproxy
        .as_ref()
        .expect("the built-in proxy's API")
        .url
        .clone();
    assert_ne!(target.base_url, target.direct_url);
    let token = token(&serving);

    // The admin API and the endpoints file agree on both addresses.
    let admin: Value = reqwest::Client::new()
        .get(format!("{}/targets", ep.admin.url))
        .bearer_auth(&ep.admin.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(admin["targets"][0]["base_url"], json!(target.base_url));
    assert_eq!(admin["targets"][0]["direct_url"], json!(target.direct_url));

    let client = Client::new(&url).unwrap();
    let proxy = client.get_proxy("generic-rfc").await.unwrap();
    assert!(
        target
            .base_url
            .starts_with(&format!("http://{}/", proxy.listen))
    );
    assert_eq!(get_users(&target.base_url, &token).await.unwrap(), 200);

    // reset_peer on the request stream: the GET dies with a reset.
    let rst = NewToxic {
        kind: "reset_peer".into(),
        stream: Some("upstream".into()),
        attributes: json!({"timeout": 0}).as_object().cloned().unwrap(),
        ..Default::default()
    };
    client.add_toxic("generic-rfc", &rst).await.unwrap();
    let err = get_users(&target.base_url, &token).await.unwrap_err();
    assert!(err.is_request() && err.status().is_none(), "{err:?}");
    assert_eq!(
        get_users(&target.direct_url, &token).await.unwrap(),
        200,
        "the target itself is fine"
    );
    client.reset().await.unwrap();
    assert_eq!(get_users(&target.base_url, &token).await.unwrap(), 200);

    // A disabled proxy refuses connections.
    client.set_enabled("generic-rfc", false).await.unwrap();
    let err = get_users(&target.base_url, &token).await.unwrap_err();
    assert!(err.is_connect(), "{err:?}");
    client.reset().await.unwrap();
    assert_eq!(get_users(&target.base_url, &token).await.unwrap(), 200);

    serving.shutdown().await.unwrap();
}

#[tokio::test]
async fn serve_fronts_targets_on_a_toxiproxy_given_by_url() {
    // A stand-in for a user's Toxiproxy server.
    let registry = Arc::new(Registry::new(0, Ipv4Addr::LOCALHOST.into()));
    let external = ApiServer::start(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)), registry)
        .await
        .unwrap();
    let client = Client::new(&external.url()).unwrap();
    // A proxy left over from an earlier run is replaced, not an error.
    client
        .create_proxy(&scimulate::netproxy::NewProxy {
            name: "generic-rfc".into(),
            upstream: "127.0.0.1:9".into(),
            ..Default::default()
        })
        .await
        .unwrap();

    let options = ServeOptions {
        toxiproxy: Some(external.url()),
        ..ServeOptions::default()
    };
    let serving = start(&options).await;
    let target = serving.endpoints.targets["generic-rfc"].clone();
    assert_eq!(
        serving.endpoints.toxiproxy.as_ref().unwrap().url,
        external.url()
    );
    let proxy = client.get_proxy("generic-rfc").await.unwrap();
    assert_eq!(
        format!("http://{}", proxy.upstream),
        target.direct_url.trim_end_matches("/scim/v2")
    );
    assert_eq!(
        get_users(&target.base_url, &token(&serving)).await.unwrap(),
        200
    );

    serving.shutdown().await.unwrap();
    assert!(
        client.list_proxies().await.unwrap().is_empty(),
        "its proxies are removed at shutdown"
    );
    external.shutdown().await.unwrap();
}
