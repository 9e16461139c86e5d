//! COSE's own header rule (RFC 9052 §3.1), for every COSE_Sign1 dialtone judges: a W3C VC secured
//! with COSE and an mdoc's issuerAuth (`COSE-HDR-001`).

use dialtone_engine::model::Outcome;

/// COSE-HDR-001: the labels a COSE_Sign1's `crit` lists are understood, or the message is rejected,
/// and `crit` sits in the protected header (RFC 9052 §3.1). dialtone understands no extension, so a
/// `crit` still fails, naming what it lists.
pub(crate) fn critical(sign1: &dialtone_protocols::cose::Sign1) -> Outcome {
    let listed = sign1.critical();
    if listed.is_empty() {
        return Outcome::pass("no crit header parameter");
    }
    let names: Vec<String> = listed
        .iter()
        .map(|(n, protected)| if *protected { n.clone() } else { format!("{n} (in the unprotected header)") })
        .collect();
    Outcome::fail(
        "no COSE crit, or one listing only parameters the verifier understands, in the protected header (dialtone understands no extension)",
        format!("crit lists {}", names.join(", ")),
    )
}
