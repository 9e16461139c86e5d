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

/// A free loopback port (free when asked; a test binds it soon after).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A child process (a standalone reference), stopped when dropped.
pub struct Running(pub std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
