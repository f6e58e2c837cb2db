//! Cross-cutting middleware: request metrics, the operation log, and turning a panic into a 500.

use crate::AppState;
use crate::auth::{Actor, client_ip};
use crate::error::ApiError;
use crate::extract::JSON_LIMIT;
use anjian_domain::redact::mask_json;
use anjian_store::NewOperLog;
use axum::body::{Body, Bytes};
use axum::extract::{MatchedPath, Request, State};
use axum::http::{Method, header::CONTENT_TYPE};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::time::Instant;

/// Counts requests and observes latency, labelled by method, matched route and status.
pub async fn track_metrics(req: Request, next: Next) -> Response {
    let start = Instant::now();
    let path = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".into());
    let method = req.method().to_string();
    let response = next.run(req).await;
    let status = response.status().as_u16().to_string();
    let labels = [("method", method), ("path", path), ("status", status)];
    metrics::counter!("anjian_http_requests_total", &labels).increment(1);
    metrics::histogram!("anjian_http_request_duration_seconds", &labels)
        .record(start.elapsed().as_secs_f64());
    response
}

/// Records every state-changing `/api` request (POST, PUT, PATCH, DELETE) in the operation log:
/// who, what, when, from where, the result, and the JSON body with secrets masked. The login
/// endpoint is recorded in the login log instead.
pub async fn oper_log(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let logged = matches!(
        method,
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    ) && path.starts_with("/api/")
        && path != "/api/auth/login";
    if !logged {
        return next.run(req).await;
    }
    let start = Instant::now();
    let (mut parts, body) = req.into_parts();
    let ip = client_ip(&parts);
    let actor = Actor::default();
    parts.extensions.insert(actor.clone());
    let is_json = parts
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("json"));
    let (body, request) = if is_json {
        match axum::body::to_bytes(body, JSON_LIMIT).await {
            Ok(bytes) => {
                let summary = summarise_json(&bytes);
                (Body::from(bytes), summary)
            }
            Err(_) => return ApiError::PayloadTooLarge(JSON_LIMIT).into_response(),
        }
    } else {
        let len = parts
            .headers
            .get("content-length")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("?")
            .to_owned();
        (body, Some(format!("(non-JSON body, {len} bytes)")))
    };
    let response = next.run(Request::from_parts(parts, body)).await;
    let who = actor.0.lock().ok().and_then(|a| a.clone());
    let entry = NewOperLog {
        user_id: who.as_ref().map(|w| w.0),
        username: who.map(|w| w.1),
        method: method.to_string(),
        path,
        status_code: response.status().as_u16(),
        ip,
        request,
        duration_ms: start.elapsed().as_millis() as i64,
    };
    if let Err(e) = state.store.add_oper_log(entry).await {
        tracing::warn!(error = %e, "could not write the operation log");
    }
    response
}

/// The JSON body with secret fields masked, at most 2,000 characters.
fn summarise_json(bytes: &Bytes) -> Option<String> {
    if bytes.is_empty() {
        return None;
    }
    let text = match serde_json::from_slice::<serde_json::Value>(bytes) {
        Ok(mut v) => {
            mask_json(&mut v);
            v.to_string()
        }
        Err(_) => "(malformed JSON)".to_string(),
    };
    Some(text.chars().take(2000).collect())
}

/// A panic anywhere below becomes a logged 500 with the usual error body.
pub fn panic_response(err: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let detail = err
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| err.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "panic".into());
    ApiError::Internal(format!("handler panicked: {detail}")).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_passwords_in_the_log() {
        let s = summarise_json(&Bytes::from_static(
            br#"{"oldPassword":"a","newPassword":"b","name":"x"}"#,
        ))
        .unwrap();
        assert!(!s.contains("\"a\"") && !s.contains("\"b\""));
        assert!(s.contains("\"name\":\"x\""));
        assert_eq!(
            summarise_json(&Bytes::from_static(b"{oops")).unwrap(),
            "(malformed JSON)"
        );
    }
}
