//! Starting and stopping a reference server on loopback.

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A server running on loopback until dropped or [`RunningServer::stop`]ped.
pub struct RunningServer {
    pub base_url: String,
    shutdown: Option<oneshot::Sender<()>>,
    handle: Option<JoinHandle<()>>,
}

impl RunningServer {
    /// Binds `127.0.0.1:port` (0 for any free port) and serves `router`.
    pub async fn start(router: axum::Router, port: u16) -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
        Self::serve(listener, router)
    }

    /// Serves plain HTTP on an already bound listener.
    pub fn serve(listener: tokio::net::TcpListener, router: axum::Router) -> std::io::Result<Self> {
        use axum::serve::ListenerExt;
        let router = carrying_cases(router);
        let addr = listener.local_addr()?;
        let listener = listener.tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
        let (tx, rx) = oneshot::channel::<()>();
        let handle = tokio::spawn(async move {
            let _ = axum::serve(listener, router)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        Ok(Self { base_url: format!("http://{addr}"), shutdown: Some(tx), handle: Some(handle) })
    }

    /// Serves HTTPS on an already bound listener with the given TLS configuration.
    pub fn serve_tls(
        listener: tokio::net::TcpListener,
        tls: std::sync::Arc<rustls::ServerConfig>,
        router: axum::Router,
    ) -> std::io::Result<Self> {
        let addr = listener.local_addr()?;
        let router = carrying_cases(router);
        let (tx, rx) = oneshot::channel::<()>();
        let listener = crate::tls::TlsListener::new(listener, tls)?;
        let handle = tokio::spawn(async move {
            let _ = axum::serve(listener, router)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        Ok(Self { base_url: format!("https://{addr}"), shutdown: Some(tx), handle: Some(handle) })
    }

    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(handle) = self.handle.take() {
            let _ = handle.await;
        }
    }

    /// Waits until the server stops (for `dialtone reference issuer`).
    pub async fn wait(mut self) {
        if let Some(handle) = self.handle.take() {
            let _ = handle.await;
        }
    }
}

/// `router`, each request handled for the case its [`dialtone_http::case_tag::HEADER`] names (the
/// selftest's reference run; no other request carries one): the behaviour read and the requests sent
/// while handling it are the case's.
fn carrying_cases(router: axum::Router) -> axum::Router {
    router.layer(axum::middleware::from_fn(carry_case))
}

async fn carry_case(request: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    use dialtone_http::case_tag;
    let case = case_tag::from_header(request.headers().get(case_tag::HEADER).map(|v| v.as_bytes()));
    case_tag::scope(case, next.run(request)).await
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}
