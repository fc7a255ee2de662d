//! Cognito's lockout: five failed sign-ins are free, then each further failure
//! locks the user for a time that starts at 1 s and doubles up to about 15
//! minutes. Attempts during a lock are refused without being checked ("Password
//! attempts exceeded") and do not count; 15 quiet minutes forgive everything.
//!
//! Kept in memory: a restart forgives, which only makes the emulator kinder.

use std::collections::HashMap;

/// Failures that cost nothing.
const FREE_FAILURES: u32 = 5;
/// The longest lock, and the quiet time that resets the count.
const MAX_LOCK_SECONDS: i64 = 900;

#[derive(Debug, Default, Clone, Copy)]
struct Record {
    failures: u32,
    last_failure: i64,
    locked_until: i64,
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
        match self.records.get(&key) {
            Some(record) if now - record.last_failure >= MAX_LOCK_SECONDS => {
                self.records.remove(&key);
                false
            }
            Some(record) => now < record.locked_until,
            None => false,
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
    fn quiet_time_forgives() {
        let mut lockout = Lockout::default();
        for _ in 0..9 {
            lockout.record_failure("p", "u", 0);
        }
        assert!(lockout.is_locked("p", "u", 10));
        assert!(!lockout.is_locked("p", "u", MAX_LOCK_SECONDS));
    }
}
