//! Load tool: N concurrent full USER_SRP_AUTH sign-ins (InitiateAuth +
//! RespondToAuthChallenge through the AWS SDK, SRP by cognito-auth-srp) against
//! an emulator over loopback, for a bounded time. Prints sign-ins per second,
//! p50/p99 latency and the error count.
//!
//! ```sh
//! cargo run --release -p cognito-auth-emulator --example load -- [CONCURRENCY] [SECONDS] [ENDPOINT]
//! ```
//!
//! Without ENDPOINT it starts an in-memory emulator in-process. With one (any
//! Cognito-compatible server on loopback, e.g. MiniStack) it sets up its own pool,
//! client and user there through the API first.
//!
//! With `LOAD_SERVER_PID` set to the server's process id (Linux), it also reads that
//! process's CPU time (user + system, all threads, from `/proc/<pid>/stat`) just
//! before the sign-ins start and just after they end, and prints the server's CPU
//! per sign-in: the pool's set-up (key generation) is not counted.

#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use cognito_auth_test_support::sdk;
use support::{quantile_ms, set_up, sign_in};

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let concurrency: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(8);
    let seconds: u64 = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(10);
    let (endpoint, _emulator) = match args.get(3) {
        Some(endpoint) => (endpoint.clone(), None),
        None => {
            let emulator = cognito_auth_emulator::Emulator::start(Default::default())
                .await
                .unwrap();
            (emulator.endpoint_url(), Some(emulator))
        }
    };
    let sdk = sdk(&endpoint);
    let (pool, client_id) = set_up(&sdk, &["loaduser".to_owned()], false).await;
    let server_pid: Option<u32> = std::env::var("LOAD_SERVER_PID")
        .ok()
        .map(|pid| pid.parse().expect("LOAD_SERVER_PID is a process id"));
    let cpu_before = server_pid.map(process_cpu_seconds);
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let latencies = Arc::new(tokio::sync::Mutex::new(Vec::new()));
    let errors = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let started = Instant::now();
    let workers: Vec<_> = (0..concurrency)
        .map(|_| {
            let (sdk, pool, client_id) = (sdk.clone(), pool.clone(), client_id.clone());
            let (latencies, errors) = (Arc::clone(&latencies), Arc::clone(&errors));
            tokio::spawn(async move {
                while Instant::now() < deadline {
                    let begun = Instant::now();
                    match sign_in(&sdk, &pool, &client_id, "loaduser").await {
                        Ok(()) => latencies.lock().await.push(begun.elapsed()),
                        Err(error) => {
                            if errors.fetch_add(1, std::sync::atomic::Ordering::Relaxed) == 0 {
                                println!("first error: {error}");
                            }
                        }
                    }
                }
            })
        })
        .collect();
    for worker in workers {
        worker.await.unwrap();
    }
    let elapsed = started.elapsed().as_secs_f64();
    let cpu_after = server_pid.map(process_cpu_seconds);
    let mut latencies = latencies.lock().await.clone();
    latencies.sort();
    let pick = |q: f64| quantile_ms(&latencies, q);
    println!(
        "endpoint {endpoint}: {} sign-ins in {elapsed:.1} s = {:.1} sign-ins/s, p50 {:.1} ms, p99 {:.1} ms, errors {}",
        latencies.len(),
        latencies.len() as f64 / elapsed,
        pick(0.50),
        pick(0.99),
        errors.load(std::sync::atomic::Ordering::Relaxed)
    );
    if let (Some(before), Some(after)) = (cpu_before, cpu_after) {
        let cpu = after - before;
        println!(
            "server CPU: {cpu:.2} s over {} sign-ins = {:.3} ms per sign-in",
            latencies.len(),
            cpu * 1e3 / latencies.len().max(1) as f64
        );
    }
}

/// User + system CPU seconds of process `pid`, all its threads, from
/// `/proc/<pid>/stat` (fields 14 and 15, in clock ticks of 1/100 s, Linux's USER_HZ
/// on every architecture it runs on).
fn process_cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .expect("the server's /proc/<pid>/stat");
    // The command name (field 2) may hold spaces; the fields after it are plain.
    let after_name = &stat[stat.rfind(')').expect("stat has the name in parentheses") + 1..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks =
        |index: usize| -> f64 { fields[index].parse::<u64>().expect("a tick count") as f64 };
    // fields[0] is field 3 (state), so utime (14) and stime (15) are at 11 and 12.
    (ticks(11) + ticks(12)) / 100.0
}
