//! Images of QR codes (PNG, JPEG, SVG) decoded in a child process. The QR detector's cost grows faster than the
//! image: a 25 KB image tiled with finder patterns keeps it busy for minutes, a 2 MB one for
//! gigabytes. `dialtone check` therefore runs it in a copy of itself (`dialtone decode-qr-image`,
//! hidden) limited in heap memory (its allocator's cap) and CPU time, and kills it at the artifact's
//! deadline.

use dialtone_rules::MAX_ARTIFACT_BYTES;
use dialtone_rules::qr_image::{ImageError, QrImageDecoder, ScannedQr, decode_image};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::{Read, Write};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The hidden subcommand the child runs.
pub const SUBCOMMAND: &str = "decode-qr-image";
/// Heap memory the child may hold: a 50-megapixel image, its greyscale copy and the detector's
/// working copies fit.
pub const MEMORY_BYTES: u64 = 512 << 20;
/// Most bytes of answer read from the child.
const MAX_ANSWER_BYTES: u64 = 1 << 20;

/// What the child writes on its standard output.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Answer {
    Codes(Vec<ScannedQr>),
    Failed(ImageError),
}

/// The decoder `check` gives its judgements: each image in a child bounded by `deadline`, decoded
/// once (`check` reads an image to group chunked cards, then judges it). The images decoded last
/// are compared byte for byte before any is hashed: the judgement of an image follows its reading.
pub fn decoder(deadline: Duration) -> QrImageDecoder {
    let known: Arc<Mutex<Known>> = Arc::default();
    QrImageDecoder::with(move |bytes| {
        let recent = known.lock().ok().and_then(|k| k.recent.iter().find(|(b, _)| b == bytes).map(|(_, d)| d.clone()));
        if let Some(decoded) = recent {
            return decoded;
        }
        let digest: [u8; 32] = Sha256::digest(bytes).into();
        let seen = known.lock().ok().and_then(|k| k.by_digest.get(&digest).cloned());
        let result = seen.unwrap_or_else(|| decode(bytes, deadline));
        if let Ok(mut k) = known.lock() {
            k.by_digest.entry(digest).or_insert_with(|| result.clone());
            if bytes.len() <= RECENT_MAX_BYTES {
                if k.recent.len() >= RECENT {
                    k.recent.pop_front();
                }
                k.recent.push_back((bytes.to_vec(), result.clone()));
            }
        }
        result
    })
}

type Decoded = Result<Vec<ScannedQr>, ImageError>;

/// What the decoder has decoded: by the SHA-256 digest of the image, and the last few images
/// themselves (at most [`RECENT`], each at most [`RECENT_MAX_BYTES`]).
#[derive(Default)]
struct Known {
    by_digest: HashMap<[u8; 32], Decoded>,
    recent: std::collections::VecDeque<(Vec<u8>, Decoded)>,
}

const RECENT: usize = 4;
const RECENT_MAX_BYTES: usize = 1 << 20;

/// Decodes `bytes` in a child process; past `deadline`, or past its memory or CPU bound, the child
/// is killed and the image is refused with the bound it exceeded.
pub fn decode(bytes: &[u8], deadline: Duration) -> Result<Vec<ScannedQr>, ImageError> {
    decode_in_child(bytes, deadline).map_err(ImageError::Refused)?
}

/// The child's answer, or why there is none (it could not start, or a bound stopped it).
fn decode_in_child(bytes: &[u8], deadline: Duration) -> Result<Result<Vec<ScannedQr>, ImageError>, String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot start the QR decoder: {e}"))?;
    let cpu_seconds = deadline.as_millis().div_ceil(1000).max(1);
    let mut child = Command::new(exe)
        .args([SUBCOMMAND, "--cpu-seconds", &cpu_seconds.to_string(), "--memory-bytes", &MEMORY_BYTES.to_string()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start the QR decoder: {e}"))?;
    let started = Instant::now();
    let stdout = reader(child.stdout.take(), MAX_ANSWER_BYTES);
    let stderr = reader(child.stderr.take(), 4096);
    if let Some(mut stdin) = child.stdin.take() {
        let input = bytes.to_vec();
        // The child may die before reading it all; its status says why.
        std::thread::spawn(move || stdin.write_all(&input));
    }
    let status = match wait(&mut child, started + deadline) {
        Some(status) => status,
        None => {
            return Err(format!(
                "decoding the image's QR codes took more than {} ms, dialtone's deadline per artifact; stopped",
                deadline.as_millis()
            ));
        }
    };
    let out = stdout.join().unwrap_or_default();
    let err = stderr.join().unwrap_or_default();
    if !status.success() {
        let said = String::from_utf8_lossy(&err);
        return Err(stopped(status, cpu_seconds, said.lines().next().unwrap_or_default().trim()));
    }
    match serde_json::from_slice::<Answer>(&out) {
        Ok(Answer::Codes(codes)) => Ok(Ok(codes)),
        Ok(Answer::Failed(e)) => Ok(Err(e)),
        Err(e) => Err(format!("the QR decoder's answer is unreadable: {e}")),
    }
}

/// Reads at most `limit` bytes of a child's output on a thread of its own.
fn reader(pipe: Option<impl Read + Send + 'static>, limit: u64) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut out = Vec::new();
        if let Some(pipe) = pipe {
            let _ = pipe.take(limit).read_to_end(&mut out);
        }
        out
    })
}

