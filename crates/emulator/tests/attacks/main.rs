//! The holes an adversarial review of the emulator found (issue 14), each tried
//! through the public API as an attacker would (the AWS SDK or raw requests),
//! one test per item, named `hole_NN_...`, one module per area.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod attributes;
mod codes;
mod limits;
mod triggers;
