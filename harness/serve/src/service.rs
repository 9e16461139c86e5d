//! Starting the service: the database opened and migrated, the first evaluator, the listener.

use crate::store::{Store, StoreError};
use crate::web::{AppState, Templates, router};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// How to start `dialtone serve`.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub listen: SocketAddr,
    /// `sqlite:…` or `postgres://…`.
    pub database: String,
    /// The first evaluator's password when no evaluator exists yet (else one is made and shown).
    pub admin_password: Option<String>,
    /// Cookies marked `Secure` (the service is reached over https, behind a proxy).
    pub secure_cookies: bool,
    /// The client's address is the last one of the `X-Forwarded-For` header (set by a proxy in
    /// front), not the connection's: failed sign-ins are counted per client address.
    pub forwarded_for: bool,
}

/// The evaluator account made on first start.
#[derive(Debug, Clone)]
pub struct FirstEvaluator {
    pub login: String,
    /// The password made for it, to show once (`None`: the one given was used).
    pub password: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot listen on {addr}: {source}")]
    Listen { addr: SocketAddr, source: std::io::Error },
    #[error("cannot create the data folder {path}: {source}")]
    DataDir { path: PathBuf, source: std::io::Error },
    #[error("no data folder: set XDG_DATA_HOME or HOME, or give --data DIR")]
    NoDataDir,
    #[error("the first evaluator's password must have at least {0} characters")]
    WeakPassword(usize),
    #[error("{0}")]
    Internal(String),
}

/// The login of the evaluator made on first start.
pub const FIRST_EVALUATOR: &str = "admin";

/// The service's data folder: `dir` when given, else `$XDG_DATA_HOME/dialtone`, else
/// `$HOME/.local/share/dialtone`; created (owner-only) when missing.
pub fn data_dir(dir: Option<&Path>) -> Result<PathBuf, ServeError> {
    let path = match dir {
        Some(d) => d.to_path_buf(),
        None => {
            let xdg = std::env::var_os("XDG_DATA_HOME").filter(|v| !v.is_empty()).map(PathBuf::from);
            let home =
                std::env::var_os("HOME").filter(|v| !v.is_empty()).map(|h| PathBuf::from(h).join(".local/share"));
            xdg.filter(|p| p.is_absolute()).or(home).ok_or(ServeError::NoDataDir)?.join("dialtone")
        }
    };
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(&path).map_err(|source| ServeError::DataDir { path: path.clone(), source })?;
    Ok(path)
}

/// The default database: `serve.sqlite3` in the data folder.
pub fn default_database(data: &Path) -> String {
    crate::store::sqlite_url(&data.join("serve.sqlite3"))
}

/// A running service.
pub struct Service {
    pub addr: SocketAddr,
    /// The evaluator made on this start, when there was none.
    pub first_evaluator: Option<FirstEvaluator>,
    pub backend: &'static str,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<Result<(), std::io::Error>>,
}

impl Service {
    /// Opens the database, makes the first evaluator when there is none, and starts serving.
    pub async fn start(options: ServeOptions) -> Result<Service, ServeError> {
        let store = Store::open(&options.database).await?;
        let first_evaluator = first_start(&store, options.admin_password.clone()).await?;
        let templates = Templates::new().map_err(|e| ServeError::Internal(format!("templates: {e}")))?;
        let backend = store.backend().name();
        let state = Arc::new(AppState {
            store,
            templates,
            secure_cookies: options.secure_cookies,
            forwarded_for: options.forwarded_for,
            uploads: tokio::sync::Semaphore::new(crate::web::UPLOADS_AT_ONCE),
        });
        let listener = tokio::net::TcpListener::bind(options.listen)
            .await
            .map_err(|source| ServeError::Listen { addr: options.listen, source })?;
        let addr = listener.local_addr().map_err(|source| ServeError::Listen { addr: options.listen, source })?;
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let app = router(state);
        let task = tokio::spawn(async move {
            axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
                .with_graceful_shutdown(async move {
                    let _ = rx.await;
                })
                .await
        });
        Ok(Service { addr, first_evaluator, backend, shutdown: Some(tx), task })
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting requests, finishes those under way.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let _ = (&mut self.task).await;
    }

    /// Serves until the server stops (it does not by itself).
    pub async fn wait(self) -> Result<(), ServeError> {
        match self.task.await {
            Ok(r) => r.map_err(|e| ServeError::Internal(format!("the server stopped: {e}"))),
            Err(e) => Err(ServeError::Internal(format!("the server stopped: {e}"))),
        }
    }
}

/// On a database with no evaluator: an evaluator `admin` (with the given password, or one made
/// here and returned to be shown once), and the default program.
async fn first_start(store: &Store, password: Option<String>) -> Result<Option<FirstEvaluator>, ServeError> {
    if store.count_evaluators().await? > 0 {
        return Ok(None);
    }
    let min = crate::web::MIN_PASSWORD_CHARS;
    if password.as_ref().is_some_and(|p| p.chars().count() < min) {
        return Err(ServeError::WeakPassword(min));
    }
    let made = password.is_none();
    let password = password.unwrap_or_else(|| crate::password::secret(15));
    let to_hash = password.clone();
    let hash = tokio::task::spawn_blocking(move || crate::password::hash(&to_hash))
        .await
        .map_err(|e| ServeError::Internal(e.to_string()))?
        .map_err(ServeError::Internal)?;
    let now = crate::clock::now_ms();
    store.create_account(FIRST_EVALUATOR, &hash, None, now).await?;
    if store.programs().await?.is_empty() {
        store.create_program("PSP PCTF v1.5", "Canada", &[], now).await?;
    }
    Ok(Some(FirstEvaluator { login: FIRST_EVALUATOR.into(), password: made.then_some(password) }))
}
