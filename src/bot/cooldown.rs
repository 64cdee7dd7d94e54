//! Per-member cooldown: at most N questions in a sliding minute.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Counts each member's recent questions.
#[derive(Debug)]
pub struct Cooldown {
    limit: usize,
    window: Duration,
    recent: Mutex<HashMap<u64, VecDeque<Instant>>>,
}

impl Cooldown {
    /// At most `limit` questions per member in any `window`.
    pub fn new(limit: usize, window: Duration) -> Self {
        Self {
            limit: limit.max(1),
            window,
            recent: Mutex::new(HashMap::new()),
        }
    }

    /// Counts a question by `user` at `now`; `Err(wait)` when over the limit (not counted), with
    /// how long until the next question is allowed.
    pub fn check(&self, user: u64, now: Instant) -> Result<(), Duration> {
        let mut recent = self
            .recent
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // Forget members who have been quiet for a whole window, so the map stays small.
        if recent.len() > 10_000 {
            recent.retain(|_, times| {
                times
                    .back()
                    .is_some_and(|t| now.duration_since(*t) < self.window)
            });
        }
        let times = recent.entry(user).or_default();
        while times
            .front()
            .is_some_and(|t| now.duration_since(*t) >= self.window)
        {
            times.pop_front();
        }
        if times.len() >= self.limit {
            let oldest = times.front().copied().unwrap_or(now);
            return Err(self.window.saturating_sub(now.duration_since(oldest)));
        }
        times.push_back(now);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sixth_question_in_a_minute_waits_and_others_are_unaffected() {
        let cooldown = Cooldown::new(5, Duration::from_mins(1));
        let start = Instant::now();
        for i in 0..5 {
            assert!(cooldown.check(1, start + Duration::from_secs(i)).is_ok());
        }
        let wait = cooldown
            .check(1, start + Duration::from_secs(10))
            .unwrap_err();
        assert_eq!(wait, Duration::from_secs(50));
        assert!(cooldown.check(2, start + Duration::from_secs(10)).is_ok());
        assert!(cooldown.check(1, start + Duration::from_secs(61)).is_ok());
    }
}
