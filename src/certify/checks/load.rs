//! `--load RATE[:DURATION]` (SPEC §8.6): the `--profile`'s provisioning
//! traffic at a steady rate (default Entra's bar for gallery apps, 25
//! requests per second for 60 s). Each worker plays one user's life after
//! another: look it up, create it, look it up again, update it, deactivate
//! it, delete it (Okta deactivates and never deletes; cleanup does). Only
//! this run's users are touched. The verdict is INTEROP: the rate held,
//! p50/p99 latency, errors, and 429s (honoured: the client waits them out).

use crate::certify::check::{Check, Group};
use crate::certify::client::Resp;
use crate::certify::ctx::{Ctx, USER_URN, id_of, resource_path};
use crate::certify::discovery::Needs;
use crate::certify::persona::Persona;
use crate::certify::rfc;
use crate::certify::verdict::{Fail, Verdict, failed, skipped};
use reqwest::Method;
use serde_json::{Value, json};
use std::sync::Mutex;
use std::time::{Duration, Instant};

const G: Group = Group::new("load").persona(Persona::Idp).needs(Needs::Load);

pub fn checks() -> Vec<Check> {
    vec![
        G.interop("LOAD-001", load)
            .cites(rfc::LOAD)
            .title("provisioning traffic at the --load rate: the rate held, no errors"),
    ]
}

/// Hands out send times `1/rate` apart; none at or after the deadline.
struct Pacer {
    next: tokio::sync::Mutex<Instant>,
    gap: Duration,
    deadline: Instant,
}

impl Pacer {
    async fn wait(&self) -> bool {
        let at = {
            let mut next = self.next.lock().await;
            // Behind schedule (every worker busy): no burst to catch up.
            let at = (*next).max(Instant::now());
            if at >= self.deadline {
                return false;
            }
            *next = at + self.gap;
            at
        };
        tokio::time::sleep_until(at.into()).await;
        true
    }
}

#[derive(Default)]
struct Tally {
    latencies: Vec<Duration>,
    errors: Vec<String>,
    by_kind: std::collections::BTreeMap<&'static str, usize>,
}

struct Run<'a> {
    c: &'a Ctx,
    pacer: Pacer,
    tally: Mutex<Tally>,
}

impl Run<'_> {
    /// One request of kind `what`: paced, timed, judged by `ok`. `None`
    /// when the deadline came first.
    async fn send<F>(&self, what: &'static str, ok: &[u16], req: F) -> Option<Resp>
    where
        F: AsyncFnOnce() -> Result<Resp, Fail>,
    {
        if !self.pacer.wait().await {
            return None;
        }
        let t = Instant::now();
        let r = req().await;
        let took = t.elapsed();
        let mut tally = self.tally.lock().unwrap_or_else(|e| e.into_inner());
        tally.latencies.push(took);
        *tally.by_kind.entry(what).or_default() += 1;
        match r {
            Ok(r) if ok.contains(&r.status) => Some(r),
            Ok(r) => {
                tally.errors.push(format!("{what} answered {}", r.status));
                None
            }
            Err(Fail::Failed(m) | Fail::Skipped(m)) => {
                tally.errors.push(format!("{what}: {m}"));
                None
            }
        }
    }

    /// One user's life, as the profile's identity provider provisions it.
    async fn cycle(&self) -> Option<()> {
        let c = self.c;
        let name = c.user_name();
        let filter = format!("userName eq {}", Ctx::quoted(&name));
        let lookup_more = if c.profile == Persona::Okta {
            "&startIndex=1&count=100"
        } else {
            ""
        };
        self.send("lookup", &[200], async || {
            c.query("Users", &filter, lookup_more).await
        })
        .await?;
        let body = json!({"schemas": [USER_URN], "userName": name, "active": true,
            "displayName": "Load Subject", "title": "before",
            "emails": [{"value": format!("{}-mail@example.com", name.trim_end_matches("@example.com")), "type": "work", "primary": true}]});
        let created = self
            .send("create", &[201], async || c.post("Users", &body).await)
            .await?;
        let id = id_of(&created.body).to_owned();
        let path = resource_path("Users", &id);
        self.send("lookup", &[200], async || {
            c.query("Users", &filter, lookup_more).await
        })
        .await?;
        let mut replaced = created.body.clone();
        replaced["title"] = json!("after");
        match c.profile {
            Persona::Entra | Persona::Idp => {
                let ops = json!([{"op": "Replace", "path": "title", "value": "after"}]);
                self.send("update", &[200, 204], async || {
                    c.patch("Users", &id, ops).await
                })
                .await?;
            }
            Persona::Okta | Persona::Rfc => {
                self.send("update", &[200], async || {
                    c.send(Method::PUT, &path, &strip(&replaced)).await
                })
                .await?;
            }
        }
        if c.found.patch {
            let ops = match c.profile {
                Persona::Okta => json!([{"op": "replace", "value": {"active": false}}]),
                _ => json!([{"op": "replace", "path": "active", "value": false}]),
            };
            self.send("deactivate", &[200, 204], async || {
                c.patch("Users", &id, ops).await
            })
            .await?;
        } else {
            replaced["active"] = json!(false);
            self.send("deactivate", &[200], async || {
                c.send(Method::PUT, &path, &strip(&replaced)).await
            })
            .await?;
        }
        if c.profile != Persona::Okta {
            self.send("delete", &[200, 204], async || c.delete("Users", &id).await)
                .await?;
        }
        Some(())
    }
}

