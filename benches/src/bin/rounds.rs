//! Interleaved rounds: every implementation runs every measured operation once per
//! round, in an order that rotates from round to round, timed in thread CPU time.
//! Each round gives each implementation's ratio to the baseline measured in that
//! same round; the table shows the median time and the median of the per-round
//! ratios. Separate criterion groups, a minute apart, drift with the load of a
//! shared machine; ratios taken within one round do not.
//!
//! ```text
//! rounds [--rounds 15] [--target-ms 40] [--baseline gmp-tuned-pow_mod] [--only TEXT]
//! ```
//!
//! `--only` keeps the rows whose name contains TEXT (e.g. `--only "server login"`).
//!
//! `scripts/bench-rounds` builds GMP for this CPU and runs this with it.

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a command-line tool"
)]

use std::collections::BTreeMap;
use std::hint::black_box;
use std::process::ExitCode;
use std::time::Duration;

use cognito_auth_benches::{Case, Impl, Op, cases, check};
use cpu_time::ThreadTime;

/// One row of the table: a name and the ops run back to back for it.
struct Measure {
    name: &'static str,
    ops: &'static [Op],
}

const MEASURES: &[Measure] = &[
    Measure {
        name: "whole client claim (A … signature)",
        ops: &[Op::WholeClaim],
    },
    Measure {
        name: "server login (B for a fresh 256-bit b + verify)",
        ops: &[Op::ServerB, Op::ServerVerify],
    },
    Measure {
        name: "A = g^a (1024-bit a)",
        ops: &[Op::GPowA],
    },
    Measure {
        name: "client S = (B − k·g^x)^(a+u·x)",
        ops: &[Op::ClientPremaster],
    },
    Measure {
        name: "device verifier (ConfirmDevice)",
        ops: &[Op::DeviceVerifier],
    },
    Measure {
        name: "server B = k·v + g^b (256-bit b)",
        ops: &[Op::ServerB],
    },
    Measure {
        name: "server B through with_secret (32-byte b)",
        ops: &[Op::ServerBWithSecret],
    },
    Measure {
        name: "server verification (S, key, HMAC)",
        ops: &[Op::ServerVerify],
    },
    Measure {
        name: "server login, verifier powers kept (ours only)",
        ops: &[Op::ServerB, Op::ServerVerifyKept],
    },
];

struct Options {
    rounds: usize,
    target: Duration,
    baseline: Impl,
    only: Option<String>,
}

fn parse_options() -> Result<Options, String> {
    let mut options = Options {
        rounds: 15,
        target: Duration::from_millis(40),
        baseline: Impl::TunedGmpPowMod,
        only: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--rounds" => {
                options.rounds = value
                    .parse()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or("--rounds takes a positive integer")?;
            }
            "--target-ms" => {
                let ms: u64 = value
                    .parse()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or("--target-ms takes a positive integer")?;
                options.target = Duration::from_millis(ms);
            }
            "--baseline" => {
                options.baseline = Impl::from_name(&value)
                    .ok_or_else(|| format!("no implementation named {value}"))?;
            }
            "--only" => options.only = Some(value),
            _ => return Err(format!("unknown option {flag}")),
        }
    }
    Ok(options)
}

/// The cases of one implementation for a measure, or `None` if it lacks any op.
fn cases_for<'a>(all: &'a [Case], measure: &Measure, imp: Impl) -> Option<Vec<&'a Case>> {
    measure
        .ops
        .iter()
        .map(|op| all.iter().find(|c| c.op == *op && c.imp == imp))
        .collect()
}

/// Thread CPU time of `iterations` runs of the cases, per run.
fn time(cases: &[&Case], iterations: u32) -> Duration {
    let start = ThreadTime::now();
    for _ in 0..iterations {
        for case in cases {
            black_box((case.run)());
        }
    }
    start.elapsed() / iterations
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    }
}

fn format_time(seconds: f64) -> String {
    if seconds >= 1e-3 {
        format!("{:.2} ms", seconds * 1e3)
    } else {
        format!("{:.1} µs", seconds * 1e6)
    }
}

