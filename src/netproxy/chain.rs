//! The toxics acting on one direction of one connection, with their
//! per-connection state. Whether a toxic applies is drawn once per
//! connection from (seed, proxy, toxic name, connection ordinal), so a run
//! with the same seed gives every connection the same draw whatever the
//! timing (SPEC §3.5); Toxiproxy rolls the same dice from its global RNG.

use super::closing::{self, Kill, LimitData, ResetPeer, Timeout};
use super::timing::{self, Bandwidth, Piece};
use super::toxic::{Kind, Stream, Toxic};
use crate::fault::{DrawKey, draw, draw_counter};
use bytes::Bytes;
use rand::SeedableRng;
use rand::rngs::StdRng;
use std::time::Duration;
use tokio::time::Instant;

/// Whether a toxic with `toxicity` applies to the `ordinal`-th connection
/// of `proxy`.
pub fn applies(seed: u64, proxy: &str, toxic: &str, ordinal: u64, toxicity: f64) -> bool {
    let key = DrawKey {
        method: proxy,
        path: toxic,
        body: b"",
    };
    draw(seed, 0, key, ordinal) < toxicity
}

#[derive(Debug)]
enum State {
    Stateless,
    Bandwidth(Bandwidth),
    Timeout(Timeout),
    ResetPeer(ResetPeer),
    LimitData(LimitData),
}

struct Active {
    toxic: Toxic,
    state: State,
}

/// What to do with a chunk: write these pieces, then maybe end the
/// connection.
pub struct Outcome {
    pub pieces: Vec<Piece>,
    pub then: Kill,
}

pub struct Chain {
    stream: Stream,
    seed: u64,
    proxy: String,
    ordinal: u64,
    rng: StdRng,
    active: Vec<Active>,
}

impl Chain {
    pub fn new(stream: Stream, seed: u64, proxy: &str, ordinal: u64) -> Self {
        let salt = match stream {
            Stream::Upstream => 1,
            Stream::Downstream => 2,
        };
        let rng_seed = (draw_counter(seed, salt, ordinal) * u64::MAX as f64) as u64;
        Chain {
            stream,
            seed,
            proxy: proxy.to_owned(),
            ordinal,
            rng: StdRng::seed_from_u64(rng_seed),
            active: Vec::new(),
        }
    }

    /// Takes the proxy's current toxics: new ones start now, removed ones
    /// stop, and a kept one keeps its state (a limit_data count survives an
    /// update, as in Toxiproxy).
    pub fn update(&mut self, toxics: &[Toxic], now: Instant) {
        let mut old: Vec<Active> = std::mem::take(&mut self.active);
        for t in toxics.iter().filter(|t| t.stream == self.stream) {
            if !applies(self.seed, &self.proxy, &t.name, self.ordinal, t.toxicity) {
                continue;
            }
            let kept = old
                .iter()
                .position(|a| {
                    a.toxic.name == t.name && a.toxic.kind.type_name() == t.kind.type_name()
                })
                .map(|i| old.swap_remove(i).state);
            let state = kept.unwrap_or_else(|| match t.kind {
                Kind::Bandwidth { .. } => State::Bandwidth(Bandwidth::default()),
                Kind::Timeout { .. } => State::Timeout(Timeout::new(now)),
                Kind::ResetPeer { .. } => State::ResetPeer(ResetPeer::default()),
                Kind::LimitData { .. } => State::LimitData(LimitData::default()),
                _ => State::Stateless,
            });
            self.active.push(Active {
                toxic: t.clone(),
                state,
            });
        }
    }

    /// Whether any toxic acts on this direction of this connection (one
    /// whose toxicity draw missed it does not).
    pub fn is_active(&self) -> bool {
        !self.active.is_empty()
    }

    /// Runs a chunk read at `arrived` through the toxics in order.
    pub fn apply(&mut self, data: Bytes, arrived: Instant) -> Outcome {
        let now = Instant::now();
        let mut pieces = vec![Piece { due: arrived, data }];
        let mut then = Kill::None;
        for a in &mut self.active {
            if pieces.is_empty() {
                break;
            }
            match (a.toxic.kind, &mut a.state) {
                (Kind::Latency { latency, jitter }, _) => {
                    timing::latency(&mut pieces, arrived, latency, jitter, &mut self.rng)
                }
                (Kind::Bandwidth { rate }, State::Bandwidth(bw)) => {
                    pieces = bw.apply(pieces, now, rate);
                }
                (
                    Kind::Slicer {
                        average_size,
                        size_variation,
                        delay,
                    },
                    _,
                ) => {
                    pieces = timing::slicer(
                        pieces,
                        now,
                        average_size,
                        size_variation,
                        delay,
                        &mut self.rng,
                    );
                }
                (Kind::Timeout { .. }, State::Timeout(t)) => t.apply(&mut pieces, now),
                (Kind::ResetPeer { timeout }, State::ResetPeer(r)) => {
                    r.apply(&mut pieces, now, timeout)
                }
                (Kind::LimitData { bytes }, State::LimitData(l)) => {
                    let full = l.apply(&mut pieces, bytes);
                    then = if full { Kill::Close } else { then };
                }
                _ => {}
            }
        }
        Outcome { pieces, then }
    }

    /// The earliest instant at which a toxic ends the connection by
    /// itself (a timeout without data, a pending reset).
    pub fn deadline(&self) -> Option<(Instant, Kill)> {
        self.active
            .iter()
            .filter_map(|a| match (a.toxic.kind, &a.state) {
                (Kind::Timeout { timeout }, State::Timeout(t)) => t.deadline(timeout),
                (Kind::ResetPeer { .. }, State::ResetPeer(r)) => r.deadline(),
                _ => None,
            })
            .min_by_key(|(at, _)| *at)
    }

    /// How long to hold the close back once the sender closed its side.
    pub fn close_delay(&self) -> Duration {
        self.active
            .iter()
            .map(|a| match a.toxic.kind {
                Kind::SlowClose { delay } => closing::slow_close(delay),
                _ => Duration::ZERO,
            })
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toxicity_draws_are_deterministic_and_bounded() {
        let a: Vec<bool> = (0..200).map(|n| applies(7, "p", "t", n, 0.5)).collect();
        let b: Vec<bool> = (0..200).map(|n| applies(7, "p", "t", n, 0.5)).collect();
        assert_eq!(a, b);
        let hits = a.iter().filter(|x| **x).count();
        assert!((60..140).contains(&hits), "{hits}");
        assert!((0..200).all(|n| applies(7, "p", "t", n, 1.0)));
        assert!((0..200).all(|n| !applies(7, "p", "t", n, 0.0)));
    }
}
