//! The case a request is made for, carried from the harness to the references in its own process
//! and on to the references they ask. Only the selftest's reference run sets it: the references
//! then note which case read which part of their behaviour, and each mutant is run only on the
//! cases that read what its fault changes. Outside that run no request carries it.
//!
//! The tag travels as the [`HEADER`] on the requests a [`crate::HttpClient`] sends inside
//! [`scope`]; a reference server puts it back in scope around the handling of the request
//! ([`scope`] again). It is not part of a case's evidence: the exchanges read as they would
//! without it.

use std::future::Future;
use std::sync::Arc;

/// The request header that names the case a request is made for.
pub const HEADER: &str = "dialtone-case";

/// The longest case tag taken from a request (a case id is far shorter).
const MAX_LEN: usize = 200;

tokio::task_local! {
    static CASE: Arc<str>;
}

/// The case the current task works for, if it is inside [`scope`].
pub fn current() -> Option<Arc<str>> {
    CASE.try_with(Arc::clone).ok()
}

/// Runs `work` for `case` (when given): the requests it sends carry the case, and what it reads of
/// a reference's behaviour is noted for it.
pub async fn scope<F: Future>(case: Option<Arc<str>>, work: F) -> F::Output {
    match case {
        Some(case) => CASE.scope(case, work).await,
        None => work.await,
    }
}

/// The case a request's [`HEADER`] names: printable ASCII, bounded, else none.
pub fn from_header(value: Option<&[u8]>) -> Option<Arc<str>> {
    let value = value?;
    let printable = value.iter().all(|b| b.is_ascii_graphic());
    (printable && !value.is_empty() && value.len() <= MAX_LEN)
        .then(|| Arc::from(String::from_utf8_lossy(value).as_ref()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_case_is_current_inside_its_scope_only() {
        assert_eq!(current(), None);
        let seen = scope(Some(Arc::from("C-1")), async { current() }).await;
        assert_eq!(seen.as_deref(), Some("C-1"));
        assert_eq!(scope(None, async { current() }).await, None);
    }

    #[test]
    fn a_header_names_a_case_only_when_it_is_short_printable_ascii() {
        assert_eq!(from_header(Some(b"ISS-TOKEN-001")).as_deref(), Some("ISS-TOKEN-001"));
        assert_eq!(from_header(Some(b"a b")), None);
        assert_eq!(from_header(Some(b"")), None);
        assert_eq!(from_header(Some(&[b'x'; 201])), None);
        assert_eq!(from_header(None), None);
    }
}
