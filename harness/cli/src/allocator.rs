//! The `dialtone` binary's allocator: mimalloc, with a cap a process can put on what it allocates
//! from then on.
//!
//! mimalloc rather than the system's allocator (issue 15): the harness, its references and `check`
//! allocate many small, short-lived values (JSON, header fields, evidence), and with glibc's malloc
//! and free took about a fifth of the selftest's CPU time and a tenth of `check`'s.
//!
//! The cap is how the QR decoder's child ([`crate::qr_child`]) bounds its memory. `RLIMIT_DATA`
//! cannot: mimalloc maps its arena (1 GiB of address space, writable, not backed until touched) in
//! one go, so the limit counts the whole arena whatever is used, and a limit below it refuses every
//! later mapping. So the child caps its allocations here, whatever the allocator underneath; past
//! the cap an allocation fails, and the process aborts as it does when the operating system
//! refuses memory ("memory allocation of N bytes failed", SIGABRT).

use std::alloc::{GlobalAlloc, Layout};
use std::sync::atomic::{AtomicBool, AtomicIsize, Ordering};

/// The global allocator of the `dialtone` binary (and of its tests).
pub struct Allocator;

/// Whether allocations are capped (only ever set, once, by [`cap`]).
static CAPPED: AtomicBool = AtomicBool::new(false);
/// Bytes that may still be allocated while capped. Memory allocated before the cap and freed after
/// it adds to this: the cap bounds what is allocated from then on, plus what was held before.
static LEFT: AtomicIsize = AtomicIsize::new(0);

/// From now on, at most `bytes` more bytes may be held at once (allocations past that fail).
pub fn cap(bytes: u64) {
    LEFT.store(isize::try_from(bytes).unwrap_or(isize::MAX), Ordering::SeqCst);
    CAPPED.store(true, Ordering::SeqCst);
}

/// Takes `size` bytes from what is left under the cap; `false` (taking nothing) past it.
fn take(size: usize) -> bool {
    let size = isize::try_from(size).unwrap_or(isize::MAX);
    if LEFT.fetch_sub(size, Ordering::Relaxed).saturating_sub(size) >= 0 {
        return true;
    }
    LEFT.fetch_add(size, Ordering::Relaxed);
    false
}

fn give_back(size: usize) {
    LEFT.fetch_add(isize::try_from(size).unwrap_or(isize::MAX), Ordering::Relaxed);
}

fn capped() -> bool {
    CAPPED.load(Ordering::Relaxed)
}

/// `allocate`d `size` bytes, under the cap when there is one: refused (null) past it, and given
/// back when the allocation itself fails.
fn under_cap(size: usize, allocate: impl FnOnce() -> *mut u8) -> *mut u8 {
    if !capped() {
        return allocate();
    }
    if !take(size) {
        return std::ptr::null_mut();
    }
    let p = allocate();
    if p.is_null() {
        give_back(size);
    }
    p
}

// SAFETY: every call goes to mimalloc's own `GlobalAlloc` with the caller's arguments unchanged;
// the cap only refuses (null) before calling it, which `GlobalAlloc` allows.
unsafe impl GlobalAlloc for Allocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller upholds `alloc`'s contract, passed on as is.
        under_cap(layout.size(), || unsafe { mimalloc::MiMalloc.alloc(layout) })
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        under_cap(layout.size(), || unsafe { mimalloc::MiMalloc.alloc_zeroed(layout) })
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from this allocator (so from mimalloc) with `layout`.
        unsafe { mimalloc::MiMalloc.dealloc(ptr, layout) };
        if capped() {
            give_back(layout.size());
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let growth = new_size.saturating_sub(layout.size());
        if capped() && !take(growth) {
            return std::ptr::null_mut();
        }
        // SAFETY: `ptr` came from this allocator (so from mimalloc) with `layout`; the caller
        // upholds the rest of `realloc`'s contract.
        let p = unsafe { mimalloc::MiMalloc.realloc(ptr, layout, new_size) };
        if capped() {
            match p.is_null() {
                true => give_back(growth),
                false => give_back(layout.size().saturating_sub(new_size)),
            }
        }
        p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_taken_under_the_cap_is_bounded_and_comes_back_when_given() {
        LEFT.store(100, Ordering::SeqCst);
        assert!(take(60));
        assert!(!take(41), "past the cap");
        assert_eq!(LEFT.load(Ordering::SeqCst), 40, "a refusal takes nothing");
        give_back(60);
        assert!(take(100));
        assert!(!take(1));
    }
}