fn main() -> ExitCode {
    let options = match parse_options() {
        Ok(options) => options,
        Err(message) => {
            eprintln!("rounds: {message}");
            return ExitCode::from(2);
        }
    };
    if let Err(disagreement) = check() {
        eprintln!("rounds: implementations disagree: {disagreement}");
        return ExitCode::FAILURE;
    }
    let all = cases();
    if !all.iter().any(|c| c.imp == options.baseline) {
        eprintln!(
            "rounds: this build has no {} (build with --features compare; the tuned GMP needs \
             COGNITO_AUTH_TUNED_GMP=$(scripts/tuned-gmp))",
            options.baseline.name()
        );
        return ExitCode::from(2);
    }
    let impls: Vec<Impl> = Impl::ALL
        .into_iter()
        .filter(|imp| all.iter().any(|c| c.imp == *imp))
        .collect();

    // Per (measure, impl): the iteration count that fills about `target`.
    let mut plan = Vec::new();
    let wanted = |measure: &Measure| {
        options
            .only
            .as_ref()
            .is_none_or(|text| measure.name.contains(text.as_str()))
    };
    for (index, measure) in MEASURES.iter().enumerate().filter(|(_, m)| wanted(m)) {
        for &imp in &impls {
            if let Some(chosen) = cases_for(&all, measure, imp) {
                let once = time(&chosen, 1).max(Duration::from_micros(1));
                let iterations = (options.target.as_secs_f64() / once.as_secs_f64()).ceil();
                plan.push((index, imp, chosen, (iterations as u32).max(1)));
            }
        }
    }

    if plan.is_empty() {
        eprintln!("rounds: no row matches --only");
        return ExitCode::from(2);
    }
    let mut samples: BTreeMap<(usize, Impl), Vec<f64>> = BTreeMap::new();
    for round in 0..options.rounds {
        // Rotate the order, so no implementation always runs first or after another.
        let shift = round % plan.len();
        for (index, imp, chosen, iterations) in plan[shift..].iter().chain(&plan[..shift]) {
            let per_run = time(chosen, *iterations).as_secs_f64();
            samples.entry((*index, *imp)).or_default().push(per_run);
        }
        eprintln!("rounds: round {}/{} done", round + 1, options.rounds);
    }

    // The table against the chosen baseline, then against Debian's GMP (the
    // baseline of earlier reports), both from the same samples.
    let mut baselines = vec![options.baseline];
    if options.baseline != Impl::GmpPowMod && impls.contains(&Impl::GmpPowMod) {
        baselines.push(Impl::GmpPowMod);
    }
    for (position, &baseline) in baselines.iter().enumerate() {
        if position > 0 {
            println!("\nThe same samples, ratios to {}:\n", baseline.name());
        }
        print_table(&samples, &impls, baseline, &wanted);
    }
    // with_secret against new for the same 32-byte b length, per round.
    let position = |ops: &[Op]| MEASURES.iter().position(|m| m.ops == ops);
    if let (Some(with_secret), Some(new)) = (
        position(&[Op::ServerBWithSecret]).and_then(|i| samples.get(&(i, Impl::Ours))),
        position(&[Op::ServerB]).and_then(|i| samples.get(&(i, Impl::Ours))),
    ) {
        let mut ratios: Vec<f64> = with_secret.iter().zip(new).map(|(w, n)| w / n).collect();
        println!(
            "\nours, ServerChallenge::with_secret (32-byte b) / ServerChallenge::new: {:.2}× (median of per-round ratios)",
            median(&mut ratios)
        );
    }
    // The login with the verifier's powers kept (ours only) against the
    // baseline's plain login, per round.
    if let (Some(kept), Some(base)) = (
        position(&[Op::ServerB, Op::ServerVerifyKept]).and_then(|i| samples.get(&(i, Impl::Ours))),
        position(&[Op::ServerB, Op::ServerVerify])
            .and_then(|i| samples.get(&(i, options.baseline))),
    ) {
        let mut ratios: Vec<f64> = kept.iter().zip(base).map(|(k, b)| k / b).collect();
        println!(
            "ours, server login with the verifier's powers kept / {} server login: {:.2}× (median of per-round ratios)",
            options.baseline.name(),
            median(&mut ratios)
        );
    }
    println!(
        "\n{} rounds; thread CPU time, median per run; (n×) is the median over rounds of \
         the ratio to the baseline in the same round.",
        options.rounds,
    );
    ExitCode::SUCCESS
}

/// One markdown table: each implementation's median time per row, and the median
/// of its per-round ratios to `baseline` where the baseline has that row.
fn print_table(
    samples: &BTreeMap<(usize, Impl), Vec<f64>>,
    impls: &[Impl],
    baseline: Impl,
    wanted: &dyn Fn(&Measure) -> bool,
) {
    println!(
        "| operation | {} |",
        impls
            .iter()
            .map(|imp| imp.name())
            .collect::<Vec<_>>()
            .join(" | ")
    );
    println!("|---|{}", "---:|".repeat(impls.len()));
    for (index, measure) in MEASURES.iter().enumerate().filter(|(_, m)| wanted(m)) {
        let base = samples.get(&(index, baseline));
        let mut cells = Vec::new();
        for imp in impls {
            let Some(times) = samples.get(&(index, *imp)) else {
                cells.push("—".to_owned());
                continue;
            };
            let mut sorted = times.clone();
            let time = format_time(median(&mut sorted));
            match base {
                Some(base) => {
                    let mut ratios: Vec<f64> = times.iter().zip(base).map(|(t, b)| t / b).collect();
                    cells.push(format!("{time} ({:.2}×)", median(&mut ratios)));
                }
                None => cells.push(time),
            }
        }
        println!("| {} | {} |", measure.name, cells.join(" | "));
    }
}
