//! The content encryption algorithms of JWE (RFC 7518 §5.1): AES-GCM (§5.3, RustCrypto's `aes-gcm`)
//! and AES-CBC with HMAC-SHA2 (§5.2, the composite of §5.2.2 over RustCrypto's `cbc`, `aes` and
//! `hmac`: the MAC over the AAD, the IV, the ciphertext and the AAD's length in bits, its first half
//! the tag, checked in constant time before anything is decrypted).

use aes_gcm::aead::generic_array::typenum::U12;
use aes_gcm::aead::{Aead, KeyInit, Payload};
use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockCipher, BlockDecryptMut, BlockEncryptMut, KeyIvInit};
use hmac::{Hmac, Mac};
use sha2::{Sha256, Sha384, Sha512};

/// One `enc` value (RFC 7518 §5.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Enc {
    A128Gcm,
    A192Gcm,
    A256Gcm,
    A128CbcHs256,
    A192CbcHs384,
    A256CbcHs512,
}

/// An encryption's output: the ciphertext and the authentication tag.
pub(super) struct Sealed {
    pub ciphertext: Vec<u8>,
    pub tag: Vec<u8>,
}

const FAILED: &str = "the content does not decrypt (wrong key, or the JWE was altered)";

impl Enc {
    pub(super) const ALL: [Enc; 6] =
        [Self::A128Gcm, Self::A192Gcm, Self::A256Gcm, Self::A128CbcHs256, Self::A192CbcHs384, Self::A256CbcHs512];

    pub(super) fn name(self) -> &'static str {
        match self {
            Self::A128Gcm => "A128GCM",
            Self::A192Gcm => "A192GCM",
            Self::A256Gcm => "A256GCM",
            Self::A128CbcHs256 => "A128CBC-HS256",
            Self::A192CbcHs384 => "A192CBC-HS384",
            Self::A256CbcHs512 => "A256CBC-HS512",
        }
    }

    pub(super) fn of(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.name() == name)
    }

    /// The content encryption key's length in bytes (for CBC-HS: the MAC key and the AES key).
    pub(super) fn key_len(self) -> usize {
        match self {
            Self::A128Gcm => 16,
            Self::A192Gcm => 24,
            Self::A256Gcm | Self::A128CbcHs256 => 32,
            Self::A192CbcHs384 => 48,
            Self::A256CbcHs512 => 64,
        }
    }

    /// The initialization vector's length in bytes: 96 bits for GCM (§5.3), 128 for CBC (§5.2.2.1).
    pub(super) fn iv_len(self) -> usize {
        match self {
            Self::A128Gcm | Self::A192Gcm | Self::A256Gcm => 12,
            _ => 16,
        }
    }

    pub(super) fn encrypt(self, key: &[u8], iv: &[u8], aad: &[u8], plaintext: &[u8]) -> Result<Sealed, String> {
        self.check(key, iv)?;
        let half = key.len() / 2;
        let (mac_key, enc_key) = key.split_at(half);
        match self {
            Self::A128Gcm => gcm_encrypt::<aes::Aes128>(key, iv, aad, plaintext),
            Self::A192Gcm => gcm_encrypt::<aes::Aes192>(key, iv, aad, plaintext),
            Self::A256Gcm => gcm_encrypt::<aes::Aes256>(key, iv, aad, plaintext),
            Self::A128CbcHs256 => cbc_hs_encrypt::<aes::Aes128, Hmac<Sha256>>(mac_key, enc_key, iv, aad, plaintext),
            Self::A192CbcHs384 => cbc_hs_encrypt::<aes::Aes192, Hmac<Sha384>>(mac_key, enc_key, iv, aad, plaintext),
            Self::A256CbcHs512 => cbc_hs_encrypt::<aes::Aes256, Hmac<Sha512>>(mac_key, enc_key, iv, aad, plaintext),
        }
    }

    pub(super) fn decrypt(self, key: &[u8], iv: &[u8], aad: &[u8], sealed: &Sealed) -> Result<Vec<u8>, String> {
        self.check(key, iv)?;
        let tag_len = match self {
            Self::A128Gcm | Self::A192Gcm | Self::A256Gcm => 16,
            _ => key.len() / 2,
        };
        if sealed.tag.len() != tag_len {
            return Err(format!("the authentication tag is {} bytes, {} has {tag_len}", sealed.tag.len(), self.name()));
        }
        let (mac_key, enc_key) = key.split_at(key.len() / 2);
        match self {
            Self::A128Gcm => gcm_decrypt::<aes::Aes128>(key, iv, aad, sealed),
            Self::A192Gcm => gcm_decrypt::<aes::Aes192>(key, iv, aad, sealed),
            Self::A256Gcm => gcm_decrypt::<aes::Aes256>(key, iv, aad, sealed),
            Self::A128CbcHs256 => cbc_hs_decrypt::<aes::Aes128, Hmac<Sha256>>(mac_key, enc_key, iv, aad, sealed),
            Self::A192CbcHs384 => cbc_hs_decrypt::<aes::Aes192, Hmac<Sha384>>(mac_key, enc_key, iv, aad, sealed),
            Self::A256CbcHs512 => cbc_hs_decrypt::<aes::Aes256, Hmac<Sha512>>(mac_key, enc_key, iv, aad, sealed),
        }
    }

    fn check(self, key: &[u8], iv: &[u8]) -> Result<(), String> {
        if key.len() != self.key_len() {
            return Err(format!("{} needs a {}-byte key, not {}", self.name(), self.key_len(), key.len()));
        }
        if iv.len() != self.iv_len() {
            return Err(format!("{} needs a {}-byte IV, not {}", self.name(), self.iv_len(), iv.len()));
        }
        Ok(())
    }
}

