//! Downloading a pool's JWKS (the `jwks` feature).
//!
//! The download trusts the same roots as the SDK's default HTTPS client (the
//! platform's certificate store, through `rustls-native-certs`) and uses the same
//! TLS library and crypto provider (rustls with aws-lc), so a machine behind a
//! corporate CA that can sign in can also verify tokens. Every download is bounded
//! by a connect timeout and a whole-request timeout.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::JwkSet;

use crate::{Claims, Error, TokenUse, TokenVerifier};

/// A JWKS document is a few kilobytes; anything past this is not one.
const MAX_JWKS_BYTES: u64 = 256 * 1024;

/// Timeouts for a JWKS download.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HttpTimeouts {
    /// Time to establish the connection (TCP and TLS).
    pub connect: Duration,
    /// Time for the whole request, from connecting to the last byte of the body.
    pub total: Duration,
}

impl Default for HttpTimeouts {
    /// The AWS CLI's defaults: 60 s to connect, 60 s to read.
    fn default() -> Self {
        Self {
            connect: Duration::from_secs(60),
            total: Duration::from_secs(120),
        }
    }
}

/// Fetches JWKS documents over HTTPS (or plain HTTP, for a local emulator).
#[derive(Clone)]
pub struct JwksFetcher {
    agent: ureq::Agent,
}

impl std::fmt::Debug for JwksFetcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwksFetcher").finish_non_exhaustive()
    }
}

impl JwksFetcher {
    /// A fetcher trusting the platform's root certificates.
    pub fn new(timeouts: HttpTimeouts) -> Result<Self, Error> {
        let loaded = rustls_native_certs::load_native_certs();
        if loaded.certs.is_empty() {
            let why = loaded
                .errors
                .first()
                .map_or_else(|| "none found".to_owned(), ToString::to_string);
            return Err(Error::Network {
                message: format!("no platform root certificates: {why}"),
            });
        }
        let roots: Vec<ureq::tls::Certificate<'static>> = loaded
            .certs
            .into_iter()
            .map(|der| ureq::tls::Certificate::from_der(der.as_ref()).to_owned())
            .collect();
        let tls = ureq::tls::TlsConfig::builder()
            .provider(ureq::tls::TlsProvider::Rustls)
            .root_certs(ureq::tls::RootCerts::new_with_certs(&roots))
            .unversioned_rustls_crypto_provider(Arc::new(
                rustls::crypto::aws_lc_rs::default_provider(),
            ))
            .build();
        let agent = ureq::Agent::config_builder()
            .tls_config(tls)
            .timeout_connect(Some(timeouts.connect))
            .timeout_global(Some(timeouts.total))
            .max_redirects(0)
            .build()
            .into();
        Ok(Self { agent })
    }

    /// Downloads and parses the JWKS at `url`. Blocking: call it from a blocking
    /// context (for example `tokio::task::spawn_blocking`).
    pub fn fetch_blocking(&self, url: &str) -> Result<JwkSet, Error> {
        let mut response = self.agent.get(url).call().map_err(|e| match e {
            ureq::Error::Timeout(_) => Error::Timeout,
            ureq::Error::StatusCode(status) if status >= 500 => Error::Server {
                status,
                message: format!("fetching {url}"),
            },
            ureq::Error::StatusCode(status) => Error::MalformedReply {
                detail: format!("{url} answered HTTP {status}, not a JWK set"),
            },
            other => Error::Network {
                message: format!("fetching {url}: {other}"),
            },
        })?;
        let body = response
            .body_mut()
            .with_config()
            .limit(MAX_JWKS_BYTES)
            .read_to_string()
            .map_err(|e| match e {
                ureq::Error::Timeout(_) => Error::Timeout,
                other => Error::Network {
                    message: format!("reading {url}: {other}"),
                },
            })?;
        serde_json::from_str(&body).map_err(|e| Error::MalformedReply {
            detail: format!("{url} is not a JWK set: {e}"),
        })
    }
}

/// How long [`JwksCache`] waits, by default, before it downloads a pool's keys again
/// for an unknown `kid`.
pub const DEFAULT_MIN_REFETCH: Duration = Duration::from_secs(60);

/// Verifies tokens against JWKS documents it downloads itself and keeps.
///
/// One download per JWKS URL (that is, per pool); a token signed with a key that is
/// not in the kept set causes one more download (Cognito rotated its keys), but at
/// most one per URL every `min_refetch` (default 60 s), so a stream of forged `kid`s
/// cannot turn into a stream of downloads. Each URL has its own lock, held during
/// its download: concurrent callers for that pool wait for the one download
/// instead of starting their own, and other pools are not held up.
///
/// Blocking: call it from a blocking context (for example
/// `tokio::task::spawn_blocking`), like [`JwksFetcher::fetch_blocking`].
#[derive(Debug)]
pub struct JwksCache {
    fetcher: JwksFetcher,
    min_refetch: Duration,
    sets: Mutex<HashMap<String, Arc<Mutex<Option<KeptSet>>>>>,
}

#[derive(Debug)]
struct KeptSet {
    keys: Arc<JwkSet>,
    fetched_at: Instant,
}

