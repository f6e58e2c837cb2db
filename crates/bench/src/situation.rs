//! `situation`: the dashboard benchmark of issue 7. Generates (or reuses) a synthetic city
//! (`anjian_store::synthetic`: by default 10,000 enterprises, 1,000,000 hidden dangers,
//! 10,000,000 readings), computes the dynamic risk of every enterprise, starts the whole
//! application in this process (pipeline + HTTP on a loopback port), signs in as an administrator
//! (city-wide scope, the largest answers) and requests every dashboard endpoint `--requests`
//! times one after another over real HTTP, reporting p50 / p95 / p99 / max latency per endpoint.

use anjian_ingest::pipeline::PipelineConfig;
use anjian_store::synthetic::SyntheticSpec;
use anjian_store::{NewUser, Store};
use serde_json::{Value, json};
use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Arguments of `situation`.
#[derive(Debug, clap::Args)]
pub struct SituationArgs {
    /// Database URL (`sqlite://path?mode=rwc` or `postgres://...`); migrated first. Use a fresh
    /// database unless `--reuse`.
    #[arg(long)]
    pub database_url: String,
    /// Reuse a database a previous run generated (skip generation).
    #[arg(long)]
    pub reuse: bool,
    /// Enterprises to generate.
    #[arg(long, default_value_t = 10_000)]
    pub enterprises: u32,
    /// Hidden dangers to generate.
    #[arg(long, default_value_t = 1_000_000)]
    pub hidden_dangers: u64,
    /// Sensors to generate.
    #[arg(long, default_value_t = 1_000)]
    pub sensors: u32,
    /// Readings to generate (a multiple of --sensors).
    #[arg(long, default_value_t = 10_000_000)]
    pub readings: u64,
    /// Alarms to generate over the last year.
    #[arg(long, default_value_t = 100_000)]
    pub alarms: u32,
    /// Of which still active.
    #[arg(long, default_value_t = 300)]
    pub active_alarms: u32,
    /// Measured requests per endpoint (after 5 warm-up requests).
    #[arg(long, default_value_t = 200)]
    pub requests: usize,
    /// A label for the results (e.g. `SQLite`).
    #[arg(long, default_value = "")]
    pub label: String,
    /// Append the results as JSON lines to this file.
    #[arg(long)]
    pub results: Option<PathBuf>,
}

const BENCH_USER: &str = "bench-admin";
const BENCH_PASSWORD: &str = "Bench@2026-situation";

