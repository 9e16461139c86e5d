//! The review service's database: SQLite in a data folder by default, PostgreSQL when given a
//! `postgres://` URL. One set of migrations and one set of queries for both, through sqlx's `Any`
//! driver: placeholders `$1`, `$2`, … (both read them), types both read alike (TEXT, BIGINT,
//! BYTEA), identifiers made here.

mod accounts;
mod audit;
mod programs;
pub(crate) mod submissions;
mod throttle;

pub(crate) use accounts::{Account, Role, Vendor};
pub(crate) use submissions::{NewSubmission, ResultRow, SubmissionRow, Visibility};

use sqlx::AnyPool;
use sqlx::any::AnyPoolOptions;
use sqlx::migrate::{Migration, MigrationType, Migrator};

/// Which database a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of(url: &str) -> Option<Backend> {
        if url.starts_with("sqlite:") {
            Some(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Backend::Postgres)
        } else {
            None
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0} is not a database URL dialtone serve reads (sqlite:… or postgres://…)")]
    Url(String),
    #[error("cannot open the {backend} database: {source}")]
    Connect { backend: &'static str, source: sqlx::Error },
    #[error("cannot bring the database's tables up to date: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database: {0}")]
    Query(#[from] sqlx::Error),
}

/// The migrations, built in: the same files for SQLite and PostgreSQL.
fn migrator() -> Migrator {
    let migrations = [
        (1, "review service", include_str!("../../migrations/0001_review_service.sql")),
        (2, "login failures", include_str!("../../migrations/0002_login_failures.sql")),
        (3, "audit log", include_str!("../../migrations/0003_audit_log.sql")),
    ];
    Migrator::with_migrations(
        migrations
            .into_iter()
            .map(|(version, description, sql)| {
                Migration::new(
                    version,
                    description.into(),
                    MigrationType::Simple,
                    sqlx::SqlSafeStr::into_sql_str(sql),
                    false,
                )
            })
            .collect(),
    )
}

/// The database, migrated.
#[derive(Clone)]
pub struct Store {
    pub(crate) pool: AnyPool,
    backend: Backend,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("backend", &self.backend).finish_non_exhaustive()
    }
}

impl Store {
    /// Opens the database at `url` (creating an SQLite file when missing) and applies the
    /// migrations it has not had.
    pub async fn open(url: &str) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = Backend::of(url).ok_or_else(|| StoreError::Url(redact_url(url)))?;
        let connect = |source| StoreError::Connect { backend: backend.name(), source };
        // One connection first: its failure says why (refused, authentication, no such database),
        // where the pool would only say that it timed out.
        let first = <sqlx::AnyConnection as sqlx::Connection>::connect(url).await.map_err(connect)?;
        let _ = sqlx::Connection::close(first).await;
        let pool = AnyPoolOptions::new()
            .max_connections(8)
            .acquire_timeout(std::time::Duration::from_secs(10))
            .connect(url)
            .await
            .map_err(connect)?;
        if backend == Backend::Sqlite {
            // Readers do not wait for a writer (a setting of the file, kept once set).
            sqlx::query("PRAGMA journal_mode = WAL").execute(&pool).await?;
        }
        migrator().run(&pool).await?;
        Ok(Store { pool, backend })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }
}

/// A database URL without its password, to print.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:…{}", &url[..scheme + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// The URL of the SQLite file `path` (created on first use).
pub fn sqlite_url(path: &std::path::Path) -> String {
    const PATH: &percent_encoding::AsciiSet =
        &percent_encoding::NON_ALPHANUMERIC.remove(b'/').remove(b'-').remove(b'_').remove(b'.').remove(b'~');
    let text = path.to_string_lossy();
    format!("sqlite://{}?mode=rwc", percent_encoding::utf8_percent_encode(&text, PATH))
}

/// A new identifier: 16 random bytes, hex.
pub(crate) fn new_id() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    crate::clock::hex(&bytes)
}
