//! # anjian-loadgen
//!
//! The load generator of the end-to-end telemetry benchmark (`make bench`, `scripts/bench.sh`,
//! results in `docs/benchmarks.md`). It runs as a separate process next to `anjian serve`:
//!
//! - `seed` creates a region, an enterprise, devices with an MQTT password and sensors with a high
//!   limit directly through `anjian-store` (before anjian starts, so its rules include them);
//! - `run` connects one MQTT client per device (QoS 1) to anjian's built-in listener or to an
//!   external broker that anjian subscribes to, publishes batch payloads at a fixed rate, follows
//!   the alarm SSE stream and reports alarm latency, achieved rate, PUBACKs and anjian's CPU time
//!   and peak memory;
//! - `forget-session` deletes the persistent broker session anjian's broker client left behind;
//! - `table` renders the JSON lines written by `run` as a Markdown table.
#![forbid(unsafe_code)]

mod report;
mod run;
mod seed;
mod situation;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// Load generator for anjian's telemetry path.
#[derive(Debug, Parser)]
#[command(name = "anjian-loadgen", about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create a region, an enterprise, devices (with MQTT passwords) and sensors in a database.
    Seed(seed::SeedArgs),
    /// Drive a running anjian over MQTT and measure it.
    Run(Box<run::RunArgs>),
    /// Connect with a clean session under a client id, deleting the broker's stored session.
    ForgetSession {
        /// Broker address, host:port.
        #[arg(long)]
        mqtt: String,
        /// The client id whose session is deleted.
        #[arg(long)]
        client_id: String,
    },
    /// Dashboard benchmark (issue 7): generate a synthetic city, measure the dashboard endpoints.
    Situation(Box<situation::SituationArgs>),
    /// Print the Markdown table of the results (JSON lines written by `run --results`).
    Table {
        /// The results file.
        results: PathBuf,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Seed(a) => seed::seed(&a).await,
        Command::Run(a) => run::run(&a).await,
        Command::ForgetSession { mqtt, client_id } => run::forget_session(&mqtt, &client_id).await,
        Command::Situation(a) => situation::run(&a).await,
        Command::Table { results } => report::table(&results),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("anjian-loadgen: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The code of device `d` (0-based): `BD0000`, `BD0001`, ...
pub fn device_code(d: usize) -> String {
    format!("BD{d:04}")
}

/// The code of sensor `i` (0-based): `BS000000`, ...
pub fn sensor_code(i: usize) -> String {
    format!("BS{i:06}")
}
