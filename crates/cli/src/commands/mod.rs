//! The subcommands, one module per command family, and the pieces they share:
//! which pool, client and user (`target`), request metadata (`metadata`), input
//! from outside the argument list (`input`, and `passwords` for passwords and
//! codes), and JSON output (`output`).

#[cfg(feature = "emulator")]
pub mod demo;
pub mod devices;
#[cfg(feature = "emulator")]
pub mod emulator;
pub mod password;
pub mod raw;
pub mod refresh;
pub mod sign_in;
pub mod sign_out;
pub mod sign_up;
pub mod token;
pub mod tokens;

mod cli_input;
mod input;
mod metadata;
mod output;
mod passwords;
mod target;
