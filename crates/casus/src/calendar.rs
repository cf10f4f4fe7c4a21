//! Days and runs of days: the evaluator counts in whole calendar days.
//!
//! Calendar arithmetic (months, years, leap days) is jiff's; a [`Day`] is only a day number
//! that is cheap to compare, hash and step. An [`Interval`] is a half-open run of days
//! `[from, until)`, as the report gives it, with the arithmetic of runs (meeting, joining,
//! cutting) and the one way casus puts a run of days in words.

use std::fmt;

use jiff::civil::Date;

use casus_syntax::ast::{Duration, Unit};

/// A day of the proleptic Gregorian calendar, counted from 1970-01-01.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(pub i32);

const EPOCH: Date = jiff::civil::date(1970, 1, 1);

impl Day {
    /// The last day casus counts, 9999-12-31: the last of jiff's calendar, and the last a
    /// date written `YYYY-MM-DD` can name. A day computed past it (a deadline from 9999-12-15
    /// plus a month) is never shown as a wrong date: in words it is `after 9999-12-31`, and an
    /// evaluation whose report would hold one is refused.
    pub const LAST: Day = Day(2_932_896);

    /// The first day casus can show, -9999-01-01, jiff's first.
    pub const FIRST: Day = Day(-4_371_587);

    /// The day of a calendar date.
    pub fn from_date(date: Date) -> Day {
        let days = EPOCH.until((jiff::Unit::Day, date)).map_or(0, |s| s.get_days());
        Day(days)
    }

    /// The calendar date of this day; a day outside the calendar is given its nearest end.
    pub fn date(self) -> Date {
        // The UTC date of the day's first second is jiff's day-number conversion, much cheaper
        // than adding a span of days; it reaches all but the calendar's first day.
        if let Ok(t) = jiff::Timestamp::from_second(i64::from(self.0) * 86_400) {
            return jiff::tz::Offset::UTC.to_datetime(t).date();
        }
        self.date_by_span()
    }

    /// The calendar date of this day by adding its days to 1970-01-01.
    fn date_by_span(self) -> Date {
        jiff::Span::new()
            .try_days(i64::from(self.0))
            .ok()
            .and_then(|span| EPOCH.checked_add(span).ok())
            .unwrap_or(if self.0 < 0 { Date::MIN } else { Date::MAX })
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

    /// This day plus a calendar duration: `2024-01-31` plus one month is `2024-02-29`. A day
    /// past the calendar is the day after [`Day::LAST`], or later.
    pub fn plus(self, d: Duration) -> Day {
        let amount = i64::from(d.amount);
        let beyond = Day(self.0.max(Day::LAST.0).saturating_add(1));
        let span = match d.unit {
            Unit::Days => {
                return Day(self.0.saturating_add(i32::try_from(amount).unwrap_or(i32::MAX)));
            }
            Unit::Months => jiff::Span::new().try_months(amount),
            Unit::Years => jiff::Span::new().try_years(amount),
        };
        if self > Day::LAST {
            return beyond;
        }
        span.ok().and_then(|span| self.date().checked_add(span).ok()).map_or(beyond, Day::from_date)
    }
}

/// `2024-12-04`; a day past the calendar is `after 9999-12-31`, one before it
/// `before -9999-01-01`.
impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if *self > Day::LAST {
            return f.write_str("after 9999-12-31");
        }
        if *self < Day::FIRST {
            return f.write_str("before -9999-01-01");
        }
        let d = self.date();
        write!(f, "{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
    }
}

impl Day {
    /// The day as `YYYY-MM-DD`, written digit by digit (a report holds millions of dates); `None`
    /// outside the years 0000 to 9999, which are written otherwise.
    pub fn iso(self) -> Option<[u8; 10]> {
        if !(Day::FIRST..=Day::LAST).contains(&self) {
            return None;
        }
        let d = self.date();
        let (y, m, day) = (u16::try_from(d.year()).ok()?, u16::try_from(d.month()).ok()?, u16::try_from(d.day()).ok()?);
        let digit = |n: u16| b'0' + (n % 10) as u8;
        Some([
            digit(y / 1000),
            digit(y / 100),
            digit(y / 10),
            digit(y),
            b'-',
            digit(m / 10),
            digit(m),
            b'-',
            digit(day / 10),
            digit(day),
        ])
    }
}

impl serde::Serialize for Day {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.iso() {
            Some(text) => s.serialize_str(std::str::from_utf8(&text).unwrap_or_default()),
            None => s.collect_str(self),
        }
    }
}

/// A half-open run of days `[from, until)`; `until: None` runs past the horizon. In the JSON
/// report, `{"from": "2024-12-04", "until": null}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct Interval {
    /// The first day.
    pub from: Day,
    /// The first day after, if any.
    pub until: Option<Day>,
}

impl Interval {
    /// Every day.
    pub fn always() -> Interval {
        Interval { from: Day(i32::MIN), until: None }
    }

    /// The run a declaration's `from` and `until` give: from the first day of time when it
    /// has no `from`.
    pub fn between(from: Option<Day>, until: Option<Day>) -> Interval {
        Interval { from: from.unwrap_or(Day(i32::MIN)), until }
    }

    /// Whether the interval holds on `day`.
    pub fn contains(&self, day: Day) -> bool {
        self.from <= day && self.until.is_none_or(|u| day < u)
    }

    /// The days both intervals hold, if any.
    pub fn intersect(&self, other: &Interval) -> Option<Interval> {
        let from = self.from.max(other.from);
        let until = match (self.until, other.until) {
            (Some(x), Some(y)) => Some(x.min(y)),
            (x, None) | (None, x) => x,
        };
        until.is_none_or(|u| from < u).then_some(Interval { from, until })
    }

