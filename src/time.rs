//! Calendar arithmetic without a clock: the core never reads the time; it is
//! given epoch milliseconds, so decisions replay identically everywhere.

/// Milliseconds in a day.
pub const DAY_MS: i64 = 86_400_000;

/// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's
/// `days_from_civil`).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `(year, month, day)` for days since 1970-01-01.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { yoe + era * 400 + 1 } else { yoe + era * 400 }, m, d)
}

/// `YYYY-MM-DD` for days since 1970-01-01.
pub fn format_day(days: i64) -> String {
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Parses `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM[:SS[.fff]]` with `Z` or `±HH:MM`
/// (no offset means UTC) into epoch milliseconds.
pub fn parse_iso(s: &str) -> Result<i64, String> {
    let bad = || format!("`{s}` is not an ISO 8601 date (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)");
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = b.get(r)?;
        part.iter().all(u8::is_ascii_digit).then(|| part.iter().fold(0u32, |n, d| n * 10 + (d - b'0') as u32))
    };
    let (y, m, d) = match (num(0..4), b.get(4), num(5..7), b.get(7), num(8..10)) {
        (Some(y), Some(b'-'), Some(m), Some(b'-'), Some(d)) => (y, m, d),
        _ => return Err(bad()),
    };
    if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y as i64, m) {
        return Err(format!("`{s}`: no such day"));
    }
    let mut ms = days_from_civil(y as i64, m, d) * DAY_MS;
    if b.len() == 10 {
        return Ok(ms);
    }
    if !matches!(b.get(10), Some(b'T' | b't' | b' ')) {
        return Err(bad());
    }
    let (hh, mm) = match (num(11..13), b.get(13), num(14..16)) {
        (Some(h), Some(b':'), Some(m)) if h < 24 && m < 60 => (h, m),
        _ => return Err(bad()),
    };
    ms += (hh as i64 * 60 + mm as i64) * 60_000;
    let mut i = 16;
    if b.get(i) == Some(&b':') {
        let sec = num(i + 1..i + 3).filter(|s| *s < 60).ok_or_else(bad)?;
        ms += sec as i64 * 1000;
        i += 3;
        if b.get(i) == Some(&b'.') {
            let start = i + 1;
            let mut end = start;
            while b.get(end).is_some_and(u8::is_ascii_digit) {
                end += 1;
            }
            if end == start {
                return Err(bad());
            }
            let frac: String = s[start..end].chars().chain("000".chars()).take(3).collect();
            ms += frac.parse::<i64>().map_err(|_| bad())?;
            i = end;
        }
    }
    match b.get(i) {
        None => Ok(ms),
        Some(b'Z' | b'z') if i + 1 == b.len() => Ok(ms),
        Some(&sign @ (b'+' | b'-')) if b.len() == i + 6 && b[i + 3] == b':' => {
            let (oh, om) = (num(i + 1..i + 3).ok_or_else(bad)?, num(i + 4..i + 6).ok_or_else(bad)?);
            let offset = (oh as i64 * 60 + om as i64) * 60_000;
            Ok(if sign == b'+' { ms - offset } else { ms + offset })
        }
        _ => Err(bad()),
    }
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trips() {
        for days in [-800_000, -1, 0, 1, 19_000, 20_000, 2_000_000] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(format_day(0), "1970-01-01");
        assert_eq!(format_day(20_779), "2026-11-22");
    }

    #[test]
    fn parses_iso_dates() {
        assert_eq!(parse_iso("1970-01-02"), Ok(DAY_MS));
        assert_eq!(parse_iso("2020-01-26T17:01:00Z"), Ok(1_580_058_060_000));
        assert_eq!(parse_iso("2020-01-26T18:01:00+01:00"), Ok(1_580_058_060_000));
        assert_eq!(parse_iso("2020-01-26T17:01:00.5Z"), Ok(1_580_058_060_500));
        assert!(parse_iso("2021-02-29").unwrap_err().contains("no such day"));
        for bad in ["", "2020", "2020-1-1", "2020-01-01T25:00Z", "2020-01-01Tx", "2020-01-01T10:00Zjunk", "２０２０-01-01"] {
            assert!(parse_iso(bad).is_err(), "{bad}");
        }
    }
}
