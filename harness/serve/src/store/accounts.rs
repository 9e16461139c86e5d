//! Vendors, accounts, sessions, API tokens and vendors' signing keys.

use super::{Store, StoreError, new_id};
use sqlx::Row;
use sqlx::any::AnyRow;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Role {
    /// Sees every submission, manages accounts and programs.
    Evaluator,
    /// Sees and submits its vendor's submissions, and what is published.
    Vendor { vendor_id: String, vendor_name: String },
}

#[derive(Debug, Clone)]
pub(crate) struct Account {
    pub id: String,
    pub login: String,
    pub role: Role,
}

impl Account {
    pub fn is_evaluator(&self) -> bool {
        self.role == Role::Evaluator
    }

    pub fn vendor_id(&self) -> Option<&str> {
        match &self.role {
            Role::Vendor { vendor_id, .. } => Some(vendor_id),
            Role::Evaluator => None,
        }
    }
}

#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct Vendor {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct SigningKeyRow {
    pub key_id: String,
    pub added_at: i64,
}

#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct ApiToken {
    pub label: String,
    pub created_at: i64,
    /// The first characters of its digest, to tell tokens apart.
    pub fingerprint: String,
}

const ACCOUNT_COLUMNS: &str = "a.id, a.login, a.role, a.vendor_id, v.name AS vendor_name";

fn account(row: &AnyRow) -> Result<Account, sqlx::Error> {
    let role: String = row.try_get("role")?;
    let vendor_id: Option<String> = row.try_get("vendor_id")?;
    let vendor_name: Option<String> = row.try_get("vendor_name")?;
    let role = match (role.as_str(), vendor_id, vendor_name) {
        ("vendor", Some(vendor_id), Some(vendor_name)) => Role::Vendor { vendor_id, vendor_name },
        _ => Role::Evaluator,
    };
    Ok(Account { id: row.try_get("id")?, login: row.try_get("login")?, role })
}

impl Store {
    pub(crate) async fn count_evaluators(&self) -> Result<i64, StoreError> {
        let row =
            sqlx::query("SELECT COUNT(*) AS n FROM accounts WHERE role = 'evaluator'").fetch_one(&self.pool).await?;
        Ok(row.try_get("n")?)
    }

    pub(crate) async fn create_vendor(&self, name: &str, now: i64) -> Result<Vendor, StoreError> {
        let id = new_id();
        sqlx::query("INSERT INTO vendors (id, name, created_at) VALUES ($1, $2, $3)")
            .bind(&id)
            .bind(name)
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(Vendor { id, name: name.to_string() })
    }

