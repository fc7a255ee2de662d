//! A scripted Cognito on a loopback port: each request gets the next reply of
//! the script; requests are kept (operation and JSON body) for the test to check.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use cognito_auth_flows::{AuthApi, CodeDelivery, Flows, Metadata};
use cognito_auth_test_support::pw;
use cognito_auth_test_support::sdk::base_config;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

pub const POOL_ID: &str = "us-east-1_Scripted1";
pub const CLIENT_ID: &str = "scriptedclient";

/// One request as received: the operation and the JSON body.
#[derive(Clone, Debug)]
pub struct Received {
    pub operation: String,
    pub body: Value,
}

/// A loopback Cognito that answers each request with the next scripted reply.
pub struct Scripted {
    url: String,
    received: Arc<Mutex<Vec<Received>>>,
}

impl Scripted {
    /// Replies as (HTTP status, body); a 400 body's `__type` is the error.
    pub async fn start(replies: Vec<(u16, Value)>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let received = Arc::new(Mutex::new(Vec::new()));
        let replies = Arc::new(Mutex::new(VecDeque::from(replies)));
        let log = received.clone();
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let Some((operation, body)) = read(&mut stream).await else {
                    continue;
                };
                log.lock().unwrap().push(Received { operation, body });
                let (status, reply) = replies.lock().unwrap().pop_front().unwrap_or((
                    500,
                    json!({"__type": "InternalErrorException", "message": "script ran out"}),
                ));
                let text = reply.to_string();
                let reason = if status == 200 { "OK" } else { "Bad Request" };
                let response = format!(
                    "HTTP/1.1 {status} {reason}\r\ncontent-type: application/x-amz-json-1.1\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{text}",
                    text.len()
                );
                let _ = stream.write_all(response.as_bytes()).await;
                let _ = stream.shutdown().await;
            }
        });
        Self { url, received }
    }

    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    pub fn operations(&self) -> Vec<String> {
        self.received().into_iter().map(|r| r.operation).collect()
    }

    pub fn last(&self) -> Received {
        self.received().pop().unwrap()
    }

    pub fn client(&self) -> aws_sdk_cognitoidentityprovider::Client {
        let config = base_config(&self.url)
            .retry_config(aws_sdk_cognitoidentityprovider::config::retry::RetryConfig::disabled())
            .build();
        aws_sdk_cognitoidentityprovider::Client::from_conf(config)
    }

    pub fn api(&self) -> AuthApi {
        AuthApi::new(self.client(), CLIENT_ID)
            .with_client_secret(pw("s3cret"))
            .with_metadata(Metadata::default().with_client_metadata("tenant", "blue"))
    }

    pub fn flows(&self) -> Flows {
        Flows::builder(self.client(), POOL_ID, CLIENT_ID)
            .build()
            .unwrap()
    }
}

/// One whole HTTP request (headers and the Content-Length body) as text, or
/// `None` when the connection closes first.
pub async fn read_request(stream: &mut tokio::net::TcpStream) -> Option<String> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&buffer).to_string();
        if let Some(end) = text.find("\r\n\r\n") {
            let length = text[..end]
                .lines()
                .find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.eq_ignore_ascii_case("content-length")
                        .then(|| v.trim().parse::<usize>().ok())?
                })
                .unwrap_or(0);
            if buffer.len() >= end + 4 + length {
                return Some(text);
            }
        }
    }
}

/// The operation (from X-Amz-Target) and JSON body of one request.
async fn read(stream: &mut tokio::net::TcpStream) -> Option<(String, Value)> {
    let text = read_request(stream).await?;
    let (head, body) = text.split_once("\r\n\r\n")?;
    let target = head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.eq_ignore_ascii_case("x-amz-target")
            .then(|| v.trim().to_owned())
    })?;
    let operation = target.rsplit('.').next()?.to_owned();
    Some((operation, serde_json::from_str(body).ok()?))
}

pub fn error(kind: &str, message: &str) -> (u16, Value) {
    (400, json!({"__type": kind, "message": message}))
}

pub fn email_delivery() -> Value {
    json!({"Destination": "a***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email"})
}

pub fn expected_delivery() -> CodeDelivery {
    CodeDelivery {
        destination: Some("a***@e***".into()),
        medium: Some("EMAIL".into()),
        attribute: Some("email".into()),
    }
}