type Gcm<C> = aes_gcm::AesGcm<C, U12>;

/// A 96-bit GCM nonce (its length checked by [`Enc::check`] first).
fn nonce<A: aes_gcm::aead::AeadCore>(iv: &[u8]) -> &aes_gcm::aead::Nonce<A> {
    iv.into()
}

fn gcm_encrypt<C>(key: &[u8], iv: &[u8], aad: &[u8], plaintext: &[u8]) -> Result<Sealed, String>
where
    Gcm<C>: KeyInit + Aead,
{
    let cipher = Gcm::<C>::new_from_slice(key).map_err(|_| "unusable AES key")?;
    let mut out = cipher
        .encrypt(nonce::<Gcm<C>>(iv), Payload { msg: plaintext, aad })
        .map_err(|_| "AES-GCM refused to encrypt")?;
    let tag = out.split_off(out.len().saturating_sub(16));
    Ok(Sealed { ciphertext: out, tag })
}

fn gcm_decrypt<C>(key: &[u8], iv: &[u8], aad: &[u8], sealed: &Sealed) -> Result<Vec<u8>, String>
where
    Gcm<C>: KeyInit + Aead,
{
    let cipher = Gcm::<C>::new_from_slice(key).map_err(|_| "unusable AES key")?;
    let mut msg = Vec::with_capacity(sealed.ciphertext.len() + sealed.tag.len());
    msg.extend_from_slice(&sealed.ciphertext);
    msg.extend_from_slice(&sealed.tag);
    cipher.decrypt(nonce::<Gcm<C>>(iv), Payload { msg: &msg, aad }).map_err(|_| FAILED.to_string())
}

/// The HMAC of RFC 7518 §5.2.2.1 step 5: over A || IV || E || AL (AL: A's length in bits, 64-bit
/// big-endian).
fn cbc_hs_mac<M: Mac + KeyInit>(mac_key: &[u8], iv: &[u8], aad: &[u8], ciphertext: &[u8]) -> Result<M, String> {
    let mut mac = <M as Mac>::new_from_slice(mac_key).map_err(|_| "unusable MAC key")?;
    let al = u64::try_from(aad.len()).map_err(|_| "the AAD is too long")?.saturating_mul(8);
    mac.update(aad);
    mac.update(iv);
    mac.update(ciphertext);
    mac.update(&al.to_be_bytes());
    Ok(mac)
}

fn cbc_hs_encrypt<C, M>(
    mac_key: &[u8],
    enc_key: &[u8],
    iv: &[u8],
    aad: &[u8],
    plaintext: &[u8],
) -> Result<Sealed, String>
where
    C: BlockCipher + BlockEncryptMut + KeyInit,
    M: Mac + KeyInit,
{
    let encryptor = cbc::Encryptor::<C>::new_from_slices(enc_key, iv).map_err(|_| "unusable AES key or IV")?;
    let ciphertext = encryptor.encrypt_padded_vec_mut::<Pkcs7>(plaintext);
    let mut tag = cbc_hs_mac::<M>(mac_key, iv, aad, &ciphertext)?.finalize().into_bytes().to_vec();
    tag.truncate(mac_key.len());
    Ok(Sealed { ciphertext, tag })
}

