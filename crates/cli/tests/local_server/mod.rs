//! A loopback HTTP server for the tests that need a misbehaving Cognito: one that
//! never answers, answers a byte at a time, or answers with a chosen body.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How the server treats each connection.
#[derive(Clone, Debug)]
pub enum Behaviour {
    /// Accept, read the request, never answer.
    Stall,
    /// Answer `body` with status 200, one byte every `pause`.
    Trickle { body: String, pause: Duration },
    /// Answer `body` at once with `status`.
    Reply { status: u16, body: String },
}

/// A server on a random loopback port; requests it received are kept.
pub struct LocalServer {
    pub endpoint: String,
    pub requests: Arc<Mutex<Vec<String>>>,
}

fn read_request(stream: &mut TcpStream) -> String {
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    while let Ok(n) = stream.read(&mut buf) {
        if n == 0 {
            break;
        }
        data.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&data);
        if let Some(end) = text.find("\r\n\r\n") {
            let length = text[..end]
                .lines()
                .find_map(|l| {
                    let (name, value) = l.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse::<usize>().ok())?
                })
                .unwrap_or(0);
            if data.len() >= end + 4 + length {
                break;
            }
        }
    }
    String::from_utf8_lossy(&data).into_owned()
}

fn response(status: u16, body: &str) -> String {
    format!(
        "HTTP/1.1 {status} X\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

impl LocalServer {
    pub fn start(behaviour: Behaviour) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&requests);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let behaviour = behaviour.clone();
                let seen = Arc::clone(&seen);
                std::thread::spawn(move || {
                    let request = read_request(&mut stream);
                    seen.lock().unwrap().push(request);
                    match behaviour {
                        Behaviour::Stall => std::thread::sleep(Duration::from_secs(600)),
                        Behaviour::Trickle { body, pause } => {
                            for byte in response(200, &body).bytes() {
                                if stream.write_all(&[byte]).is_err() {
                                    return;
                                }
                                let _ = stream.flush();
                                std::thread::sleep(pause);
                            }
                        }
                        Behaviour::Reply { status, body } => {
                            let _ = stream.write_all(response(status, &body).as_bytes());
                        }
                    }
                });
            }
        });
        Self { endpoint, requests }
    }
}

/// The binary with no AWS configuration: empty HOME, no AWS_* variables, no colour.
pub fn bare(home: &std::path::Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_cognito-auth"));
    command
        .env_clear()
        .env("HOME", home)
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("NO_COLOR", "1")
        .stdin(Stdio::null());
    command
}

/// `initiate-auth` (REFRESH_TOKEN_AUTH) against `endpoint`, with `options`
/// first, from an empty home.
pub fn refresh_initiate_auth(endpoint: &str, options: &[&str]) -> std::process::Output {
    let home = tempfile::tempdir().unwrap();
    refresh_initiate_auth_with(bare(home.path()), endpoint, options)
}

/// [`refresh_initiate_auth`] run by `command` (to add environment variables).
pub fn refresh_initiate_auth_with(
    mut command: Command,
    endpoint: &str,
    options: &[&str],
) -> std::process::Output {
    command
        .args(["--endpoint-url", endpoint])
        .args(options)
        .args([
            "initiate-auth",
            "--client-id",
            "client",
            "--auth-flow",
            "REFRESH_TOKEN_AUTH",
            "--auth-parameters",
            "REFRESH_TOKEN=opaque",
        ])
        .output()
        .unwrap()
}
