//! Text from candidates and users made safe to show: every XML and HTML writer passes it through
//! [`xml_text`], every terminal write through [`terminal_text`] (one line) or [`terminal_lines`].
//!
//! XML 1.0 forbids C0 controls other than tab, newline and return, and U+FFFE and U+FFFF (a
//! `junit.xml` holding one does not parse); it discourages DEL, the C1 controls and the
//! noncharacters, which HTML calls parse errors. Each of those becomes U+FFFD, so a reader sees
//! that a character stood there.

//! On a terminal, controls (C0, DEL, C1: escape sequences begin with ESC or CSI) would repaint the
//! screen; they become `·`. Characters that are invisible yet reorder or hide text — bidirectional
//! controls (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C), zero-width characters
//! (U+200B–U+200D, U+2060, U+FEFF), the other format characters, line and paragraph separators,
//! Hangul fillers — become their code point, `‹U+202E›`, so the reader sees they are there.
//! Combining marks and the letters of every script pass unchanged.

use std::borrow::Cow;

/// `text` with every code point XML or HTML forbids or discourages replaced by U+FFFD.
pub fn xml_text(text: &str) -> Cow<'_, str> {
    if all_allowed(text) {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.chars().map(|c| if allowed(c) { c } else { char::REPLACEMENT_CHARACTER }).collect())
    }
}

/// Whether every character of `text` is [`allowed`]: printable ASCII and line breaks (most of a
/// report) are passed over sixteen bytes at a time, then a byte at a time, and only the other
/// characters are decoded to be looked at.
fn all_allowed(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        // Every byte of the block tested, without stopping at the first (so the compiler tests
        // them side by side).
        if let Some(block) = bytes.get(i..i + 16)
            && block.iter().fold(true, |all, &b| all & plain_ascii(b))
        {
            i += 16;
            continue;
        }
        if plain_ascii(b) {
            i += 1;
            continue;
        }
        // Another ASCII byte is a control; a byte from 0x80 begins a character of several bytes.
        let Some(c) = text.get(i..).and_then(|rest| rest.chars().next()) else { return false };
        if !allowed(c) {
            return false;
        }
        i += c.len_utf8();
    }
    true
}

/// Whether every byte of `bytes` passes `test`: sixteen at a time (every byte of a block tested,
/// without stopping at the first, so the compiler tests them side by side), then the rest. For the
/// writers that copy text as it is when nothing in it needs escaping.
pub fn every_byte(bytes: &[u8], test: impl Fn(u8) -> bool) -> bool {
    let mut blocks = bytes.chunks_exact(16);
    blocks.all(|block| block.iter().fold(true, |all, &b| all & test(b))) && blocks.remainder().iter().all(|&b| test(b))
}

/// Printable ASCII, tab, newline or return: allowed, and a character of its own.
fn plain_ascii(b: u8) -> bool {
    (0x20..0x7f).contains(&b) | (b == b'\t') | (b == b'\n') | (b == b'\r')
}

fn allowed(c: char) -> bool {
    let noncharacter = matches!(c, '\u{fdd0}'..='\u{fdef}') || (c as u32 & 0xfffe) == 0xfffe;
    match c {
        '\t' | '\n' | '\r' => true,
        _ if c.is_control() => false,
        _ => !noncharacter,
    }
}

/// `text` for one line of a terminal, cut after `max_chars` of its characters (then `…`).
pub fn terminal_text(text: &str, max_chars: usize) -> String {
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        if i == max_chars {
            out.push('…');
            break;
        }
        push_for_terminal(&mut out, c);
    }
    out
}

/// `text` for a terminal, keeping its line breaks (a message of several lines).
pub fn terminal_lines(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c == '\n' {
            out.push(c);
        } else {
            push_for_terminal(&mut out, c);
        }
    }
    out
}

fn push_for_terminal(out: &mut String, c: char) {
    if c.is_control() {
        out.push('·');
    } else if invisible(c) {
        out.push_str(&format!("‹U+{:04X}›", c as u32));
    } else {
        out.push(c);
    }
}

