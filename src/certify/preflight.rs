//! Before the catalogue (SPEC §8.6): the credentials, discovery and one
//! authenticated read. A wrong base path, refused credentials or no server
//! at all would otherwise show as dozens of conformance failures; here they
//! end the run (exit 3) with what was sent, what came back and what is
//! probably wrong. Only GETs are sent: nothing is created.

use super::client::{Client, Resp};
use serde_json::Value;

/// What the preflight found wrong, told the way a user fixes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnosis {
    pub problem: String,
    pub sent: String,
    pub got: String,
    pub probably: String,
}

impl std::fmt::Display for Diagnosis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "preflight: {}\n  sent:     {}\n  got:      {}\n  probably: {}\n(no check was run and nothing was created)",
            self.problem, self.sent, self.got, self.probably
        )
    }
}

/// How the run authenticates, for the diagnosis (never the secret).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth<'a> {
    None,
    Token,
    OAuth { token_url: &'a str },
}

/// Runs the preflight. `Ok` when the server answered an authenticated read
/// of /Users with JSON; the catalogue can then run.
pub async fn preflight(client: &Client, base: &str, auth: Auth<'_>) -> Result<(), Diagnosis> {
    if let Err(e) = client.authenticate().await {
        let Auth::OAuth { token_url } = auth else {
            return Err(no_answer(base, "authenticate", &e));
        };
        return Err(Diagnosis {
            problem: "could not get an OAuth token".into(),
            sent: format!("POST {token_url} (client credentials grant)"),
            got: e,
            probably: "the --oauth-token-url is wrong or unreachable, or the client id or the \
                       secret in --client-secret-env is refused"
                .into(),
        });
    }
    let users_path = "/Users?startIndex=1&count=1";
    let spc = client
        .get("/ServiceProviderConfig")
        .await
        .map_err(|e| no_answer(base, "/ServiceProviderConfig", &e))?;
    let users = client
        .get(users_path)
        .await
        .map_err(|e| no_answer(base, "/Users", &e))?;
    let sent = format!("GET {base}{users_path}{}", credential(auth));
    // Some servers refuse a plain list but answer a lookup: a refusal is
    // only a credentials problem when the lookup is refused too.
    if matches!(users.status, 401 | 403) {
        let lookup = "/Users?filter=userName%20eq%20%22scimulate-preflight%22";
        if client
            .get(lookup)
            .await
            .is_ok_and(|r| r.status == 200 && r.body.is_object())
        {
            return Ok(());
        }
    }
    match users.status {
        200 if users.body.is_object() => Ok(()),
        200 | 300..=399 => Err(Diagnosis {
            problem: "the base URL does not answer SCIM JSON".into(),
            sent,
            got: answer(&users),
            probably: "the URL points at a web page (a login page or a portal), not the SCIM \
                       base URL under which /Users and /ServiceProviderConfig live"
                .into(),
        }),
        401 | 403 => Err(Diagnosis {
            problem: "the server refused the credentials".into(),
            sent,
            got: answer(&users),
            probably: match auth {
                Auth::None => "no credentials were given: pass --token-env VAR (or --token, or \
                               --oauth-token-url with --client-id and --client-secret-env)"
                    .into(),
                Auth::Token => "the token is wrong, expired or revoked, or lacks the scope \
                                the server asks for SCIM"
                    .into(),
                Auth::OAuth { .. } => "the OAuth token was issued but the SCIM server does not \
                                       accept it (audience or scope, or another tenant)"
                    .into(),
            },
        }),
        404 if spc.status == 404 => {
            let mut probably = "the base URL is not the SCIM root: it is the URL under which \
                                /Users and /ServiceProviderConfig live (e.g. \
                                https://host/scim/v2)"
                .to_owned();
            if let Some(found) = elsewhere(client, base).await {
                probably.push_str(&format!("; {found} answers /ServiceProviderConfig"));
            }
            Err(Diagnosis {
                problem: "wrong base path: /ServiceProviderConfig and /Users are not found".into(),
                sent: format!("GET {base}/ServiceProviderConfig and {sent}"),
                got: format!("404 and {}", answer(&users)),
                probably,
            })
        }
        // Anything else (a 500 to a plain list, a 404 for /Users alone) is
        // the server's to answer for, check by check.
        _ => Ok(()),
    }
}

fn credential(auth: Auth<'_>) -> &'static str {
    match auth {
        Auth::None => " without credentials",
        Auth::Token => " with the bearer token given",
        Auth::OAuth { .. } => " with the OAuth token fetched",
    }
}

fn no_answer(base: &str, what: &str, error: &str) -> Diagnosis {
    Diagnosis {
        problem: format!("no server answered at {base}"),
        sent: format!("GET {base}{what}"),
        got: error.to_owned(),
        probably: "the host or port in --url is wrong, the server is not running, or TLS \
                   needs --ca-file"
            .into(),
    }
}

/// `401 {"detail": "…"}`, `200 text/html: <html>…`: the status and the
/// start of the body.
fn answer(r: &Resp) -> String {
    let ct = r.header("content-type").unwrap_or("no content type");
    let text: String = r.text.chars().take(200).collect();
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match &r.body {
        Value::Object(_) => format!("{} {text}", r.status),
        _ if text.is_empty() => format!("{} ({ct}, empty body)", r.status),
        _ => format!("{} {ct}: {text}", r.status),
    }
}

/// A base that answers discovery near the one given (common SCIM roots
/// below or beside it), to suggest. GETs only.
async fn elsewhere(client: &Client, base: &str) -> Option<String> {
    let trimmed = base.trim_end_matches('/');
    let parent = trimmed.rsplit_once('/').map(|(p, _)| p.to_owned());
    let mut candidates: Vec<String> = ["/scim/v2", "/v2", "/scim"]
        .iter()
        .map(|s| format!("{trimmed}{s}"))
        .collect();
    if let Some(p) = parent
        && p.contains("://")
        && p.split("://").nth(1).is_some_and(|h| !h.is_empty())
    {
        candidates.push(p);
    }
    for c in candidates {
        let url = format!("{c}/ServiceProviderConfig");
        if let Ok(r) = client.get(&url).await
            && (r.status == 200 && r.body.is_object() || r.status == 401)
        {
            return Some(c);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_diagnosis_says_what_was_sent_what_came_back_and_why() {
        let d = Diagnosis {
            problem: "the server refused the credentials".into(),
            sent: "GET http://h/Users?startIndex=1&count=1 with the bearer token given".into(),
            got: "401 {}".into(),
            probably: "the token is wrong".into(),
        };
        let text = d.to_string();
        assert!(text.starts_with("preflight: the server refused the credentials\n  sent:"));
        assert!(text.contains("nothing was created"));
    }
}
