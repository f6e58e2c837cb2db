//! # anjian (the binary)
//!
//! The command-line entry point of the anjian work-safety platform: layered configuration, logging,
//! the bootstrap administrator, demo data, and the HTTP server with graceful shutdown.
//!
//! ## Layout
//! - `config` — defaults < TOML file < `ANJIAN_*` environment < flags.
//! - `bootstrap` — the first administrator account.
//! - `demo` — the demo city seeded by `anjian demo`.
#![forbid(unsafe_code)]

mod bootstrap;
mod config;
mod demo;
mod demo_city;
mod demo_hidden_danger;
mod demo_inspection;
mod demo_major_hazard;
mod demo_risk;
mod demo_situation;
mod jobs;
mod replay;
mod telemetry;

use anjian_domain::redact::redact_url;
use anjian_ingest::pipeline::{Pipeline, PipelineConfig};
use anjian_store::Store;
use clap::{Parser, Subcommand};
use config::Config;
use std::future::IntoFuture;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

/// anjian — city work-safety supervision platform (城市安全生产监管平台).
#[derive(Debug, Parser)]
#[command(name = "anjian", version, about)]
struct Cli {
    /// TOML configuration file (see `anjian default-config`).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Listen address, e.g. 127.0.0.1:8080 (overrides ANJIAN_LISTEN).
    #[arg(long, global = true, value_name = "ADDR")]
    listen: Option<String>,
    /// Database URL: sqlite://path?mode=rwc or postgres://... (overrides ANJIAN_DATABASE_URL).
    #[arg(long, global = true, value_name = "URL")]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Migrate the database, create the bootstrap admin if there is no account, and serve.
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Seed the demo city (idempotent), print the demo accounts, then serve. The reactor unit
    /// replays the Tennessee Eastman data from ANJIAN_TEP_DIR (default ../shared/data/tep), or a
    /// labelled simulated signal without it (ANJIAN_TEP_DIR=off: no feed); ANJIAN_TEP_INTERVAL_MS
    /// is the time between two rows (default 500).
    Demo,
    /// Create an administrator account. The password is read from ANJIAN_ADMIN_PASSWORD, or generated and printed.
    CreateAdmin {
        /// Login name of the new administrator.
        #[arg(long, default_value = "admin")]
        username: String,
    },
    /// Ask a running server for /api/health; exit 0 when healthy.
    Healthcheck {
        /// Base URL of the server (default: http://<listen>).
        #[arg(long)]
        url: Option<String>,
    },
    /// Print the commented example configuration.
    DefaultConfig,
    /// Run a work-safety calculation: read one JSON document (stdin or --input), print the result.
    /// Topics: major-hazard, accident-grade, accident-deadlines, accident-fine, accident-classification,
    /// lec, risk-matrix, hazard-factor, major-hidden-danger, uscc, citizen-id, certificate,
    /// training-hours, injury-rates, warning-level (see docs/calc.md). Bad input exits with status 2.
    Calc {
        /// The topic, e.g. `accident-grade`; `list` prints every topic.
        topic: String,
        /// Read the input document from this file instead of standard input.
        #[arg(long, value_name = "FILE")]
        input: Option<PathBuf>,
        /// `json` (default) or `text` (for people).
        #[arg(long, default_value = "json", value_parser = ["json", "text"])]
        format: String,
    },
    /// Evaluate readings against alarm rules offline, in event time, and print the alarm events as
    /// JSON lines (docs/alarms.md): `--rules FILE --readings FILE` (CSV `ts,sensor,value`), or
    /// `--tep DIR --fault N` for the Tennessee Eastman data through the demo reactor unit's rules.
    /// Bad input exits with status 2.
    Replay {
        /// Rules file (TOML, or JSON by extension).
        #[arg(
            long,
            value_name = "FILE",
            requires = "readings",
            conflicts_with = "tep"
        )]
        rules: Option<PathBuf>,
        /// Reading file: CSV with the header `ts,sensor,value` (optional `quality`).
        #[arg(long, value_name = "FILE", requires = "rules")]
        readings: Option<PathBuf>,
        /// Advance the clock to this time at the end (RFC 3339 or epoch ms), firing pending timers.
        #[arg(long, value_name = "TIME")]
        until: Option<String>,
        /// Folder with the TEP files (`dNN_te.dat`).
        #[arg(long, value_name = "DIR", required_unless_present = "rules")]
        tep: Option<PathBuf>,
        /// TEP fault number, 0 (normal operation) to 21.
        #[arg(long, default_value_t = 6)]
        fault: u8,
        /// Time of the first TEP row (RFC 3339 or epoch ms); rows are 3 minutes apart.
        #[arg(long, value_name = "TIME")]
        start: Option<String>,
    },
    /// Print the OpenAPI 3.1 document (or write it to --output).
    ExportOpenapi {
        /// File to write instead of standard output.
        #[arg(long)]
        output: Option<PathBuf>,
    },
}

