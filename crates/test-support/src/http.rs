//! Raw HTTP/1.1 exchanges, for what the SDK cannot send (or for the emulator's
//! non-API paths: JWKS, the outbox).

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A raw HTTP/1.1 exchange: `(status, head, body)`. `request_head` is the
/// request line and any headers, without Host, Content-Length or Connection.
pub async fn raw_request(
    address: SocketAddr,
    request_head: &str,
    body: &[u8],
) -> (u16, String, String) {
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let head = format!(
        "{request_head}\r\nHost: {address}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    // The server may answer before reading a huge body; a failed write is fine.
    let _ = stream.write_all(body).await;
    let mut response = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(20), stream.read_to_end(&mut response)).await;
    let text = String::from_utf8_lossy(&response).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, head.to_owned(), body.to_owned())
}

/// POSTs a body to `/` with the given X-Amz-Target operation.
pub async fn post_operation(
    address: SocketAddr,
    operation: &str,
    body: &[u8],
) -> (u16, String, String) {
    raw_request(
        address,
        &format!(
            "POST / HTTP/1.1\r\nContent-Type: application/x-amz-json-1.1\r\nX-Amz-Target: AWSCognitoIdentityProviderService.{operation}"
        ),
        body,
    )
    .await
}
