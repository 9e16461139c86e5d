//! Failed sign-ins per login and per client address: after [`FAILURES_ALLOWED`] within
//! [`FAILURE_WINDOW_MS`], sign-ins for that login or from that address are refused until the oldest
//! of them leaves the window.

use super::{Store, StoreError};
use sqlx::Row;

/// Failed sign-ins a login or an address may have within the window.
pub(crate) const FAILURES_ALLOWED: usize = 5;
/// The window failures are counted over: 15 minutes.
pub(crate) const FAILURE_WINDOW_MS: i64 = 15 * 60 * 1000;

impl Store {
    /// Records a failed sign-in against each subject, and forgets failures past the window.
    pub(crate) async fn record_login_failure(&self, subjects: &[&str], now: i64) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM login_failures WHERE failed_at <= $1")
            .bind(now - FAILURE_WINDOW_MS)
            .execute(&mut *tx)
            .await?;
        for subject in subjects {
            sqlx::query("INSERT INTO login_failures (subject, failed_at) VALUES ($1, $2)")
                .bind(*subject)
                .bind(now)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// When sign-ins for `subject` are allowed again, if they are refused now: the time the
    /// [`FAILURES_ALLOWED`]-th most recent failure within the window leaves it.
    pub(crate) async fn login_refused_until(&self, subject: &str, now: i64) -> Result<Option<i64>, StoreError> {
        let rows = sqlx::query(
            "SELECT failed_at FROM login_failures WHERE subject = $1 AND failed_at > $2 ORDER BY failed_at DESC LIMIT $3",
        )
        .bind(subject)
        .bind(now - FAILURE_WINDOW_MS)
        .bind(i64::try_from(FAILURES_ALLOWED).unwrap_or(i64::MAX))
        .fetch_all(&self.pool)
        .await?;
        if rows.len() < FAILURES_ALLOWED {
            return Ok(None);
        }
        let oldest: i64 = rows.last().map(|r| r.try_get("failed_at")).transpose()?.unwrap_or(now);
        Ok(Some(oldest + FAILURE_WINDOW_MS))
    }

    /// Forgets a subject's failures (a login signed in with its password).
    pub(crate) async fn clear_login_failures(&self, subject: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM login_failures WHERE subject = $1").bind(subject).execute(&self.pool).await?;
        Ok(())
    }
}
