//! Where the binary keeps sign-ins: the file fallback (said once), `--store` and
//! the config key, and caches written by earlier versions.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod sessions;

use common::{CLIENT, Env, POOL, ok_json, stderr, stdout};
use sessions::{data_dir, sign_in};

const NOTICE: &str = "no OS keychain answered";

#[test]
fn without_a_keychain_files_are_used_and_that_is_said_once() {
    let env = Env::new();
    let first = sign_in(&env, "alice", &[]);
    ok_json(&first);
    assert_eq!(
        stderr(&first).matches(NOTICE).count(),
        1,
        "{}",
        stderr(&first)
    );
    assert!(stderr(&first).contains("--store"), "{}", stderr(&first));

    let second = sign_in(&env, "dave", &[]);
    ok_json(&second);
    assert!(!stderr(&second).contains(NOTICE), "{}", stderr(&second));
    let token = env.run_args(["token", "--username", "dave"]);
    assert_eq!(token.status.code(), Some(0), "{}", stderr(&token));
    assert!(stderr(&token).is_empty(), "{}", stderr(&token));

    // The tokens are in the data directory, none in the cache directory.
    let file = data_dir(&env)
        .join("tokens")
        .join(POOL)
        .join(CLIENT)
        .join("alice.json");
    let cached: serde_json::Value = serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap();
    assert!(cached["refresh_token"].is_string());
    assert!(!env.home.path().join(".cache/cognito-auth").exists());
}

#[test]
fn an_explicit_choice_is_not_a_fallback() {
    let env = Env::new();
    // --store file: no notice.
    let output = sign_in(&env, "alice", &["--store", "file"]);
    ok_json(&output);
    assert!(!stderr(&output).contains(NOTICE), "{}", stderr(&output));

    // The config key does the same.
    let env2 = Env::new();
    let config2 = env2.home.path().join(".config/cognito-auth");
    std::fs::create_dir_all(&config2).unwrap();
    std::fs::write(config2.join("config.toml"), "store = \"file\"\n").unwrap();
    let output = sign_in(&env2, "alice", &[]);
    ok_json(&output);
    assert!(!stderr(&output).contains(NOTICE), "{}", stderr(&output));

    // --store keyring where no keychain answers: a configuration error, one line,
    // and nothing written.
    let env3 = Env::new();
    let output = sign_in(&env3, "alice", &["--store", "keyring"]);
    assert_eq!(output.status.code(), Some(7), "{}", stderr(&output));
    assert_eq!(stderr(&output).lines().count(), 1, "{}", stderr(&output));
    assert!(stderr(&output).contains("keychain"), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("--store file"),
        "{}",
        stderr(&output)
    );
    assert!(!data_dir(&env3).join("tokens").join(POOL).exists());
}

#[test]
fn caches_written_by_earlier_versions_are_moved_once() {
    let env = Env::new();
    ok_json(&sign_in(&env, "alice", &["--remember-device"]));
    // Put everything where earlier versions kept it.
    let new_tokens = data_dir(&env).join("tokens");
    let old_tokens = env.home.path().join(".cache/cognito-auth/tokens");
    std::fs::create_dir_all(&old_tokens).unwrap();
    std::fs::rename(new_tokens.join(POOL), old_tokens.join(POOL)).unwrap();
    let old_devices = env.home.path().join(".config/cognito-auth/devices.json");
    std::fs::create_dir_all(old_devices.parent().unwrap()).unwrap();
    std::fs::rename(data_dir(&env).join("devices.json"), &old_devices).unwrap();

    let output = env.run_args(["token", "--use", "access"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output).lines().count(), 1);
    assert!(
        stderr(&output).contains("moved 1 cached sign-in"),
        "{}",
        stderr(&output)
    );
    assert!(!old_tokens.exists());
    assert!(
        new_tokens
            .join(POOL)
            .join(CLIENT)
            .join("alice.json")
            .exists()
    );

    let listed = ok_json(&env.run_args(["devices", "list"]));
    assert_eq!(listed["Devices"].as_array().unwrap().len(), 1, "{listed}");
    assert!(!old_devices.exists());
    assert!(data_dir(&env).join("devices.json").exists());

    // Once: nothing more to move.
    let output = env.run_args(["token"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stderr(&output).is_empty(), "{}", stderr(&output));
    // The remembered device still works: a refresh with it.
    let output = env.run_args(["token", "--min-valid", "7200"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}
