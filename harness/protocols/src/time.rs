//! RFC 3339 UTC timestamps (`2026-11-23T14:11:12Z`) to and from seconds since the Unix epoch,
//! with the civil-calendar algorithms of Howard Hinnant (proleptic Gregorian).

/// Formats seconds since the epoch as RFC 3339 UTC.
pub fn format_rfc3339(epoch: i64) -> String {
    let (days, rem) = (epoch.div_euclid(86_400), epoch.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem / 60 % 60, rem % 60)
}

/// Parses an RFC 3339 time with the `Z` offset (fractional seconds ignored); `None` otherwise.
pub fn parse_rfc3339_utc(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    if b.len() < 20 || !text.ends_with(['Z', 'z']) || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' || !(b.len() == 20 || b[19] == b'.') {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let s = text.get(r)?;
        if !s.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        s.parse().ok()
    };
    let (y, mo, d, h, mi, s) = (num(0..4)?, num(5..7)?, num(8..10)?, num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    let y = if mo <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some((era * 146_097 + doe - 719_468) * 86_400 + h * 3600 + mi * 60 + s)
}

/// Parses an XML Schema `dateTimeStamp` / RFC 3339 time with a `Z` or `±hh:mm` offset and optional
/// fractional seconds (VC Data Model 2.0 §5.8), to seconds since the epoch in UTC.
pub fn parse_datetime_stamp(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    if b.len() < 20 {
        return None;
    }
    let (main, offset) = if text.ends_with(['Z', 'z']) {
        (&text[..text.len() - 1], 0)
    } else {
        let at = text.len().checked_sub(6)?;
        let tz = text.get(at..)?;
        let sign = match tz.as_bytes()[0] {
            b'+' => 1,
            b'-' => -1,
            _ => return None,
        };
        if tz.as_bytes()[3] != b':' {
            return None;
        }
        let h: i64 = tz.get(1..3)?.parse().ok()?;
        let m: i64 = tz.get(4..6)?.parse().ok()?;
        if h > 23 || m > 59 {
            return None;
        }
        (&text[..at], sign * (h * 3600 + m * 60))
    };
    let (whole, fraction) = match main.find('.') {
        Some(dot) => (&main[..dot], Some(&main[dot + 1..])),
        None => (main, None),
    };
    if fraction.is_some_and(|f| f.is_empty() || !f.bytes().all(|c| c.is_ascii_digit())) || whole.len() != 19 {
        return None;
    }
    parse_rfc3339_utc(&format!("{whole}Z")).map(|t| t - offset)
}

/// The current time as RFC 3339 UTC.
pub fn now_rfc3339() -> String {
    format_rfc3339(crate::now_epoch())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datetime_stamps_with_offsets() {
        assert_eq!(parse_datetime_stamp("2010-01-01T19:23:24Z"), parse_rfc3339_utc("2010-01-01T19:23:24Z"));
        assert_eq!(parse_datetime_stamp("2010-01-01T19:23:24.123+01:00"), parse_rfc3339_utc("2010-01-01T18:23:24Z"));
        assert_eq!(parse_datetime_stamp("2010-01-01T19:23:24-05:00"), parse_rfc3339_utc("2010-01-02T00:23:24Z"));
        assert_eq!(parse_datetime_stamp("2010-01-01T19:23:24"), None, "a timezone is required");
        assert_eq!(parse_datetime_stamp("2010-01-01"), None);
        assert_eq!(parse_datetime_stamp("2010-01-01T19:23:24.+01:00"), None);
    }

    #[test]
    fn known_instants_round_trip() {
        for (epoch, text) in [
            (0, "1970-01-01T00:00:00Z"),
            (951_868_800, "2000-03-01T00:00:00Z"),
            (1_795_444_272, "2026-11-23T14:31:12Z"),
        ] {
            assert_eq!(format_rfc3339(epoch), text);
            assert_eq!(parse_rfc3339_utc(text), Some(epoch));
        }
        assert_eq!(parse_rfc3339_utc("2000-03-01T00:00:00.123Z"), Some(951_868_800));
        for bad in
            ["2000-03-01 00:00:00Z", "2000-13-01T00:00:00Z", "2000-03-01T00:00:00+01:00", "", "2000-03-01T0a:00:00Z"]
        {
            assert_eq!(parse_rfc3339_utc(bad), None, "{bad}");
        }
    }
}
