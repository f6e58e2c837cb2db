//! Tests of the `anjian` binary as an operator uses it: configuration, the bootstrap admin, serving
//! on SQLite and PostgreSQL, health checks, redaction of secrets, graceful shutdown.

use anjian_store::testing::TestDb;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_anjian");

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn temp_dir() -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("anjian_cli_{}_{}", std::process::id(), free_port()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn anjian(dir: &Path) -> Command {
    let mut c = Command::new(BIN);
    c.current_dir(dir)
        .env_remove("ANJIAN_ADMIN_PASSWORD")
        .env_remove("ANJIAN_DATABASE_URL")
        .env_remove("ANJIAN_LISTEN")
        // The machine may run an MQTT broker on 1883: let the built-in listener take any port.
        .env("ANJIAN_MQTT_LISTEN", "127.0.0.1:0")
        .env("RUST_LOG", "info");
    c
}

struct Server {
    child: Child,
    stdout_lines: Vec<String>,
    base: String,
}

/// Starts `anjian serve`, reads its standard output until it says it is listening.
fn start(mut cmd: Command, port: u16) -> Server {
    let mut child = cmd
        .arg("serve")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut lines = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        match rx.recv_timeout(Duration::from_millis(200)) {
            Ok(l) => {
                let done = l.contains("is listening on");
                lines.push(l);
                if done {
                    break;
                }
            }
            Err(_) if Instant::now() > deadline => panic!("server did not start: {lines:?}"),
            Err(_) => {
                if let Ok(Some(status)) = child.try_wait() {
                    let mut err = String::new();
                    child
                        .stderr
                        .take()
                        .unwrap()
                        .read_to_string(&mut err)
                        .unwrap();
                    panic!("server exited with {status}: {lines:?} {err}");
                }
            }
        }
    }
    Server {
        child,
        stdout_lines: lines,
        base: format!("http://127.0.0.1:{port}"),
    }
}

impl Server {
    /// SIGTERM, then the exit status and everything written to standard error.
    fn terminate(mut self) -> (std::process::ExitStatus, String) {
        let ok = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(ok.success());
        let deadline = Instant::now() + Duration::from_secs(15);
        let status = loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                break s;
            }
            assert!(
                Instant::now() < deadline,
                "no graceful shutdown within 15 s"
            );
            std::thread::sleep(Duration::from_millis(100));
        };
        let mut err = String::new();
        self.child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        (status, err)
    }
}