impl JwksCache {
    /// A cache downloading with `fetcher`.
    pub fn new(fetcher: JwksFetcher) -> Self {
        Self {
            fetcher,
            min_refetch: DEFAULT_MIN_REFETCH,
            sets: Mutex::new(HashMap::new()),
        }
    }

    /// Downloads a kept set again for an unknown `kid` at most once per `interval`.
    pub fn with_min_refetch(mut self, interval: Duration) -> Self {
        self.min_refetch = interval;
        self
    }

    /// The keys at `jwks_url` that should hold `kid`: the kept set if it does (or if
    /// it was downloaded less than `min_refetch` ago), else a fresh download.
    pub fn keys_blocking(&self, jwks_url: &str, kid: Option<&str>) -> Result<Arc<JwkSet>, Error> {
        let slot = {
            let mut sets = self.sets.lock().map_err(|_| poisoned())?;
            Arc::clone(sets.entry(jwks_url.to_owned()).or_default())
        };
        let mut kept = slot.lock().map_err(|_| poisoned())?;
        if let Some(kept) = kept.as_ref() {
            let has_kid = kid.is_none_or(|kid| kept.keys.find(kid).is_some());
            if has_kid || kept.fetched_at.elapsed() < self.min_refetch {
                return Ok(Arc::clone(&kept.keys));
            }
        }
        let keys = Arc::new(self.fetcher.fetch_blocking(jwks_url)?);
        *kept = Some(KeptSet {
            keys: Arc::clone(&keys),
            fetched_at: Instant::now(),
        });
        Ok(keys)
    }

    /// A [`TokenVerifier`] for `token`: the issuer's (and `client_id`'s), with the
    /// keys from `jwks_url` that should hold the token's `kid`. For real Cognito
    /// `jwks_url` is `TokenVerifier::jwks_url(issuer)`.
    pub fn verifier_for_blocking(
        &self,
        jwks_url: &str,
        issuer: &str,
        client_id: &str,
        token: &str,
    ) -> Result<TokenVerifier, Error> {
        let kid = jsonwebtoken::decode_header(token)
            .map_err(|e| Error::Verify(format!("header: {e}")))?
            .kid;
        let keys = self.keys_blocking(jwks_url, kid.as_deref())?;
        Ok(TokenVerifier::new(issuer, client_id, (*keys).clone()))
    }

    /// Verifies `token` as [`TokenVerifier::verify`] does, with keys from this cache.
    pub fn verify_blocking(
        &self,
        jwks_url: &str,
        issuer: &str,
        client_id: &str,
        token: &str,
        expected: TokenUse,
    ) -> Result<Claims, Error> {
        self.verifier_for_blocking(jwks_url, issuer, client_id, token)?
            .verify(token, expected)
    }
}

fn poisoned() -> Error {
    Error::Verify("JWKS cache lock poisoned".into())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use std::io::{Read, Write};
    use std::net::TcpListener;

    use super::*;

    fn serve_once(reply: &'static [u8], stall: bool) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!(
            "http://{}/.well-known/jwks.json",
            listener.local_addr().unwrap()
        );
        std::thread::spawn(move || {
            if let Ok((mut stream, _)) = listener.accept() {
                let mut request = [0u8; 1024];
                let _ = stream.read(&mut request);
                if stall {
                    std::thread::sleep(Duration::from_secs(5));
                }
                let _ = stream.write_all(reply);
            }
        });
        url
    }

    fn fetcher(total: Duration) -> JwksFetcher {
        JwksFetcher::new(HttpTimeouts {
            connect: Duration::from_secs(5),
            total,
        })
        .unwrap()
    }

    #[test]
    fn a_jwks_document_is_parsed() {
        let url = serve_once(
            b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 11\r\n\r\n{\"keys\":[]}",
            false,
        );
        let set = fetcher(Duration::from_secs(5))
            .fetch_blocking(&url)
            .unwrap();
        assert!(set.keys.is_empty());
    }

    #[test]
    fn a_stalled_server_is_a_timeout() {
        // The server answers only after 5 s, and then with an empty 200 (not a
        // JWK set): only the 300 ms timeout gives `Timeout`.
        let url = serve_once(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n", true);
        let error = fetcher(Duration::from_millis(300))
            .fetch_blocking(&url)
            .unwrap_err();
        assert!(matches!(error, Error::Timeout), "{error:?}");
    }

    #[test]
    fn an_html_page_is_a_malformed_reply() {
        let url = serve_once(b"HTTP/1.1 200 OK\r\ncontent-length: 6\r\n\r\n<html>", false);
        let error = fetcher(Duration::from_secs(5))
            .fetch_blocking(&url)
            .unwrap_err();
        assert!(matches!(error, Error::MalformedReply { .. }), "{error:?}");
    }

    #[test]
    fn a_503_is_a_server_error_with_its_status() {
        let url = serve_once(
            b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\n\r\n",
            false,
        );
        let error = fetcher(Duration::from_secs(5))
            .fetch_blocking(&url)
            .unwrap_err();
        assert!(
            matches!(error, Error::Server { status: 503, .. }),
            "{error:?}"
        );
    }
}