    pub(crate) async fn vendors(&self) -> Result<Vec<Vendor>, StoreError> {
        let rows = sqlx::query("SELECT id, name FROM vendors ORDER BY name").fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| Ok(Vendor { id: r.try_get("id")?, name: r.try_get("name")? }))
            .collect::<Result<_, sqlx::Error>>()
            .map_err(Into::into)
    }

    pub(crate) async fn vendor(&self, id: &str) -> Result<Option<Vendor>, StoreError> {
        let row = sqlx::query("SELECT id, name FROM vendors WHERE id = $1").bind(id).fetch_optional(&self.pool).await?;
        row.map(|r| Ok(Vendor { id: r.try_get("id")?, name: r.try_get("name")? }))
            .transpose()
            .map_err(|e: sqlx::Error| e.into())
    }

    /// A new account; `vendor_id` for a vendor's.
    pub(crate) async fn create_account(
        &self,
        login: &str,
        password_hash: &str,
        vendor_id: Option<&str>,
        now: i64,
    ) -> Result<String, StoreError> {
        let id = new_id();
        let role = if vendor_id.is_some() { "vendor" } else { "evaluator" };
        sqlx::query(
            "INSERT INTO accounts (id, login, password_hash, role, vendor_id, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&id)
        .bind(login)
        .bind(password_hash)
        .bind(role)
        .bind(vendor_id)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(id)
    }

    pub(crate) async fn login_exists(&self, login: &str) -> Result<bool, StoreError> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM accounts WHERE login = $1")
            .bind(login)
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get::<i64, _>("n")? > 0)
    }

    /// The account with `login`, and its password hash.
    pub(crate) async fn account_by_login(&self, login: &str) -> Result<Option<(Account, String)>, StoreError> {
        let row = sqlx::query(
            "SELECT a.id, a.login, a.role, a.vendor_id, v.name AS vendor_name, a.password_hash \
             FROM accounts a LEFT JOIN vendors v ON v.id = a.vendor_id WHERE a.login = $1",
        )
        .bind(login)
        .fetch_optional(&self.pool)
        .await?;
        match row {
            None => Ok(None),
            Some(r) => Ok(Some((account(&r)?, r.try_get("password_hash")?))),
        }
    }

    pub(crate) async fn set_password(&self, account_id: &str, password_hash: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE accounts SET password_hash = $1 WHERE id = $2")
            .bind(password_hash)
            .bind(account_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub(crate) async fn accounts(&self) -> Result<Vec<Account>, StoreError> {
        let sql = "SELECT a.id, a.login, a.role, a.vendor_id, v.name AS vendor_name \
                   FROM accounts a LEFT JOIN vendors v ON v.id = a.vendor_id ORDER BY a.login";
        let rows = sqlx::query(sql).fetch_all(&self.pool).await?;
        rows.iter().map(account).collect::<Result<_, _>>().map_err(Into::into)
    }

    pub(crate) async fn create_session(
        &self,
        token_sha256: &str,
        account_id: &str,
        csrf_token: &str,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        // Sessions that have ended go when a new one begins.
        sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(expires_at - crate::web::SESSION_MS)
            .execute(&self.pool)
            .await?;
        sqlx::query("INSERT INTO sessions (token_sha256, account_id, csrf_token, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(token_sha256)
            .bind(account_id)
            .bind(csrf_token)
            .bind(expires_at)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The account and CSRF token of a session that has not expired.
    pub(crate) async fn session(&self, token_sha256: &str, now: i64) -> Result<Option<(Account, String)>, StoreError> {
        let sql = format!(
            "SELECT {ACCOUNT_COLUMNS}, s.csrf_token FROM sessions s JOIN accounts a ON a.id = s.account_id \
             LEFT JOIN vendors v ON v.id = a.vendor_id WHERE s.token_sha256 = $1 AND s.expires_at > $2"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(token_sha256).bind(now).fetch_optional(&self.pool).await?;
        match row {
            None => Ok(None),
            Some(r) => Ok(Some((account(&r)?, r.try_get("csrf_token")?))),
        }
    }

    pub(crate) async fn end_session(&self, token_sha256: &str, now: i64) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE token_sha256 = $1 OR expires_at <= $2")
            .bind(token_sha256)
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub(crate) async fn create_api_token(
        &self,
        token_sha256: &str,
        account_id: &str,
        label: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO api_tokens (token_sha256, account_id, label, created_at) VALUES ($1, $2, $3, $4)")
            .bind(token_sha256)
            .bind(account_id)
            .bind(label)
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub(crate) async fn api_tokens(&self, account_id: &str) -> Result<Vec<ApiToken>, StoreError> {
        let rows = sqlx::query(
            "SELECT token_sha256, label, created_at FROM api_tokens WHERE account_id = $1 ORDER BY created_at",
        )
        .bind(account_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let digest: String = r.try_get("token_sha256")?;
                Ok(ApiToken {
                    label: r.try_get("label")?,
                    created_at: r.try_get("created_at")?,
                    fingerprint: digest.chars().take(12).collect(),
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(Into::into)
    }

    pub(crate) async fn account_by_api_token(&self, token_sha256: &str) -> Result<Option<Account>, StoreError> {
        let sql = format!(
            "SELECT {ACCOUNT_COLUMNS} FROM api_tokens t JOIN accounts a ON a.id = t.account_id \
             LEFT JOIN vendors v ON v.id = a.vendor_id WHERE t.token_sha256 = $1"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(token_sha256).fetch_optional(&self.pool).await?;
        row.as_ref().map(account).transpose().map_err(Into::into)
    }

    /// Registers a public key for a vendor (again: nothing changes).
    pub(crate) async fn add_signing_key(
        &self,
        vendor_id: &str,
        key_id: &str,
        pem: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        let exists = sqlx::query("SELECT COUNT(*) AS n FROM signing_keys WHERE vendor_id = $1 AND key_id = $2")
            .bind(vendor_id)
            .bind(key_id)
            .fetch_one(&self.pool)
            .await?;
        if exists.try_get::<i64, _>("n")? > 0 {
            return Ok(());
        }
        sqlx::query("INSERT INTO signing_keys (vendor_id, key_id, public_key_pem, added_at) VALUES ($1, $2, $3, $4)")
            .bind(vendor_id)
            .bind(key_id)
            .bind(pem)
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub(crate) async fn signing_keys(&self, vendor_id: &str) -> Result<Vec<SigningKeyRow>, StoreError> {
        let rows = sqlx::query("SELECT key_id, added_at FROM signing_keys WHERE vendor_id = $1 ORDER BY added_at")
            .bind(vendor_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| Ok(SigningKeyRow { key_id: r.try_get("key_id")?, added_at: r.try_get("added_at")? }))
            .collect::<Result<_, sqlx::Error>>()
            .map_err(Into::into)
    }
}
