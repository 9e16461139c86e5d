//! One home per protocol member: OpenID4VCI and OpenID4VP member names are spelled in their
//! message types (`protocols::oid4vci::message`, `protocols::oid4vp::message`, DCQL in
//! `protocols::dcql`, dialtone's control API in `protocols::control`) and nowhere else in the
//! harness's code; everything else reads and writes the typed messages.

use std::path::{Path, PathBuf};

/// Members distinctive enough that a string literal of one is a message spelled by hand.
const MEMBERS: &[&str] = &[
    "c_nonce",
    "credential_endpoint",
    "nonce_endpoint",
    "token_endpoint",
    "credential_issuer",
    "credential_configuration_id",
    "credential_configuration_ids",
    "credential_configurations_supported",
    "credential_identifier",
    "credential_offer",
    "credential_offer_uri",
    "pre-authorized_code",
    "tx_code",
    "access_token",
    "authorization_servers",
    "proof_types_supported",
    "proof_signing_alg_values_supported",
    "credential_signing_alg_values_supported",
    "cryptographic_binding_methods_supported",
    "notification_id",
    "transaction_id",
    "vp_token",
    "response_uri",
    "response_mode",
    "dcql_query",
    "client_metadata",
    "request_uri",
    "vct_values",
    "encrypted_response_enc_values_supported",
    "transaction_data",
    "transaction_data_hashes",
    "credential_sets",
    "claim_sets",
    "expected_origins",
];

/// Where the members are spelled on purpose.
const HOMES: &[&str] = &[
    "protocols/src/oid4vci/message.rs",
    "protocols/src/oid4vp/message.rs",
    "protocols/src/dcql.rs",
    "protocols/src/dcql/select.rs",
    "protocols/src/dcql/trusted.rs",
    "protocols/src/oid4vp/transaction_data.rs",
    "protocols/src/oid4vp/dc_api.rs",
    "protocols/src/control.rs",
    "protocols/src/oid4vci/authorization_details.rs",
    "protocols/src/oid4vci/deferred.rs",
    "protocols/src/oid4vci/encryption.rs",
    "protocols/src/oid4vci/notification.rs",
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            if !path.ends_with("tests") && !path.ends_with("fuzz") && !path.ends_with("target") {
                rust_files(&path, out);
            }
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn protocol_member_names_live_in_the_message_types() {
    let harness = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    rust_files(&harness, &mut files);
    assert!(files.len() > 50, "the harness's sources were found");
    let mut found = Vec::new();
    for file in files {
        let relative = file.strip_prefix(&harness).unwrap_or(&file).to_string_lossy().replace('\\', "/");
        if HOMES.iter().any(|h| relative == *h) {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        // Unit tests spell messages to check the types.
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        for (n, line) in code.lines().enumerate() {
            if line.trim_start().starts_with("//") {
                continue;
            }
            for member in MEMBERS {
                if line.contains(&format!("\"{member}\"")) {
                    found.push(format!("{relative}:{}: \"{member}\"", n + 1));
                }
            }
        }
    }
    assert!(found.is_empty(), "member names spelled outside the message types:\n{}", found.join("\n"));
}
