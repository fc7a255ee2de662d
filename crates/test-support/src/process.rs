//! An emulator binary run as a child process, as scripts run it.

use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// Spawns `command` (an emulator binary with its arguments, `--port 0` say),
/// killed when dropped, and waits for the line it prints when ready
/// (`listening on <endpoint>`): the child and the endpoint URL.
pub async fn spawn_listening(mut command: Command) -> (Child, String) {
    let mut child = command
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| panic!("starting {:?}: {e}", command.as_std().get_program()));
    let mut line = String::new();
    let stdout = child.stdout.take().unwrap();
    tokio::time::timeout(
        Duration::from_secs(30),
        BufReader::new(stdout).read_line(&mut line),
    )
    .await
    .expect("the emulator printed its endpoint within 30 s")
    .unwrap();
    let endpoint = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("not the ready line: {line:?}"))
        .to_owned();
    (child, endpoint)
}
