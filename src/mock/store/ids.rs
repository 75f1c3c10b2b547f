//! Resource ids drawn from the target's seed, so a run's ids repeat run
//! after run (reports and journals compare cleanly) yet look like the
//! random UUIDs real apps hand out.

use uuid::{Builder, Uuid};

#[derive(Debug)]
pub(crate) struct IdGen {
    state: u64,
}

impl IdGen {
    pub fn new(seed: u64) -> Self {
        IdGen {
            state: seed ^ 0x5c1_3a7e,
        }
    }

    pub fn next_id(&mut self) -> String {
        let hi = self.next_u64();
        let lo = self.next_u64();
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&hi.to_be_bytes());
        bytes[8..].copy_from_slice(&lo.to_be_bytes());
        let id: Uuid = Builder::from_random_bytes(bytes).into_uuid();
        id.to_string()
    }

    /// SplitMix64: tiny, fast and well distributed.
    fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_ids_and_they_are_v4_uuids() {
        let a: Vec<_> = (0..3)
            .map({
                let mut g = IdGen::new(7);
                move |_| g.next_id()
            })
            .collect();
        let mut g = IdGen::new(7);
        let b: Vec<_> = (0..3).map(|_| g.next_id()).collect();
        assert_eq!(a, b);
        assert_ne!(a[0], a[1]);
        let parsed = Uuid::parse_str(&a[0]).unwrap();
        assert_eq!(parsed.get_version_num(), 4);
        assert_ne!(IdGen::new(8).next_id(), a[0]);
    }
}
