//! The HTTP face: AWS JSON 1.1 on `POST /`, the JWKS and OpenID documents, and
//! the outbox. Everything here only moves bytes to and from [`Service`].
//!
//! SigV4: admin operations are signed by AWS clients. The emulator accepts any
//! `Authorization` header without checking the signature (there are no real
//! credentials to check it against); it only reads the region from the
//! credential scope, so pools created by a client signing for `eu-west-1` get
//! `eu-west-1_...` ids.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

use crate::error::{ApiError, ErrorKind};
use crate::service::Service;

/// The largest request body accepted. ConfirmDevice verifier strings may be up to
/// 131072 characters each, so a little over twice that.
pub const MAX_BODY_BYTES: usize = 300 * 1024;

const TARGET_PREFIX: &str = "AWSCognitoIdentityProviderService.";
const JSON_11: &str = "application/x-amz-json-1.1";

/// The router for a service.
pub fn router(service: Arc<Service>) -> Router {
    Router::new()
        .route("/", post(api))
        .route("/_emulator/outbox", get(outbox))
        .route("/{pool_id}/.well-known/jwks.json", get(jwks))
        .route(
            "/{pool_id}/.well-known/openid-configuration",
            get(openid_configuration),
        )
        .fallback(not_found)
        .with_state(service)
}

fn json_response(status: StatusCode, content_type: &'static str, body: &Value) -> Response {
    let mut response = (status, body.to_string()).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(id) = HeaderValue::from_str(&crate::ids::uuid()) {
        headers.insert("x-amzn-requestid", id);
    }
    response
}

/// A Cognito error: JSON body with `__type` and `message`, and the headers AWS
/// clients read.
pub fn error_response(error: &ApiError) -> Response {
    let status = StatusCode::from_u16(error.kind.status()).unwrap_or(StatusCode::BAD_REQUEST);
    let type_name = error.kind.type_name();
    let body = json!({ "__type": type_name, "message": error.message });
    let mut response = json_response(status, JSON_11, &body);
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&format!("{type_name}:")) {
        headers.insert("x-amzn-errortype", value);
    }
    if let Ok(value) = HeaderValue::from_str(&error.message) {
        headers.insert("x-amzn-errormessage", value);
    }
    response
}

/// The region of a SigV4 `Authorization` header's credential scope, if any.
fn signed_region(headers: &HeaderMap) -> Option<String> {
    let authorization = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let scope = authorization.split("Credential=").nth(1)?;
    let region = scope.split('/').nth(2)?;
    let valid = !region.is_empty()
        && region.len() <= 32
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    valid.then(|| region.to_owned())
}

async fn api(State(service): State<Arc<Service>>, headers: HeaderMap, body: Body) -> Response {
    let operation = headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .and_then(|t| t.strip_prefix(TARGET_PREFIX))
        .map(str::to_owned);
    let Some(operation) = operation else {
        return error_response(&ApiError::new(
            ErrorKind::UnknownOperation,
            "Missing or unknown X-Amz-Target",
        ));
    };
    let too_large = || {
        error_response(&ApiError::new(
            ErrorKind::RequestTooLarge,
            format!("Request body is larger than {MAX_BODY_BYTES} bytes or unreadable"),
        ))
    };
    // A declared length over the cap is refused before a byte is read; a body
    // without one (chunked) is read only up to the cap. Either way nothing
    // larger reaches the JSON parser.
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length > MAX_BODY_BYTES as u64) {
        return too_large();
    }
    let bytes: Bytes = match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
        Ok(bytes) => bytes,
        Err(_) => return too_large(),
    };
    let region = signed_region(&headers);
    let op = operation.clone();
    // What may wait (a disk, a trigger) or take long (key generation) goes to the
    // blocking pool. The rest is a millisecond or two of CPU at most: running it
    // here saves the two thread hand-offs a trip through the pool costs, about a
    // twentieth of a sign-in's CPU (docs/benchmarks.md).
    let outcome = if service.may_block(&operation) {
        tokio::task::spawn_blocking(move || service.call_in_region(&op, &bytes, region.as_deref()))
            .await
            .map_err(|join_error| join_error.to_string())
    } else {
        std::panic::catch_unwind(AssertUnwindSafe(|| {
            service.call_in_region(&op, &bytes, region.as_deref())
        }))
        .map_err(|_| "panic".to_owned())
    };
    match outcome {
        Ok(Ok(output)) => {
            tracing::debug!(operation, "ok");
            json_response(StatusCode::OK, JSON_11, &output)
        }
        Ok(Err(error)) => {
            tracing::debug!(operation, error = error.kind.type_name(), "error");
            error_response(&error)
        }
        Err(failure) => {
            tracing::error!(operation, %failure, "operation panicked");
            error_response(&ApiError::internal("Internal server error"))
        }
    }
}

async fn jwks(State(service): State<Arc<Service>>, Path(pool_id): Path<String>) -> Response {
    document(service.jwks(&pool_id))
}

async fn openid_configuration(
    State(service): State<Arc<Service>>,
    Path(pool_id): Path<String>,
) -> Response {
    document(service.openid_configuration(&pool_id))
}

fn document(result: Result<Option<Value>, ApiError>) -> Response {
    match result {
        Ok(Some(body)) => json_response(StatusCode::OK, "application/json", &body),
        Ok(None) => not_found_response(),
        Err(error) => error_response(&error),
    }
}

#[derive(serde::Deserialize)]
struct OutboxQuery {
    #[serde(default)]
    username: Option<String>,
}

async fn outbox(State(service): State<Arc<Service>>, Query(query): Query<OutboxQuery>) -> Response {
    let messages = service.outbox().messages(query.username.as_deref());
    json_response(
        StatusCode::OK,
        "application/json",
        &json!({ "messages": messages }),
    )
}

fn not_found_response() -> Response {
    json_response(
        StatusCode::NOT_FOUND,
        "application/json",
        &json!({ "message": "Not found" }),
    )
}

async fn not_found() -> Response {
    not_found_response()
}
