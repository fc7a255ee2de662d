//! `Session` against the in-process emulator: one refresh for many callers, tokens
//! kept in files across sessions, forced refreshes that keep the device, revoked
//! refresh tokens; and `JwksCache` against a local server that counts downloads.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::config::interceptors::BeforeSerializationInterceptorContextRef;
use aws_sdk_cognitoidentityprovider::config::{ConfigBag, Intercept};
use aws_sdk_cognitoidentityprovider::operation::initiate_auth::InitiateAuthInput;
use aws_sdk_cognitoidentityprovider::types::AuthFlowType;
use cognito_auth_emulator::Emulator;
use cognito_auth_flows::{
    DevicePolicy, Error, FileTokenStore, Flows, HttpTimeouts, JwksCache, JwksFetcher,
    MemoryDeviceStore, MemoryTokenStore, PoolId, Session, TokenStore, TokenUse, TokenVerifier,
    Tokens,
};
use cognito_auth_test_support::{
    ClientOptions, PASSWORD, PoolOptions, Setup, create_user, emulator_config, local_config, pw,
    sdk, setup,
};
use secrecy::{ExposeSecret, SecretString};
use support::flows_builder;

const USER: &str = "sam";

/// Counts the REFRESH_TOKEN_AUTH InitiateAuth calls a client sends.
#[derive(Clone, Debug, Default)]
struct RefreshCounter(Arc<AtomicUsize>);

impl Intercept for RefreshCounter {
    fn name(&self) -> &'static str {
        "RefreshCounter"
    }

    fn read_before_execution(
        &self,
        context: &BeforeSerializationInterceptorContextRef<'_>,
        _cfg: &mut ConfigBag,
    ) -> Result<(), aws_sdk_cognitoidentityprovider::error::BoxError> {
        if let Some(input) = context.input().downcast_ref::<InitiateAuthInput>()
            && input.auth_flow() == Some(&AuthFlowType::RefreshTokenAuth)
        {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
        Ok(())
    }
}

struct World {
    emulator: Emulator,
    setup: Setup,
    refreshes: RefreshCounter,
}

/// An emulator with a pool (tracking devices when `devices`), an app client with a
/// secret, and the confirmed user [`USER`].
async fn world(devices: bool) -> World {
    let emulator = Emulator::start(emulator_config()).await.unwrap();
    let admin = sdk(&emulator.endpoint_url());
    let pool = PoolOptions {
        devices,
        ..PoolOptions::default()
    };
    let setup = setup(&admin, pool, ClientOptions::with_secret()).await;
    create_user(&admin, &setup, USER, &[]).await;
    World {
        emulator,
        setup,
        refreshes: RefreshCounter::default(),
    }
}

impl World {
    fn client(&self) -> Client {
        Client::from_conf(
            local_config(&self.emulator.endpoint_url(), Duration::from_secs(20))
                .interceptor(self.refreshes.clone())
                .build(),
        )
    }

    fn flows(&self) -> Arc<Flows> {
        Arc::new(flows_builder(self.client(), &self.setup).build().unwrap())
    }

    /// RevokeToken, as a sign-out elsewhere would.
    async fn revoke(&self, refresh_token: &SecretString) {
        self.client()
            .revoke_token()
            .client_id(&self.setup.client_id)
            .set_client_secret(self.setup.client_secret.clone())
            .token(refresh_token.expose_secret())
            .send()
            .await
            .unwrap();
    }

    fn refresh_calls(&self) -> usize {
        self.refreshes.0.load(Ordering::SeqCst)
    }
}

fn jti(token: &SecretString) -> String {
    cognito_auth_flows::Claims::decode(token.expose_secret())
        .unwrap()
        .str("jti")
        .unwrap()
        .to_owned()
}

