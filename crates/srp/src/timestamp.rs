//! The TIMESTAMP of a password claim: Java's `EEE MMM d HH:mm:ss z yyyy` in
//! `Locale.US` and UTC, e.g. `Mon Feb 10 18:30:12 UTC 2025`.
//!
//! Names come from fixed tables, never from a locale or a formatter whose output
//! could change under us: locale-dependent names, `%e` space padding and a
//! zero-padded day have each broken real clients.

#![forbid(unsafe_code)]

use std::time::{SystemTime, UNIX_EPOCH};

use time::{Date, Month, OffsetDateTime, Time};

use crate::Error;

const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A source of the current time, so tests can pin it.
pub trait Clock: Send + Sync {
    /// Seconds since the Unix epoch, UTC.
    fn now_unix(&self) -> i64;
}

/// The system clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_unix(&self) -> i64 {
        match SystemTime::now().duration_since(UNIX_EPOCH) {
            Ok(elapsed) => i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX),
            Err(before) => i64::try_from(before.duration().as_secs()).map_or(i64::MIN, |s| -s),
        }
    }
}

/// A clock stopped at one instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FixedClock(pub i64);

impl Clock for FixedClock {
    fn now_unix(&self) -> i64 {
        self.0
    }
}

/// Formats `unix_seconds` as a Cognito TIMESTAMP.
///
/// Fails only for instants outside the years 1–9999, which Java's `yyyy` would
/// print with a different width.
pub fn format_timestamp(unix_seconds: i64) -> Result<String, Error> {
    let moment =
        OffsetDateTime::from_unix_timestamp(unix_seconds).map_err(|_| Error::ClockOutOfRange)?;
    if moment.year() < 1 {
        return Err(Error::ClockOutOfRange);
    }
    let weekday = WEEKDAYS[usize::from(moment.weekday().number_days_from_monday())];
    let month = MONTHS[usize::from(u8::from(moment.month()) - 1)];
    Ok(format!(
        "{weekday} {month} {day} {hour:02}:{minute:02}:{second:02} UTC {year:04}",
        day = moment.day(),
        hour = moment.hour(),
        minute = moment.minute(),
        second = moment.second(),
        year = moment.year(),
    ))
}

/// A TIMESTAMP read from a claim.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParsedTimestamp {
    /// The instant it names, seconds since the Unix epoch.
    pub unix_seconds: i64,
    /// The same instant formatted canonically. A server signs this string, not the
    /// one it received, so a zero-padded day or a wrong weekday fails the signature
    /// check (NotAuthorized) as on real Cognito, while a string that is not the
    /// format at all is an InvalidParameter.
    pub canonical: String,
}

/// Parses a TIMESTAMP: `EEE MMM d HH:mm:ss z yyyy`, English names in any letter
/// case (Java's parser ignores case), a day of one or two digits, two-digit time
/// fields, the zone `UTC` or `GMT`, a four-digit year, single spaces.
pub fn parse_timestamp(text: &str) -> Result<ParsedTimestamp, Error> {
    let invalid = || Error::InvalidTimestamp;
    let fields: Vec<&str> = text.split(' ').collect();
    let [weekday, month, day, clock, zone, year] = fields.as_slice() else {
        return Err(invalid());
    };
    if !WEEKDAYS
        .iter()
        .any(|name| name.eq_ignore_ascii_case(weekday))
    {
        return Err(invalid());
    }
    let month_index = MONTHS
        .iter()
        .position(|name| name.eq_ignore_ascii_case(month))
        .ok_or_else(invalid)?;
    let month = Month::try_from(u8::try_from(month_index + 1).map_err(|_| invalid())?)
        .map_err(|_| invalid())?;
    let day = parse_digits(day, 1..=2).ok_or_else(invalid)?;
    let [hour, minute, second] = clock
        .split(':')
        .map(|part| parse_digits(part, 2..=2))
        .collect::<Option<Vec<_>>>()
        .as_deref()
        .and_then(|parts| <[u16; 3]>::try_from(parts).ok())
        .ok_or_else(invalid)?;
    if !(zone.eq_ignore_ascii_case("UTC") || zone.eq_ignore_ascii_case("GMT")) {
        return Err(invalid());
    }
    let year = parse_digits(year, 4..=4).ok_or_else(invalid)?;
    let date = Date::from_calendar_date(
        i32::from(year),
        month,
        u8::try_from(day).map_err(|_| invalid())?,
    )
    .map_err(|_| invalid())?;
    let time = Time::from_hms(
        u8::try_from(hour).map_err(|_| invalid())?,
        u8::try_from(minute).map_err(|_| invalid())?,
        u8::try_from(second).map_err(|_| invalid())?,
    )
    .map_err(|_| invalid())?;
    let unix_seconds = date.with_time(time).assume_utc().unix_timestamp();
    Ok(ParsedTimestamp {
        unix_seconds,
        canonical: format_timestamp(unix_seconds)?,
    })
}

fn parse_digits(text: &str, lengths: std::ops::RangeInclusive<usize>) -> Option<u16> {
    if !lengths.contains(&text.len()) || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_without_day_padding_on_a_24_hour_clock() {
        // 2024-07-04T13:05:09Z
        assert_eq!(
            format_timestamp(1_720_098_309).unwrap(),
            "Thu Jul 4 13:05:09 UTC 2024"
        );
    }

    #[test]
    fn parse_round_trips_and_canonicalises() {
        let parsed = parse_timestamp("Thu Jul 4 13:05:09 UTC 2024").unwrap();
        assert_eq!(parsed.unix_seconds, 1_720_098_309);
        assert_eq!(parsed.canonical, "Thu Jul 4 13:05:09 UTC 2024");
        // Accepted shape, but canonical form differs: the signature check will fail.
        let padded = parse_timestamp("thu JUL 04 13:05:09 GMT 2024").unwrap();
        assert_eq!(padded.canonical, "Thu Jul 4 13:05:09 UTC 2024");
        let wrong_weekday = parse_timestamp("Mon Jul 4 13:05:09 UTC 2024").unwrap();
        assert_eq!(wrong_weekday.canonical, "Thu Jul 4 13:05:09 UTC 2024");
    }

    #[test]
    fn parse_rejects_other_formats() {
        for bad in [
            "",
            "Thu Jul  4 13:05:09 UTC 2024",
            "Do Jul 4 13:05:09 UTC 2024",
            "Thu Juli 4 13:05:09 UTC 2024",
            "Thu Jul 4 1:05:09 UTC 2024",
            "Thu Jul 4 13:05:09 IST 2024",
            "Thu Jul 4 13:05:09 UTC 24",
            "Thu Jul 32 13:05:09 UTC 2024",
            "Thu Feb 30 13:05:09 UTC 2024",
            "Thu Jul 4 24:00:00 UTC 2024",
            "Thu Jul 4 13:05:09 +0000 2024",
            "Thu Jul 4 13:05:09 UTC 2024 ",
            "2024-07-04T13:05:09Z",
        ] {
            assert_eq!(
                parse_timestamp(bad),
                Err(Error::InvalidTimestamp),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn out_of_range_clock_is_an_error() {
        assert_eq!(format_timestamp(i64::MAX), Err(Error::ClockOutOfRange));
        assert_eq!(
            format_timestamp(-62_200_000_000),
            Err(Error::ClockOutOfRange)
        );
    }
}
