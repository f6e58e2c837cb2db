//! The web console, served at `/` from `web/dist` (built by `npm run build` in `web/`). The files
//! are embedded in the binary in every build (`debug-embed`), so a binary never depends on the
//! folder it was built in; `build.rs` rebuilds this crate when `web/dist` changes. When the console
//! has not been built, `/` answers with a page that says how to build it, so `cargo
//! build` works without Node.
//!
//! Hashed assets (`/assets/...`) are cached for a year; `index.html` is never cached. Any other
//! path that is not a file is a console route and gets `index.html` (history-mode routing).

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "../../web/dist"]
#[allow_missing = true]
struct Dist;

/// Shown at `/` when `web/dist` is missing.
pub const PLACEHOLDER: &str = r#"<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>安监 anjian</title>
<style>body{font-family:system-ui,"PingFang SC","Microsoft YaHei",sans-serif;max-width:44rem;margin:4rem auto;padding:0 1rem;line-height:1.6;color:#1f2937}code{background:#f3f4f6;padding:.1rem .3rem;border-radius:4px}</style>
</head><body>
<h1>安监 anjian</h1>
<p>The API is running (<a href="/api/docs">API documentation</a>, <a href="/api/health">health</a>),
but the web console has not been built into this binary.</p>
<p>控制台尚未构建。请在项目根目录执行 <code>make run</code>（需要 Node.js 20 和 npm），
或手动执行 <code>cd web &amp;&amp; npm ci &amp;&amp; npm run build</code> 后重新编译。</p>
<p>To build it: run <code>make run</code> (needs Node.js 20 and npm), or
<code>cd web &amp;&amp; npm ci &amp;&amp; npm run build</code> and rebuild anjian.</p>
</body></html>
"#;

fn file(path: &str) -> Option<Response> {
    let f = Dist::get(path)?;
    let mime = f.metadata.mimetype().to_owned();
    let mut r = Response::new(Body::from(f.data.into_owned()));
    if let Ok(v) = HeaderValue::from_str(&mime) {
        r.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    let cache = if path.starts_with("assets/") {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    Some(r)
}

/// Serves a console file, the console's `index.html` for a console route, or the placeholder.
pub async fn serve(uri: Uri) -> Response {
    let path = uri.path().trim_start_matches('/');
    if path.starts_with("api/") || path == "api" {
        return crate::error::ApiError::NotFound.into_response();
    }
    if !path.is_empty() {
        if let Some(r) = file(path) {
            return r;
        }
        // A missing hashed asset is a 404, not the app shell.
        if path.starts_with("assets/") {
            return (StatusCode::NOT_FOUND, "not found").into_response();
        }
    }
    match file("index.html") {
        Some(r) => r,
        None => (
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                (header::CACHE_CONTROL, "no-cache"),
            ],
            PLACEHOLDER,
        )
            .into_response(),
    }
}
