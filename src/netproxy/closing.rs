//! Toxics that end connections or withhold data: timeout, reset_peer,
//! limit_data and slow_close (Toxiproxy `toxics/timeout.go`,
//! `reset_peer.go`, `limit_data.go`, `slow_close.go`).

use super::timing::Piece;
use std::time::Duration;
use tokio::time::Instant;

/// How a connection ends when a toxic ends it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kill {
    None,
    /// Both sockets closed (FIN).
    Close,
    /// Both sockets closed with SO_LINGER 0: the peer sees a reset.
    Reset,
}

fn ms(v: i64) -> Duration {
    Duration::from_millis(v.max(0) as u64)
}

/// `timeout`: data is dropped; with a timeout, the connection closes after
/// that long without data (Toxiproxy re-arms its timer on every chunk).
#[derive(Debug)]
pub struct Timeout {
    idle_since: Instant,
}

impl Timeout {
    pub fn new(now: Instant) -> Self {
        Timeout { idle_since: now }
    }
    pub fn apply(&mut self, pieces: &mut Vec<Piece>, now: Instant) {
        pieces.clear();
        self.idle_since = now;
    }
    pub fn deadline(&self, timeout: i64) -> Option<(Instant, Kill)> {
        (timeout > 0).then(|| (self.idle_since + ms(timeout), Kill::Close))
    }
}

/// `reset_peer`: the first data is dropped and, `timeout` ms later, the
/// connection is reset.
#[derive(Debug, Default)]
pub struct ResetPeer {
    at: Option<Instant>,
}

impl ResetPeer {
    pub fn apply(&mut self, pieces: &mut Vec<Piece>, now: Instant, timeout: i64) {
        pieces.clear();
        self.at.get_or_insert(now + ms(timeout));
    }
    pub fn deadline(&self) -> Option<(Instant, Kill)> {
        self.at.map(|at| (at, Kill::Reset))
    }
}

/// `limit_data`: bytes pass until `bytes` have, then the connection closes.
/// The count survives updates of the toxic, as Toxiproxy keeps it.
#[derive(Debug, Default)]
pub struct LimitData {
    passed: u64,
}

impl LimitData {
    /// Truncates the pieces to what may still pass; says whether the
    /// connection must close once they are written.
    pub fn apply(&mut self, pieces: &mut Vec<Piece>, bytes: i64) -> bool {
        let limit = bytes.max(0) as u64;
        let mut kept = Vec::with_capacity(pieces.len());
        for mut p in pieces.drain(..) {
            let room = limit.saturating_sub(self.passed) as usize;
            if room == 0 {
                break;
            }
            if p.data.len() > room {
                p.data.truncate(room);
            }
            self.passed += p.data.len() as u64;
            kept.push(p);
        }
        *pieces = kept;
        self.passed >= limit
    }
}

/// `slow_close`: how long the close is held back once the sender closed.
pub fn slow_close(delay: i64) -> Duration {
    ms(delay)
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    #[test]
    fn limit_data_counts_across_chunks() {
        let now = Instant::now();
        let piece = |n: usize| Piece {
            due: now,
            data: Bytes::from(vec![1; n]),
        };
        let mut l = LimitData::default();
        let mut p = vec![piece(6)];
        assert!(!l.apply(&mut p, 10));
        assert_eq!(p[0].data.len(), 6);
        let mut p = vec![piece(3), piece(3)];
        assert!(l.apply(&mut p, 10));
        assert_eq!(p.iter().map(|p| p.data.len()).sum::<usize>(), 4);
    }
}
