//! Reproducible randomness: `--seed N` makes keys, salts and nonces the same on every run.

use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;
use std::sync::Mutex;

/// A thread-safe source of random bytes, seeded (reproducible) or from the OS.
pub struct Entropy {
    rng: Mutex<ChaCha20Rng>,
    /// Whether a seed made it (and everything derived from it): what it gives must then be
    /// reproducible, signatures included.
    seeded: bool,
}

impl Entropy {
    pub fn seeded(seed: u64) -> Self {
        Self { rng: Mutex::new(ChaCha20Rng::seed_from_u64(seed)), seeded: true }
    }

    pub fn from_os() -> Self {
        Self { rng: Mutex::new(ChaCha20Rng::from_entropy()), seeded: false }
    }

    pub fn new(seed: Option<u64>) -> Self {
        seed.map(Self::seeded).unwrap_or_else(Self::from_os)
    }

    /// A child source for one named purpose, so that concurrent users do not perturb each other's
    /// sequence (a seeded run stays reproducible whatever order tasks run in).
    pub fn derive(&self, label: &str) -> Entropy {
        use sha2::{Digest, Sha256};
        let mut base = [0u8; 32];
        self.fill(&mut base);
        let digest = Sha256::new().chain_update(base).chain_update(label.as_bytes()).finalize();
        let mut seed = [0u8; 32];
        seed.copy_from_slice(&digest);
        Entropy { rng: Mutex::new(ChaCha20Rng::from_seed(seed)), seeded: self.seeded }
    }

    /// Whether a seed made this source: its keys then sign deterministically (RFC 6979).
    pub fn is_seeded(&self) -> bool {
        self.seeded
    }

    pub fn fill(&self, out: &mut [u8]) {
        let mut rng = self.rng.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        rng.fill_bytes(out);
    }

    /// `n` random bytes, base64url encoded: salts, nonces, codes.
    pub fn token(&self, n: usize) -> String {
        let mut buf = vec![0u8; n];
        self.fill(&mut buf);
        crate::b64::encode(buf)
    }

    /// A decimal string of `digits` digits (transaction codes).
    pub fn digits(&self, digits: usize) -> String {
        let mut buf = vec![0u8; digits];
        self.fill(&mut buf);
        buf.iter().map(|b| char::from(b'0' + b % 10)).collect()
    }

    /// Runs `f` with the locked RNG (key generation needs a `CryptoRngCore`).
    pub(crate) fn with_rng<T>(&self, f: impl FnOnce(&mut ChaCha20Rng) -> T) -> T {
        let mut rng = self.rng.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        f(&mut rng)
    }
}
