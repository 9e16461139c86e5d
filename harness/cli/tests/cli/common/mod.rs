#![allow(dead_code)]
use dialtone_cli::SuiteSource;
use dialtone_engine::pctf::Catalogue;
use dialtone_engine::suite::Suite;
use std::path::PathBuf;

pub fn suites_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../suites")
}

pub fn suites() -> Vec<Suite> {
    dialtone_cli::catalogue::load(&SuiteSource::Dir(suites_dir()), &Catalogue::embedded())
        .expect("the project's suites load")
}

pub fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A port free now, for a server a test starts later at a fixed port (a manifest or an export names
/// it in advance). It is taken below the ephemeral range (Linux: 32768–60999): there the servers and
/// connections that other tests open on port 0 never land, where a port the system handed out as
/// free could be taken by one of them before this test's server binds it ("address already in use").
/// Ports are taken in turn within the process, from a place that depends on its id across processes.
pub fn free_port() -> u16 {
    use std::sync::atomic::{AtomicU16, Ordering};
    const FIRST: u16 = 20_000;
    const SPAN: u16 = 12_000;
    static NEXT: AtomicU16 = AtomicU16::new(0);
    let start = (std::process::id() % u32::from(SPAN)) as u16;
    for _ in 0..SPAN {
        let port = FIRST + (start + NEXT.fetch_add(1, Ordering::Relaxed) % SPAN) % SPAN;
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
    panic!("no free port between {FIRST} and {}", FIRST + SPAN)
}

/// A child process (a standalone reference), stopped when dropped.
pub struct Running(pub std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A fresh, empty folder for one test (`dialtone-{what}-{pid}` under the system's temp folder).
pub fn tempdir(what: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dialtone-{what}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a temporary folder");
    dir
}

/// Starts a standalone reference (`dialtone reference …`) and waits for its first line, which
/// names where it listens; the rest of its output is drained. Returns the running process (stopped
/// when dropped) and the base URL it listens at.
pub fn serve_reference(mut command: std::process::Command) -> (Running, String) {
    use std::io::BufRead;
    let mut child =
        command.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::null()).spawn().expect("starts");
    let stdout = child.stdout.take().expect("its output");
    let running = Running(child);
    let mut lines = std::io::BufReader::new(stdout).lines();
    let first = lines.next().and_then(Result::ok).unwrap_or_default();
    let base = first.split("listening at ").nth(1).map(|u| u.trim().to_string());
    std::thread::spawn(move || for _ in lines {});
    (running, base.unwrap_or_else(|| panic!("a reference that says where it listens: {first:?}")))
}
