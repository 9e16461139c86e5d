//! Reading a file the user names for `check` (an artifact, keys, a trust list, TLS roots): at most
//! [`MAX_ARTIFACT_BYTES`], counted while reading, since a file's metadata need not tell its size
//! (`/dev/zero` says 0 and never ends). What is not a regular file — a device, a FIFO, a socket — is
//! refused unless the user asks for it (`--allow-special-files`); then it is read within a deadline,
//! since a FIFO may never be written.

use crate::CliError;
use dialtone_rules::MAX_ARTIFACT_BYTES;
use std::fs::{File, Metadata};
use std::io::Read;
use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

/// Whether files other than regular files may be read, and how long such a read may take.
#[derive(Debug, Clone, Copy)]
pub enum SpecialFiles {
    Refused,
    Allowed { deadline: Duration },
}

/// Reads `path`, refusing what is not a regular file unless `special` allows it.
pub fn read(path: &Path, special: SpecialFiles) -> Result<Vec<u8>, CliError> {
    let cannot = |e: std::io::Error| CliError::config(format!("cannot read {}: {e}", path.display()));
    let meta = std::fs::metadata(path).map_err(cannot)?;
    match special {
        _ if meta.is_dir() => Err(CliError::config(format!("{} is a folder, not a file", path.display()))),
        SpecialFiles::Refused => {
            if !meta.is_file() {
                return Err(refused(path, &meta));
            }
            if meta.len() > MAX_ARTIFACT_BYTES as u64 {
                return Err(too_large(path));
            }
            read_opened(path)
        }
        SpecialFiles::Allowed { deadline } => {
            let (tx, rx) = mpsc::channel();
            let owned = path.to_path_buf();
            // Opening a FIFO waits for a writer, and reading it for data: both on a thread of their own.
            std::thread::spawn(move || {
                let read = File::open(&owned)
                    .map_err(|e| CliError::config(format!("cannot read {}: {e}", owned.display())))
                    .and_then(|f| read_at_most(f, &owned, 0));
                let _ = tx.send(read);
            });
            rx.recv_timeout(deadline).unwrap_or_else(|_| {
                Err(CliError::config(format!(
                    "{}: nothing to read within {} ms (--deadline-ms)",
                    path.display(),
                    deadline.as_millis()
                )))
            })
        }
    }
}

/// Reads a path [`precheck`] accepted (it is a regular file within the bound, or special files are
/// allowed): opened at once, without looking at the path again — what was opened is checked, so a
/// file replaced since by a folder, a special file or a larger one is still refused. One `statx` a
/// file fewer than [`read`], for the many files of a check.
pub fn read_prechecked(path: &Path, special: SpecialFiles) -> Result<Vec<u8>, CliError> {
    match special {
        SpecialFiles::Refused => read_opened(path),
        SpecialFiles::Allowed { .. } => read(path, special),
    }
}

/// Opens `path` as a regular file (without waiting) and reads it, refusing what was opened if it
/// is not a regular file or is past the bound.
fn read_opened(path: &Path) -> Result<Vec<u8>, CliError> {
    let cannot = |e: std::io::Error| CliError::config(format!("cannot read {}: {e}", path.display()));
    let file = open_regular(path).map_err(cannot)?;
    // It may have been replaced since the first look: what was opened is what counts.
    let opened = file.metadata().map_err(cannot)?;
    if opened.is_dir() {
        return Err(CliError::config(format!("{} is a folder, not a file", path.display())));
    }
    if !opened.is_file() {
        return Err(refused(path, &opened));
    }
    if opened.len() > MAX_ARTIFACT_BYTES as u64 {
        return Err(too_large(path));
    }
    // Sized from what was opened (within the bound), the file is read in one call and the end
    // found by a second, instead of a buffer grown read by read.
    read_at_most(file, path, opened.len())
}

