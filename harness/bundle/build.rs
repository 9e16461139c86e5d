//! Records the git commit checked out when dialtone is built (when built in a git checkout), for
//! the signed statement of a bundle. Without git, or outside a checkout, nothing is recorded: the
//! statement then names the build by the crate version and the program's own digest (which names
//! it exactly in any case, uncommitted changes included).

use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn main() {
    println!("cargo:rerun-if-env-changed=DIALTONE_GIT_COMMIT");
    let commit = match std::env::var("DIALTONE_GIT_COMMIT") {
        Ok(given) if !given.is_empty() => Some(given),
        _ => git(&["rev-parse", "HEAD"]).filter(|c| c.len() == 40),
    };
    if let Some(commit) = commit {
        println!("cargo:rustc-env=DIALTONE_BUILD_COMMIT={commit}");
    }
    // A commit or a checkout moves HEAD (and writes its reflog): build again then.
    for path in ["HEAD", "logs/HEAD"] {
        if let Some(p) = git(&["rev-parse", "--git-path", path]) {
            println!("cargo:rerun-if-changed={p}");
        }
    }
}