    /// Whether the intervals share a day.
    pub fn overlaps(&self, other: &Interval) -> bool {
        self.intersect(other).is_some()
    }

    /// This interval without the days of `cuts`, in pieces.
    pub fn subtract(self, cuts: &[Interval]) -> Vec<Interval> {
        let mut pieces = vec![self];
        for c in cuts {
            let mut next = Vec::new();
            for p in pieces {
                let Some(x) = p.intersect(c) else {
                    next.push(p);
                    continue;
                };
                if p.from < x.from {
                    next.push(Interval { from: p.from, until: Some(x.from) });
                }
                if let Some(xu) = x.until
                    && p.until.is_none_or(|pu| xu < pu)
                {
                    next.push(Interval { from: xu, until: p.until });
                }
            }
            pieces = next;
        }
        pieces
    }

    /// Overlapping or adjacent intervals joined into maximal runs, in order.
    pub fn merge(mut intervals: Vec<Interval>) -> Vec<Interval> {
        intervals.sort();
        let mut out: Vec<Interval> = Vec::new();
        for i in intervals {
            match out.last_mut() {
                Some(last) if last.until.is_none_or(|u| i.from <= u) => {
                    last.until = match (last.until, i.until) {
                        (Some(a), Some(b)) => Some(a.max(b)),
                        _ => None,
                    };
                }
                _ => out.push(i),
            }
        }
        out
    }

    /// The last day, for an interval that ends.
    pub fn last(&self) -> Option<Day> {
        self.until.map(|u| Day(u.0 - 1))
    }
}

/// A run of days in words, the one way casus writes one for people: `on 2024-10-23` for a
/// single day, `from 2024-08-06 to 2025-04-25` with the last day (where the JSON report's
/// `until` is the first day after), `since 2024-12-04` while it lasts.
impl fmt::Display for Interval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.last() {
            Some(last) if last == self.from => write!(f, "on {}", self.from),
            Some(last) => write!(f, "from {} to {last}", self.from),
            None => write!(f, "since {}", self.from),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_is_serialised_as_it_is_displayed() {
        let days = [Day::FIRST.0 - 1, Day::FIRST.0, -719_162, -719_163, -1, 0, 19_723, Day::LAST.0, Day::LAST.0 + 1];
        for d in days.into_iter().chain((Day::FIRST.0..Day::LAST.0).step_by(9_973)) {
            let json = serde_json::to_string(&Day(d)).unwrap();
            assert_eq!(json, format!("\"{}\"", Day(d)), "day {d}");
        }
    }

    #[test]
    fn a_day_has_the_same_date_by_day_number_as_by_adding_days() {
        let edges = [Day::FIRST.0, Day::FIRST.0 + 1, -1, 0, 1, 11_016, 19_723, Day::LAST.0 - 1, Day::LAST.0];
        // Every day of four centuries (leap years by 4, 100 and 400), and the calendar's ends.
        let days = (-200_000..=-53_900).step_by(1).chain(edges).chain((Day::FIRST.0..Day::LAST.0).step_by(997));
        for d in days {
            assert_eq!(Day(d).date(), Day(d).date_by_span(), "day {d}");
        }
    }

    #[test]
    fn the_calendar_ends_where_jiff_ends_and_beyond_it_is_said_so() {
        assert_eq!(Day::from_date(Date::MAX), Day::LAST);
        assert_eq!(Day::from_date(Date::MIN), Day::FIRST);
        assert_eq!(Day::LAST.to_string(), "9999-12-31");
        let late = Day::parse("9999-12-15").unwrap();
        let month = Duration { amount: 1, unit: Unit::Months };
        assert!(late.plus(month) > Day::LAST);
        assert_eq!(late.plus(month).to_string(), "after 9999-12-31");
        assert_eq!(late.plus(Duration { amount: 30, unit: Unit::Days }).to_string(), "after 9999-12-31");
        // Durations jiff cannot hold, and sums past the end, never panic.
        assert!(late.plus(Duration { amount: u32::MAX, unit: Unit::Years }) > Day::LAST);
        assert!(Day(i32::MAX).plus(month) > Day::LAST);
        assert_eq!(Day(i32::MIN).to_string(), "before -9999-01-01");
        assert_eq!(Day(i32::MAX).date(), Date::MAX);
    }

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
    fn runs_of_days_are_put_in_words_with_their_last_day() {
        let d = |t: &str| Day::parse(t).unwrap();
        let one = Interval { from: d("2024-10-23"), until: Some(d("2024-10-24")) };
        let run = Interval { from: d("2024-08-06"), until: Some(d("2025-04-26")) };
        let open = Interval { from: d("2024-12-04"), until: None };
        assert_eq!(one.to_string(), "on 2024-10-23");
        assert_eq!(run.to_string(), "from 2024-08-06 to 2025-04-25");
        assert_eq!(open.to_string(), "since 2024-12-04");
    }

    #[test]
    fn intervals_meet_join_and_cut() {
        let i = |a: i32, b: Option<i32>| Interval { from: Day(a), until: b.map(Day) };
        assert_eq!(i(0, Some(10)).intersect(&i(5, None)), Some(i(5, Some(10))));
        assert_eq!(i(0, Some(5)).intersect(&i(5, None)), None);
        assert_eq!(Interval::merge(vec![i(5, Some(8)), i(0, Some(5)), i(9, None)]), vec![i(0, Some(8)), i(9, None)]);
        assert_eq!(i(0, None).subtract(&[i(3, Some(5))]), vec![i(0, Some(3)), i(5, None)]);
    }

    #[test]
    fn impossible_dates_are_refused() {
        assert!(Day::parse("2024-02-30").is_err());
        assert!(Day::parse("2023-02-29").is_err());
        assert!(Day::parse("24-02-01").is_err());
    }
}
