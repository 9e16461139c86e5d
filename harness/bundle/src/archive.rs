//! The bundle's container: a gzip-compressed POSIX tar archive (`tar -xzf` unpacks it anywhere),
//! written deterministically (names sorted, times, owners and modes fixed), and read from
//! untrusted bytes within bounds: only plain files with plain relative names, every size counted
//! before it is read. An unpacked bundle (a folder) is read by the same rules.

use crate::{BundleError, Files, Limits};
use std::io::Read;
use std::path::Path;

/// The deepest a name may be (`public/report.json` is 2).
const MAX_DEPTH: usize = 4;
const MAX_NAME_BYTES: usize = 200;

/// Whether `name` is one a bundle may hold: relative, `/`-separated, each part made of ASCII
/// letters, digits, `.`, `_` and `-`, none `.` or `..`, no hidden parts.
pub(crate) fn check_name(name: &str) -> Result<(), String> {
    if name.is_empty() || name.len() > MAX_NAME_BYTES {
        return Err(format!("a name must have 1 to {MAX_NAME_BYTES} bytes"));
    }
    let parts: Vec<&str> = name.split('/').collect();
    if parts.len() > MAX_DEPTH {
        return Err(format!("deeper than {MAX_DEPTH} folders"));
    }
    for part in parts {
        if part.is_empty() || part.starts_with('.') {
            return Err("an absolute name, an empty part, or a part starting with '.' (such as '..')".into());
        }
        if !part.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-')) {
            return Err("a character other than ASCII letters, digits, '.', '_', '-' and '/'".into());
        }
    }
    Ok(())
}

fn insert(
    files: &mut Files,
    name: String,
    bytes: Vec<u8>,
    limits: &Limits,
    total: &mut u64,
) -> Result<(), BundleError> {
    check_name(&name).map_err(|why| BundleError::Unsafe { name: name.clone(), why })?;
    if files.len() >= limits.files {
        return Err(BundleError::TooLarge { what: "the number of files".into(), limit: limits.files as u64 });
    }
    // Names that differ only in case would overwrite each other on some file systems.
    if files.keys().any(|k| k.eq_ignore_ascii_case(&name)) {
        return Err(BundleError::Unsafe { name, why: "a second file of this name (case ignored)".into() });
    }
    *total += bytes.len() as u64;
    if *total > limits.unpacked_bytes {
        return Err(BundleError::TooLarge { what: "the bundle's files together".into(), limit: limits.unpacked_bytes });
    }
    files.insert(name, bytes);
    Ok(())
}

/// Packs `files` as a gzip-compressed tar archive, the same bytes for the same files.
pub fn pack(files: &Files) -> Result<Vec<u8>, BundleError> {
    let failed = |e: std::io::Error| BundleError::Archive(format!("cannot write the archive: {e}"));
    let gz = flate2::GzBuilder::new().mtime(0).write(Vec::new(), flate2::Compression::default());
    let mut tar = tar::Builder::new(gz);
    tar.mode(tar::HeaderMode::Deterministic);
    for (name, bytes) in files {
        check_name(name).map_err(|why| BundleError::Unsafe { name: name.clone(), why })?;
        let mut header = tar::Header::new_ustar();
        header.set_entry_type(tar::EntryType::Regular);
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(0);
        header.set_uid(0);
        header.set_gid(0);
        tar.append_data(&mut header, name, bytes.as_slice()).map_err(failed)?;
    }
    let gz = tar.into_inner().map_err(failed)?;
    gz.finish().map_err(failed)
}

/// Reads a gzip-compressed tar archive from untrusted bytes.
pub fn unpack(bytes: &[u8], limits: &Limits) -> Result<Files, BundleError> {
    if bytes.len() as u64 > limits.archive_bytes {
        return Err(BundleError::TooLarge { what: "the archive".into(), limit: limits.archive_bytes });
    }
    let mut decoder = flate2::bufread::GzDecoder::new(bytes);
    // The tar stream adds a 512-byte header per file and pads each to 512 bytes.
    let tar_limit = limits.unpacked_bytes + (limits.files as u64 + 4) * 1024;
    let mut tar_bytes = Vec::new();
    (&mut decoder)
        .take(tar_limit + 1)
        .read_to_end(&mut tar_bytes)
        .map_err(|e| BundleError::Archive(format!("not a gzip stream dialtone can read: {e}")))?;
    if tar_bytes.len() as u64 > tar_limit {
        return Err(BundleError::TooLarge { what: "the unpacked archive".into(), limit: tar_limit });
    }
    if !decoder.into_inner().is_empty() {
        return Err(BundleError::Archive("bytes after the end of the gzip stream".into()));
    }
    let mut archive = tar::Archive::new(tar_bytes.as_slice());
    let entries = archive.entries().map_err(|e| BundleError::Archive(format!("not a tar archive: {e}")))?;
    let mut files = Files::new();
    let mut total = 0u64;
    for entry in entries {
        let mut entry = entry.map_err(|e| BundleError::Archive(format!("a damaged tar entry: {e}")))?;
        let name = String::from_utf8(entry.path_bytes().into_owned())
            .map_err(|_| BundleError::Unsafe { name: "(not UTF-8)".into(), why: "a name that is not UTF-8".into() })?;
        match entry.header().entry_type() {
            tar::EntryType::Regular | tar::EntryType::Continuous => {}
            tar::EntryType::Directory => {
                let dir = name.trim_end_matches('/');
                check_name(dir).map_err(|why| BundleError::Unsafe { name: name.clone(), why })?;
                continue;
            }
            other => {
                return Err(BundleError::Unsafe { name, why: format!("not a plain file (tar entry type {other:?})") });
            }
        }
        let size = entry.header().size().map_err(|e| BundleError::Archive(format!("{name:?}: {e}")))?;
        if size > limits.file_bytes {
            return Err(BundleError::TooLarge { what: format!("{name:?}"), limit: limits.file_bytes });
        }
        let mut content = Vec::new();
        (&mut entry)
            .take(size)
            .read_to_end(&mut content)
            .map_err(|e| BundleError::Archive(format!("{name:?}: {e}")))?;
        if content.len() as u64 != size {
            return Err(BundleError::Archive(format!("{name:?} is truncated")));
        }
        insert(&mut files, name, content, limits, &mut total)?;
    }
    Ok(files)
}

