//! The queue on disk: a restart loses nothing accepted (and the
//! `memory-queue` defect loses it); `no-queue` drops a failing event;
//! `audit-now` rewrites the original time.

use crate::refconn_support::{Rig, person, rig, settled};
use scimulate::refconn::Defect;
use serde_json::json;

/// Dave's joiner is accepted while the token is expired, the connector
/// restarts, the token is rotated, then Erin joins. Whether Dave made it.
async fn restart_with_queued_event(defects: &[Defect]) -> (Rig, bool) {
    let mut rig = rig(&["app-a"], defects).await;
    rig.fault("app-a", json!({"kind": "token_expired"})).await;
    let dave = person("E2", "dave@acme.test", json!({}));
    assert_eq!(
        rig.post_event(&rig.event("d1", "joiner", 1, dave, &[], &["app-a"]))
            .await
            .0,
        202
    );
    rig.stop_connector().await;
    rig.rotate("app-a").await;
    rig.start_connector().await;
    let erin = person("E3", "erin@acme.test", json!({}));
    rig.post_event(&rig.event("x1", "joiner", 2, erin, &[], &["app-a"]))
        .await;
    settled(&rig, "x1", "app-a").await;
    let dave_there = rig.user("app-a", "dave@acme.test").await.is_some();
    (rig, dave_there)
}

#[tokio::test]
async fn refconn_a_restart_loses_nothing_but_memory_queue_does() {
    let (rig, kept) = restart_with_queued_event(&[]).await;
    assert!(kept, "dave's joiner survived the restart");
    assert_eq!(settled(&rig, "d1", "app-a").await["outcome"], "delivered");
    let (_, kept) = restart_with_queued_event(&[Defect::MemoryQueue]).await;
    assert!(!kept, "memory-queue loses what was queued");
}

#[tokio::test]
async fn refconn_no_queue_defect_drops_a_failing_event() {
    let rig = rig(&["app-a"], &[Defect::NoQueue]).await;
    rig.fault(
        "app-a",
        json!({"kind": "unavailable", "for_requests": 1, "retry_after": "none"}),
    )
    .await;
    rig.post_event(&rig.event(
        "e1",
        "joiner",
        1,
        person("E1", "a@acme.test", json!({})),
        &[],
        &["app-a"],
    ))
    .await;
    assert_eq!(settled(&rig, "e1", "app-a").await["outcome"], "dropped");
    assert!(rig.user("app-a", "a@acme.test").await.is_none());
}

#[tokio::test]
async fn refconn_audit_keeps_the_original_time_unless_audit_now() {
    for (defects, keeps) in [(vec![], true), (vec![Defect::AuditNow], false)] {
        let rig = rig(&["app-a"], &defects).await;
        rig.post_event(&rig.event(
            "e1",
            "joiner",
            1,
            person("E1", "a@acme.test", json!({})),
            &[],
            &["app-a"],
        ))
        .await;
        let r = settled(&rig, "e1", "app-a").await;
        assert_eq!(r["original_at"] == "2026-11-22T10:00:01Z", keeps, "{r}");
        assert_eq!(r["operation"], "joiner");
    }
}
