//! Trigger commands. Each one runs in a process group of its own, and the
//! whole group is killed once the command has exited or its time is up, as a
//! Lambda's leftovers are frozen once its handler returns: so nothing it
//! started outlives the call, and a background child that keeps the pipes
//! open cannot hold the request. Output is read with a size cap and within the
//! trigger timeout.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::{Line, failed_with, unexpected};
use crate::error::ApiResult;

/// The most a trigger may write back; a Lambda response is at most 6 MB, a
/// challenge answer far less.
pub(super) const MAX_OUTPUT_BYTES: usize = 1024 * 1024;

/// How much of stderr is kept: its end, where the error message is.
const STDERR_TAIL_BYTES: usize = 64 * 1024;

/// How often the wait loop looks at the process and the pipes.
const POLL: Duration = Duration::from_millis(2);

#[derive(Debug)]
enum Pipe {
    Stdout { bytes: Vec<u8>, overflowed: bool },
    Stderr(Vec<u8>),
}

/// Reads stdout up to [`MAX_OUTPUT_BYTES`]; one byte more marks it overflowed
/// and stops reading.
fn read_stdout(pipe: impl Read) -> Pipe {
    let mut bytes = Vec::new();
    let limit = u64::try_from(MAX_OUTPUT_BYTES).unwrap_or(u64::MAX);
    let _ = pipe.take(limit + 1).read_to_end(&mut bytes);
    let overflowed = bytes.len() > MAX_OUTPUT_BYTES;
    bytes.truncate(MAX_OUTPUT_BYTES);
    Pipe::Stdout { bytes, overflowed }
}

/// Reads stderr to its end, keeping the last [`STDERR_TAIL_BYTES`], so a
/// chatty trigger never blocks on a full pipe.
fn read_stderr(mut pipe: impl Read) -> Pipe {
    let mut tail = Vec::new();
    let mut chunk = [0_u8; 8192];
    loop {
        match pipe.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(read) => {
                tail.extend_from_slice(&chunk[..read]);
                if tail.len() > 2 * STDERR_TAIL_BYTES {
                    tail.drain(..tail.len() - STDERR_TAIL_BYTES);
                }
            }
        }
    }
    if tail.len() > STDERR_TAIL_BYTES {
        tail.drain(..tail.len() - STDERR_TAIL_BYTES);
    }
    Pipe::Stderr(tail)
}

/// Starts `argv` in a new process group (its id is the child's pid).
fn spawn(argv: &[String], dir: Option<&PathBuf>) -> std::io::Result<Child> {
    let (program, args) = argv.split_first().ok_or(std::io::ErrorKind::InvalidInput)?;
    let mut command = Command::new(program);
    command
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(dir) = dir {
        command.current_dir(dir);
    }
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    command.spawn()
}

/// Kills every process of the child's group (the child too, if it still runs).
fn kill_group(child: &mut Child) {
    #[cfg(unix)]
    {
        let group = rustix::process::Pid::from_child(child);
        // ESRCH (nothing left in the group) is the usual, fine answer.
        let _ = rustix::process::kill_process_group(group, rustix::process::Signal::KILL);
    }
    let _ = child.kill();
}

/// Kills the group and reaps the child.
fn end(child: &mut Child) {
    kill_group(child);
    let _ = child.wait();
}

/// Runs the command `argv` for `trigger` with `event` on its stdin and returns
/// its stdout, within `timeout`.
pub(super) fn run(
    trigger: &str,
    argv: &[String],
    dir: Option<&PathBuf>,
    event: &Value,
    timeout: Duration,
) -> ApiResult<Vec<u8>> {
    let deadline = Instant::now() + timeout;
    let program = argv.first().map(String::as_str).unwrap_or_default();
    let mut child =
        spawn(argv, dir).map_err(|e| unexpected(trigger, format!("starting {program}: {e}")))?;
    // A thread per pipe, none of them joined: one blocked on a pipe that a
    // process outside the group still holds must not hold the request.
    let input = event.to_string().into_bytes();
    if let Some(mut stdin) = child.stdin.take() {
        // A trigger that exits without reading its input is its own business.
        std::thread::spawn(move || {
            let _ = stdin.write_all(&input);
        });
    }
    let (sender, pipes) = mpsc::channel();
    if let Some(stdout) = child.stdout.take() {
        let sender = sender.clone();
        std::thread::spawn(move || sender.send(read_stdout(stdout)));
    }
    if let Some(stderr) = child.stderr.take() {
        std::thread::spawn(move || sender.send(read_stderr(stderr)));
    }

    let mut status = None;
    let mut stdout = None;
    let mut stderr = None;
    while status.is_none() || stdout.is_none() || stderr.is_none() {
        if Instant::now() >= deadline {
            end(&mut child);
            return Err(unexpected(
                trigger,
                format!("{program} did not answer within {} ms", timeout.as_millis()),
            ));
        }
        if status.is_none() {
            match child.try_wait() {
                Ok(Some(exited)) => {
                    // Its answer is complete; whatever it left running goes.
                    kill_group(&mut child);
                    status = Some(exited);
                }
                Ok(None) => {}
                Err(e) => {
                    end(&mut child);
                    return Err(unexpected(trigger, format!("waiting for {program}: {e}")));
                }
            }
        }
        match pipes.recv_timeout(POLL) {
            Ok(Pipe::Stdout {
                overflowed: true, ..
            }) => {
                end(&mut child);
                return Err(unexpected(
                    trigger,
                    format!("{program} wrote more than {MAX_OUTPUT_BYTES} bytes"),
                ));
            }
            Ok(Pipe::Stdout { bytes, .. }) => stdout = Some(bytes),
            Ok(Pipe::Stderr(bytes)) => stderr = Some(bytes),
            Err(_) => {}
        }
    }
    let (Some(status), Some(stdout), Some(stderr)) = (status, stdout, stderr) else {
        return Err(unexpected(trigger, format!("{program} vanished")));
    };
    if !status.success() {
        return Err(failed_with(trigger, &stderr, Line::Last, || {
            format!("exit status {status}")
        }));
    }
    Ok(stdout)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::panic)]

    use super::*;

    #[test]
    fn stdout_over_the_cap_is_marked_and_stderr_keeps_its_end() {
        let big = vec![b'x'; MAX_OUTPUT_BYTES + 10];
        let Pipe::Stdout { bytes, overflowed } = read_stdout(&big[..]) else {
            panic!("stdout expected");
        };
        assert!(overflowed);
        assert_eq!(bytes.len(), MAX_OUTPUT_BYTES);
        let Pipe::Stdout { overflowed, .. } = read_stdout(&b"{}"[..]) else {
            panic!("stdout expected");
        };
        assert!(!overflowed);

        let mut noise = vec![b'.'; 3 * STDERR_TAIL_BYTES];
        noise.extend_from_slice(b"\nthe real error\n");
        let Pipe::Stderr(tail) = read_stderr(&noise[..]) else {
            panic!("stderr expected");
        };
        assert_eq!(tail.len(), STDERR_TAIL_BYTES);
        assert!(tail.ends_with(b"\nthe real error\n"));
    }
}
