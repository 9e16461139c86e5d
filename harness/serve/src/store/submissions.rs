//! Submissions: the bundle as received, what it says (candidate, verdict, counts), every result
//! and every PCTF criterion's status; and who may see which.

use super::{Store, StoreError, new_id};
use sqlx::Row;
use sqlx::any::AnyRow;

/// Which submissions a viewer sees. Every query about submissions takes it as `$1`, `$2`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Visibility {
    /// An evaluator: every submission.
    All,
    /// A vendor: its own, and what is published.
    Vendor(String),
    /// Anyone: what is published.
    Published,
}

impl Visibility {
    pub(super) fn binds(&self) -> (i64, &str) {
        match self {
            Visibility::All => (1, ""),
            Visibility::Vendor(id) => (0, id),
            Visibility::Published => (0, ""),
        }
    }

    /// Whether the full bundle (with the evidence) of a submission by `vendor_id` is theirs to see.
    pub fn sees_full(&self, vendor_id: &str) -> bool {
        match self {
            Visibility::All => true,
            Visibility::Vendor(id) => id == vendor_id,
            Visibility::Published => false,
        }
    }
}

const VISIBLE: &str = "($1 = 1 OR s.vendor_id = $2 OR s.published = 1)";

const COLUMNS: &str = "s.id, s.vendor_id, v.name AS vendor_name, s.received_at, s.candidate_name, s.candidate_vendor, \
     s.candidate_version, s.command, s.generated_at, s.dialtone_version, s.dialtone_commit, s.verdict, s.must_failures, \
     s.cases_judged, s.passed, s.failed, s.warned, s.signer_key_id, s.bundle_sha256, s.full_view, s.published";

/// A submission, without its bundle and report.
#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct SubmissionRow {
    pub id: String,
    pub vendor_id: String,
    pub vendor_name: String,
    pub received_at: i64,
    pub candidate_name: String,
    pub candidate_vendor: String,
    pub candidate_version: String,
    pub command: String,
    pub generated_at: String,
    pub dialtone_version: String,
    pub dialtone_commit: String,
    pub verdict: String,
    pub must_failures: i64,
    pub cases_judged: i64,
    pub passed: i64,
    pub failed: i64,
    pub warned: i64,
    pub signer_key_id: String,
    pub bundle_sha256: String,
    pub full_view: bool,
    pub published: bool,
}

/// The command of a submission of stored artifacts judged (`dialtone check --sign`).
pub(crate) const CHECK: &str = "check";

impl SubmissionRow {
    /// A `dialtone check` of stored artifacts, rather than a run of a plan against a candidate.
    pub fn is_check(&self) -> bool {
        self.command == CHECK
    }
}

fn submission(r: &AnyRow) -> Result<SubmissionRow, sqlx::Error> {
    Ok(SubmissionRow {
        id: r.try_get("id")?,
        vendor_id: r.try_get("vendor_id")?,
        vendor_name: r.try_get("vendor_name")?,
        received_at: r.try_get("received_at")?,
        candidate_name: r.try_get("candidate_name")?,
        candidate_vendor: r.try_get("candidate_vendor")?,
        candidate_version: r.try_get("candidate_version")?,
        command: r.try_get("command")?,
        generated_at: r.try_get("generated_at")?,
        dialtone_version: r.try_get("dialtone_version")?,
        dialtone_commit: r.try_get("dialtone_commit")?,
        verdict: r.try_get("verdict")?,
        must_failures: r.try_get("must_failures")?,
        cases_judged: r.try_get("cases_judged")?,
        passed: r.try_get("passed")?,
        failed: r.try_get("failed")?,
        warned: r.try_get("warned")?,
        signer_key_id: r.try_get("signer_key_id")?,
        bundle_sha256: r.try_get("bundle_sha256")?,
        full_view: r.try_get::<i64, _>("full_view")? != 0,
        published: r.try_get::<i64, _>("published")? != 0,
    })
}

/// One result of a submission.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub(crate) struct ResultRow {
    pub case_id: String,
    pub plan: String,
    pub level: String,
    pub verdict: String,
    pub title: String,
}

