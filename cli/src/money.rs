//! Money as people type and read it: decimal amounts in major units, such
//! as `12.99`, converted exactly to and from the API's integer minor units.

use std::fmt;
use std::str::FromStr;

/// Currencies whose minor unit is not a hundredth, with their ISO 4217
/// exponent (the number of decimal places). Every other code uses 2.
const EXPONENTS: &[(&str, u32)] = &[
    ("bhd", 3),
    ("bif", 0),
    ("clf", 4),
    ("clp", 0),
    ("djf", 0),
    ("gnf", 0),
    ("iqd", 3),
    ("isk", 0),
    ("jod", 3),
    ("jpy", 0),
    ("kmf", 0),
    ("krw", 0),
    ("kwd", 3),
    ("lyd", 3),
    ("omr", 3),
    ("pyg", 0),
    ("rwf", 0),
    ("tnd", 3),
    ("ugx", 0),
    ("uyi", 0),
    ("uyw", 4),
    ("vnd", 0),
    ("vuv", 0),
    ("xaf", 0),
    ("xof", 0),
    ("xpf", 0),
];

/// Returns the number of decimal places of a currency's minor unit.
pub(crate) fn exponent(currency: &str) -> u32 {
    let code = currency.to_ascii_lowercase();
    EXPONENTS
        .iter()
        .find(|(known, _)| *known == code)
        .map_or(2, |(_, exponent)| *exponent)
}

/// Formats minor units as a decimal amount with the uppercase currency code,
/// such as `12.99 USD` or `1500 JPY`.
pub(crate) fn format(minor: i64, currency: &str) -> String {
    let code = currency.to_ascii_uppercase();
    let exponent = exponent(currency);
    if exponent == 0 {
        return format!("{minor} {code}");
    }

    let sign = if minor < 0 { "-" } else { "" };
    let magnitude = minor.unsigned_abs();
    let scale = 10_u64.pow(exponent);
    let width = exponent as usize;
    format!(
        "{sign}{}.{:0width$} {code}",
        magnitude / scale,
        magnitude % scale
    )
}

/// A non-negative decimal amount as typed, such as `12.99`, kept as digits
/// so that converting it to minor units never rounds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Amount {
    whole: String,
    fraction: String,
}

impl FromStr for Amount {
    type Err = String;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let invalid = || format!("`{raw}` is not an amount; write it like 12.99 or 15");
        let (whole, fraction) = raw.split_once('.').unwrap_or((raw, ""));

        let all_digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || !all_digits(whole) || !all_digits(fraction) {
            return Err(invalid());
        }
        if raw.contains('.') && fraction.is_empty() {
            return Err(invalid());
        }

        Ok(Self {
            whole: whole.to_owned(),
            fraction: fraction.to_owned(),
        })
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.whole)?;
        if !self.fraction.is_empty() {
            write!(f, ".{}", self.fraction)?;
        }
        Ok(())
    }
}

impl Amount {
    /// Converts the amount to minor units of `currency`.
    ///
    /// # Errors
    ///
    /// When the amount has more decimal places than the currency's minor
    /// unit allows, or does not fit in an `i64`.
    pub(crate) fn to_minor(&self, currency: &str) -> Result<i64, String> {
        let exponent = exponent(currency);
        let code = currency.to_ascii_uppercase();

        // Trailing zeros past the minor unit are harmless: 12.990 USD is 1299.
        let fraction = self.fraction.trim_end_matches('0');
        if fraction.len() > exponent as usize {
            return Err(match exponent {
                0 => format!("{self} {code} has decimals, but {code} has no minor unit"),
                1 => format!("{self} {code} has more than 1 decimal place"),
                n => format!("{self} {code} has more than {n} decimal places"),
            });
        }

        let padded = format!(
            "{}{:0<width$}",
            self.whole,
            fraction,
            width = exponent as usize
        );
        padded
            .parse::<i64>()
            .map_err(|_| format!("{self} {code} is too large"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn amount(raw: &str) -> Amount {
        raw.parse().expect("valid amount")
    }

    #[test]
    fn parses_decimal_amounts_exactly() {
        assert_eq!(amount("12.99").to_minor("usd"), Ok(1299));
        assert_eq!(amount("12.9").to_minor("usd"), Ok(1290));
        assert_eq!(amount("12").to_minor("usd"), Ok(1200));
        assert_eq!(amount("0.01").to_minor("usd"), Ok(1));
        assert_eq!(amount("12.990").to_minor("usd"), Ok(1299));
        assert_eq!(amount("0.29").to_minor("eur"), Ok(29));
    }

    #[test]
    fn uses_currency_exponent() {
        assert_eq!(amount("1500").to_minor("jpy"), Ok(1500));
        assert_eq!(amount("1500").to_minor("KRW"), Ok(1500));
        assert_eq!(amount("1.234").to_minor("kwd"), Ok(1234));
    }

    #[test]
    fn rejects_too_many_decimals() {
        let error = amount("12.999")
            .to_minor("usd")
            .expect_err("three decimals");
        assert!(error.contains("2 decimal places"), "{error}");

        let error = amount("1500.5")
            .to_minor("jpy")
            .expect_err("yen has no decimals");
        assert!(error.contains("no minor unit"), "{error}");
    }

    #[test]
    fn rejects_malformed_amounts() {
        for raw in [
            "", ".", "1.", ".5", "-1", "+1", "1e3", "1,000", "12.5.1", " 1", "abc",
        ] {
            assert!(raw.parse::<Amount>().is_err(), "{raw:?} should be rejected");
        }
    }

    #[test]
    fn rejects_overflow() {
        let error = amount("99999999999999999999")
            .to_minor("usd")
            .expect_err("too large");
        assert!(error.contains("too large"), "{error}");
    }

    #[test]
    fn formats_with_currency_decimals() {
        assert_eq!(format(1299, "usd"), "12.99 USD");
        assert_eq!(format(5, "usd"), "0.05 USD");
        assert_eq!(format(0, "eur"), "0.00 EUR");
        assert_eq!(format(1500, "jpy"), "1500 JPY");
        assert_eq!(format(1234, "kwd"), "1.234 KWD");
        assert_eq!(format(-250, "usd"), "-2.50 USD");
    }
}
