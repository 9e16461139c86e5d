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