/// Format characters (Unicode general category Cf), line and paragraph separators, and the Hangul
/// fillers, which render as nothing.
fn invisible(c: char) -> bool {
    matches!(
        c,
        '\u{ad}'
            | '\u{600}'..='\u{605}'
            | '\u{61c}'
            | '\u{6dd}'
            | '\u{70f}'
            | '\u{890}'..='\u{891}'
            | '\u{8e2}'
            | '\u{115f}'..='\u{1160}'
            | '\u{180e}'
            | '\u{200b}'..='\u{200f}'
            | '\u{2028}'..='\u{202e}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206f}'
            | '\u{3164}'
            | '\u{feff}'
            | '\u{ffa0}'
            | '\u{fff9}'..='\u{fffb}'
            | '\u{110bd}'
            | '\u{110cd}'
            | '\u{13430}'..='\u{1343f}'
            | '\u{1bca0}'..='\u{1bca3}'
            | '\u{1d173}'..='\u{1d17a}'
            | '\u{e0001}'
            | '\u{e0020}'..='\u{e007f}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_controls_and_invisible_characters_cannot_reach_a_terminal() {
        let hostile =
            "a\u{1b}[2Jb\u{9b}31mc\u{7}d\re\u{202e}txt.exe\u{2066}f\u{200b}g\u{200d}h\u{feff}i\u{61c}j\u{2028}k";
        let shown = terminal_text(hostile, 200);
        assert_eq!(shown, "a·[2Jb·31mc·d·e‹U+202E›txt.exe‹U+2066›f‹U+200B›g‹U+200D›h‹U+FEFF›i‹U+061C›j‹U+2028›k");
        assert_eq!(terminal_lines("one\u{1b}]0;title\u{7}\ntwo\r\u{200f}"), "one·]0;title·\ntwo·‹U+200F›");
        assert!(terminal_text("x\ny", 10) == "x·y");
    }

    #[test]
    fn names_as_people_write_them_pass_unchanged() {
        let name = "ᓄᓇᕗᑦ E\u{301}lodie Kʼómoks-Tremblay 李 ☃ 👍🏽 עִבְרִית العربية";
        assert_eq!(terminal_text(name, 200), name);
        assert_eq!(terminal_text("abcdef", 3), "abc…");
        assert_eq!(terminal_text("abc", 3), "abc");
    }

    #[test]
    fn what_xml_forbids_becomes_the_replacement_character() {
        assert_eq!(xml_text("a\u{0}b\u{1b}c\u{7f}d\u{9f}e\u{fffe}f\u{ffff}g\u{fdd0}h\u{10ffff}i"), "a�b�c�d�e�f�g�h�i");
        assert!(matches!(xml_text("ᓄᓇᕗᑦ E\u{301}lodie Kʼómoks\t\r\n\u{fffd}\u{e000}\u{10000}"), Cow::Borrowed(_)));
    }

    /// The byte-at-a-time look over ASCII says what looking at every character says, wherever the
    /// character to replace stands among ASCII and other characters.
    #[test]
    fn the_ascii_fast_path_judges_every_character_as_the_slow_one() {
        let pieces = [
            "a",
            " ",
            "~",
            "\t",
            "\n",
            "\r",
            "\u{0}",
            "\u{1f}",
            "\u{7f}",
            "\u{80}",
            "\u{9f}",
            "é",
            "ᓄ",
            "\u{fdd0}",
            "\u{fffe}",
            "👍",
            "\u{10ffff}",
        ];
        for a in pieces {
            for b in pieces {
                for c in pieces {
                    let text = format!("{a}{b}x{c}");
                    assert_eq!(all_allowed(&text), text.chars().all(allowed), "{text:?}");
                }
            }
        }
        // In and across the sixteen-byte blocks: each character at every offset of a long text.
        for a in pieces {
            for before in 0..40 {
                let text = format!("{}{a}{}", "p".repeat(before), "q\n".repeat(20));
                assert_eq!(all_allowed(&text), text.chars().all(allowed), "{text:?}");
            }
        }
    }
}
