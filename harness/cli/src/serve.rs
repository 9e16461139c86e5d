//! `dialtone serve` (the review service, `dialtone_serve`) and `dialtone submit` (sending a signed
//! bundle to one).

use crate::{CliError, exit, shown};
use dialtone_serve::{ServeOptions, Service, SubmitOutcome};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// Where the first evaluator's password may be given instead of made (CI, containers).
pub const ADMIN_PASSWORD_ENV: &str = "DIALTONE_ADMIN_PASSWORD";
/// The database URL, when not given with `--database` (a password stays off the command line).
pub const DATABASE_ENV: &str = "DIALTONE_DATABASE";
/// The API token `dialtone submit` sends.
pub const TOKEN_ENV: &str = "DIALTONE_TOKEN";

pub struct ServeArgs {
    pub listen: SocketAddr,
    pub data: Option<PathBuf>,
    pub database: Option<String>,
    pub secure_cookies: bool,
    pub forwarded_for: bool,
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// Starts the service and serves until Ctrl-C (or SIGTERM).
pub async fn serve_command(args: ServeArgs) -> Result<i32, CliError> {
    let (database, data) = match args.database.or_else(|| env(DATABASE_ENV)) {
        Some(url) => (url, None),
        None => {
            let dir = dialtone_serve::data_dir(args.data.as_deref()).map_err(|e| CliError::config(e.to_string()))?;
            (dialtone_serve::default_database(&dir), Some(dir))
        }
    };
    let options = ServeOptions {
        listen: args.listen,
        database: database.clone(),
        admin_password: env(ADMIN_PASSWORD_ENV),
        secure_cookies: args.secure_cookies,
        forwarded_for: args.forwarded_for,
    };
    let service = Service::start(options).await.map_err(|e| match e {
        dialtone_serve::ServeError::Listen { .. }
        | dialtone_serve::ServeError::WeakPassword(_)
        | dialtone_serve::ServeError::Store(dialtone_serve::store::StoreError::Url(_)) => {
            CliError::config(e.to_string())
        }
        other => CliError::harness(other.to_string()),
    })?;
    say!("dialtone review service: {}", service.url());
    match &data {
        Some(dir) => say!("  database: SQLite, {}", shown(dir.join("serve.sqlite3").display())),
        None => say!("  database: {}, {}", service.backend, shown(dialtone_serve::store::redact_url(&database))),
    }
    if let Some(first) = &service.first_evaluator {
        match &first.password {
            Some(password) => {
                say!("  first start: evaluator account {:?} made, with the password {password}", first.login);
                say!("  (shown this once: sign in and change it on the Account page)");
            }
            None => say!(
                "  first start: evaluator account {:?} made, with the password of {ADMIN_PASSWORD_ENV}",
                first.login
            ),
        }
    }
    say!("press Ctrl-C to stop");
    let stop = async {
        #[cfg(unix)]
        {
            let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = async { match term.as_mut() { Some(t) => { t.recv().await; } None => std::future::pending().await } } => {}
            }
        }
        #[cfg(not(unix))]
        let _ = tokio::signal::ctrl_c().await;
    };
    stop.await;
    service.stop().await;
    Ok(exit::OK)
}

/// Exit codes of `submit`: 0 accepted (or already there), 1 refused, 2 usage, 3 the service or
/// the network failed.
pub async fn submit_command(
    bundle: &Path,
    to: &str,
    token_file: Option<&Path>,
    ca_file: Option<&Path>,
) -> Result<i32, CliError> {
    let token = match token_file {
        Some(path) => std::fs::read_to_string(path)
            .map(|t| t.trim().to_string())
            .map_err(|e| CliError::config(format!("cannot read {}: {e}", path.display())))?,
        None => env(TOKEN_ENV).ok_or_else(|| {
            CliError::config(format!(
                "no API token: set {TOKEN_ENV} (or give --token-file FILE); make one on the review service's Account page"
            ))
        })?,
    };
    let ca = match ca_file {
        Some(path) => {
            Some(std::fs::read(path).map_err(|e| CliError::config(format!("cannot read {}: {e}", path.display())))?)
        }
        None => None,
    };
    let outcome = dialtone_serve::submit(bundle, to, &token, ca.as_deref()).await.map_err(|e| match e {
        dialtone_serve::SubmitError::Bundle { .. } | dialtone_serve::SubmitError::Url(_) => {
            CliError::config(e.to_string())
        }
        other => CliError::harness(other.to_string()),
    })?;
    match outcome {
        SubmitOutcome::Accepted { url, verdict } => {
            say!("{}: accepted — verified on arrival; the run's verdict: {}", shown(bundle.display()), shown(verdict));
            say!("  {}", shown(url));
            Ok(exit::OK)
        }
        SubmitOutcome::AlreadySubmitted { url } => {
            say!("{}: already submitted: {}", shown(bundle.display()), shown(url));
            Ok(exit::OK)
        }
        SubmitOutcome::Refused { reason, file } => {
            let which = file.map(|f| format!(" — {} is the file", shown(f))).unwrap_or_default();
            Err(CliError {
                code: exit::FAILED,
                message: format!("{}: refused: {}{which}", bundle.display(), shown(reason)),
            })
        }
    }
}
