//! Money for AI work. Amounts are whole millionths of a US cent ("microcents"), so a
//! per-token price (a fraction of a cent per thousand tokens) adds up exactly in
//! integer arithmetic; the API shows cents with up to six decimals.

use std::fmt;

/// Microcents in one cent.
pub const PER_CENT: i64 = 1_000_000;

/// An amount of money in millionths of a US cent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Microcents(pub i64);

impl Microcents {
    pub const ZERO: Microcents = Microcents(0);

    pub fn from_cents(cents: i64) -> Self {
        Microcents(cents.saturating_mul(PER_CENT))
    }

    /// Parses a decimal amount of cents (`"0.1"`, `"15"`, `"0.000015"`): at most six
    /// decimals, never negative.
    pub fn parse_cents(raw: &str) -> Result<Self, String> {
        let text = raw.trim();
        let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
        let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
        if (whole.is_empty() && fraction.is_empty()) || !digits(whole) || !digits(fraction) {
            return Err(format!(
                "{raw:?} is not an amount of cents (a number such as 0.5)"
            ));
        }
        if fraction.len() > 6 {
            return Err(format!(
                "{raw:?} has more than six decimals (a millionth of a cent is the smallest unit)"
            ));
        }
        let whole: i64 = if whole.is_empty() {
            0
        } else {
            whole.parse().map_err(|_| format!("{raw:?} is too large"))?
        };
        let fraction: i64 = format!("{fraction:0<6}").parse().unwrap_or(0);
        whole
            .checked_mul(PER_CENT)
            .and_then(|w| w.checked_add(fraction))
            .map(Microcents)
            .ok_or_else(|| format!("{raw:?} is too large"))
    }

    /// The amount in cents, for JSON (exact to the sixth decimal for any amount a
    /// budget can reach).
    pub fn cents(self) -> f64 {
        self.0 as f64 / PER_CENT as f64
    }

    /// What `tokens` cost at `per_million` (the price of a million tokens), rounded up
    /// to the next microcent so that usage is never under-charged.
    pub fn for_tokens(tokens: u64, per_million: Microcents) -> Microcents {
        let total = i128::from(tokens) * i128::from(per_million.0);
        let cost = (total + 999_999) / 1_000_000;
        Microcents(i64::try_from(cost).unwrap_or(i64::MAX))
    }
}

impl std::ops::Add for Microcents {
    type Output = Microcents;
    fn add(self, other: Microcents) -> Microcents {
        Microcents(self.0.saturating_add(other.0))
    }
}

impl std::ops::Sub for Microcents {
    type Output = Microcents;
    fn sub(self, other: Microcents) -> Microcents {
        Microcents(self.0.saturating_sub(other.0))
    }
}

/// Cents with the decimals that matter: `1.25`, `0.000015`, `100`.
impl fmt::Display for Microcents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let per_cent = PER_CENT as u64;
        let (whole, fraction) = (abs / per_cent, abs % per_cent);
        if fraction == 0 {
            write!(f, "{sign}{whole}")
        } else {
            let decimals = format!("{fraction:06}");
            write!(f, "{sign}{whole}.{}", decimals.trim_end_matches('0'))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_decimal_cents() {
        assert_eq!(Microcents::parse_cents("0.1"), Ok(Microcents(100_000)));
        assert_eq!(Microcents::parse_cents("15"), Ok(Microcents(15_000_000)));
        assert_eq!(Microcents::parse_cents(".5"), Ok(Microcents(500_000)));
        assert_eq!(Microcents::parse_cents("0.000015"), Ok(Microcents(15)));
        assert!(Microcents::parse_cents("-1").is_err());
        assert!(Microcents::parse_cents("1.0000001").is_err());
        assert!(Microcents::parse_cents("abc").is_err());
        assert!(Microcents::parse_cents("").is_err());
    }

    #[test]
    fn shows_cents_with_the_decimals_that_matter() {
        assert_eq!(Microcents(100_000).to_string(), "0.1");
        assert_eq!(Microcents::from_cents(100).to_string(), "100");
        assert_eq!(Microcents(1_250_000).to_string(), "1.25");
        assert_eq!(Microcents(15).to_string(), "0.000015");
        assert_eq!(Microcents(100_000).cents(), 0.1);
    }

    #[test]
    fn tokens_are_priced_per_million_and_rounded_up() {
        // 15 cents per million tokens: 1,000 tokens cost 0.015 cents.
        let price = Microcents::from_cents(15);
        assert_eq!(Microcents::for_tokens(1_000, price), Microcents(15_000));
        assert_eq!(Microcents::for_tokens(1, Microcents(1)), Microcents(1));
        assert_eq!(Microcents::for_tokens(0, price), Microcents::ZERO);
    }
}
