//! One delivery loop per target: picks the next batch (deprovisioning
//! people first, then original order; one person's events folded into the
//! last, which carries the whole desired state), applies it, and on failure
//! waits: `Retry-After` exactly, otherwise exponential backoff with jitter;
//! a 401 waits for a new credential; a non-retryable answer is parked after
//! at most two retries.

use super::apply::{Apply, person};
use super::client::{Client, Failure};
use super::context::{Runtime, Shared};
use super::defect::Defect;
use super::store::{Batch, person_key};
use crate::contract::alert::AlertClass;
use crate::contract::audit::AuditOutcome;
use crate::contract::event::{EventKind, EventType};
use rand::Rng;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// No retry comes sooner than this after a failure.
pub const BACKOFF_FLOOR: Duration = Duration::from_millis(250);
const BACKOFF_CAP: Duration = Duration::from_secs(8);
/// Identical non-retryable requests: the first and two retries.
const MAX_STRIKES: u32 = 3;

/// Exponential backoff with jitter in [d/2, d], never below the floor.
/// Under a time scale the cap shrinks with it, so a recovery is noticed
/// about as soon in scenario time; the floor stays.
pub fn backoff(failures: u32, time_scale: f64) -> Duration {
    let exp = BACKOFF_FLOOR.saturating_mul(1u32 << failures.saturating_sub(1).min(6));
    let cap = BACKOFF_CAP.div_f64(time_scale.max(1.0)).max(BACKOFF_FLOOR);
    let d = exp.min(cap);
    let jittered = rand::rng().random_range(d / 2..=d);
    jittered.max(BACKOFF_FLOOR)
}

pub async fn run(shared: Arc<Shared>, rt: Arc<Runtime>, mut stop: watch::Receiver<bool>) {
    let mut strikes: HashMap<usize, u32> = HashMap::new();
    let mut failures = 0u32;
    // An OAuth target gets one fresh token per 401 streak before waiting
    // for a new client secret.
    let mut fresh_token_tried = false;
    loop {
        if *stop.borrow() {
            return;
        }
        // Registered before looking, so work queued after the look wakes us.
        let notified = rt.work.notified();
        let fifo = shared.has(Defect::FifoReplay);
        let batch = shared.store.lock().pick(&rt.name, fifo);
        let Some(batch) = batch else {
            tokio::select! {
                _ = notified => {}
                _ = stop.changed() => {}
            }
            continue;
        };
        match deliver(&shared, &rt, &batch).await {
            Ok(()) => {
                failures = 0;
                fresh_token_tried = false;
                settle(&shared, &rt, &batch, AuditOutcome::Delivered);
            }
            Err(f) => {
                failures += 1;
                let last = *batch.items.last().unwrap_or(&0);
                if shared.has(Defect::NoQueue) {
                    settle(&shared, &rt, &batch, AuditOutcome::Dropped);
                    continue;
                }
                if f.class == AlertClass::Authentication && f.retryable {
                    let used = f.credential.clone();
                    wait_for_credential(&shared, &rt, used, &mut fresh_token_tried, &mut stop)
                        .await;
                    continue;
                }
                if !f.retryable && !shared.has(Defect::RetryNonRetryable) {
                    let n = strikes.entry(last).or_default();
                    *n += 1;
                    if *n >= MAX_STRIKES {
                        tracing::warn!(target = %rt.name, "parked after a non-retryable answer: {}", f.message);
                        settle(&shared, &rt, &batch, AuditOutcome::Parked);
                        // The streak ended with the batch: the next one
                        // starts its backoff afresh. Not at once, though:
                        // the next request may be this one again (a
                        // reconcile re-creates what was parked), and no
                        // request repeats a failure sooner than the floor.
                        failures = 0;
                        wait(&shared, &rt, BACKOFF_FLOOR, &mut stop).await;
                        continue;
                    }
                }
                let delay = match f.retry_after {
                    Some(ra) if !shared.has(Defect::IgnoreRetryAfter) => {
                        // Exactly the asked time, plus a hair for clock edges.
                        ra + Duration::from_millis(50)
                    }
                    _ if shared.has(Defect::NoBackoff) => Duration::from_millis(5),
                    // The defect retries a refusal as if it were a blip, at
                    // the floor: never faster than a good connector (so only
                    // the count is wrong), and steadily, so the storm shows
                    // within a short fault whatever the jitter and the load.
                    // With the growing backoff it resent 3 or 4 times in
                    // forbidden-token's 1.5 s, on either side of the limit.
                    _ if !f.retryable && shared.has(Defect::RetryNonRetryable) => BACKOFF_FLOOR,
                    _ => backoff(failures, shared.opts.time_scale),
                };
                wait(&shared, &rt, delay, &mut stop).await;
            }
        }
    }
}

/// Earlier items of the batch are superseded by the last, which is
/// delivered (or parked, or dropped).
fn settle(shared: &Shared, rt: &Runtime, batch: &Batch, outcome: AuditOutcome) {
    let recoveries = rt.health.lock().recoveries;
    let mut store = shared.store.lock();
    let n = batch.items.len();
    for (k, idx) in batch.items.iter().enumerate() {
        let replayed = store.items[*idx].recoveries_mark < recoveries;
        let o = if k + 1 < n && outcome == AuditOutcome::Delivered {
            AuditOutcome::Superseded
        } else {
            outcome
        };
        if let Err(e) = store.settle(*idx, o, replayed && o == AuditOutcome::Delivered) {
            tracing::error!("cannot record a delivery: {e}");
        }
    }
}