/// The same tokens, said to expire `left` from now.
fn expiring_in(tokens: &Tokens, left: Duration) -> Tokens {
    Tokens::new(
        tokens.access_token().clone(),
        tokens.id_token().cloned(),
        tokens.refresh_token().cloned(),
        SystemTime::now() + left,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_callers_cause_one_refresh() {
    let world = world(false).await;
    let flows = world.flows();
    let signed_in = flows.sign_in_srp(USER, &pw(PASSWORD)).await.unwrap();
    let session = Arc::new(Session::new(flows, USER, MemoryTokenStore::new()));
    session
        .keep(&expiring_in(&signed_in, Duration::from_secs(30)))
        .await
        .unwrap();
    assert_eq!(world.refresh_calls(), 0);

    let callers: Vec<_> = (0..50)
        .map(|_| {
            let session = Arc::clone(&session);
            tokio::spawn(async move { session.valid_tokens(Duration::from_secs(300)).await })
        })
        .collect();
    let mut access = Vec::new();
    for caller in callers {
        let tokens = caller.await.unwrap().unwrap();
        assert!(!tokens.expires_within(Duration::from_secs(300)));
        access.push(jti(tokens.access_token()));
    }
    assert_eq!(world.refresh_calls(), 1);
    access.dedup();
    assert_eq!(access.len(), 1, "every caller got the one refresh's tokens");
    assert_ne!(access[0], jti(signed_in.access_token()));

    // Valid long enough now: no refresh at all.
    session
        .valid_tokens(Duration::from_secs(300))
        .await
        .unwrap();
    assert_eq!(world.refresh_calls(), 1);
}

#[tokio::test]
async fn tokens_kept_in_files_survive_a_new_session_and_a_forced_refresh_keeps_the_device() {
    let world = world(true).await;
    let devices = Arc::new(MemoryDeviceStore::new());
    let flows = Arc::new(
        flows_builder(world.client(), &world.setup)
            .device_store(devices)
            .device_policy(DevicePolicy::Remember {
                device_name: Some("session-test".into()),
            })
            .build()
            .unwrap(),
    );
    let signed_in = flows.sign_in_srp(USER, &pw(PASSWORD)).await.unwrap();
    let device_key = signed_in.device_key().unwrap().to_owned();
    let dir = tempfile::tempdir().unwrap();
    Session::new(Arc::clone(&flows), USER, FileTokenStore::new(dir.path()))
        .keep(&signed_in)
        .await
        .unwrap();

    // A new session over the same directory reads back exactly what was kept.
    let later = Session::new(Arc::clone(&flows), USER, FileTokenStore::new(dir.path()));
    let loaded = later.store().load(later.key()).await.unwrap().unwrap();
    for (kept, read) in [
        (signed_in.access_token(), loaded.access_token()),
        (signed_in.id_token().unwrap(), loaded.id_token().unwrap()),
        (
            signed_in.refresh_token().unwrap(),
            loaded.refresh_token().unwrap(),
        ),
    ] {
        assert_eq!(kept.expose_secret(), read.expose_secret());
    }
    assert_eq!(loaded.device_key(), Some(device_key.as_str()));
    assert_eq!(loaded.username(), signed_in.username());
    let unix = |t: SystemTime| t.duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs();
    assert_eq!(unix(loaded.expires_at()), unix(signed_in.expires_at()));

    // Still valid for five minutes: no refresh.
    let cached = later.valid_tokens(Duration::from_secs(300)).await.unwrap();
    assert_eq!(jti(cached.access_token()), jti(signed_in.access_token()));
    assert_eq!(world.refresh_calls(), 0);

    // Two hours is longer than an access token lives: a refresh, with the device.
    let fresh = later.valid_tokens(Duration::from_secs(7200)).await.unwrap();
    assert_eq!(world.refresh_calls(), 1);
    assert_ne!(jti(fresh.access_token()), jti(signed_in.access_token()));
    assert_eq!(fresh.device_key(), Some(device_key.as_str()));
    assert_eq!(
        fresh.access_claims().unwrap().device_key(),
        Some(device_key.as_str())
    );
    let stored = later.store().load(later.key()).await.unwrap().unwrap();
    assert_eq!(jti(stored.access_token()), jti(fresh.access_token()));
    assert_eq!(stored.device_key(), Some(device_key.as_str()));
    assert_eq!(
        stored.refresh_token().unwrap().expose_secret(),
        signed_in.refresh_token().unwrap().expose_secret()
    );
}

#[tokio::test]
async fn a_revoked_refresh_token_means_sign_in_again_and_empties_the_store() {
    let world = world(false).await;
    let flows = world.flows();
    let signed_in = flows.sign_in_srp(USER, &pw(PASSWORD)).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let session = Session::new(Arc::clone(&flows), USER, FileTokenStore::new(dir.path()));
    session.keep(&signed_in).await.unwrap();

    world.revoke(signed_in.refresh_token().unwrap()).await;

    let error = session
        .valid_tokens(Duration::from_secs(7200))
        .await
        .unwrap_err();
    let Error::SignInRequired { reason } = &error else {
        panic!("expected SignInRequired, got {error:?}");
    };
    assert!(reason.contains("refused"), "{reason}");
    assert!(error.to_string().ends_with("sign in again"), "{error}");
    assert_eq!(world.refresh_calls(), 1);
    assert!(session.store().load(session.key()).await.unwrap().is_none());

    // Nothing stored any more: the same typed error, without a call.
    let error = session
        .valid_tokens(Duration::from_secs(60))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::SignInRequired { .. }), "{error:?}");
    assert_eq!(world.refresh_calls(), 1);
}