/// Reads an unpacked bundle: every plain file under `dir`; a link or anything else is refused.
pub fn read_dir(dir: &Path, limits: &Limits) -> Result<Files, BundleError> {
    let mut files = Files::new();
    let mut total = 0u64;
    let mut pending = vec![(dir.to_path_buf(), String::new(), 0usize)];
    while let Some((path, prefix, depth)) = pending.pop() {
        let entries = std::fs::read_dir(&path)
            .map_err(|e| BundleError::Archive(format!("cannot read {}: {e}", path.display())))?;
        for entry in entries {
            let entry = entry.map_err(|e| BundleError::Archive(format!("cannot read {}: {e}", path.display())))?;
            let raw = entry.file_name();
            let part = raw.to_str().ok_or_else(|| BundleError::Unsafe {
                name: format!("{prefix}{}", raw.to_string_lossy()),
                why: "a name that is not UTF-8".into(),
            })?;
            let name = format!("{prefix}{part}");
            let kind = entry.file_type().map_err(|e| BundleError::Archive(format!("{name}: {e}")))?;
            if kind.is_dir() {
                check_name(&name).map_err(|why| BundleError::Unsafe { name: name.clone(), why })?;
                if depth + 1 >= MAX_DEPTH {
                    return Err(BundleError::Unsafe { name, why: format!("deeper than {MAX_DEPTH} folders") });
                }
                pending.push((entry.path(), format!("{name}/"), depth + 1));
            } else if kind.is_file() {
                let file =
                    std::fs::File::open(entry.path()).map_err(|e| BundleError::Archive(format!("{name}: {e}")))?;
                let mut content = Vec::new();
                file.take(limits.file_bytes + 1)
                    .read_to_end(&mut content)
                    .map_err(|e| BundleError::Archive(format!("{name}: {e}")))?;
                if content.len() as u64 > limits.file_bytes {
                    return Err(BundleError::TooLarge { what: format!("{name:?}"), limit: limits.file_bytes });
                }
                insert(&mut files, name, content, limits, &mut total)?;
            } else {
                return Err(BundleError::Unsafe { name, why: "a link or a special file, not a plain file".into() });
            }
        }
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files() -> Files {
        Files::from([("a.json".to_string(), b"{}".to_vec()), ("public/b.html".to_string(), b"<p>".to_vec())])
    }

    #[test]
    fn packing_is_deterministic_and_unpacks_to_the_same_files() {
        let packed = pack(&files()).unwrap();
        assert_eq!(packed, pack(&files()).unwrap());
        assert_eq!(unpack(&packed, &Limits::default()).unwrap(), files());
    }

    #[test]
    fn names_that_could_escape_or_hide_are_refused() {
        for bad in ["../x", "/etc/passwd", "a//b", ".hidden", "a/../b", "a\\b", "", "a/b/c/d/e", "é"] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
        for good in ["report.json", "public/report.html", "attestation.dsse.json"] {
            assert!(check_name(good).is_ok(), "{good:?}");
        }
    }

    /// An archive made by another tool with a link, a `..` name or a bomb is refused, naming it.
    #[test]
    fn hostile_archives_are_refused_within_bounds() {
        let gz = |tar: Vec<u8>| {
            use std::io::Write;
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            e.write_all(&tar).unwrap();
            e.finish().unwrap()
        };
        // A symbolic link.
        let mut b = tar::Builder::new(Vec::new());
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::Symlink);
        h.set_size(0);
        b.append_link(&mut h, "report.json", "/etc/passwd").unwrap();
        let err = unpack(&gz(b.into_inner().unwrap()), &Limits::default()).unwrap_err();
        assert_eq!(err.file(), Some("report.json"), "{err}");
        // A name climbing out (written raw: the tar crate refuses to write one).
        let mut h = tar::Header::new_old();
        h.as_old_mut().name[..5].copy_from_slice(b"../x\0");
        h.set_size(1);
        h.set_entry_type(tar::EntryType::Regular);
        h.set_cksum();
        let mut raw = h.as_bytes().to_vec();
        raw.extend_from_slice(&[b'x'; 512]);
        raw.extend_from_slice(&[0; 1024]);
        assert!(matches!(unpack(&gz(raw), &Limits::default()), Err(BundleError::Unsafe { .. })));
        // A gzip bomb: a small archive that unpacks past the bound.
        let big = Files::from([("a".to_string(), vec![0u8; 3 << 20])]);
        let small = Limits { unpacked_bytes: 1 << 20, file_bytes: 1 << 20, ..Limits::default() };
        assert!(matches!(unpack(&pack(&big).unwrap(), &small), Err(BundleError::TooLarge { .. })));
        // Not gzip at all, and bytes after the gzip stream.
        assert!(matches!(unpack(b"plain text", &Limits::default()), Err(BundleError::Archive(_))));
        let mut trailing = pack(&files()).unwrap();
        trailing.push(0);
        assert!(matches!(unpack(&trailing, &Limits::default()), Err(BundleError::Archive(_))));
    }
}
