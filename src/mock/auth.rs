//! The target's credentials: a bearer token with an expiry, or OAuth 2.0
//! client credentials (RFC 6749 §4.4) whose token endpoint issues
//! short-lived tokens. Rotation refuses every earlier token from then on.

use crate::mock::profile::AuthConfig;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use parking_lot::Mutex;
use rand::RngCore;
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// Why a request was refused; each maps to a 401 with its own
/// `WWW-Authenticate` challenge (RFC 6750 §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthFailure {
    /// No `Authorization: Bearer` header: a bare challenge.
    Missing,
    /// A token we never issued, or one revoked by rotation.
    Unknown,
    /// A token past its lifetime.
    Expired,
}

impl AuthFailure {
    pub fn challenge(self) -> &'static str {
        match self {
            AuthFailure::Missing => r#"Bearer realm="scimulate""#,
            AuthFailure::Unknown => {
                r#"Bearer realm="scimulate", error="invalid_token", error_description="The access token is not valid""#
            }
            AuthFailure::Expired => {
                r#"Bearer realm="scimulate", error="invalid_token", error_description="The access token expired""#
            }
        }
    }

    pub fn detail(self) -> &'static str {
        match self {
            AuthFailure::Missing => "Authorization: Bearer <token> is required",
            AuthFailure::Unknown => "the bearer token is not valid",
            AuthFailure::Expired => "the bearer token expired",
        }
    }
}

/// A token issued by the OAuth token endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedToken {
    pub access_token: String,
    pub expires_in: Option<u64>,
}

#[derive(Debug)]
pub struct Auth {
    oauth: bool,
    ttl: Option<Duration>,
    client_id: String,
    client_secret: String,
    /// token -> its expiry (`None`: never).
    tokens: Mutex<HashMap<String, Option<Instant>>>,
}

/// A fresh base64url secret of `bytes` random bytes (tokens, client
/// secrets, the admin token).
pub fn random_secret(bytes: usize) -> String {
    secret_from(&mut rand::rng(), bytes)
}

/// Never one that begins with '-': users paste these after flags
/// (`certify --token …`, `curl -H …`), where a leading '-' reads as
/// another flag. One in 64 would.
fn secret_from(rng: &mut impl RngCore, bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    loop {
        rng.fill_bytes(&mut buf);
        let secret = URL_SAFE_NO_PAD.encode(&buf);
        if !secret.starts_with('-') {
            return secret;
        }
    }
}

/// Compares in time independent of where the strings differ.
fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

impl Auth {
    pub fn new(config: &AuthConfig) -> Self {
        let auth = Auth {
            oauth: matches!(config, AuthConfig::Oauth2ClientCredentials { .. }),
            ttl: config.token_ttl(),
            client_id: format!("scimulate-{}", &random_secret(6)),
            client_secret: random_secret(24),
            tokens: Mutex::new(HashMap::new()),
        };
        if !auth.oauth {
            auth.issue();
        }
        auth
    }

    pub fn is_oauth(&self) -> bool {
        self.oauth
    }

    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    pub fn client_secret(&self) -> &str {
        &self.client_secret
    }

    /// A bearer target's current token (the newest one issued).
    pub fn current_token(&self) -> Option<String> {
        if self.oauth {
            return None;
        }
        self.tokens.lock().keys().next().cloned()
    }

    fn issue(&self) -> IssuedToken {
        let token = random_secret(32);
        let expiry = self.ttl.map(|ttl| Instant::now() + ttl);
        self.tokens.lock().insert(token.clone(), expiry);
        IssuedToken {
            access_token: token,
            expires_in: self.ttl.map(|t| t.as_secs().max(1)),
        }
    }

    /// Refuses every token issued so far and issues a new one.
    pub fn rotate(&self) -> String {
        self.tokens.lock().clear();
        self.issue().access_token
    }

    /// Makes every current token expired (a `token_expired` fault).
    pub fn expire_all(&self) {
        let past = Instant::now();
        for expiry in self.tokens.lock().values_mut() {
            *expiry = Some(past);
        }
    }

    /// Checks an `Authorization` header value.
    pub fn check(&self, authorization: Option<&str>) -> Result<(), AuthFailure> {
        let token = authorization
            .and_then(|h| {
                let (scheme, rest) = h.split_once(' ')?;
                scheme.eq_ignore_ascii_case("bearer").then_some(rest.trim())
            })
            .filter(|t| !t.is_empty())
            .ok_or(AuthFailure::Missing)?;
        let tokens = self.tokens.lock();
        let expiry = tokens
            .iter()
            .find(|(t, _)| constant_time_eq(t, token))
            .map(|(_, e)| *e)
            .ok_or(AuthFailure::Unknown)?;
        match expiry {
            Some(at) if Instant::now() >= at => Err(AuthFailure::Expired),
            _ => Ok(()),
        }
    }

