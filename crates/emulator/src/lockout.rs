//! Cognito's lockout: five failed sign-ins are free, then each further failure
//! locks the user for a time that starts at 1 s and doubles up to about 15
//! minutes. Attempts during a lock are refused without being checked ("Password
//! attempts exceeded") and do not count; 15 quiet minutes forgive everything.
//!
//! Kept in memory: a restart forgives, which only makes the emulator kinder.
//!
//! The check and the count are one step: an [`Attempt`] is admitted under the
//! lock only while the failures counted plus the attempts still being checked
//! cannot pass the free allowance, so parallel guesses cannot all pass the check
//! before the first of them is counted.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

/// Failures that cost nothing.
const FREE_FAILURES: u32 = 5;
/// The longest lock, and the quiet time that resets the count.
const MAX_LOCK_SECONDS: i64 = 900;

#[derive(Debug, Default, Clone, Copy)]
struct Record {
    failures: u32,
    last_failure: i64,
    locked_until: i64,
    /// Attempts admitted and not yet decided.
    in_flight: u32,
}

/// Failure counts per (pool, internal username).
#[derive(Debug, Default)]
pub struct Lockout {
    records: HashMap<(String, String), Record>,
}

impl Lockout {
    /// Whether the user is locked now.
    pub fn is_locked(&mut self, pool_id: &str, username: &str, now: i64) -> bool {
        let key = (pool_id.to_owned(), username.to_owned());
        let Some(record) = self.records.get_mut(&key) else {
            return false;
        };
        if record.failures > 0 && now - record.last_failure >= MAX_LOCK_SECONDS {
            // Quiet long enough: the failures are forgiven, attempts in flight stay.
            if record.in_flight == 0 {
                self.records.remove(&key);
            } else {
                *record = Record {
                    in_flight: record.in_flight,
                    ..Record::default()
                };
            }
            return false;
        }
        now < record.locked_until
    }

    /// Whether one more attempt may be checked now: not during a lock, and not
    /// while the attempts being checked could, by failing, use up what is left
    /// of the free allowance (one at a time once it is used up).
    fn admit(&mut self, pool_id: &str, username: &str, now: i64) -> bool {
        if self.is_locked(pool_id, username, now) {
            return false;
        }
        let record = self
            .records
            .entry((pool_id.to_owned(), username.to_owned()))
            .or_default();
        let allowed = FREE_FAILURES.saturating_sub(record.failures).max(1);
        if record.in_flight >= allowed {
            return false;
        }
        record.in_flight += 1;
        true
    }

    /// An admitted attempt is decided (or abandoned).
    fn settle(&mut self, pool_id: &str, username: &str) {
        if let Some(record) = self
            .records
            .get_mut(&(pool_id.to_owned(), username.to_owned()))
        {
            record.in_flight = record.in_flight.saturating_sub(1);
        }
    }

    /// Counts a failure.
    pub fn record_failure(&mut self, pool_id: &str, username: &str, now: i64) {
        let record = self
            .records
            .entry((pool_id.to_owned(), username.to_owned()))
            .or_default();
        record.failures = record.failures.saturating_add(1);
        record.last_failure = now;
        if record.failures >= FREE_FAILURES {
            let doublings = (record.failures - FREE_FAILURES).min(10);
            let lock = (1_i64 << doublings).min(MAX_LOCK_SECONDS);
            record.locked_until = now + lock;
        }
    }

    /// A success forgives.
    pub fn record_success(&mut self, pool_id: &str, username: &str) {
        self.records
            .remove(&(pool_id.to_owned(), username.to_owned()));
    }
}

fn guard(lockout: &Mutex<Lockout>) -> MutexGuard<'_, Lockout> {
    crate::lock(lockout)
}

/// One password check of one user, admitted by [`Attempt::begin`]. Dropped
/// without [`Attempt::failed`] or [`Attempt::succeeded`] (a malformed answer, say),
/// it counts for nothing.
#[derive(Debug)]
pub struct Attempt<'a> {
    lockout: &'a Mutex<Lockout>,
    pool_id: String,
    username: String,
    /// Failed or succeeded was called.
    settled: bool,
}

impl<'a> Attempt<'a> {
    /// Admits an attempt, or `None` when the user is locked (or the attempts
    /// in flight may lock them): answer "Password attempts exceeded".
    pub fn begin(
        lockout: &'a Mutex<Lockout>,
        pool_id: &str,
        username: &str,
        now: i64,
    ) -> Option<Self> {
        guard(lockout).admit(pool_id, username, now).then(|| Self {
            lockout,
            pool_id: pool_id.to_owned(),
            username: username.to_owned(),
            settled: false,
        })
    }

    /// The password was wrong.
    pub fn failed(mut self, now: i64) {
        let mut lockout = guard(self.lockout);
        lockout.settle(&self.pool_id, &self.username);
        lockout.record_failure(&self.pool_id, &self.username, now);
        self.settled = true;
    }

    /// The password was right: everything is forgiven.
    pub fn succeeded(mut self) {
        guard(self.lockout).record_success(&self.pool_id, &self.username);
        self.settled = true;
    }
}

impl Drop for Attempt<'_> {
    fn drop(&mut self) {
        if !self.settled {
            guard(self.lockout).settle(&self.pool_id, &self.username);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_failures_are_free_then_locks_double() {
        let mut lockout = Lockout::default();
        for _ in 0..4 {
            lockout.record_failure("p", "u", 100);
            assert!(!lockout.is_locked("p", "u", 100));
        }
        lockout.record_failure("p", "u", 100);
        assert!(lockout.is_locked("p", "u", 100));
        assert!(!lockout.is_locked("p", "u", 101));
        lockout.record_failure("p", "u", 101);
        assert!(lockout.is_locked("p", "u", 102));
        assert!(!lockout.is_locked("p", "u", 103));
        lockout.record_success("p", "u");
        assert!(!lockout.is_locked("p", "u", 103));
    }

    #[test]
    fn parallel_attempts_cannot_outrun_the_count() {
        let lockout = Mutex::new(Lockout::default());
        let admitted: Vec<_> = (0..16)
            .filter_map(|_| Attempt::begin(&lockout, "p", "u", 100))
            .collect();
        assert_eq!(admitted.len(), 5);
        for attempt in admitted {
            attempt.failed(100);
        }
        assert!(Attempt::begin(&lockout, "p", "u", 100).is_none());
        // An abandoned attempt (a malformed answer) counts for nothing.
        let abandoned = Attempt::begin(&lockout, "p", "u", 101);
        assert!(abandoned.is_some());
        drop(abandoned);
        let retried = Attempt::begin(&lockout, "p", "u", 101).unwrap();
        retried.succeeded();
        assert!(!guard(&lockout).is_locked("p", "u", 101));
    }

    #[test]
    fn quiet_time_forgives() {
        let mut lockout = Lockout::default();
        for _ in 0..9 {
            lockout.record_failure("p", "u", 0);
        }
        assert!(lockout.is_locked("p", "u", 10));
        assert!(!lockout.is_locked("p", "u", MAX_LOCK_SECONDS));
    }
}