/// The child's exit status, or `None` when it had to be killed at `until`.
fn wait(child: &mut Child, until: Instant) -> Option<ExitStatus> {
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Some(status),
            Ok(None) if Instant::now() < until => std::thread::sleep(Duration::from_millis(5)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
        }
    }
}

/// Why the child stopped without answering (`stderr`: the first line it wrote).
fn stopped(status: ExitStatus, cpu_seconds: u128, stderr: &str) -> String {
    let said = if stderr.is_empty() { String::new() } else { format!(" ({stderr})") };
    #[cfg(unix)]
    {
        use rustix::process::Signal;
        use std::os::unix::process::ExitStatusExt;
        let signal = status.signal();
        if signal == Some(Signal::XCPU.as_raw()) || signal == Some(Signal::KILL.as_raw()) {
            return format!(
                "decoding the image's QR codes needed more than {cpu_seconds} s of CPU time, dialtone's bound; stopped"
            );
        }
        if signal == Some(Signal::ABORT.as_raw()) {
            return format!(
                "decoding the image's QR codes needed more than {} MiB of memory, dialtone's bound; stopped{said}",
                MEMORY_BYTES >> 20
            );
        }
    }
    format!("the QR decoder stopped: {status}{said}")
}

/// The child: reads an image on standard input, bounds its own memory and CPU time, decodes
/// and writes the answer (JSON) on standard output.
pub fn serve(cpu_seconds: u64, memory_bytes: u64) -> i32 {
    if let Err(e) = limit_self(cpu_seconds, memory_bytes) {
        eprintln!("cannot bound the QR decoder: {e}");
        return 3;
    }
    let mut bytes = Vec::new();
    if let Err(e) = std::io::stdin().take(MAX_ARTIFACT_BYTES as u64 + 1).read_to_end(&mut bytes) {
        eprintln!("cannot read the image: {e}");
        return 3;
    }
    let answer = if bytes.len() > MAX_ARTIFACT_BYTES {
        Answer::Failed(ImageError::Refused(format!("more than the {MAX_ARTIFACT_BYTES} bytes an artifact may have")))
    } else {
        match decode_image(&bytes) {
            Ok(codes) => Answer::Codes(codes),
            Err(e) => Answer::Failed(e),
        }
    };
    match serde_json::to_writer(std::io::stdout().lock(), &answer) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("cannot answer: {e}");
            3
        }
    }
}

/// The memory bound is the allocator's cap, not `RLIMIT_DATA` ([`crate::allocator`] says why). Under
/// a 512 MiB `RLIMIT_DATA` the child aborted on small images whenever mimalloc mapped 64 KiB of its
/// own outside its arena: two to ten runs in a hundred, so no test shows it reliably.
#[cfg(unix)]
fn limit_self(cpu_seconds: u64, memory_bytes: u64) -> Result<(), String> {
    use rustix::process::{Resource, Rlimit, setrlimit};
    crate::allocator::cap(memory_bytes);
    // Past the soft CPU limit the kernel sends SIGXCPU; a second later, SIGKILL.
    let cpu = Rlimit { current: Some(cpu_seconds), maximum: Some(cpu_seconds + 1) };
    setrlimit(Resource::Cpu, cpu).map_err(|e| format!("RLIMIT_CPU: {e}"))
}

/// Elsewhere the allocator's cap bounds memory, and the wall-clock deadline, which the parent
/// enforces, time.
#[cfg(not(unix))]
fn limit_self(_cpu_seconds: u64, memory_bytes: u64) -> Result<(), String> {
    crate::allocator::cap(memory_bytes);
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::process::ExitStatusExt;

    #[test]
    fn a_child_stopped_by_a_bound_says_which() {
        let cpu = stopped(ExitStatus::from_raw(rustix::process::Signal::XCPU.as_raw()), 3, "");
        assert!(cpu.contains("more than 3 s of CPU time"), "{cpu}");
        let memory = stopped(
            ExitStatus::from_raw(rustix::process::Signal::ABORT.as_raw()),
            3,
            "memory allocation of 402653184 bytes failed",
        );
        assert!(
            memory.contains("more than 512 MiB of memory")
                && memory.ends_with("(memory allocation of 402653184 bytes failed)"),
            "{memory}"
        );
        let other = stopped(ExitStatus::from_raw(3 << 8), 3, "cannot read the image");
        assert!(other.starts_with("the QR decoder stopped: exit status: 3"), "{other}");
    }
}
