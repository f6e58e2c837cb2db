//! What the binary's end-to-end tests share: the `anjian` binary started on a database with a
//! known administrator password and waited for, stopped with SIGTERM (or SIGKILL), the databases
//! to run on, free ports and the administrator's sign-in.
#![allow(dead_code)] // each test file uses a different part

use anjian_store::testing::TestDb;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_anjian");
pub const ADMIN_PASSWORD: &str = "Adm1n#2026x";

pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The databases to run on: SQLite always, PostgreSQL when configured.
pub async fn databases() -> Vec<TestDb> {
    let mut v = vec![TestDb::sqlite()];
    if let Some(pg) = TestDb::postgres().await {
        v.push(pg);
    }
    v
}

pub struct Server {
    pub child: Child,
    pub base: String,
}

impl Server {
    /// Starts `anjian serve` on `url` listening on `http`, with extra environment `env`; returns
    /// once it logs that it is listening (panics after 60 s or if it exits).
    pub fn start(url: &str, http: u16, env: &[(&str, String)]) -> Server {
        Self::start_command("serve", url, http, env)
    }

    /// As [`Server::start`], with `anjian <command>` (`serve` or `demo`).
    pub fn start_command(command: &str, url: &str, http: u16, env: &[(&str, String)]) -> Server {
        let mut cmd = Command::new(BIN);
        cmd.arg(command)
            .env("ANJIAN_DATABASE_URL", url)
            .env("ANJIAN_LISTEN", format!("127.0.0.1:{http}"))
            .env("ANJIAN_ADMIN_PASSWORD", ADMIN_PASSWORD)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            match rx.recv_timeout(Duration::from_millis(200)) {
                Ok(l) if l.contains("is listening on") => break,
                Ok(_) => {}
                Err(_) if Instant::now() > deadline => panic!("anjian did not start"),
                Err(_) => {
                    if let Ok(Some(s)) = child.try_wait() {
                        panic!("anjian exited with {s}");
                    }
                }
            }
        }
        Server {
            child,
            base: format!("http://127.0.0.1:{http}"),
        }
    }

    pub fn kill9(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    pub fn stop(mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    /// A failing test must not leave the server running.
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Signs in as the bootstrap administrator; returns the token.
pub async fn login(base: &str) -> String {
    let r: Value = reqwest::Client::new()
        .post(format!("{base}/api/auth/login"))
        .json(&json!({"username": "admin", "password": ADMIN_PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    r["token"].as_str().expect("token").to_owned()
}
