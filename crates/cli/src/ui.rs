//! Presentation: results on stdout, messages on stderr, colour only on a terminal
//! (NO_COLOR honoured), and a spinner on stderr while waiting on the network.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;

use crate::exit::CliError;
use crate::select::{self, OutputFormat};

/// Whether colour may be used on stderr.
pub fn stderr_colour() -> bool {
    std::io::stderr().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        && std::env::var("TERM").map_or(true, |t| t != "dumb")
}

/// Whether colour may be used on stdout.
#[cfg(feature = "emulator")]
pub fn stdout_colour() -> bool {
    std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        && std::env::var("TERM").map_or(true, |t| t != "dumb")
}

/// `text` in an SGR colour when `on`.
pub fn paint(on: bool, sgr: &str, text: &str) -> String {
    if on {
        format!("\x1b[{sgr}m{text}\x1b[0m")
    } else {
        text.to_owned()
    }
}

/// Writes a result to stdout.
#[allow(clippy::print_stdout)]
pub fn out(text: &str) {
    print!("{text}");
    let _ = std::io::stdout().flush();
}

/// Writes a message line to stderr.
#[allow(clippy::print_stderr)]
pub fn note(text: &str) {
    eprintln!("{text}");
}

/// Writes to stderr without a newline (prompts).
#[allow(clippy::print_stderr)]
pub fn note_inline(text: &str) {
    eprint!("{text}");
    let _ = std::io::stderr().flush();
}

/// `text` with control characters (escape sequences, carriage returns, bells)
/// shown as `\x1b`-style escapes, so text a server sent cannot drive the terminal.
pub fn escape_control(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() {
            let code = u32::from(c);
            if code <= 0xff {
                escaped.push_str(&format!("\\x{code:02x}"));
            } else {
                escaped.push_str(&format!("\\u{{{code:x}}}"));
            }
        } else {
            escaped.push(c);
        }
    }
    escaped
}

/// Prints the one error line (its text escaped: it may quote the server).
pub fn error_line(error: &CliError) {
    let colour = stderr_colour();
    note(&format!(
        "cognito-auth: {} {}",
        paint(colour, "1;31", "error:"),
        escape_control(&error.message)
    ));
}

/// Prints a warning line.
#[cfg(feature = "emulator")]
pub fn warn(message: &str) {
    let colour = stderr_colour();
    note(&format!(
        "cognito-auth: {} {message}",
        paint(colour, "1;33", "warning:")
    ));
}

/// How to print a result: `--select`, `--query`, `--output`.
#[derive(Clone, Debug)]
pub struct Output {
    /// `--select`.
    pub select: Option<String>,
    /// `--query`.
    pub query: Option<String>,
    /// `--output`.
    pub format: OutputFormat,
}

impl Output {
    /// Picks and renders `value` to stdout.
    pub fn emit(&self, value: &Value) -> Result<(), CliError> {
        let mut picked = value.clone();
        if let Some(path) = &self.select {
            picked = select::select(&picked, path)?;
        }
        if let Some(expression) = &self.query {
            picked = select::query(&picked, expression)?;
        }
        out(&select::render(&picked, self.format));
        Ok(())
    }
}

#[derive(Debug, Default)]
struct SpinState {
    stop: AtomicBool,
    paused: AtomicBool,
    draw: Mutex<bool>,
}

/// A spinner on stderr, only when stderr is a terminal. Stops when dropped.
#[derive(Debug, Clone, Default)]
pub struct Spinner {
    state: Option<Arc<SpinState>>,
}

const FRAMES: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

impl Spinner {
    /// Starts spinning with `message` (does nothing off a terminal).
    pub fn start(message: &str) -> Self {
        if !std::io::stderr().is_terminal() {
            return Self { state: None };
        }
        let state = Arc::new(SpinState::default());
        let thread_state = Arc::clone(&state);
        let message = message.to_owned();
        std::thread::spawn(move || {
            let mut frame = 0usize;
            loop {
                if thread_state.stop.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(mut drawn) = thread_state.draw.lock()
                    && !thread_state.paused.load(Ordering::SeqCst)
                    && !thread_state.stop.load(Ordering::SeqCst)
                {
                    note_inline(&format!(
                        "\r\x1b[2K{} {message}",
                        FRAMES[frame % FRAMES.len()]
                    ));
                    *drawn = true;
                }
                frame += 1;
                std::thread::sleep(Duration::from_millis(80));
            }
        });
        Self { state: Some(state) }
    }

    fn clear(state: &SpinState) {
        if let Ok(mut drawn) = state.draw.lock()
            && *drawn
        {
            note_inline("\r\x1b[2K");
            *drawn = false;
        }
    }

    /// Hides the spinner (before a prompt).
    pub fn pause(&self) {
        if let Some(state) = &self.state {
            state.paused.store(true, Ordering::SeqCst);
            Self::clear(state);
        }
    }

    /// Shows it again.
    pub fn resume(&self) {
        if let Some(state) = &self.state {
            state.paused.store(false, Ordering::SeqCst);
        }
    }

    /// Stops and clears it.
    pub fn stop(&self) {
        if let Some(state) = &self.state {
            state.stop.store(true, Ordering::SeqCst);
            Self::clear(state);
        }
    }
}
