//! The real emulator, in-process, behind a layer that records every API call
//! and its reply: for tests that check what a client sent (a SECRET_HASH, the
//! metadata, the DEVICE_KEY), with Cognito's behaviour coming from the emulator
//! rather than from a fake.

use std::sync::{Arc, Mutex, PoisonError};

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use cognito_auth_emulator::Service;
use serde_json::Value;

/// One API call: the operation (from X-Amz-Target), the JSON request, the
/// HTTP status and the JSON reply.
#[derive(Clone, Debug)]
pub struct Exchange {
    pub operation: String,
    pub request: Value,
    pub status: u16,
    pub reply: Value,
}

type Log = Arc<Mutex<Vec<Exchange>>>;

/// An in-memory emulator on a loopback port that records every API call.
#[derive(Debug)]
pub struct RecordingEmulator {
    service: Arc<Service>,
    address: std::net::SocketAddr,
    log: Log,
    task: tokio::task::JoinHandle<()>,
}

impl RecordingEmulator {
    /// Starts one with the pools, clients, users and triggers of a seed
    /// file's text.
    pub async fn seeded(seed: &str) -> Self {
        let seed = crate::parse_seed(seed);
        let mut config = crate::emulator_config().service;
        seed.install_triggers(&mut config, None).unwrap();
        let service = Arc::new(Service::open(None, config).unwrap());
        cognito_auth_emulator::seed::apply(&service, &seed).unwrap();
        let log = Log::default();
        let app = cognito_auth_emulator::http::router(Arc::clone(&service)).layer(
            axum::middleware::from_fn_with_state(Arc::clone(&log), record),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Self {
            service,
            address,
            log,
            task,
        }
    }

    /// `http://ip:port`, for `endpoint_url`.
    pub fn endpoint_url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// The emulator's core, for its outbox.
    pub fn service(&self) -> &Arc<Service> {
        &self.service
    }

    /// Every API call so far, oldest first.
    pub fn exchanges(&self) -> Vec<Exchange> {
        self.log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The request bodies of every call of `operation`, oldest first.
    pub fn requests(&self, operation: &str) -> Vec<Value> {
        self.of(operation).map(|e| e.request).collect()
    }

    /// The reply bodies of every call of `operation`, oldest first.
    pub fn replies(&self, operation: &str) -> Vec<Value> {
        self.of(operation).map(|e| e.reply).collect()
    }

    fn of(&self, operation: &str) -> impl Iterator<Item = Exchange> {
        let operation = operation.to_owned();
        self.exchanges()
            .into_iter()
            .filter(move |e| e.operation == operation)
    }
}

impl Drop for RecordingEmulator {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn record(State(log): State<Log>, request: Request, next: Next) -> Response {
    let Some(operation) = request
        .headers()
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .and_then(|target| target.rsplit('.').next())
        .map(str::to_owned)
    else {
        return next.run(request).await;
    };
    let (parts, body) = request.into_parts();
    let body = to_bytes(body, usize::MAX).await.unwrap();
    let request_json = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let response = next.run(Request::from_parts(parts, Body::from(body))).await;
    let (parts, body) = response.into_parts();
    let body = to_bytes(body, usize::MAX).await.unwrap();
    log.lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(Exchange {
            operation,
            request: request_json,
            status: parts.status.as_u16(),
            reply: serde_json::from_slice(&body).unwrap_or(Value::Null),
        });
    Response::from_parts(parts, Body::from(body))
}
