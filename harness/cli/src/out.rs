//! Standard output for the commands. A reader that goes away (`dialtone mutants | head`) ends the
//! output quietly: later lines are dropped, no panic message is printed, and the command finishes
//! with its own exit code (`println!` would panic on the broken pipe).

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

static CLOSED: AtomicBool = AtomicBool::new(false);

/// Writes to standard output, unless a write has already failed (the reader is gone). Everything
/// written goes through the one terminal sanitizer (`dialtone_engine::safe_text`): whatever a
/// candidate, an artifact or a file put into the text, no escape sequence or invisible character
/// reaches the terminal.
pub fn write(args: std::fmt::Arguments) {
    if CLOSED.load(Ordering::Relaxed) {
        return;
    }
    let text = dialtone_engine::safe_text::terminal_lines(&args.to_string());
    let mut stdout = std::io::stdout().lock();
    if stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()).is_err() {
        CLOSED.store(true, Ordering::Relaxed);
    }
}

/// `println!` for the commands, through [`write`].
#[macro_export]
macro_rules! say {
    () => { $crate::out::write(format_args!("\n")) };
    ($($arg:tt)*) => { $crate::out::write(format_args!("{}\n", format_args!($($arg)*))) };
}

/// `print!` for the commands, through [`write`].
#[macro_export]
macro_rules! say_raw {
    ($($arg:tt)*) => { $crate::out::write(format_args!($($arg)*)) };
}