/// A verified bundle to record.
#[derive(Debug, Clone)]
pub(crate) struct NewSubmission {
    pub vendor_id: String,
    pub submitted_by: String,
    pub received_at: i64,
    pub candidate_name: String,
    pub candidate_vendor: String,
    pub candidate_version: String,
    pub command: String,
    pub generated_at: String,
    pub dialtone_version: String,
    pub dialtone_commit: String,
    pub verdict: String,
    pub must_failures: i64,
    pub cases_judged: i64,
    pub passed: i64,
    pub failed: i64,
    pub warned: i64,
    pub signer_key_id: String,
    pub bundle_sha256: String,
    pub full_view: bool,
    pub public_report: String,
    pub bundle: Vec<u8>,
    pub results: Vec<ResultRow>,
    /// (criterion id, status)
    pub criteria: Vec<(String, String)>,
}

/// Which submissions a list shows (empty: any).
#[derive(Debug, Clone, Default)]
pub(crate) struct Filter<'a> {
    pub vendor_id: &'a str,
    pub candidate: &'a str,
    pub version: &'a str,
}

/// The most a list shows.
pub(crate) const LIST_LIMIT: i64 = 1000;

impl Store {
    /// Records a submission, its results and criteria, at once.
    pub(crate) async fn insert_submission(&self, s: &NewSubmission) -> Result<String, StoreError> {
        let id = new_id();
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO submissions (id, vendor_id, submitted_by, received_at, candidate_name, candidate_vendor, \
             candidate_version, command, generated_at, dialtone_version, dialtone_commit, verdict, must_failures, \
             cases_judged, passed, failed, warned, signer_key_id, bundle_sha256, full_view, published, public_report, bundle) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, 0, $21, $22)",
        )
        .bind(&id)
        .bind(&s.vendor_id)
        .bind(&s.submitted_by)
        .bind(s.received_at)
        .bind(&s.candidate_name)
        .bind(&s.candidate_vendor)
        .bind(&s.candidate_version)
        .bind(&s.command)
        .bind(&s.generated_at)
        .bind(&s.dialtone_version)
        .bind(&s.dialtone_commit)
        .bind(&s.verdict)
        .bind(s.must_failures)
        .bind(s.cases_judged)
        .bind(s.passed)
        .bind(s.failed)
        .bind(s.warned)
        .bind(&s.signer_key_id)
        .bind(&s.bundle_sha256)
        .bind(i64::from(s.full_view))
        .bind(&s.public_report)
        .bind(&s.bundle)
        .execute(&mut *tx)
        .await?;
        for (position, r) in s.results.iter().enumerate() {
            sqlx::query(
                "INSERT INTO results (submission_id, position, case_id, plan, level, verdict, title) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(&id)
            .bind(i64::try_from(position).unwrap_or(i64::MAX))
            .bind(&r.case_id)
            .bind(&r.plan)
            .bind(&r.level)
            .bind(&r.verdict)
            .bind(&r.title)
            .execute(&mut *tx)
            .await?;
        }
        for (criterion, status) in &s.criteria {
            sqlx::query("INSERT INTO criteria (submission_id, criterion_id, status) VALUES ($1, $2, $3)")
                .bind(&id)
                .bind(criterion)
                .bind(status)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(id)
    }

    /// The submission of this bundle by this vendor, when it was submitted before.
    pub(crate) async fn submission_of_bundle(
        &self,
        vendor_id: &str,
        bundle_sha256: &str,
    ) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT id FROM submissions WHERE vendor_id = $1 AND bundle_sha256 = $2")
            .bind(vendor_id)
            .bind(bundle_sha256)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| r.try_get("id")).transpose()?)
    }

    /// The submissions `vis` sees, matching `filter`: by vendor, candidate and version, newest first
    /// within each (at most [`LIST_LIMIT`]).
    pub(crate) async fn submissions(
        &self,
        vis: &Visibility,
        filter: &Filter<'_>,
    ) -> Result<Vec<SubmissionRow>, StoreError> {
        let (all, vendor) = vis.binds();
        let sql = format!(
            "SELECT {COLUMNS} FROM submissions s JOIN vendors v ON v.id = s.vendor_id WHERE {VISIBLE} \
             AND ($3 = '' OR s.vendor_id = $3) AND ($4 = '' OR s.candidate_name = $4) AND ($5 = '' OR s.candidate_version = $5) \
             ORDER BY v.name, s.candidate_name, s.candidate_version, s.received_at DESC, s.id LIMIT $6"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(all)
            .bind(vendor)
            .bind(filter.vendor_id)
            .bind(filter.candidate)
            .bind(filter.version)
            .bind(LIST_LIMIT)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(submission).collect::<Result<_, _>>().map_err(Into::into)
    }

    /// The runs of one candidate of one vendor that `vis` sees, oldest first.
    pub(crate) async fn runs(
        &self,
        vis: &Visibility,
        vendor_id: &str,
        candidate: &str,
    ) -> Result<Vec<SubmissionRow>, StoreError> {
        let (all, vendor) = vis.binds();
        let sql = format!(
            "SELECT {COLUMNS} FROM submissions s JOIN vendors v ON v.id = s.vendor_id WHERE {VISIBLE} \
             AND s.vendor_id = $3 AND s.candidate_name = $4 ORDER BY s.received_at, s.id LIMIT $5"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(all)
            .bind(vendor)
            .bind(vendor_id)
            .bind(candidate)
            .bind(LIST_LIMIT)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(submission).collect::<Result<_, _>>().map_err(Into::into)
    }

    /// The submissions `vis` sees that `row` is compared with, oldest first: the runs of its
    /// candidate; for a `check` of stored artifacts (whose "candidate" only counts the files),
    /// every check of its vendor.
    pub(crate) async fn series(&self, vis: &Visibility, row: &SubmissionRow) -> Result<Vec<SubmissionRow>, StoreError> {
        if !row.is_check() {
            return self.runs(vis, &row.vendor_id, &row.candidate_name).await;
        }
        let (all, vendor) = vis.binds();
        let sql = format!(
            "SELECT {COLUMNS} FROM submissions s JOIN vendors v ON v.id = s.vendor_id WHERE {VISIBLE} \
             AND s.vendor_id = $3 AND s.command = $4 ORDER BY s.received_at, s.id LIMIT $5"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(all)
            .bind(vendor)
            .bind(&row.vendor_id)
            .bind(CHECK)
            .bind(LIST_LIMIT)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(submission).collect::<Result<_, _>>().map_err(Into::into)
    }

    /// A submission `vis` sees.
    pub(crate) async fn submission(&self, vis: &Visibility, id: &str) -> Result<Option<SubmissionRow>, StoreError> {
        let (all, vendor) = vis.binds();
        let sql = format!(
            "SELECT {COLUMNS} FROM submissions s JOIN vendors v ON v.id = s.vendor_id WHERE {VISIBLE} AND s.id = $3"
        );
        let row =
            sqlx::query(sqlx::AssertSqlSafe(sql)).bind(all).bind(vendor).bind(id).fetch_optional(&self.pool).await?;
        row.as_ref().map(submission).transpose().map_err(Into::into)
    }

    pub(crate) async fn public_report(&self, id: &str) -> Result<String, StoreError> {
        let row =
            sqlx::query("SELECT public_report FROM submissions WHERE id = $1").bind(id).fetch_one(&self.pool).await?;
        Ok(row.try_get("public_report")?)
    }

    pub(crate) async fn bundle(&self, id: &str) -> Result<Vec<u8>, StoreError> {
        let row = sqlx::query("SELECT bundle FROM submissions WHERE id = $1").bind(id).fetch_one(&self.pool).await?;
        Ok(row.try_get("bundle")?)
    }

    pub(crate) async fn results(&self, id: &str) -> Result<Vec<ResultRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT case_id, plan, level, verdict, title FROM results WHERE submission_id = $1 ORDER BY position",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ResultRow {
                    case_id: r.try_get("case_id")?,
                    plan: r.try_get("plan")?,
                    level: r.try_get("level")?,
                    verdict: r.try_get("verdict")?,
                    title: r.try_get("title")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(Into::into)
    }

    /// Every criterion's status in a submission's report.
    pub(crate) async fn criteria(&self, id: &str) -> Result<Vec<(String, String)>, StoreError> {
        let rows =
            sqlx::query("SELECT criterion_id, status FROM criteria WHERE submission_id = $1 ORDER BY criterion_id")
                .bind(id)
                .fetch_all(&self.pool)
                .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("criterion_id")?, r.try_get("status")?)))
            .collect::<Result<_, sqlx::Error>>()
            .map_err(Into::into)
    }

    pub(crate) async fn set_published(&self, id: &str, published: bool) -> Result<(), StoreError> {
        sqlx::query("UPDATE submissions SET published = $1 WHERE id = $2")
            .bind(i64::from(published))
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