/// Opens a file without waiting: were it swapped for a FIFO, opening it would wait for a writer.
/// What [`read`] would refuse before reading: a path that is missing, a folder, a special file
/// (unless allowed) or too large.
pub fn precheck(path: &Path, special: SpecialFiles) -> Result<(), CliError> {
    let meta = std::fs::metadata(path).map_err(|e| CliError::config(format!("cannot read {}: {e}", path.display())))?;
    match special {
        _ if meta.is_dir() => Err(CliError::config(format!("{} is a folder, not a file", path.display()))),
        SpecialFiles::Refused if !meta.is_file() => Err(refused(path, &meta)),
        SpecialFiles::Refused if meta.len() > MAX_ARTIFACT_BYTES as u64 => Err(too_large(path)),
        _ => Ok(()),
    }
}

#[cfg(unix)]
fn open_regular(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new().read(true).custom_flags(rustix::fs::OFlags::NONBLOCK.bits() as i32).open(path)
}

#[cfg(not(unix))]
fn open_regular(path: &Path) -> std::io::Result<File> {
    File::open(path)
}

/// Reads at most one byte more than the bound, to tell a file at the bound from one past it;
/// `expected` (the size the file said it has, 0 when unknown) sizes the buffer, never past the bound.
fn read_at_most(file: File, path: &Path, expected: u64) -> Result<Vec<u8>, CliError> {
    let mut bytes = Vec::with_capacity(expected.min(MAX_ARTIFACT_BYTES as u64) as usize + 1);
    file.take(MAX_ARTIFACT_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| CliError::config(format!("cannot read {}: {e}", path.display())))?;
    if bytes.len() > MAX_ARTIFACT_BYTES {
        return Err(too_large(path));
    }
    Ok(bytes)
}

fn too_large(path: &Path) -> CliError {
    CliError::config(format!("{}: more than the {MAX_ARTIFACT_BYTES} bytes an artifact may have", path.display()))
}

fn refused(path: &Path, meta: &Metadata) -> CliError {
    CliError::config(format!(
        "{} is not a regular file ({}); give --allow-special-files to read it anyway (at most {MAX_ARTIFACT_BYTES} \
         bytes, within --deadline-ms)",
        path.display(),
        kind(meta)
    ))
}

fn kind(meta: &Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    let _ = meta;
    "not a file"
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("dialtone-input-file-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let _ = std::fs::create_dir_all(&dir);
        dir
    }

    /// A path read without looking at it first is still refused for what was opened: a folder, a
    /// special file (a FIFO, opened without waiting for a writer), a file past the bound.
    #[test]
    fn a_prechecked_path_replaced_since_is_refused_for_what_was_opened() {
        let dir = temp("replaced");
        let file = dir.join("a.txt");
        std::fs::write(&file, b"abc").unwrap_or_default();
        assert_eq!(read_prechecked(&file, SpecialFiles::Refused).ok().as_deref(), Some(&b"abc"[..]));

        let error = |path: &Path| read_prechecked(path, SpecialFiles::Refused).err().map(|e| e.message);
        assert!(error(&dir).unwrap_or_default().contains("is a folder, not a file"), "{:?}", error(&dir));
        let large = dir.join("large.txt");
        std::fs::write(&large, vec![b'a'; MAX_ARTIFACT_BYTES + 1]).unwrap_or_default();
        assert!(error(&large).unwrap_or_default().contains("more than the"), "{:?}", error(&large));
        assert!(error(&dir.join("gone.txt")).unwrap_or_default().starts_with("cannot read"));
        #[cfg(unix)]
        {
            let fifo = dir.join("fifo");
            if rustix::fs::mknodat(rustix::fs::CWD, &fifo, rustix::fs::FileType::Fifo, 0o600.into(), 0).is_ok() {
                let started = std::time::Instant::now();
                assert!(
                    error(&fifo).unwrap_or_default().contains("is not a regular file (a FIFO)"),
                    "{:?}",
                    error(&fifo)
                );
                assert!(started.elapsed() < Duration::from_secs(5));
            }
        }
        let _ = std::fs::remove_dir_all(dir);
    }
}
