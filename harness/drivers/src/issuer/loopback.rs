//! Manual mode for the authorization code flow: a person signs in at the issuer in a browser on this
//! machine, and the issuer's redirect comes back to a listener on loopback (RFC 8252 §7.3), as it
//! would to a native wallet. The listener answers each redirect with a plain page and keeps its
//! query; a person whose issuer shows an error instead of redirecting opens `/refused`.

use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use dialtone_roles::server::RunningServer;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

/// The longest query kept from a redirect.
const MAX_QUERY: usize = 8192;
/// The most redirects kept unread.
const MAX_KEPT: usize = 16;

/// What reached the listener.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Caught {
    /// A redirect: the full URL as the client sees it (its redirect URI and the query).
    Redirect(String),
    /// The person said the issuer refused without redirecting.
    Refused,
}

type Inbox = Arc<Mutex<VecDeque<Caught>>>;

/// A listener on `http://127.0.0.1:<port>`; it stops when dropped.
pub(crate) struct Catcher {
    server: RunningServer,
    inbox: Inbox,
}

fn keep(inbox: &Inbox, caught: Caught) {
    let mut kept = inbox.lock().unwrap_or_else(|p| p.into_inner());
    if kept.len() < MAX_KEPT {
        kept.push_back(caught);
    }
}

const PAGE: &str = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>dialtone</title></head>\
                    <body><p>dialtone received the issuer's answer. You may close this tab.</p></body></html>";

impl Catcher {
    pub(crate) async fn start() -> Result<Self, String> {
        let inbox: Inbox = Arc::default();
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await.map_err(|e| e.to_string())?;
        let base = format!("http://{}", listener.local_addr().map_err(|e| e.to_string())?);
        let callback = |State((inbox, base)): State<(Inbox, String)>, RawQuery(query): RawQuery| async move {
            let query: String = query.unwrap_or_default().chars().take(MAX_QUERY).collect();
            keep(&inbox, Caught::Redirect(format!("{base}/callback?{query}")));
            ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], PAGE).into_response()
        };
        let refused = |State((inbox, _)): State<(Inbox, String)>| async move {
            keep(&inbox, Caught::Refused);
            ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], PAGE).into_response()
        };
        let router = Router::new()
            .route("/callback", get(callback))
            .route("/refused", get(refused))
            .with_state((inbox.clone(), base));
        let server = RunningServer::serve(listener, router).map_err(|e| e.to_string())?;
        Ok(Self { server, inbox })
    }

    /// The redirect URI to register the flow with.
    pub(crate) fn redirect_uri(&self) -> String {
        format!("{}/callback", self.server.base_url)
    }

    pub(crate) fn refused_url(&self) -> String {
        format!("{}/refused", self.server.base_url)
    }

    /// The oldest unread answer, if any.
    pub(crate) fn take(&self) -> Option<Caught> {
        self.inbox.lock().unwrap_or_else(|p| p.into_inner()).pop_front()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_redirect_and_a_refusal_are_caught_in_order() {
        let catcher = Catcher::start().await.unwrap();
        let client = dialtone_http::build_client(dialtone_http::HttpLimits::default(), &[]).unwrap().client().clone();
        let answer = client.get(format!("{}?code=abc&state=xyz", catcher.redirect_uri())).send().await.unwrap();
        assert!(answer.text().await.unwrap().contains("dialtone received"));
        client.get(catcher.refused_url()).send().await.unwrap();
        assert_eq!(catcher.take(), Some(Caught::Redirect(format!("{}?code=abc&state=xyz", catcher.redirect_uri()))));
        assert_eq!(catcher.take(), Some(Caught::Refused));
        assert_eq!(catcher.take(), None);
    }
}
