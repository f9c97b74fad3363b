//! A faster serializer for UTC timestamps, with the same output as chrono's.
//!
//! chrono 0.4 serializes a `DateTime` as RFC 3339 through `Display`, which
//! reaches serde_json one character at a time. Plant responses carry two
//! timestamps per plant, and writing them that way took about a tenth of a
//! plant list's CPU time under load. [`serialize`] writes the same text into
//! a stack buffer and hands it over as one string.

use chrono::{DateTime, Datelike, Timelike, Utc};
use serde::{Serialize, Serializer};

/// Length of `YYYY-MM-DDTHH:MM:SS.fffffffffZ`, the longest form written here.
const MAX_LEN: usize = 30;

/// Serializes `time` as chrono does: RFC 3339 with `Z`, and a fraction of
/// 3, 6 or 9 digits, whichever is the shortest exact one, or none when the
/// time falls on a whole second. Years outside 0 to 9999 go through chrono
/// itself.
pub(crate) fn serialize<S: Serializer>(
    time: &DateTime<Utc>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    let year = time.year();
    if !(0..=9999).contains(&year) {
        return time.serialize(serializer);
    }

    // A leap second is stored as a nanosecond count of one second or more,
    // which chrono writes as second 60.
    let mut second = time.second();
    let mut nanos = time.nanosecond();
    if nanos >= 1_000_000_000 {
        second += 1;
        nanos -= 1_000_000_000;
    }

    let mut text = [0_u8; MAX_LEN];
    let mut length = 0;
    let mut put = |bytes: &[u8]| {
        text[length..length + bytes.len()].copy_from_slice(bytes);
        length += bytes.len();
    };
    put(&digits::<4>(year.unsigned_abs()));
    put(b"-");
    put(&digits::<2>(time.month()));
    put(b"-");
    put(&digits::<2>(time.day()));
    put(b"T");
    put(&digits::<2>(time.hour()));
    put(b":");
    put(&digits::<2>(time.minute()));
    put(b":");
    put(&digits::<2>(second));
    if nanos != 0 {
        put(b".");
        if nanos.is_multiple_of(1_000_000) {
            put(&digits::<3>(nanos / 1_000_000));
        } else if nanos.is_multiple_of(1_000) {
            put(&digits::<6>(nanos / 1_000));
        } else {
            put(&digits::<9>(nanos));
        }
    }
    put(b"Z");

    // Only ASCII digits and punctuation were written.
    match std::str::from_utf8(&text[..length]) {
        Ok(text) => serializer.serialize_str(text),
        Err(_) => time.serialize(serializer),
    }
}

/// Writes the last `N` decimal digits of `value`, padded with zeros.
fn digits<const N: usize>(mut value: u32) -> [u8; N] {
    let mut out = [b'0'; N];
    for digit in out.iter_mut().rev() {
        *digit = b'0' + (value % 10) as u8;
        value /= 10;
    }
    out
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, TimeZone};

    use super::*;

    fn ours(time: &DateTime<Utc>) -> String {
        let mut out = serde_json::Serializer::new(Vec::new());
        serialize(time, &mut out).expect("a timestamp serializes");
        String::from_utf8(out.into_inner()).expect("the output is UTF-8")
    }

    fn chronos(time: &DateTime<Utc>) -> String {
        serde_json::to_string(time).expect("a timestamp serializes")
    }

    #[test]
    fn output_matches_chrono() {
        let base = Utc
            .with_ymd_and_hms(2026, 12, 5, 6, 7, 8)
            .single()
            .expect("a valid time");
        for nanos in [
            0,
            1,
            999,
            1_000,
            120_000,
            1_000_000,
            7_000_000,
            123_000_000,
            123_456_000,
            123_456_789,
            999_999_999,
        ] {
            let time = base + chrono::Duration::nanoseconds(nanos);
            assert_eq!(ours(&time), chronos(&time), "{nanos} ns");
        }
        for (year, month, day) in [(0, 1, 1), (1, 2, 3), (999, 12, 31), (9999, 12, 31)] {
            let time = Utc
                .with_ymd_and_hms(year, month, day, 23, 59, 59)
                .single()
                .expect("a valid time");
            assert_eq!(ours(&time), chronos(&time), "{year}");
        }
    }

    #[test]
    fn leap_second_and_far_years_match_chrono() {
        let leap = NaiveDate::from_ymd_opt(2016, 12, 31)
            .and_then(|date| date.and_hms_milli_opt(23, 59, 59, 1_500))
            .expect("a valid leap second")
            .and_utc();
        assert_eq!(ours(&leap), chronos(&leap));

        for year in [-1, 10_000] {
            let time = Utc
                .with_ymd_and_hms(year, 1, 1, 0, 0, 0)
                .single()
                .expect("a valid time");
            assert_eq!(ours(&time), chronos(&time), "{year}");
        }
    }
}