    /// The client-credentials grant (RFC 6749 §4.4): client authentication by
    /// HTTP Basic (preferred, §2.3.1) or by form fields.
    pub fn token_grant(
        &self,
        basic: Option<&str>,
        form: &HashMap<String, String>,
    ) -> Result<IssuedToken, OAuthError> {
        if !self.oauth {
            return Err(OAuthError::UnsupportedGrantType);
        }
        if form.get("grant_type").map(String::as_str) != Some("client_credentials") {
            return Err(OAuthError::UnsupportedGrantType);
        }
        let from_basic = basic.and_then(|b| {
            let (scheme, rest) = b.split_once(' ')?;
            if !scheme.eq_ignore_ascii_case("basic") {
                return None;
            }
            let decoded = String::from_utf8(STANDARD.decode(rest.trim()).ok()?).ok()?;
            let (id, secret) = decoded.split_once(':')?;
            Some((id.to_owned(), secret.to_owned()))
        });
        let (id, secret) = from_basic
            .or_else(|| {
                Some((
                    form.get("client_id")?.clone(),
                    form.get("client_secret")?.clone(),
                ))
            })
            .ok_or(OAuthError::InvalidClient)?;
        if !(constant_time_eq(&id, &self.client_id)
            && constant_time_eq(&secret, &self.client_secret))
        {
            return Err(OAuthError::InvalidClient);
        }
        Ok(self.issue())
    }
}

/// Token endpoint errors (RFC 6749 §5.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OAuthError {
    InvalidClient,
    UnsupportedGrantType,
}

impl OAuthError {
    pub fn code(self) -> &'static str {
        match self {
            OAuthError::InvalidClient => "invalid_client",
            OAuthError::UnsupportedGrantType => "unsupported_grant_type",
        }
    }
    pub fn status(self) -> u16 {
        match self {
            OAuthError::InvalidClient => 401,
            OAuthError::UnsupportedGrantType => 400,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::duration::HumanDuration;

    fn bearer(ttl: Option<Duration>) -> Auth {
        Auth::new(&AuthConfig::Bearer {
            token_ttl: ttl.map(HumanDuration),
        })
    }

    #[test]
    fn no_secret_begins_with_a_hyphen() {
        use rand::SeedableRng;
        // Seeded: 4,000 draws of 32 bytes, of which ~60 would begin with '-'.
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        for _ in 0..4_000 {
            let secret = secret_from(&mut rng, 32);
            assert!(!secret.starts_with('-'), "{secret}");
            assert_eq!(secret.len(), 43);
        }
    }

    #[test]
    fn bearer_token_is_accepted_and_others_are_not() {
        let a = bearer(None);
        let t = a.current_token().unwrap();
        assert_eq!(a.check(Some(&format!("Bearer {t}"))), Ok(()));
        assert_eq!(a.check(Some(&format!("bearer {t}"))), Ok(()));
        assert_eq!(a.check(None), Err(AuthFailure::Missing));
        assert_eq!(a.check(Some("Basic abc")), Err(AuthFailure::Missing));
        assert_eq!(a.check(Some("Bearer nope")), Err(AuthFailure::Unknown));
    }

    #[test]
    fn rotation_refuses_the_old_token() {
        let a = bearer(None);
        let old = a.current_token().unwrap();
        let new = a.rotate();
        assert_eq!(
            a.check(Some(&format!("Bearer {old}"))),
            Err(AuthFailure::Unknown)
        );
        assert_eq!(a.check(Some(&format!("Bearer {new}"))), Ok(()));
        assert_eq!(a.current_token(), Some(new));
    }

    #[test]
    fn expired_tokens_are_told_apart_from_unknown_ones() {
        let a = bearer(Some(Duration::from_secs(3600)));
        let t = a.current_token().unwrap();
        a.expire_all();
        assert_eq!(
            a.check(Some(&format!("Bearer {t}"))),
            Err(AuthFailure::Expired)
        );
        assert!(
            AuthFailure::Expired
                .challenge()
                .contains(r#"error="invalid_token""#)
        );
    }

    #[test]
    fn client_credentials_grant_by_basic_or_form() {
        let a = Auth::new(&AuthConfig::Oauth2ClientCredentials {
            token_ttl: Some(HumanDuration(Duration::from_secs(600))),
        });
        assert_eq!(a.current_token(), None);
        let mut form = HashMap::from([("grant_type".to_owned(), "client_credentials".to_owned())]);
        let basic = format!(
            "Basic {}",
            STANDARD.encode(format!("{}:{}", a.client_id(), a.client_secret()))
        );
        let issued = a.token_grant(Some(&basic), &form).unwrap();
        assert_eq!(issued.expires_in, Some(600));
        assert_eq!(
            a.check(Some(&format!("Bearer {}", issued.access_token))),
            Ok(())
        );

        form.insert("client_id".into(), a.client_id().into());
        form.insert("client_secret".into(), "wrong".into());
        assert_eq!(a.token_grant(None, &form), Err(OAuthError::InvalidClient));
        form.insert("client_secret".into(), a.client_secret().into());
        assert!(a.token_grant(None, &form).is_ok());
        form.insert("grant_type".into(), "password".into());
        assert_eq!(
            a.token_grant(None, &form),
            Err(OAuthError::UnsupportedGrantType)
        );
    }
}
