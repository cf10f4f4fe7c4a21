//! Days as numbers: the evaluator counts in whole calendar days.
//!
//! Calendar arithmetic (months, years, leap days) is jiff's; a [`Day`] is only a day number
//! that is cheap to compare, hash and step.

use std::fmt;

use jiff::ToSpan;
use jiff::civil::Date;

use casus_syntax::ast::{Duration, Unit};

/// A day of the proleptic Gregorian calendar, counted from 1970-01-01.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(pub i32);

const EPOCH: Date = jiff::civil::date(1970, 1, 1);

impl Day {
    /// The day of a calendar date.
    pub fn from_date(date: Date) -> Day {
        let days = EPOCH.until((jiff::Unit::Day, date)).map_or(0, |s| s.get_days());
        Day(days)
    }

    /// The calendar date of this day.
    pub fn date(self) -> Date {
        EPOCH.checked_add(i64::from(self.0).days()).unwrap_or(if self.0 < 0 { Date::MIN } else { Date::MAX })
    }

    /// Parses `YYYY-MM-DD`, refusing days that do not exist.
    pub fn parse(text: &str) -> Result<Day, String> {
        let shaped = text.len() == 10
            && text.bytes().enumerate().all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() });
        if !shaped {
            return Err(format!("`{text}` is not a date: dates are written YYYY-MM-DD"));
        }
        let num = |r: std::ops::Range<usize>| text.get(r).and_then(|s| s.parse::<i16>().ok()).unwrap_or(0);
        Date::new(num(0..4), num(5..7) as i8, num(8..10) as i8)
            .map(Day::from_date)
            .map_err(|_| format!("`{text}` is not a date that exists"))
    }

    /// The day after.
    pub fn next(self) -> Day {
        Day(self.0.saturating_add(1))
    }

    /// This day plus a calendar duration: `2024-01-31` plus one month is `2024-02-29`.
    pub fn plus(self, d: Duration) -> Day {
        let amount = i64::from(d.amount);
        let span = match d.unit {
            Unit::Days => {
                return Day(self.0.saturating_add(i32::try_from(amount).unwrap_or(i32::MAX)));
            }
            Unit::Months => amount.months(),
            Unit::Years => amount.years(),
        };
        self.date().checked_add(span).map_or(Day(i32::MAX / 2), Day::from_date)
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.date();
        write!(f, "{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
    }
}

impl serde::Serialize for Day {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_round_trip_through_dates() {
        for text in ["1839-04-19", "1914-07-28", "1970-01-01", "2024-02-29", "2024-12-04"] {
            assert_eq!(Day::parse(text).unwrap().to_string(), text);
        }
        assert_eq!(Day::parse("1970-01-02").unwrap(), Day(1));
    }

    #[test]
    fn calendar_durations_follow_the_calendar() {
        let d = Day::parse("2024-01-31").unwrap();
        assert_eq!(d.plus(Duration { amount: 1, unit: Unit::Months }).to_string(), "2024-02-29");
        assert_eq!(d.plus(Duration { amount: 1, unit: Unit::Years }).to_string(), "2025-01-31");
        assert_eq!(d.plus(Duration { amount: 30, unit: Unit::Days }).to_string(), "2024-03-01");
    }

    #[test]
    fn impossible_dates_are_refused() {
        assert!(Day::parse("2024-02-30").is_err());
        assert!(Day::parse("2023-02-29").is_err());
        assert!(Day::parse("24-02-01").is_err());
    }
}