/// Writes to standard output, ignoring a closed pipe (`anjian export-openapi | head`).
fn emit(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|_| out.flush());
}

fn init_logging(c: &Config) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(&c.log_level));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr);
    if c.log_format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}

async fn open_store(c: &Config) -> Result<Store, String> {
    tracing::info!(database = %redact_url(&c.database_url), "connecting to the database");
    let store = Store::connect(&c.database_url).await.map_err(|e| {
        format!(
            "cannot open the database {}: {e}",
            redact_url(&c.database_url)
        )
    })?;
    store
        .migrate()
        .await
        .map_err(|e| format!("database migration failed: {e}"))?;
    Ok(store)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutdown signal received; finishing in-flight requests");
}

/// `demo`: the demo's reactor feed (`None` for `anjian serve`).
async fn serve(c: &Config, store: Store, demo: Option<demo::DemoFeed>) -> Result<(), String> {
    let addr: SocketAddr = c
        .listen
        .parse()
        .map_err(|_| format!("bad listen address {}", c.listen))?;
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| {
        format!("cannot listen on {addr}: {e} (is another server running there? set --listen or ANJIAN_LISTEN)")
    })?;
    let cleaner = {
        let store = store.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(600));
            loop {
                tick.tick().await;
                match store.purge_expired_sessions(chrono::Utc::now()).await {
                    Ok(n) if n > 0 => tracing::info!(sessions = n, "purged expired sessions"),
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "session purge failed"),
                }
            }
        })
    };
    let pipeline = Pipeline::start(store.clone(), PipelineConfig::default())
        .await
        .map_err(|e| format!("cannot start the alarm engine: {e}"))?;
    let mqtt = telemetry::start_mqtt(c, &store, &pipeline, demo.is_some()).await?;
    let feed = match (&mqtt, demo.clone()) {
        (Some((_, mqtt_addr)), Some(source)) => telemetry::start_demo_feed(*mqtt_addr, source),
        _ => None,
    };
    let mqtt = mqtt.map(|(task, _)| task);
    let broker = telemetry::start_broker_client(c, &pipeline)?;
    let background = telemetry::start_background(&store);
    let clock = anjian_domain::clock::Clock::system();
    let jobs = jobs::start(store.clone(), clock.clone());
    let app = anjian_api::app_with_clock(store.clone(), pipeline.clone(), clock);
    tracing::info!(%addr, backend = store.backend_name(), "anjian listening");
    println!("anjian is listening on http://{addr}  (API docs: http://{addr}/api/docs)");
    if demo.is_some() {
        demo::print_first_steps(&format!("http://{addr}"), feed.is_some());
    }
    // Graceful stop: in-flight requests get a few seconds; long-lived ones (the alarm event
    // streams) would otherwise keep the process alive forever.
    let (stopping_tx, mut stopping) = tokio::sync::watch::channel(false);
    let server = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        shutdown_signal().await;
        let _ = stopping_tx.send(true);
    });
    tokio::select! {
        r = server.into_future() => r.map_err(|e| format!("server error: {e}"))?,
        _ = async {
            let _ = stopping.changed().await;
            tokio::time::sleep(std::time::Duration::from_secs(5)).await;
        } => tracing::info!("connections still open 5 s after the stop signal (event streams): closing them"),
    }
    cleaner.abort();
    jobs.abort();
    for task in mqtt.into_iter().chain(broker).chain(feed).chain(background) {
        task.abort();
    }
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// `anjian calc`: exit 0 with the result, 2 with a message naming the field on bad input.
fn calc(topic: &str, input: Option<&std::path::Path>, format: &str) -> ExitCode {
    use anjian_domain::standards::calc::{TOPICS, calc, to_text};
    if topic == "list" {
        let lines: String = TOPICS
            .iter()
            .map(|(name, about)| format!("{name:<24} {about}\n"))
            .collect();
        emit(&lines);
        return ExitCode::SUCCESS;
    }
    let text = match input {
        Some(p) => {
            std::fs::read_to_string(p).map_err(|e| format!("cannot read {}: {e}", p.display()))
        }
        None => {
            let mut s = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)
                .map(|_| s)
                .map_err(|e| format!("cannot read standard input: {e}"))
        }
    };
    let result = text
        .and_then(|t| {
            serde_json::from_str::<serde_json::Value>(&t)
                .map_err(|e| format!("input: not a JSON document: {e}"))
        })
        .and_then(|doc| calc(topic, &doc).map_err(|e| e.to_string()));
    match result {
        Ok(v) => {
            if format == "text" {
                emit(&to_text(&v));
            } else {
                emit(&(serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"));
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("anjian calc {topic}: {e}");
            ExitCode::from(2)
        }
    }
}

async fn run(cli: Cli) -> Result<(), String> {
    let c = Config::load(cli.config.as_deref(), cli.listen, cli.database_url)
        .map_err(|e| e.to_string())?;
    match cli.command {
        // handled in main, before configuration is read
        Command::Calc { .. } | Command::Replay { .. } => Ok(()),
        Command::DefaultConfig => {
            emit(config::EXAMPLE);
            Ok(())
        }
        Command::ExportOpenapi { output } => {
            let json = anjian_api::openapi()
                .to_pretty_json()
                .map_err(|e| e.to_string())?
                + "\n";
            match output {
                Some(p) => std::fs::write(&p, json)
                    .map_err(|e| format!("cannot write {}: {e}", p.display())),
                None => {
                    emit(&json);
                    Ok(())
                }
            }
        }
        Command::Healthcheck { url } => {
            let base = url.unwrap_or_else(|| format!("http://{}", c.listen));
            let base = base
                .trim_end_matches('/')
                .trim_end_matches("/api/health")
                .to_owned();
            let parsed = url::Url::parse(&base).map_err(|e| {
                format!("--url {base:?} is not a URL such as http://127.0.0.1:8080: {e}")
            })?;
            if parsed.scheme() != "http" && parsed.scheme() != "https" {
                return Err(format!(
                    "--url {base:?} must start with http:// or https://"
                ));
            }
            let r = reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(5))
                .build()
                .map_err(|e| e.to_string())?
                .get(format!("{base}/api/health"))
                .send()
                .await
                .map_err(|e| format!("unhealthy: no answer from {base}: {e}"))?;
            let status = r.status();
            let body = r.text().await.unwrap_or_default();
            emit(&format!("{body}\n"));
            if status.is_success() {
                Ok(())
            } else {
                Err(format!("unhealthy: HTTP {status}"))
            }
        }
        Command::Migrate => {
            init_logging(&c);
            open_store(&c).await?;
            println!("database is up to date ({})", redact_url(&c.database_url));
            Ok(())
        }
        Command::CreateAdmin { username } => {
            init_logging(&c);
            let store = open_store(&c).await?;
            bootstrap::create_admin(&store, &username).await
        }
        Command::Serve => {
            init_logging(&c);
            let store = open_store(&c).await?;
            bootstrap::ensure_admin(&store).await?;
            serve(&c, store, None).await
        }
        Command::Demo => {
            init_logging(&c);
            let store = open_store(&c).await?;
            bootstrap::ensure_admin(&store).await?;
            demo::seed(&store)
                .await
                .map_err(|e| format!("demo data: {e}"))?;
            demo::ensure_tep_unit(&store)
                .await
                .map_err(|e| format!("demo reactor unit: {e}"))?;
            // Before the alarm engine loads the sensors: say in their names whether they run
            // on the real data or on the simulated signal.
            let source = demo::demo_feed();
            let simulated = source == demo::DemoFeed::Simulated;
            anjian_ingest::tep::label_unit(&store, simulated)
                .await
                .map_err(|e| format!("demo reactor unit: {e}"))?;
            serve(&c, store, Some(source)).await
        }
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Command::Calc {
        topic,
        input,
        format,
    } = &cli.command
    {
        return calc(topic, input.as_deref(), format);
    }
    if let Command::Replay {
        rules,
        readings,
        until,
        tep,
        fault,
        start,
    } = &cli.command
    {
        let result = match (rules, readings, tep) {
            (Some(r), Some(f), _) => replay::replay_file(r, f, until.as_deref()),
            (_, _, Some(dir)) => replay::replay_tep(dir, *fault, start.as_deref()),
            _ => Err("give --rules and --readings, or --tep".into()),
        };
        return match result {
            Ok(summary) => {
                if !summary.is_empty() {
                    eprintln!("anjian replay: {summary}");
                }
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("anjian replay: {e}");
                ExitCode::from(2)
            }
        };
    }
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("anjian: {e}");
            ExitCode::FAILURE
        }
    }
}