/// What a PUT sends back of a resource: not its meta.
fn strip(v: &Value) -> Value {
    let mut v = v.clone();
    if let Some(o) = v.as_object_mut() {
        o.remove("meta");
    }
    v
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

async fn load(c: &Ctx, _: &'static str) -> Verdict {
    let Some(spec) = c.load else {
        return Err(skipped("not run: no --load given"));
    };
    let start = Instant::now();
    let run = Run {
        c,
        pacer: Pacer {
            next: tokio::sync::Mutex::new(start),
            gap: Duration::from_secs_f64(1.0 / spec.rate),
            deadline: start + spec.duration,
        },
        tally: Mutex::new(Tally::default()),
    };
    let throttled_before = c.client.throttled();
    // Enough users in flight to hold the rate at half a second a request.
    let workers = (spec.rate / 2.0).ceil().clamp(2.0, 256.0) as usize;
    let worker = async || {
        while Instant::now() < run.pacer.deadline {
            if run.cycle().await.is_none() {
                // A request failed (counted) or the deadline came: the
                // next user, if there is time.
                tokio::task::yield_now().await;
            }
        }
    };
    futures_util::future::join_all((0..workers).map(|_| worker())).await;
    let elapsed = start
        .elapsed()
        .min(spec.duration)
        .max(Duration::from_millis(1));
    let tally = run.tally.into_inner().unwrap_or_else(|e| e.into_inner());
    let mut lat = tally.latencies.clone();
    lat.sort();
    let n = lat.len();
    let held = n as f64 / elapsed.as_secs_f64();
    let throttled = c.client.throttled() - throttled_before;
    let kinds: Vec<String> = tally
        .by_kind
        .iter()
        .map(|(k, v)| format!("{v} {k}"))
        .collect();
    let summary = format!(
        "held {held:.1} requests/s of {} for {:.1} s ({n} requests: {}); p50 {} ms, p99 {} ms; \
         {} error(s); {throttled} answered 429 (honoured: waited out and retried)",
        spec.rate,
        elapsed.as_secs_f64(),
        kinds.join(", "),
        percentile(&lat, 0.50).as_millis(),
        percentile(&lat, 0.99).as_millis(),
        tally.errors.len(),
    );
    let mut problems = Vec::new();
    if held < 0.9 * spec.rate {
        problems.push(format!(
            "the rate fell below {:.1} requests/s (90% of {})",
            0.9 * spec.rate,
            spec.rate
        ));
    }
    if !tally.errors.is_empty() {
        let mut first: Vec<String> = tally.errors.iter().take(5).cloned().collect();
        if tally.errors.len() > 5 {
            first.push(format!("and {} more", tally.errors.len() - 5));
        }
        problems.push(format!("errors: {}", first.join("; ")));
    }
    if problems.is_empty() {
        Ok(summary)
    } else {
        Err(failed(format!("{}: {summary}", problems.join("; "))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_of_sorted_latencies() {
        let ms = |n| Duration::from_millis(n);
        let v: Vec<Duration> = (1..=100).map(ms).collect();
        assert_eq!(percentile(&v, 0.5), ms(51));
        assert_eq!(percentile(&v, 0.99), ms(99));
        assert_eq!(percentile(&[], 0.5), Duration::ZERO);
    }
}