/// The endpoints measured: (name, path). `{eid}` is replaced by the riskiest enterprise's id and
/// `{district}` by the first district's id.
pub const ENDPOINTS: &[(&str, &str)] = &[
    ("map", "/api/situation/map"),
    ("summary", "/api/situation/summary"),
    ("alarm feed", "/api/situation/alarms?limit=20"),
    (
        "overdue hidden dangers",
        "/api/situation/overdue-hidden-dangers?limit=10",
    ),
    ("top 10 risks", "/api/situation/top-risks?limit=10"),
    ("trends (30 days)", "/api/situation/trends?days=30"),
    ("region statistics", "/api/stats/regions"),
    (
        "region statistics (one district, 90 days)",
        "/api/stats/regions?parentId={district}&from={from90}&to={today}",
    ),
    (
        "enterprise risk ranking",
        "/api/enterprise-risks?pageNum=1&pageSize=20",
    ),
    ("enterprise risk (one)", "/api/enterprises/{eid}/risk"),
    (
        "installations grade 1",
        "/api/major-hazards?grade=1&pageNum=1&pageSize=20",
    ),
    (
        "overdue hidden-danger list",
        "/api/hidden-dangers?overdue=true&pageNum=1&pageSize=20",
    ),
];

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Runs the benchmark.
///
/// # Errors
/// A message for storage, HTTP or argument errors, or an endpoint that does not answer 200.
pub async fn run(a: &SituationArgs) -> Result<(), String> {
    let store = Store::connect(&a.database_url)
        .await
        .map_err(|e| format!("cannot open the database: {e}"))?;
    store
        .migrate()
        .await
        .map_err(|e| format!("migration failed: {e}"))?;
    let now = chrono::Utc::now();
    let mut setup: Vec<(String, f64)> = Vec::new();
    if !a.reuse {
        let spec = SyntheticSpec {
            enterprises: a.enterprises,
            hidden_dangers: a.hidden_dangers,
            sensors: a.sensors,
            readings: a.readings,
            alarms: a.alarms,
            active_alarms: a.active_alarms,
        };
        eprintln!("generating {spec:?} …");
        let report = store
            .generate_synthetic_city(&spec, now)
            .await
            .map_err(|e| format!("generation failed: {e}"))?;
        for (phase, s) in &report.phases {
            eprintln!("  {phase}: {s:.1} s");
            setup.push(((*phase).to_owned(), *s));
        }
        let role = store
            .find_role_by_key("admin")
            .await
            .map_err(|e| e.to_string())?
            .ok_or("the admin role is missing")?;
        store
            .create_user(NewUser {
                username: BENCH_USER.into(),
                nickname: "基准管理员".into(),
                password_hash: anjian_api::auth::hash_password(BENCH_PASSWORD)
                    .map_err(|e| format!("hash: {e:?}"))?,
                phone: None,
                email: None,
                department_id: None,
                enterprise_id: None,
                region_id: None,
                role_ids: vec![role.id],
                must_change_password: false,
                remark: Some("anjian-loadgen situation".into()),
            })
            .await
            .map_err(|e| format!("bench user: {e}"))?;
    }
    let counts = store
        .synthetic_counts()
        .await
        .map_err(|e| format!("counting: {e}"))?;
    eprintln!("database holds: {counts:?}");

    let t = Instant::now();
    let pipeline =
        anjian_ingest::pipeline::Pipeline::start(store.clone(), PipelineConfig::default())
            .await
            .map_err(|e| format!("pipeline: {e}"))?;
    eprintln!("pipeline started in {:.1} s", t.elapsed().as_secs_f64());
    let app = anjian_api::app(store.clone(), pipeline);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| e.to_string())?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let base = format!("http://{addr}");
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(120))
        .build()
        .map_err(|e| e.to_string())?;
    let login: Value = http
        .post(format!("{base}/api/auth/login"))
        .json(&json!({"username": BENCH_USER, "password": BENCH_PASSWORD}))
        .send()
        .await
        .map_err(|e| e.to_string())?
        .json()
        .await
        .map_err(|e| e.to_string())?;
    let token = login["token"]
        .as_str()
        .ok_or_else(|| format!("login failed: {login}"))?
        .to_owned();

    if !a.reuse {
        for (phase, secs) in after_generation(&store, &http, &base, &token).await? {
            eprintln!("  {phase}: {secs:.1} s");
            setup.push((phase, secs));
        }
    }

    let district = store
        .list_regions()
        .await
        .map_err(|e| e.to_string())?
        .into_iter()
        .find(|r| r.parent_id.is_none())
        .map(|r| r.id)
        .ok_or("no district")?;
    let top: Value = http
        .get(format!("{base}/api/situation/top-risks?limit=1"))
        .bearer_auth(&token)
        .send()
        .await
        .map_err(|e| e.to_string())?
        .json()
        .await
        .map_err(|e| e.to_string())?;
    let eid = first_enterprise_id(&top).unwrap_or(counts.first_enterprise);
    let today = now.date_naive();
    let from90 = today - chrono::Duration::days(90);

    let mut out = Vec::new();
    for (name, path) in ENDPOINTS {
        let path = path
            .replace("{eid}", &eid.to_string())
            .replace("{district}", &district.to_string())
            .replace("{today}", &today.to_string())
            .replace("{from90}", &from90.to_string());
        let url = format!("{base}{path}");
        let mut bytes = 0usize;
        for _ in 0..5 {
            let r = http
                .get(&url)
                .bearer_auth(&token)
                .send()
                .await
                .map_err(|e| e.to_string())?;
            let status = r.status();
            let body = r.bytes().await.map_err(|e| e.to_string())?;
            if !status.is_success() {
                return Err(format!(
                    "{path}: HTTP {status}: {}",
                    String::from_utf8_lossy(&body)
                ));
            }
            bytes = body.len();
        }
        let mut ms = Vec::with_capacity(a.requests);
        for _ in 0..a.requests {
            let t = Instant::now();
            let r = http
                .get(&url)
                .bearer_auth(&token)
                .send()
                .await
                .map_err(|e| e.to_string())?;
            let status = r.status();
            let _ = r.bytes().await.map_err(|e| e.to_string())?;
            ms.push(t.elapsed().as_secs_f64() * 1000.0);
            if !status.is_success() {
                return Err(format!("{path}: HTTP {status}"));
            }
        }
        ms.sort_by(f64::total_cmp);
        let row = json!({
            "label": a.label,
            "endpoint": name,
            "path": path,
            "requests": a.requests,
            "bytes": bytes,
            "p50_ms": percentile(&ms, 50.0),
            "p95_ms": percentile(&ms, 95.0),
            "p99_ms": percentile(&ms, 99.0),
            "max_ms": ms.last().copied().unwrap_or(f64::NAN),
        });
        println!(
            "| {} | {} | `{}` | {} | {:.1} | {:.1} | {:.1} | {:.1} |",
            a.label,
            name,
            path,
            bytes,
            percentile(&ms, 50.0),
            percentile(&ms, 95.0),
            percentile(&ms, 99.0),
            ms.last().copied().unwrap_or(f64::NAN)
        );
        out.push(row);
    }
    if let Some(file) = &a.results {
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(file)
            .map_err(|e| format!("{}: {e}", file.display()))?;
        let meta = json!({
            "label": a.label,
            "setup": setup,
            "counts": {
                "enterprises": counts.enterprises,
                "hidden_dangers": counts.hidden_dangers,
                "readings": counts.readings,
                "alarms": counts.alarms,
                "installations": counts.installations,
                "enterprise_risks": counts.enterprise_risks,
            },
        });
        writeln!(f, "{meta}").map_err(|e| e.to_string())?;
        for row in out {
            writeln!(f, "{row}").map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}

/// What runs after the generic generation, through the running application: the major hazard
/// installations and the dynamic risk of every enterprise (`POST /api/enterprise-risks/recompute`,
/// the same full pass the server runs at startup). Returns (phase, seconds) for the report.
async fn after_generation(
    store: &Store,
    http: &reqwest::Client,
    base: &str,
    token: &str,
) -> Result<Vec<(String, f64)>, String> {
    let mut phases = Vec::new();
    let t = Instant::now();
    // Every hazardous-chemicals enterprise of the (fresh) database.
    let n = store
        .generate_synthetic_installations((1, i64::MAX), chrono::Utc::now())
        .await
        .map_err(|e| format!("installations: {e}"))?;
    phases.push((
        format!("{n} major hazard installations"),
        t.elapsed().as_secs_f64(),
    ));
    let t = Instant::now();
    let r = http
        .post(format!("{base}/api/enterprise-risks/recompute"))
        .bearer_auth(token)
        .json(&json!({}))
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = r.status();
    let body = r.text().await.map_err(|e| e.to_string())?;
    if !status.is_success() {
        return Err(format!("recompute: HTTP {status}: {body}"));
    }
    phases.push((
        "dynamic risk of every enterprise".to_owned(),
        t.elapsed().as_secs_f64(),
    ));
    Ok(phases)
}

/// The first row's `enterpriseId` of a top-risks answer (an array, or `{rows: [...]}`).
fn first_enterprise_id(top: &Value) -> Option<i64> {
    let rows = top.get("rows").unwrap_or(top);
    rows.get(0)?.get("enterpriseId")?.as_i64()
}