/// An HTTP server on loopback that counts requests and answers the first
/// `first_count` with `first`, the rest with `then`.
fn counting_server(first: String, first_count: usize, then: String) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let hits = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&hits);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut request = [0u8; 4096];
            let _ = stream.read(&mut request);
            let n = counted.fetch_add(1, Ordering::SeqCst);
            let body = if n < first_count { &first } else { &then };
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (base, hits)
}

#[tokio::test]
async fn the_jwks_is_fetched_once_per_pool_and_again_for_an_unknown_kid_at_most_once_a_period() {
    let world = world(false).await;
    let flows = world.flows();
    let tokens = flows.sign_in_srp(USER, &pw(PASSWORD)).await.unwrap();
    let id = tokens.id_token().unwrap().expose_secret().to_owned();
    let access = tokens.access_token().expose_secret().to_owned();
    let pool = PoolId::parse(&world.setup.pool_id).unwrap();
    let issuer = TokenVerifier::cognito_issuer(&pool);
    let client_id = world.setup.client_id.clone();
    let emulator_jwks = format!(
        "{}/{}/.well-known/jwks.json",
        world.emulator.endpoint_url(),
        world.setup.pool_id
    );

    tokio::task::spawn_blocking(move || {
        let timeouts = HttpTimeouts {
            connect: Duration::from_secs(5),
            total: Duration::from_secs(5),
        };
        let fetcher = JwksFetcher::new(timeouts).unwrap();
        let real = serde_json::to_string(&fetcher.fetch_blocking(&emulator_jwks).unwrap()).unwrap();
        // The first download predates the key rotation: it lacks the token's kid.
        let (base, hits) = counting_server(r#"{"keys":[]}"#.to_owned(), 1, real);
        let url = format!("{base}/pool-a/.well-known/jwks.json");
        let period = Duration::from_millis(400);
        let cache = JwksCache::new(fetcher).with_min_refetch(period);

        let error = cache
            .verify_blocking(&url, &issuer, &client_id, &id, TokenUse::Id)
            .unwrap_err();
        assert!(error.to_string().contains("no key"), "{error}");
        assert_eq!(hits.load(Ordering::SeqCst), 1);
        // Within the period an unknown kid does not download again.
        for _ in 0..5 {
            cache
                .verify_blocking(&url, &issuer, &client_id, &id, TokenUse::Id)
                .unwrap_err();
        }
        assert_eq!(hits.load(Ordering::SeqCst), 1);

        std::thread::sleep(period + Duration::from_millis(100));
        let claims = cache
            .verify_blocking(&url, &issuer, &client_id, &id, TokenUse::Id)
            .unwrap();
        assert_eq!(claims.token_use(), Some("id"));
        assert_eq!(claims.str("cognito:username"), Some(USER));
        assert_eq!(hits.load(Ordering::SeqCst), 2);

        // Known kid: the kept keys, no download, for either token.
        for _ in 0..10 {
            cache
                .verify_blocking(&url, &issuer, &client_id, &access, TokenUse::Access)
                .unwrap();
        }
        assert_eq!(hits.load(Ordering::SeqCst), 2);

        // Another pool's URL is its own download.
        let other = format!("{base}/pool-b/.well-known/jwks.json");
        cache
            .verify_blocking(&other, &issuer, &client_id, &id, TokenUse::Id)
            .unwrap();
        assert_eq!(hits.load(Ordering::SeqCst), 3);
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn a_stalled_jwks_server_is_a_timeout_not_a_hang() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/jwks.json", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let held: Vec<_> = listener.incoming().take(1).collect();
        std::thread::sleep(Duration::from_secs(5));
        drop(held);
    });
    tokio::task::spawn_blocking(move || {
        let fetcher = JwksFetcher::new(HttpTimeouts {
            connect: Duration::from_secs(2),
            total: Duration::from_millis(300),
        })
        .unwrap();
        let error = JwksCache::new(fetcher)
            .keys_blocking(&url, None)
            .unwrap_err();
        assert!(matches!(error, Error::Timeout), "{error:?}");
    })
    .await
    .unwrap();
}

/// A store in which another process signs in right after the first load.
struct SignedInElsewhere {
    inner: MemoryTokenStore,
    next: std::sync::Mutex<Option<Tokens>>,
}

impl TokenStore for SignedInElsewhere {
    async fn load(
        &self,
        key: &cognito_auth_flows::SessionKey,
    ) -> Result<Option<Tokens>, cognito_auth_flows::StoreError> {
        let loaded = self.inner.load(key).await?;
        let next = self.next.lock().unwrap().take();
        if let Some(next) = next {
            self.inner.save(key, &next).await?;
        }
        Ok(loaded)
    }

    async fn save(
        &self,
        key: &cognito_auth_flows::SessionKey,
        tokens: &Tokens,
    ) -> Result<(), cognito_auth_flows::StoreError> {
        self.inner.save(key, tokens).await
    }

    async fn remove(
        &self,
        key: &cognito_auth_flows::SessionKey,
    ) -> Result<(), cognito_auth_flows::StoreError> {
        self.inner.remove(key).await
    }
}

#[tokio::test]
async fn a_refused_refresh_does_not_forget_a_newer_sign_in_stored_meanwhile() {
    let world = world(false).await;
    let flows = world.flows();
    let old = flows.sign_in_srp(USER, &pw(PASSWORD)).await.unwrap();
    let newer = flows.sign_in_srp(USER, &pw(PASSWORD)).await.unwrap();
    let store = SignedInElsewhere {
        inner: MemoryTokenStore::new(),
        next: std::sync::Mutex::new(Some(newer.clone())),
    };
    let session = Session::new(Arc::clone(&flows), USER, store);
    session
        .store()
        .inner
        .save(session.key(), &old)
        .await
        .unwrap();
    world.revoke(old.refresh_token().unwrap()).await;

    let error = session
        .valid_tokens(Duration::from_secs(7200))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::SignInRequired { .. }), "{error:?}");
    let kept = session
        .store()
        .inner
        .load(session.key())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        kept.refresh_token().unwrap().expose_secret(),
        newer.refresh_token().unwrap().expose_secret()
    );
    // The next call refreshes the newer session.
    let fresh = session
        .valid_tokens(Duration::from_secs(7200))
        .await
        .unwrap();
    assert_ne!(jti(fresh.access_token()), jti(newer.access_token()));
    assert_eq!(world.refresh_calls(), 2);
}

