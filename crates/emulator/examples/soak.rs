//! Soak tool: runs the release emulator binary on loopback and, for a given
//! time at a given concurrency, mixes valid USER_SRP_AUTH sign-ins (the AWS SDK,
//! proofs by cognito-auth-srp) with junk (broken JSON, unknown operations,
//! wrong types, forged sessions, wrong passwords, sign-ins started and never
//! answered) and oversized requests (250 KB members, bodies over the cap).
//! Prints the errors the valid sign-ins saw (must be 0), their p50/p99
//! latency, and the emulator's resident memory (VmRSS) at the start, at 1, 5
//! and 10 minutes, at the end, and its peak.
//!
//! ```sh
//! cargo build --profile bench -p cognito-auth-emulator --bins --examples
//! target/release/examples/soak [--seconds 600] [--concurrency 32] [--emulator PATH]
//! ```
//!
//! Half the workers sign in (each as its own user), a quarter send junk, a
//! quarter oversized requests. The emulator keeps its data in a temporary file,
//! so stored refresh tokens do not count as resident memory.

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a command-line tool: a bad option or a missing binary ends the run with its message"
)]

mod support;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use cognito_auth_srp::PoolId;
use cognito_auth_test_support::{post_operation, sdk, spawn_listening};
use serde_json::json;
use support::{quantile_ms, set_up, sign_in};

/// The member size of an oversized request (the issue's 250 KB).
const OVERSIZED: usize = 250 * 1024;

struct Options {
    seconds: u64,
    concurrency: usize,
    emulator: PathBuf,
}

