//! Text from candidates and users made safe to show: every XML and HTML writer passes it through
//! [`xml_text`].
//!
//! XML 1.0 forbids C0 controls other than tab, newline and return, and U+FFFE and U+FFFF (a
//! `junit.xml` holding one does not parse); it discourages DEL, the C1 controls and the
//! noncharacters, which HTML calls parse errors. Each of those becomes U+FFFD, so a reader sees
//! that a character stood there.

use std::borrow::Cow;

/// `text` with every code point XML or HTML forbids or discourages replaced by U+FFFD.
pub fn xml_text(text: &str) -> Cow<'_, str> {
    if text.chars().all(allowed) {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.chars().map(|c| if allowed(c) { c } else { char::REPLACEMENT_CHARACTER }).collect())
    }
}

fn allowed(c: char) -> bool {
    let noncharacter = matches!(c, '\u{fdd0}'..='\u{fdef}') || (c as u32 & 0xfffe) == 0xfffe;
    match c {
        '\t' | '\n' | '\r' => true,
        _ if c.is_control() => false,
        _ => !noncharacter,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_xml_forbids_becomes_the_replacement_character() {
        assert_eq!(xml_text("a\u{0}b\u{1b}c\u{7f}d\u{9f}e\u{fffe}f\u{ffff}g\u{fdd0}h\u{10ffff}i"), "a�b�c�d�e�f�g�h�i");
        assert!(matches!(xml_text("ᓄᓇᕗᑦ E\u{301}lodie Kʼómoks\t\r\n\u{fffd}\u{e000}\u{10000}"), Cow::Borrowed(_)));
    }
}