#[test]
fn a_stalled_pool_does_not_hold_up_another_pools_kept_keys() {
    let (base, hits) = counting_server(r#"{"keys":[]}"#.to_owned(), 0, r#"{"keys":[]}"#.to_owned());
    let fine = format!("{base}/fine/.well-known/jwks.json");
    let stalled_listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let stalled = format!(
        "http://{}/jwks.json",
        stalled_listener.local_addr().unwrap()
    );
    let (accepted, connection_accepted) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let held: Vec<_> = stalled_listener.incoming().take(1).collect();
        let _ = accepted.send(());
        std::thread::sleep(Duration::from_secs(10));
        drop(held);
    });
    let cache = JwksCache::new(
        JwksFetcher::new(HttpTimeouts {
            connect: Duration::from_secs(2),
            total: Duration::from_secs(3),
        })
        .unwrap(),
    );
    cache.keys_blocking(&fine, None).unwrap();
    assert_eq!(hits.load(Ordering::SeqCst), 1);

    let stalled_done = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|scope| {
        let stalled_fetch = scope.spawn(|| {
            let result = cache.keys_blocking(&stalled, None);
            stalled_done.store(true, Ordering::SeqCst);
            result
        });
        // The stalled download is under way (and holds its pool's lock).
        connection_accepted
            .recv_timeout(Duration::from_secs(5))
            .unwrap();
        cache.keys_blocking(&fine, None).unwrap();
        assert!(
            !stalled_done.load(Ordering::SeqCst),
            "the kept keys waited for another pool's download"
        );
        let error = stalled_fetch.join().unwrap().unwrap_err();
        assert!(matches!(error, Error::Timeout), "{error:?}");
    });
    assert_eq!(hits.load(Ordering::SeqCst), 1);
}