fn options() -> Options {
    let mut options = Options {
        seconds: 600,
        concurrency: 32,
        emulator: std::env::current_exe()
            .ok()
            .and_then(|exe| Some(exe.parent()?.parent()?.join("cognito-auth-emulator")))
            .unwrap_or_else(|| PathBuf::from("target/release/cognito-auth-emulator")),
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    for pair in args.chunks(2) {
        let value = pair.get(1).map(String::as_str).unwrap_or_default();
        match pair[0].as_str() {
            "--seconds" => options.seconds = value.parse().expect("--seconds N"),
            "--concurrency" => options.concurrency = value.parse().expect("--concurrency N"),
            "--emulator" => options.emulator = PathBuf::from(value),
            other => panic!("unknown option {other}; see the doc comment of soak.rs"),
        }
    }
    options
}

/// The emulator's resident memory in KiB, from /proc/<pid>/status.
fn resident_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

/// The junk requests, in turn: (operation, body).
fn junk(n: usize, client_id: &str, pool: &PoolId) -> (String, Vec<u8>) {
    let srp = |username: String| {
        json!({
            "AuthFlow": "USER_SRP_AUTH",
            "ClientId": client_id,
            "AuthParameters": { "USERNAME": username, "SRP_A": "0a1b2c3d4e5f" },
        })
    };
    let (operation, body) = match n % 7 {
        0 => ("InitiateAuth", b"{not json".to_vec()),
        1 => ("StealAllTheTokens", b"{}".to_vec()),
        2 => (
            "InitiateAuth",
            json!({ "AuthFlow": 7, "ClientId": client_id })
                .to_string()
                .into_bytes(),
        ),
        // Sign-ins started and never answered: the session table's flood.
        3 => ("InitiateAuth", srp("flood".into()).to_string().into_bytes()),
        4 => (
            "InitiateAuth",
            srp(format!("ghost-{n}")).to_string().into_bytes(),
        ),
        5 => (
            "RespondToAuthChallenge",
            json!({
                "ClientId": client_id,
                "ChallengeName": "SMS_MFA",
                "Session": "Z".repeat(64),
                "ChallengeResponses": { "USERNAME": "flood", "SMS_MFA_CODE": "000000" },
            })
            .to_string()
            .into_bytes(),
        ),
        _ => (
            "DescribeUserPool",
            json!({ "UserPoolId": format!("{}x", pool.as_str()) })
                .to_string()
                .into_bytes(),
        ),
    };
    (operation.to_owned(), body)
}

/// The oversized requests, in turn.
fn oversized(n: usize, client_id: &str) -> (String, Vec<u8>) {
    let big = "o".repeat(OVERSIZED);
    let input = match n % 4 {
        0 => json!({
            "AuthFlow": "USER_SRP_AUTH",
            "ClientId": client_id,
            "AuthParameters": { "USERNAME": big, "SRP_A": "0a1b2c3d4e5f" },
        }),
        1 => json!({
            "AuthFlow": "USER_SRP_AUTH",
            "ClientId": client_id,
            "AuthParameters": { "USERNAME": "flood", "SRP_A": "0a1b2c3d4e5f", "DEVICE_KEY": big },
        }),
        2 => json!({
            "AuthFlow": "USER_SRP_AUTH",
            "ClientId": client_id,
            "AuthParameters": { "USERNAME": "flood", "SRP_A": "0a1b2c3d4e5f" },
            "ClientMetadata": { "note": big },
        }),
        // Over the body cap.
        _ => json!({ "ClientId": client_id, "Padding": "p".repeat(400 * 1024) }),
    };
    ("InitiateAuth".to_owned(), input.to_string().into_bytes())
}

#[tokio::main]
async fn main() {
    let options = options();
    let data = tempfile::tempdir().unwrap();
    if !options.emulator.is_file() {
        panic!(
            "no emulator binary at {}: build it with cargo build --profile bench -p cognito-auth-emulator --bins",
            options.emulator.display()
        );
    }
    let mut command = tokio::process::Command::new(&options.emulator);
    command
        .arg("--port=0")
        .arg("--data")
        .arg(data.path().join("soak.sqlite3"))
        .env("RUST_LOG", "warn");
    let (mut server, endpoint) = spawn_listening(command).await;
    let pid = server.id().unwrap();
    let address: SocketAddr = endpoint.trim_start_matches("http://").parse().unwrap();

    let signers = (options.concurrency / 2).max(1);
    let junkers = (options.concurrency / 4).max(1);
    let stuffers = options.concurrency.saturating_sub(signers + junkers).max(1);
    let sdk = sdk(&endpoint);
    let mut users: Vec<String> = (0..signers).map(|n| format!("soak-{n}")).collect();
    users.push("flood".into());
    let (pool, client_id) = set_up(&sdk, &users, true).await;
    let baseline = resident_kib(pid).unwrap_or(0);
    println!(
        "emulator {} (pid {pid}) at {endpoint}; {} s, concurrency {} ({signers} signing in, {junkers} junk, {stuffers} oversized); VmRSS at start {}",
        options.emulator.display(),
        options.seconds,
        options.concurrency,
        mib(baseline)
    );

    let started = Instant::now();
    let deadline = started + Duration::from_secs(options.seconds);
    let stop = Arc::new(AtomicBool::new(false));
    let latencies = Arc::new(tokio::sync::Mutex::new(Vec::new()));
    let errors = Arc::new(AtomicUsize::new(0));
    let (junk_sent, oversized_sent) =
        (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let mut workers = Vec::new();
    for user in &users[..signers] {
        let (sdk, pool, client_id, user) =
            (sdk.clone(), pool.clone(), client_id.clone(), user.clone());
        let (latencies, errors) = (Arc::clone(&latencies), Arc::clone(&errors));
        workers.push(tokio::spawn(async move {
            while Instant::now() < deadline {
                let begun = Instant::now();
                match sign_in(&sdk, &pool, &client_id, &user).await {
                    Ok(()) => latencies.lock().await.push(begun.elapsed()),
                    Err(error) => {
                        if errors.fetch_add(1, Ordering::Relaxed) == 0 {
                            println!("first error of a valid sign-in: {error}");
                        }
                    }
                }
            }
        }));
    }
    let senders = [(junkers, false), (stuffers, true)];
    for (count, big) in senders {
        for worker in 0..count {
            let (client_id, pool) = (client_id.clone(), pool.clone());
            let sent = Arc::clone(if big { &oversized_sent } else { &junk_sent });
            workers.push(tokio::spawn(async move {
                let mut n = worker;
                while Instant::now() < deadline {
                    let (operation, body) = if big {
                        oversized(n, &client_id)
                    } else {
                        junk(n, &client_id, &pool)
                    };
                    post_operation(address, &operation, &body).await;
                    sent.fetch_add(1, Ordering::Relaxed);
                    n += count;
                }
            }));
        }
    }
    // VmRSS at 1, 5 and 10 minutes (those within the run), and the peak.
    let peak = Arc::new(AtomicUsize::new(baseline as usize));
    let sampler = {
        let (stop, peak) = (Arc::clone(&stop), Arc::clone(&peak));
        tokio::spawn(async move {
            let mut marks = vec![60_u64, 300, 600];
            while !stop.load(Ordering::Relaxed) {
                tokio::time::sleep(Duration::from_millis(500)).await;
                let now = resident_kib(pid).unwrap_or(0);
                peak.fetch_max(now as usize, Ordering::Relaxed);
                let elapsed = started.elapsed().as_secs();
                if marks.first().is_some_and(|m| elapsed >= *m) {
                    let mark = marks.remove(0);
                    println!("VmRSS at {} min: {}", mark / 60, mib(now));
                }
            }
        })
    };
    for worker in workers {
        worker.await.unwrap();
    }
    stop.store(true, Ordering::Relaxed);
    sampler.await.unwrap();
    let end = resident_kib(pid).unwrap_or(0);
    let _ = server.kill().await;

    let mut latencies = latencies.lock().await.clone();
    latencies.sort();
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "valid sign-ins: {} in {elapsed:.0} s ({:.1}/s), errors {}, p50 {:.1} ms, p99 {:.1} ms",
        latencies.len(),
        latencies.len() as f64 / elapsed,
        errors.load(Ordering::Relaxed),
        quantile_ms(&latencies, 0.50),
        quantile_ms(&latencies, 0.99)
    );
    println!(
        "junk requests: {}, oversized requests: {} ({} KB members or bodies over the cap)",
        junk_sent.load(Ordering::Relaxed),
        oversized_sent.load(Ordering::Relaxed),
        OVERSIZED / 1024
    );
    println!(
        "VmRSS: start {}, end {}, peak {}",
        mib(baseline),
        mib(end),
        mib(peak.load(Ordering::Relaxed) as u64)
    );
    if errors.load(Ordering::Relaxed) > 0 {
        std::process::exit(1);
    }
}