fn cbc_hs_decrypt<C, M>(
    mac_key: &[u8],
    enc_key: &[u8],
    iv: &[u8],
    aad: &[u8],
    sealed: &Sealed,
) -> Result<Vec<u8>, String>
where
    C: BlockCipher + BlockDecryptMut + KeyInit,
    M: Mac + KeyInit,
{
    cbc_hs_mac::<M>(mac_key, iv, aad, &sealed.ciphertext)?.verify_truncated_left(&sealed.tag).map_err(|_| FAILED)?;
    let decryptor = cbc::Decryptor::<C>::new_from_slices(enc_key, iv).map_err(|_| "unusable AES key or IV")?;
    decryptor.decrypt_padded_vec_mut::<Pkcs7>(&sealed.ciphertext).map_err(|_| FAILED.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        let s: String = s.split_whitespace().collect();
        (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
    }

    /// RFC 7518 Appendix B.1: AES_128_CBC_HMAC_SHA_256's published ciphertext and tag.
    #[test]
    fn a128cbc_hs256_gives_the_rfc_7518_appendix_b_1_ciphertext_and_tag() {
        let key = hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
        let plaintext =
            hex("41 20 63 69 70 68 65 72 20 73 79 73 74 65 6d 20 6d 75 73 74 20 6e 6f 74 20 62 65 20 72 65 71 75
             69 72 65 64 20 74 6f 20 62 65 20 73 65 63 72 65 74 2c 20 61 6e 64 20 69 74 20 6d 75 73 74 20 62
             65 20 61 62 6c 65 20 74 6f 20 66 61 6c 6c 20 69 6e 74 6f 20 74 68 65 20 68 61 6e 64 73 20 6f 66
             20 74 68 65 20 65 6e 65 6d 79 20 77 69 74 68 6f 75 74 20 69 6e 63 6f 6e 76 65 6e 69 65 6e 63 65");
        let iv = hex("1a f3 8c 2d c2 b9 6f fd d8 66 94 09 23 41 bc 04");
        let aad = hex("54 68 65 20 73 65 63 6f 6e 64 20 70 72 69 6e 63 69 70 6c 65 20 6f 66 20 41 75 67 75 73 74 65 20
             4b 65 72 63 6b 68 6f 66 66 73");
        let sealed = Enc::A128CbcHs256.encrypt(&key, &iv, &aad, &plaintext).unwrap();
        assert_eq!(
            sealed.ciphertext,
            hex("c8 0e df a3 2d df 39 d5 ef 00 c0 b4 68 83 42 79 a2 e4 6a 1b 80 49 f7 92 f7 6b fe 54 b9 03 a9 c9
                 a9 4a c9 b4 7a d2 65 5c 5f 10 f9 ae f7 14 27 e2 fc 6f 9b 3f 39 9a 22 14 89 f1 63 62 c7 03 23 36
                 09 d4 5a c6 98 64 e3 32 1c f8 29 35 ac 40 96 c8 6e 13 33 14 c5 40 19 e8 ca 79 80 df a4 b9 cf 1b
                 38 4c 48 6f 3a 54 c5 10 78 15 8e e5 d7 9d e5 9f bd 34 d8 48 b3 d6 95 50 a6 76 46 34 44 27 ad e5
                 4b 88 51 ff b5 98 f7 f8 00 74 b9 47 3c 82 e2 db")
        );
        assert_eq!(sealed.tag, hex("65 2c 3f a3 6b 0a 7c 5b 32 19 fa b3 a3 0b c1 c4"));
        assert_eq!(Enc::A128CbcHs256.decrypt(&key, &iv, &aad, &sealed).unwrap(), plaintext);
    }

    /// Every `enc` decrypts what it encrypts, and refuses a flipped bit anywhere, a wrong key, a
    /// short tag and a key or IV of the wrong length.
    #[test]
    fn every_enc_round_trips_and_refuses_what_was_altered() {
        for enc in Enc::ALL {
            let key: Vec<u8> = (0..enc.key_len() as u8).collect();
            let iv = vec![7u8; enc.iv_len()];
            let sealed = enc.encrypt(&key, &iv, b"aad", b"the plaintext").unwrap();
            assert_eq!(enc.decrypt(&key, &iv, b"aad", &sealed).unwrap(), b"the plaintext", "{}", enc.name());
            let flip = |bytes: &[u8]| {
                let mut out = bytes.to_vec();
                out[0] ^= 1;
                out
            };
            let other = |c: Vec<u8>, t: Vec<u8>| Sealed { ciphertext: c, tag: t };
            assert!(enc.decrypt(&key, &iv, b"aae", &sealed).is_err());
            assert!(enc.decrypt(&key, &flip(&iv), b"aad", &sealed).is_err());
            assert!(enc.decrypt(&flip(&key), &iv, b"aad", &sealed).is_err());
            assert!(enc.decrypt(&key, &iv, b"aad", &other(flip(&sealed.ciphertext), sealed.tag.clone())).is_err());
            assert!(enc.decrypt(&key, &iv, b"aad", &other(sealed.ciphertext.clone(), flip(&sealed.tag))).is_err());
            let short = sealed.tag[..8].to_vec();
            assert!(enc.decrypt(&key, &iv, b"aad", &other(sealed.ciphertext.clone(), short)).is_err());
            assert!(enc.encrypt(&key[1..], &iv, b"aad", b"x").is_err());
            assert!(enc.encrypt(&key, &iv[1..], b"aad", b"x").is_err());
            assert_eq!(Enc::of(enc.name()), Some(enc));
        }
        assert_eq!(Enc::of("A128KW"), None);
    }
}