async fn login(base: &str, user: &str, password: &str) -> Value {
    reqwest::Client::new()
        .post(format!("{base}/api/auth/login"))
        .json(&json!({"username": user, "password": password}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[test]
fn default_config_prints_the_defaults_as_toml() {
    let out = Command::new(BIN).arg("default-config").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let parsed: toml::Table = toml::from_str(&text).unwrap();
    assert_eq!(parsed["listen"].as_str(), Some("127.0.0.1:8080"));
    assert!(
        parsed["database_url"]
            .as_str()
            .unwrap()
            .starts_with("sqlite://data/")
    );
}

#[test]
fn committed_openapi_document_is_current() {
    let out = Command::new(BIN).arg("export-openapi").output().unwrap();
    assert!(out.status.success());
    let generated = String::from_utf8(out.stdout).unwrap();
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../openapi.json"))
            .unwrap_or_default();
    assert!(
        generated == committed,
        "openapi.json is out of date: run `make openapi` and commit the result"
    );
    let doc: Value = serde_json::from_str(&generated).unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
}

#[test]
fn bad_configuration_is_a_clear_error() {
    let dir = temp_dir();
    std::fs::write(dir.join("bad.toml"), "listn = \"127.0.0.1:1\"\n").unwrap();
    let out = anjian(&dir)
        .args(["--config", "bad.toml", "migrate"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("listn"));
    let out = anjian(&dir)
        .args(["--database-url", "mysql://x", "migrate"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("must start with sqlite:// or postgres://")
    );
    let out = anjian(&dir)
        .args(["--config", "missing.toml", "migrate"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not exist"));
    let weak = anjian(&dir)
        .env("ANJIAN_ADMIN_PASSWORD", "short")
        .args(["create-admin", "--username", "boss"])
        .output()
        .unwrap();
    assert!(!weak.status.success());
    assert!(String::from_utf8_lossy(&weak.stderr).contains("password policy"));
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test]
async fn serve_with_defaults_creates_sqlite_prints_the_admin_password_and_stops_on_sigterm() {
    let dir = temp_dir();
    let port = free_port();
    let mut cmd = anjian(&dir);
    cmd.env("ANJIAN_LISTEN", format!("127.0.0.1:{port}"));
    let server = start(cmd, port);
    assert!(
        dir.join("data/anjian.db").exists(),
        "the default SQLite file is under ./data/"
    );
    let line = server
        .stdout_lines
        .iter()
        .find(|l| l.contains("Initial password"))
        .expect("generated password printed")
        .clone();
    let password = line.rsplit(": ").next().unwrap().trim().to_owned();
    let health: Value = reqwest::get(format!("{}/api/health", server.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (health["status"].as_str(), health["database"].as_str()),
        (Some("ok"), Some("sqlite"))
    );
    let session = login(&server.base, "admin", &password).await;
    assert_eq!(session["mustChangePassword"], true, "{session}");
    let hc = anjian(&dir)
        .args(["healthcheck", "--url", &server.base])
        .output()
        .unwrap();
    assert!(hc.status.success());
    // A second server on the same port says so clearly.
    let clash = anjian(&dir)
        .args(["--listen", &format!("127.0.0.1:{port}"), "serve"])
        .output()
        .unwrap();
    assert!(!clash.status.success());
    assert!(String::from_utf8_lossy(&clash.stderr).contains("cannot listen"));
    let (status, log) = server.terminate();
    assert!(status.success(), "graceful shutdown exits 0: {status}");
    assert!(log.contains("shutdown signal received"));
    assert!(
        !log.contains(&password),
        "the password never reaches the log"
    );
    // A restart keeps the account and prints no new password.
    let port2 = free_port();
    let mut cmd = anjian(&dir);
    cmd.args(["--listen", &format!("127.0.0.1:{port2}")]);
    let again = start(cmd, port2);
    assert!(
        !again
            .stdout_lines
            .iter()
            .any(|l| l.contains("Initial password"))
    );
    assert_eq!(
        login(&again.base, "admin", &password).await["mustChangePassword"],
        true
    );
    let base = again.base.clone();
    again.terminate();
    let hc = anjian(&dir)
        .args(["healthcheck", "--url", &base])
        .output()
        .unwrap();
    assert!(
        !hc.status.success(),
        "healthcheck fails when nothing answers"
    );
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test]
async fn serve_on_postgres_by_url_with_the_password_redacted() {
    let Some(db) = TestDb::postgres().await else {
        eprintln!("ANJIAN_TEST_POSTGRES_URL not set: skipped");
        return;
    };
    // Trust authentication ignores the password, so we can put a secret in the URL and check
    // that it never reaches the log.
    let (scheme, rest) = db.url.split_once("://").unwrap();
    let (userinfo, host) = rest.split_once('@').unwrap();
    let user = userinfo.split(':').next().unwrap();
    let url = format!("{scheme}://{user}:Sup3rSecretPw@{host}");
    let dir = temp_dir();
    let port = free_port();
    let mut cmd = anjian(&dir);
    cmd.env("ANJIAN_DATABASE_URL", &url)
        .env("ANJIAN_ADMIN_PASSWORD", "Adm1n#2026x")
        .env("ANJIAN_LISTEN", format!("127.0.0.1:{port}"));
    let server = start(cmd, port);
    let health: Value = reqwest::get(format!("{}/api/health", server.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["database"], "postgres");
    let session = login(&server.base, "admin", "Adm1n#2026x").await;
    assert_eq!(session["mustChangePassword"], false, "{session}");
    assert!(
        !dir.join("data").exists(),
        "no SQLite file when PostgreSQL is configured"
    );
    let (status, log) = server.terminate();
    assert!(status.success());
    assert!(
        !log.contains("Sup3rSecretPw"),
        "the database password was logged"
    );
    assert!(
        log.contains(":******@"),
        "the URL is logged redacted: {log}"
    );
    let migrate = anjian(&dir)
        .args(["--database-url", &url, "migrate"])
        .output()
        .unwrap();
    assert!(migrate.status.success());
    assert!(!String::from_utf8_lossy(&migrate.stdout).contains("Sup3rSecretPw"));
    std::fs::remove_dir_all(dir).ok();
    db.drop_db().await;
}

fn calc(args: &[&str], stdin: &str) -> std::process::Output {
    use std::io::Write;
    let mut child = Command::new(BIN)
        .arg("calc")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn calc_reads_json_and_exits_2_on_bad_input() {
    let ok = calc(&["uscc"], r#"{"code": "91110000600037341L"}"#);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let v: Value = serde_json::from_slice(&ok.stdout).unwrap();
    assert_eq!(
        (v["valid"].as_bool(), v["division_code"].as_str()),
        (Some(true), Some("110000"))
    );
    let bad = calc(
        &["accident-grade"],
        r#"{"deaths": "three", "serious_injuries": 0, "direct_loss_cny": 0}"#,
    );
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("deaths"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
    let missing = calc(&["uscc"], "{}");
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("code"));
    let garbage = calc(&["uscc"], "not json");
    assert_eq!(garbage.status.code(), Some(2));
    let unknown = calc(&["nope"], "{}");
    assert_eq!(unknown.status.code(), Some(2));
    let text = calc(
        &["accident-grade", "--format", "text"],
        r#"{"deaths": 10, "serious_injuries": 0, "direct_loss_cny": 0}"#,
    );
    assert!(text.status.success());
    assert!(
        String::from_utf8_lossy(&text.stdout).contains("grade: 重大"),
        "{}",
        String::from_utf8_lossy(&text.stdout)
    );
    let dir = temp_dir();
    std::fs::write(dir.join("in.json"), r#"{"code": "91110000600037341N"}"#).unwrap();
    let from_file = Command::new(BIN)
        .args(["calc", "uscc", "--input"])
        .arg(dir.join("in.json"))
        .output()
        .unwrap();
    assert!(from_file.status.success());
    assert_eq!(
        serde_json::from_slice::<Value>(&from_file.stdout).unwrap()["valid"],
        false
    );
    let list = Command::new(BIN).args(["calc", "list"]).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&list.stdout).lines().count(), 15);
    std::fs::remove_dir_all(dir).ok();
}
