//! The audit log: submissions withdrawn (deleted), by whom, when and why. The record keeps what
//! identified the submission (candidate, version, verdict, the bundle's digest) after it is gone.

use super::submissions::SubmissionRow;
use super::{Account, Store, StoreError, Visibility, new_id};
use sqlx::Row;

/// A submission withdrawn.
#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct Withdrawal {
    pub at: i64,
    pub login: String,
    pub submission_id: String,
    pub candidate_version: String,
    pub command: String,
    pub received_at: i64,
    pub verdict: String,
    pub bundle_sha256: String,
    pub reason: String,
}

/// The most characters of a withdrawal's reason kept.
pub(crate) const REASON_CHARS: usize = 500;

impl Store {
    /// Deletes a submission (its results and criteria with it) and records who withdrew it and
    /// why, at once.
    pub(crate) async fn withdraw_submission(
        &self,
        row: &SubmissionRow,
        by: &Account,
        reason: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        let reason: String = reason.trim().chars().filter(|c| !c.is_control()).take(REASON_CHARS).collect();
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO audit_log (id, at, account_id, login, action, submission_id, vendor_id, candidate_name, \
             candidate_version, command, received_at, verdict, bundle_sha256, reason) \
             VALUES ($1, $2, $3, $4, 'withdraw', $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .bind(new_id())
        .bind(now)
        .bind(&by.id)
        .bind(&by.login)
        .bind(&row.id)
        .bind(&row.vendor_id)
        .bind(&row.candidate_name)
        .bind(&row.candidate_version)
        .bind(&row.command)
        .bind(row.received_at)
        .bind(&row.verdict)
        .bind(&row.bundle_sha256)
        .bind(&reason)
        .execute(&mut *tx)
        .await?;
        for table in ["results", "criteria"] {
            sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {table} WHERE submission_id = $1")))
                .bind(&row.id)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query("DELETE FROM submissions WHERE id = $1").bind(&row.id).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The withdrawals of one candidate of one vendor that `vis` sees (evaluators, and the vendor
    /// itself), oldest first.
    pub(crate) async fn withdrawals(
        &self,
        vis: &Visibility,
        vendor_id: &str,
        candidate: &str,
    ) -> Result<Vec<Withdrawal>, StoreError> {
        let (all, vendor) = vis.binds();
        let rows = sqlx::query(
            "SELECT at, login, submission_id, candidate_version, command, received_at, verdict, bundle_sha256, reason \
             FROM audit_log WHERE ($1 = 1 OR vendor_id = $2) AND vendor_id = $3 AND candidate_name = $4 \
             AND action = 'withdraw' ORDER BY at, id LIMIT $5",
        )
        .bind(all)
        .bind(vendor)
        .bind(vendor_id)
        .bind(candidate)
        .bind(super::submissions::LIST_LIMIT)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Withdrawal {
                    at: r.try_get("at")?,
                    login: r.try_get("login")?,
                    submission_id: r.try_get("submission_id")?,
                    candidate_version: r.try_get("candidate_version")?,
                    command: r.try_get("command")?,
                    received_at: r.try_get("received_at")?,
                    verdict: r.try_get("verdict")?,
                    bundle_sha256: r.try_get("bundle_sha256")?,
                    reason: r.try_get("reason")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(Into::into)
    }
}
