//! The built-in proxy's Toxiproxy API, call by call: status codes and JSON
//! shapes as reference/toxiproxy-api.md documents them.

use reqwest::Method;
use scimulate::netproxy::{ApiServer, Client, NewProxy, NewToxic, Registry};
use serde_json::{Value, json};
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};

struct Api {
    server: ApiServer,
    http: reqwest::Client,
}

async fn start() -> Api {
    let registry = Arc::new(Registry::new(1, Ipv4Addr::LOCALHOST.into()));
    let server = ApiServer::start(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)), registry)
        .await
        .expect("api");
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    Api { server, http }
}

impl Api {
    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.server.url()));
        if let Some(b) = body {
            req = req.body(b.to_string());
        }
        let resp = req.send().await.expect("request");
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        let json = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        (status, json)
    }
}

fn keys(v: &Value) -> Vec<&str> {
    let mut k: Vec<&str> = v.as_object().unwrap().keys().map(|s| s.as_str()).collect();
    k.sort();
    k
}

fn error(msg: &str, status: u16) -> Value {
    json!({"error": msg, "status": status})
}

async fn refused(addr: &str) -> bool {
    matches!(
        tokio::time::timeout(Duration::from_secs(5), TcpStream::connect(addr)).await,
        Ok(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionRefused
    )
}

#[tokio::test]
async fn proxies_toxics_reset_and_populate_answer_like_toxiproxy() {
    let api = start().await;
    let upstream = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let up = upstream.local_addr().unwrap().to_string();
    use Method as M;

    let (s, v) = api.call(M::GET, "/version", None).await;
    assert_eq!(s, 200);
    assert!(v["version"].as_str().unwrap().starts_with("2."), "{v}");
    assert_eq!(api.call(M::GET, "/proxies", None).await, (200, json!({})));

    // Create: 201, listen port 0 resolved, enabled by default.
    let (s, p) = api
        .call(
            M::POST,
            "/proxies",
            Some(json!({"name": "scim", "listen": "127.0.0.1:0", "upstream": up})),
        )
        .await;
    assert_eq!(s, 201, "{p}");
    assert_eq!(
        keys(&p),
        ["enabled", "listen", "name", "toxics", "upstream"]
    );
    assert_eq!(p["enabled"], true);
    assert_eq!(p["toxics"], json!([]));
    let listen = p["listen"].as_str().unwrap().to_owned();
    assert!(
        listen.starts_with("127.0.0.1:") && !listen.ends_with(":0"),
        "{listen}"
    );
    TcpStream::connect(&listen)
        .await
        .expect("the proxy accepts");

    // The 400 and 409 cases of create.
    let dup = json!({"name": "scim", "upstream": up});
    assert_eq!(
        api.call(M::POST, "/proxies", Some(dup)).await,
        (409, error("proxy already exists", 409))
    );
    assert_eq!(
        api.call(M::POST, "/proxies", Some(json!({"upstream": up})))
            .await,
        (400, error("missing required field: name", 400))
    );
    assert_eq!(
        api.call(M::POST, "/proxies", Some(json!({"name": "x"})))
            .await,
        (400, error("missing required field: upstream", 400))
    );
    let (s, e) = api
        .call(M::POST, "/proxies", Some(json!("{not json")))
        .await;
    assert_eq!((s, e["status"].clone()), (400, json!(400)));
    assert!(
        e["error"].as_str().unwrap().starts_with("bad request body"),
        "{e}"
    );

    // Read.
    let (s, all) = api.call(M::GET, "/proxies", None).await;
    assert_eq!(s, 200);
    assert_eq!(keys(&all), ["scim"]);
    assert_eq!(all["scim"], p);
    assert_eq!(
        api.call(M::GET, "/proxies/scim", None).await,
        (200, p.clone())
    );
    assert_eq!(
        api.call(M::GET, "/proxies/nope", None).await,
        (404, error("proxy not found", 404))
    );
    assert_eq!(
        api.call(M::PATCH, "/proxies/nope", Some(json!({"enabled": false})))
            .await,
        (404, error("proxy not found", 404))
    );

    // Disable (PATCH), then enable with the deprecated POST: same port.
    let (s, d) = api
        .call(M::PATCH, "/proxies/scim", Some(json!({"enabled": false})))
        .await;
    assert_eq!(
        (s, &d["enabled"], &d["listen"]),
        (200, &json!(false), &json!(listen))
    );
    assert!(refused(&listen).await, "a disabled proxy refuses");
    let (s, d) = api
        .call(M::POST, "/proxies/scim", Some(json!({"enabled": true})))
        .await;
    assert_eq!(
        (s, &d["enabled"], &d["listen"]),
        (200, &json!(true), &json!(listen))
    );
    TcpStream::connect(&listen).await.expect("enabled again");

    // Toxics: defaults, 200 (not 201), errors.
    let (s, t) = api
        .call(
            M::POST,
            "/proxies/scim/toxics",
            Some(json!({"type": "latency", "attributes": {"latency": 100}})),
        )
        .await;
    assert_eq!(s, 200, "{t}");
    assert_eq!(
        t,
        json!({"attributes": {"latency": 100, "jitter": 0}, "name": "latency_downstream",
               "type": "latency", "stream": "downstream", "toxicity": 1.0})
    );
    let again = json!({"type": "latency"});
    assert_eq!(
        api.call(M::POST, "/proxies/scim/toxics", Some(again)).await,
        (409, error("toxic already exists", 409))
    );
    assert_eq!(
        api.call(
            M::POST,
            "/proxies/scim/toxics",
            Some(json!({"type": "frobnicate"}))
        )
        .await,
        (400, error("invalid toxic type", 400))
    );
    assert_eq!(
        api.call(
            M::POST,
            "/proxies/scim/toxics",
            Some(json!({"type": "latency", "stream": "sideways"}))
        )
        .await,
        (
            400,
            error(
                "stream was invalid, can be either upstream or downstream",
                400
            )
        )
    );
    let (s, e) = api
        .call(
            M::POST,
            "/proxies/scim/toxics",
            Some(json!({"type": "bandwidth", "attributes": {"rate": "x"}})),
        )
        .await;
    assert_eq!(s, 400, "{e}");
    assert_eq!(
        api.call(
            M::POST,
            "/proxies/nope/toxics",
            Some(json!({"type": "latency"}))
        )
        .await,
        (404, error("proxy not found", 404))
    );
    let rst = json!({"name": "rst", "type": "reset_peer", "stream": "upstream", "toxicity": 0.5,
                     "attributes": {"timeout": 0}});
    let (s, r) = api.call(M::POST, "/proxies/scim/toxics", Some(rst)).await;
    assert_eq!(
        (s, &r["name"], &r["stream"], &r["toxicity"]),
        (200, &json!("rst"), &json!("upstream"), &json!(0.5))
    );

    // Listing: the upstream chain first.
    let (s, list) = api.call(M::GET, "/proxies/scim/toxics", None).await;
    assert_eq!(s, 200);
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["rst", "latency_downstream"]);
    assert_eq!(
        api.call(M::GET, "/proxies/scim", None).await.1["toxics"],
        list
    );

    // Update: attributes merged, toxicity kept when absent (PATCH and POST).
    let (s, u) = api
        .call(
            M::PATCH,
            "/proxies/scim/toxics/latency_downstream",
            Some(json!({"attributes": {"jitter": 10}})),
        )
        .await;
    assert_eq!(
        (s, &u["attributes"], &u["toxicity"]),
        (200, &json!({"latency": 100, "jitter": 10}), &json!(1.0))
    );
    let (s, u) = api
        .call(
            M::POST,
            "/proxies/scim/toxics/latency_downstream",
            Some(json!({"toxicity": 0.25})),
        )
        .await;
    assert_eq!(
        (s, &u["attributes"], &u["toxicity"]),
        (200, &json!({"latency": 100, "jitter": 10}), &json!(0.25))
    );
    assert_eq!(
        api.call(M::GET, "/proxies/scim/toxics/latency_downstream", None)
            .await,
        (200, u)
    );
    assert_eq!(
        api.call(M::GET, "/proxies/scim/toxics/nope", None).await,
        (404, error("toxic not found", 404))
    );
    assert_eq!(
        api.call(M::PATCH, "/proxies/scim/toxics/nope", Some(json!({})))
            .await,
        (404, error("toxic not found", 404))
    );

    // Delete a toxic: 204, then 404.
    assert_eq!(
        api.call(M::DELETE, "/proxies/scim/toxics/rst", None).await,
        (204, Value::Null)
    );
    assert_eq!(
        api.call(M::DELETE, "/proxies/scim/toxics/rst", None).await,
        (404, error("toxic not found", 404))
    );

    // Reset: enabled again, toxics gone, proxy kept.
    api.call(M::PATCH, "/proxies/scim", Some(json!({"enabled": false})))
        .await;
    assert_eq!(api.call(M::POST, "/reset", None).await, (204, Value::Null));
    let (_, p) = api.call(M::GET, "/proxies/scim", None).await;
    assert_eq!(
        (&p["enabled"], &p["toxics"], &p["listen"]),
        (&json!(true), &json!([]), &json!(listen))
    );

    // Populate: the same listen/upstream keeps the proxy; new ones are made.
    let (s, pop) = api
        .call(
            M::POST,
            "/populate",
            Some(json!([{"name": "scim", "listen": listen, "upstream": up},
                        {"name": "other", "listen": "127.0.0.1:0", "upstream": up, "enabled": false}])),
        )
        .await;
    assert_eq!(s, 201, "{pop}");
    assert_eq!(keys(&pop), ["proxies"]);
    let proxies = pop["proxies"].as_array().unwrap();
    assert_eq!(proxies.len(), 2);
    assert_eq!(
        (&proxies[0]["name"], &proxies[0]["listen"]),
        (&json!("scim"), &json!(listen))
    );
    assert_eq!(
        (&proxies[1]["name"], &proxies[1]["enabled"]),
        (&json!("other"), &json!(false))
    );
    assert_eq!(
        api.call(
            M::POST,
            "/populate",
            Some(json!([{"name": "x", "upstream": up}, {"upstream": up}]))
        )
        .await,
        (
            400,
            json!({"error": "missing required field: name at proxy 2", "status": 400, "proxies": null})
        )
    );
    assert_eq!(
        api.call(M::GET, "/proxies/x", None).await.0,
        404,
        "validated before anything is made"
    );
    let (s, e) = api
        .call(M::POST, "/populate", Some(json!({"name": "x"})))
        .await;
    assert_eq!(
        (s, &e["status"], &e["proxies"]),
        (400, &json!(400), &Value::Null)
    );

    // Delete: 204, then 404; the port refuses.
    assert_eq!(
        api.call(M::DELETE, "/proxies/scim", None).await,
        (204, Value::Null)
    );
    assert_eq!(
        api.call(M::DELETE, "/proxies/scim", None).await,
        (404, error("proxy not found", 404))
    );
    assert!(refused(&listen).await);
    assert_eq!(keys(&api.call(M::GET, "/proxies", None).await.1), ["other"]);

    api.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn browsers_are_refused_and_answers_carry_a_request_id() {
    let api = start().await;
    let resp = api
        .http
        .get(format!("{}/proxies", api.server.url()))
        .header("user-agent", "Mozilla/5.0")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 403);
    let resp = api
        .http
        .get(format!("{}/version", api.server.url()))
        .send()
        .await
        .unwrap();
    assert!(resp.headers().contains_key("x-toxiproxy-request-id"));
    api.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn the_client_drives_every_operation_and_reports_the_servers_message() {
    let api = start().await;
    let client = Client::new(&api.server.url()).unwrap();
    assert!(client.version().await.unwrap().starts_with("2."));
    let new = NewProxy {
        name: "app-a".into(),
        listen: "127.0.0.1:0".into(),
        upstream: "127.0.0.1:9".into(),
        enabled: None,
    };
    let p = client.create_proxy(&new).await.unwrap();
    assert!(p.enabled);
    let e = client.create_proxy(&new).await.unwrap_err();
    assert_eq!(e.status(), Some(409));
    assert!(e.to_string().contains("proxy already exists"), "{e}");
    assert_eq!(client.get_proxy("app-a").await.unwrap(), p);
    assert_eq!(client.list_proxies().await.unwrap().len(), 1);

    let t = client
        .add_toxic(
            "app-a",
            &NewToxic {
                kind: "limit_data".into(),
                attributes: json!({"bytes": 10}).as_object().cloned().unwrap(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(t.name, "limit_data_downstream");
    let t = client
        .update_toxic(
            "app-a",
            &t.name,
            json!({"bytes": 20}).as_object().cloned().unwrap(),
            Some(0.5),
        )
        .await
        .unwrap();
    assert_eq!(
        (t.attributes["bytes"].clone(), t.toxicity),
        (json!(20), 0.5)
    );
    assert_eq!(client.toxics("app-a").await.unwrap(), vec![t.clone()]);
    client.remove_toxic("app-a", &t.name).await.unwrap();
    let e = client.remove_toxic("app-a", &t.name).await.unwrap_err();
    assert_eq!(e.status(), Some(404));
    assert!(e.to_string().contains("toxic not found"), "{e}");

    assert!(!client.set_enabled("app-a", false).await.unwrap().enabled);
    client.reset().await.unwrap();
    assert!(client.get_proxy("app-a").await.unwrap().enabled);
    let populated = client.populate(std::slice::from_ref(&new)).await.unwrap();
    assert_eq!(populated.len(), 1);
    client.delete_proxy("app-a").await.unwrap();
    let e = client.get_proxy("app-a").await.unwrap_err();
    assert_eq!(e.status(), Some(404));
    assert!(e.to_string().contains("proxy not found"), "{e}");

    // Nobody listening: a transport error, not a panic.
    api.server.shutdown().await.unwrap();
    let e = client.version().await.unwrap_err();
    assert!(
        matches!(e, scimulate::netproxy::ClientError::Transport { .. }),
        "{e}"
    );
}
