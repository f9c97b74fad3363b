//! The origin (`http://host:port`) that the client used to reach the server.

use axum::http::HeaderMap;
use axum::http::header::HOST;

/// Returns `http://` plus the request's `Host`, for absolute URLs in `Link`
/// and `Location`.
///
/// A missing `Host`, or one with characters that do not belong in a host and
/// port, falls back to `localhost`, so a client cannot inject text into a
/// header through it.
pub(crate) fn request_origin(headers: &HeaderMap) -> String {
    let host = headers.get(HOST).and_then(|value| value.to_str().ok());
    let host = match host {
        Some(host) if !host.is_empty() && host.bytes().all(is_host_byte) => host,
        _ => "localhost",
    };
    format!("http://{host}")
}

fn is_host_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b".-:[]_".contains(&byte)
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn origin(host: Option<&'static str>) -> String {
        let mut headers = HeaderMap::new();
        if let Some(host) = host {
            headers.insert(HOST, HeaderValue::from_static(host));
        }
        request_origin(&headers)
    }

    #[test]
    fn host_and_port_are_kept() {
        assert_eq!(origin(Some("127.0.0.1:4010")), "http://127.0.0.1:4010");
        assert_eq!(origin(Some("[::1]:4010")), "http://[::1]:4010");
    }

    #[test]
    fn odd_hosts_fall_back_to_localhost() {
        assert_eq!(origin(None), "http://localhost");
        assert_eq!(origin(Some("a>; rel=\"next\"")), "http://localhost");
    }
}
