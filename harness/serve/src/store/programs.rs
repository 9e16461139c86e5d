//! Jurisdictions and programs: the PCTF criteria whose readiness they track.

use super::{Store, StoreError, new_id};
use sqlx::Row;

#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct Program {
    pub id: String,
    pub name: String,
    pub jurisdiction: String,
    /// Criterion ids; none: every criterion the submissions test.
    pub criteria: Vec<String>,
}

impl Store {
    pub(crate) async fn create_program(
        &self,
        name: &str,
        jurisdiction: &str,
        criteria: &[String],
        now: i64,
    ) -> Result<String, StoreError> {
        let id = new_id();
        sqlx::query("INSERT INTO programs (id, name, jurisdiction, criteria, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(&id)
            .bind(name)
            .bind(jurisdiction)
            .bind(criteria.join(" "))
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(id)
    }

    pub(crate) async fn programs(&self) -> Result<Vec<Program>, StoreError> {
        let rows = sqlx::query("SELECT id, name, jurisdiction, criteria FROM programs ORDER BY created_at, name")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                let criteria: String = r.try_get("criteria")?;
                Ok(Program {
                    id: r.try_get("id")?,
                    name: r.try_get("name")?,
                    jurisdiction: r.try_get("jurisdiction")?,
                    criteria: criteria.split_whitespace().map(str::to_string).collect(),
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(Into::into)
    }

    pub(crate) async fn program_name_exists(&self, name: &str) -> Result<bool, StoreError> {
        let row =
            sqlx::query("SELECT COUNT(*) AS n FROM programs WHERE name = $1").bind(name).fetch_one(&self.pool).await?;
        Ok(row.try_get::<i64, _>("n")? > 0)
    }
}