/// Sleeps `delay`, checking for `failed` each second; cut short by a
/// stop, never by new events or reloads (which would make a storm).
async fn wait(shared: &Shared, rt: &Runtime, delay: Duration, stop: &mut watch::Receiver<bool>) {
    let deadline = tokio::time::Instant::now() + delay;
    loop {
        // Health's lock is let go before the alert takes the store's: an
        // event being accepted holds the store's and asks for health's.
        let due = rt.health.lock().tick();
        if let Some(d) = due {
            shared.alert(&rt.name, d);
        }
        let now = tokio::time::Instant::now();
        if now >= deadline {
            return;
        }
        let slice = (deadline - now).min(Duration::from_secs(1));
        tokio::select! {
            _ = tokio::time::sleep(slice) => {}
            _ = stop.changed() => return,
        }
    }
}

/// After a 401: no request until the credential changes (SIGHUP, or the
/// targets file re-read each second, which also serves `reload: none`). An
/// OAuth target first tries a fresh token, which is a change of its own.
async fn wait_for_credential(
    shared: &Shared,
    rt: &Runtime,
    used: Option<String>,
    tried_fresh_token: &mut bool,
    stop: &mut watch::Receiver<bool>,
) {
    // The credential the failed request carried; without it, the one in
    // force now.
    let before = match used {
        Some(used) => used,
        None => match shared.target(&rt.name) {
            Some(t) => Client::credential_fingerprint(&t),
            None => return,
        },
    };
    let mut reloads = shared.reloads.subscribe();
    loop {
        let current = shared
            .target(&rt.name)
            .map(|t| Client::credential_fingerprint(&t));
        if current.as_deref() != Some(before.as_str()) {
            tokio::time::sleep(BACKOFF_FLOOR).await;
            return;
        }
        if !*tried_fresh_token && before.contains('\n') {
            // OAuth: the client secret still works, a new token may.
            *tried_fresh_token = true;
            tokio::time::sleep(BACKOFF_FLOOR).await;
            return;
        }
        // Health's lock is let go before the alert takes the store's: an
        // event being accepted holds the store's and asks for health's.
        let due = rt.health.lock().tick();
        if let Some(d) = due {
            shared.alert(&rt.name, d);
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(1)) => { shared.reload(); }
            _ = reloads.changed() => {}
            _ = stop.changed() => return,
        }
        if *stop.borrow() {
            return;
        }
    }
}

/// Applies the batch's last item: its event carries the person's whole
/// desired state, so the earlier ones' effect comes with it.
async fn deliver(shared: &Shared, rt: &Runtime, batch: &Batch) -> Result<(), Failure> {
    let (item, told, base, known) = {
        let store = shared.store.lock();
        let Some(idx) = batch.items.last() else {
            return Ok(());
        };
        let item = store.items[*idx].clone();
        let told = store.told_groups(&item.person, &rt.name);
        let base = store
            .last_delivered(&item.person, &rt.name)
            .and_then(|e| e.person.clone());
        let known = store
            .account_ids
            .get(&(item.person.clone(), rt.name.clone()))
            .cloned();
        (item, told, base, known)
    };
    let remember = |id: Option<&String>| {
        let key = (item.person.clone(), rt.name.clone());
        let mut store = shared.store.lock();
        match id {
            Some(id) => store.account_ids.insert(key, id.clone()),
            None => store.account_ids.remove(&key),
        };
    };
    let apply = Apply { shared, rt };
    let p = apply.held(person(&item.event)).await?;
    // What was last delivered, seen the same way, or the extension the app
    // lacks would look removed.
    let base = match base {
        Some(b) => Some(apply.held(b).await?),
        None => None,
    };
    match item.kind {
        EventKind::Reconcile => reconcile(shared, rt).await,
        EventKind::Deprovision => {
            let id = apply.deactivate(&p, known.as_deref()).await?;
            remember(id.as_ref());
            if let Some(id) = id {
                apply.groups(&id, &[], &told).await?;
            }
            Ok(())
        }
        EventKind::Provision | EventKind::Update => {
            let id = apply.upsert(&p, base.as_ref(), known.as_deref()).await?;
            remember(Some(&id));
            apply.groups(&id, &item.event.groups, &told).await
        }
    }
}

/// Compares the target with everything it was told and repairs drift:
/// missing or deleted accounts re-created, attributes put right, unwanted
/// group grants removed, leavers kept inactive.
async fn reconcile(shared: &Shared, rt: &Runtime) -> Result<(), Failure> {
    let people = shared.store.lock().people_of(&rt.name);
    let apply = Apply { shared, rt };
    for (key, event, assigned) in people {
        if event.kind == EventType::Reconcile || key != person_key(&event) {
            continue;
        }
        let p = apply.held(person(&event)).await?;
        let key = (key.clone(), rt.name.clone());
        if assigned {
            let id = apply.upsert(&p, None, None).await?;
            shared.store.lock().account_ids.insert(key, id.clone());
            apply
                .groups(&id, &event.groups, &Default::default())
                .await?;
            apply.strip_unwanted(&id, &event.groups).await?;
        } else if let Some(id) = apply.deactivate(&p, None).await? {
            apply.strip_unwanted(&id, &[]).await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_with_jitter_between_the_floor_and_the_cap() {
        for n in 1..20 {
            let d = backoff(n, 1.0);
            assert!(d >= BACKOFF_FLOOR && d <= BACKOFF_CAP, "{n}: {d:?}");
            let fast = backoff(n, 60.0);
            assert!(
                fast >= BACKOFF_FLOOR && fast <= BACKOFF_CAP / 4,
                "{n}: {fast:?}"
            );
        }
        assert!(backoff(12, 1.0) >= BACKOFF_CAP / 2, "grows to the cap");
    }
}
