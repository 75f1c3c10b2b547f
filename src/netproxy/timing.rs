//! Toxics that change when bytes arrive, not whether: latency, bandwidth
//! and slicer (Toxiproxy `toxics/latency.go`, `bandwidth.go`,
//! `slicer.go`). Each turns a list of pieces, every one with the instant
//! it may be written, into another; the pump writes them in order.

use bytes::Bytes;
use rand::Rng;
use rand::rngs::StdRng;
use std::time::Duration;
use tokio::time::Instant;

/// Bytes to write, not before `due`.
#[derive(Debug, Clone)]
pub struct Piece {
    pub due: Instant,
    pub data: Bytes,
}

fn ms(v: i64) -> Duration {
    Duration::from_millis(v.max(0) as u64)
}

/// Every piece leaves `latency` ± `jitter` ms after its chunk was read
/// (jitter uniform in [-jitter, +jitter)), so latency does not lower
/// throughput: chunks read meanwhile are delayed, not queued behind.
pub fn latency(
    pieces: &mut [Piece],
    arrived: Instant,
    latency: i64,
    jitter: i64,
    rng: &mut StdRng,
) {
    let jitter = jitter.max(0);
    let offset = if jitter > 0 {
        rng.random_range(-jitter..jitter)
    } else {
        0
    };
    let due = arrived + ms(latency + offset);
    for p in pieces {
        p.due = p.due.max(due);
    }
}

/// State of a bandwidth toxic on one connection: when the link is free to
/// send again.
#[derive(Debug, Default)]
pub struct Bandwidth {
    free_at: Option<Instant>,
}

impl Bandwidth {
    /// At most `rate` KB/s (1 KB = 1000 bytes); large pieces go out in
    /// slices of 100 ms worth, as Toxiproxy sends them. 0 is unlimited.
    pub fn apply(&mut self, pieces: Vec<Piece>, now: Instant, rate: i64) -> Vec<Piece> {
        if rate <= 0 {
            return pieces;
        }
        let per_100ms = (rate as usize).saturating_mul(100).max(1);
        let mut out = Vec::new();
        for p in pieces {
            let mut data = p.data;
            while !data.is_empty() {
                let part = data.split_to(per_100ms.min(data.len()));
                let start = p.due.max(now).max(self.free_at.unwrap_or(now));
                // len bytes at rate*1000 bytes/s take len/rate ms.
                let cost = Duration::from_micros(part.len() as u64 * 1000 / rate as u64);
                self.free_at = Some(start + cost);
                // The piece leaves once its share of the link is used up,
                // so even a single small write is held back by its cost.
                out.push(Piece {
                    due: start + cost,
                    data: part,
                });
            }
        }
        out
    }
}

/// Cuts pieces into parts of `average` ± `variation` bytes, `delay_us` µs
/// apart, halving recursively so parts vary evenly.
pub fn slicer(
    pieces: Vec<Piece>,
    now: Instant,
    average: i64,
    variation: i64,
    delay_us: i64,
    rng: &mut StdRng,
) -> Vec<Piece> {
    let average = average.max(1) as usize;
    // Toxiproxy requires variation < average; clamping keeps every cut
    // inside the piece instead of failing.
    let variation = (variation.max(0) as usize).min(average - 1);
    let delay = Duration::from_micros(delay_us.max(0) as u64);
    let mut out = Vec::new();
    for p in pieces {
        let mut cuts = vec![0];
        cut(0, p.data.len(), average, variation, rng, &mut cuts);
        let mut due = p.due.max(now);
        for w in cuts.windows(2) {
            out.push(Piece {
                due,
                data: p.data.slice(w[0]..w[1]),
            });
            due += delay;
        }
    }
    out
}

fn cut(
    start: usize,
    end: usize,
    average: usize,
    variation: usize,
    rng: &mut StdRng,
    cuts: &mut Vec<usize>,
) {
    if end - start <= average + variation {
        cuts.push(end);
        return;
    }
    let shift = if variation > 0 {
        rng.random_range(0..2 * variation) as isize - variation as isize
    } else {
        0
    };
    let mid = ((start + (end - start) / 2) as isize + shift) as usize;
    cut(start, mid, average, variation, rng, cuts);
    cut(mid, end, average, variation, rng, cuts);
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn slicer_keeps_every_byte_in_order() {
        let data: Bytes = (0..=255u8).cycle().take(1000).collect::<Vec<_>>().into();
        let now = Instant::now();
        let mut rng = StdRng::seed_from_u64(1);
        let out = slicer(
            vec![Piece {
                due: now,
                data: data.clone(),
            }],
            now,
            50,
            20,
            10,
            &mut rng,
        );
        assert!(out.len() > 10);
        assert!(out.iter().all(|p| !p.data.is_empty() && p.data.len() <= 70));
        let joined: Vec<u8> = out.iter().flat_map(|p| p.data.to_vec()).collect();
        assert_eq!(joined, data.to_vec());
    }

    #[test]
    fn bandwidth_spreads_bytes_over_time() {
        let now = Instant::now();
        let mut bw = Bandwidth::default();
        // 10 KB/s: 5000 bytes take 500 ms.
        let out = bw.apply(
            vec![Piece {
                due: now,
                data: Bytes::from(vec![0; 5000]),
            }],
            now,
            10,
        );
        assert_eq!(out.len(), 5);
        assert_eq!(out.last().unwrap().due - now, Duration::from_millis(500));
    }
}
