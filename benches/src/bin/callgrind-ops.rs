//! Runs one (operation, implementation) pair once, inside `measured_region`, so
//! that `valgrind --tool=callgrind --collect-atstart=no
//! --toggle-collect='*measured_region*'` counts the instructions of exactly that
//! call and nothing of the setup. `scripts/callgrind-bench` drives it.
//!
//! ```text
//! callgrind-ops <op> <impl>     e.g. callgrind-ops whole_claim ours
//! callgrind-ops --list          the pairs this build supports
//! ```

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a command-line tool"
)]

use std::hint::black_box;
use std::process::ExitCode;

use cognito_auth_benches::{Case, Impl, Op, case, cases};

/// The one call callgrind counts. Never inlined, so callgrind sees it as a function.
#[inline(never)]
fn measured_region(case: &Case) -> Vec<u8> {
    black_box((case.run)())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--list") {
        for case in cases() {
            println!("{} {}", case.op.name(), case.imp.name());
        }
        return ExitCode::SUCCESS;
    }
    let (Some(op), Some(imp)) = (
        args.first().and_then(|name| Op::from_name(name)),
        args.get(1).and_then(|name| Impl::from_name(name)),
    ) else {
        eprintln!("usage: callgrind-ops <op> <impl> | --list");
        return ExitCode::from(2);
    };
    let Some(case) = case(op, imp) else {
        eprintln!("{} has no {}", imp.name(), op.name());
        return ExitCode::from(2);
    };
    // valgrind hides ADX from the CPUID it emulates but executes ADCX/ADOX;
    // scripts/callgrind-bench says whether the host has it.
    #[cfg(target_arch = "x86_64")]
    if std::env::var_os("CALLGRIND_HOST_HAS_ADX").is_some_and(|v| v == "1") {
        // SAFETY: the host CPU, which valgrind runs this code on, has ADX
        // (scripts/callgrind-bench read it from /proc/cpuinfo).
        #[allow(unsafe_code, reason = "vouches for ADX, which valgrind hides")]
        unsafe {
            cognito_auth_srp::hazmat::assume_adx()
        };
    }
    // Once outside the region, so one-time initialisation is not counted.
    black_box((case.run)());
    let result = measured_region(&case);
    println!("{} {} {} bytes", op.name(), imp.name(), result.len());
    ExitCode::SUCCESS
}
