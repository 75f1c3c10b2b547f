//! Durations as every scimulate file and flag writes them: `<integer><unit>`
//! with unit `ms`, `s`, `m` or `h` (SPEC §1).

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// A [`Duration`] that parses from and prints as `<integer><unit>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct HumanDuration(pub Duration);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "'{text}' is not a duration: expected <integer><unit> with unit ms, s, m or h (e.g. 500ms, 30s, 10m, 1h)"
)]
pub struct DurationError {
    pub text: String,
}

impl FromStr for HumanDuration {
    type Err = DurationError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let err = || DurationError {
            text: text.to_owned(),
        };
        let digits = text.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return Err(err());
        }
        let n: u64 = text[..digits].parse().map_err(|_| err())?;
        let d = match &text[digits..] {
            "ms" => Duration::from_millis(n),
            "s" => Duration::from_secs(n),
            "m" => Duration::from_secs(n.checked_mul(60).ok_or_else(err)?),
            "h" => Duration::from_secs(n.checked_mul(3600).ok_or_else(err)?),
            _ => return Err(err()),
        };
        Ok(HumanDuration(d))
    }
}

impl fmt::Display for HumanDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = self.0.as_millis();
        if ms.is_multiple_of(3_600_000) && ms > 0 {
            write!(f, "{}h", ms / 3_600_000)
        } else if ms.is_multiple_of(60_000) && ms > 0 {
            write!(f, "{}m", ms / 60_000)
        } else if ms.is_multiple_of(1000) {
            write!(f, "{}s", ms / 1000)
        } else {
            write!(f, "{ms}ms")
        }
    }
}

impl Serialize for HumanDuration {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for HumanDuration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rstest::rstest;

    #[rstest]
    #[case("500ms", 500)]
    #[case("2s", 2000)]
    #[case("10m", 600_000)]
    #[case("1h", 3_600_000)]
    #[case("0s", 0)]
    fn parses(#[case] text: &str, #[case] ms: u64) {
        assert_eq!(
            text.parse::<HumanDuration>(),
            Ok(HumanDuration(Duration::from_millis(ms)))
        );
    }

    #[rstest]
    #[case("")]
    #[case("10")]
    #[case("s")]
    #[case("1.5s")]
    #[case("10 s")]
    #[case("3d")]
    #[case("-1s")]
    fn rejects(#[case] text: &str) {
        assert!(text.parse::<HumanDuration>().is_err());
    }

    proptest! {
        #[test]
        fn printing_then_parsing_gives_the_same_duration(ms in 0u64..10_000_000_000) {
            let d = HumanDuration(Duration::from_millis(ms));
            prop_assert_eq!(d.to_string().parse::<HumanDuration>(), Ok(d));
        }

        #[test]
        fn parsing_never_panics(s in ".{0,24}") {
            let _ = s.parse::<HumanDuration>();
        }
    }
}
