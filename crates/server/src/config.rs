//! Layered configuration: built-in defaults, then a TOML file (`--config`), then `ANJIAN_*`
//! environment variables, then command-line flags.

use anjian_domain::redact::redact_url;
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The server's settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Address the HTTP server binds, e.g. `127.0.0.1:8080` (env `ANJIAN_LISTEN`).
    pub listen: String,
    /// `sqlite://path?mode=rwc` or `postgres://user:pass@host:5432/db` (env `ANJIAN_DATABASE_URL`).
    pub database_url: String,
    /// `text` or `json` (env `ANJIAN_LOG_FORMAT`).
    pub log_format: String,
    /// A tracing filter such as `info` or `anjian=debug,info` (env `ANJIAN_LOG_LEVEL`; `RUST_LOG` wins).
    pub log_level: String,
    /// Address of the built-in MQTT listener for devices, or `off` (env `ANJIAN_MQTT_LISTEN`).
    pub mqtt_listen: String,
    /// An external MQTT broker to subscribe to, e.g. `mqtt://user:pass@127.0.0.1:1883?client_id=anjian-1`;
    /// empty = none (env `ANJIAN_MQTT_BROKER`).
    pub mqtt_broker: String,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8080".into(),
            database_url: "sqlite://data/anjian.db?mode=rwc".into(),
            log_format: "text".into(),
            log_level: "info".into(),
            mqtt_listen: "127.0.0.1:1883".into(),
            mqtt_broker: String::new(),
        }
    }
}

/// The keys that `ANJIAN_<KEY>` environment variables may set.
const CONFIG_KEYS: [&str; 6] = [
    "listen",
    "database_url",
    "log_format",
    "log_level",
    "mqtt_listen",
    "mqtt_broker",
];

/// Why the configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The TOML file is missing, unreadable, or has unknown or mistyped keys.
    #[error("configuration error: {0}")]
    Figment(#[from] Box<figment::Error>),
    /// A value is out of its domain.
    #[error("configuration error: {0}")]
    Invalid(String),
}

impl Config {
    /// Loads defaults < `file` < environment < `overrides` (the command-line flags).
    ///
    /// # Errors
    /// [`ConfigError`] naming the bad key.
    pub fn load(
        file: Option<&Path>,
        listen: Option<String>,
        database_url: Option<String>,
    ) -> Result<Self, ConfigError> {
        let mut fig = Figment::from(Serialized::defaults(Config::default()));
        if let Some(f) = file {
            if !f.exists() {
                return Err(ConfigError::Invalid(format!(
                    "config file {} does not exist",
                    f.display()
                )));
            }
            fig = fig.merge(Toml::file(f));
        }
        // Only the configuration keys: other ANJIAN_* variables (ANJIAN_ADMIN_PASSWORD, test and
        // tool settings such as ANJIAN_BIN) are read elsewhere or not at all, and must not make
        // start-up fail.
        fig = fig.merge(Env::prefixed("ANJIAN_").only(&CONFIG_KEYS));
        if let Some(l) = listen {
            fig = fig.merge(Serialized::default("listen", l));
        }
        if let Some(d) = database_url {
            fig = fig.merge(Serialized::default("database_url", d));
        }
        let c: Config = fig
            .extract()
            .map_err(|e| ConfigError::Figment(Box::new(e)))?;
        c.validate()?;
        Ok(c)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        if self.listen.parse::<std::net::SocketAddr>().is_err() {
            return Err(ConfigError::Invalid(format!(
                "listen = {:?} is not an address such as 127.0.0.1:8080",
                self.listen
            )));
        }
        if !["sqlite:", "postgres:", "postgresql:"]
            .iter()
            .any(|p| self.database_url.starts_with(p))
        {
            return Err(ConfigError::Invalid(format!(
                "database_url = {:?} must start with sqlite:// or postgres://",
                redact_url(&self.database_url)
            )));
        }
        if self.mqtt_listen != "off" && self.mqtt_listen.parse::<std::net::SocketAddr>().is_err() {
            return Err(ConfigError::Invalid(format!(
                "mqtt_listen = {:?} is not an address such as 127.0.0.1:1883 (or off)",
                self.mqtt_listen
            )));
        }
        if !self.mqtt_broker.is_empty()
            && !["mqtt://", "tcp://"]
                .iter()
                .any(|p| self.mqtt_broker.starts_with(p))
        {
            return Err(ConfigError::Invalid(format!(
                "mqtt_broker = {:?} must start with mqtt:// (or be empty)",
                redact_url(&self.mqtt_broker)
            )));
        }
        if self.log_format != "text" && self.log_format != "json" {
            return Err(ConfigError::Invalid(
                "log_format must be text or json".into(),
            ));
        }
        Ok(())
    }
}

/// The commented example configuration printed by `anjian default-config`.
pub const EXAMPLE: &str = r#"# anjian configuration (TOML). Every key is optional; shown are the defaults.
# Precedence: built-in defaults < this file (--config FILE) < ANJIAN_* environment variables < command-line flags.

# Address the HTTP server (web console and /api) listens on. Env: ANJIAN_LISTEN. Flag: --listen.
listen = "127.0.0.1:8080"

# Database. The embedded default is a SQLite file under ./data/ (created on first start).
# For production use PostgreSQL, e.g. "postgres://anjian:secret@127.0.0.1:5432/anjian".
# Env: ANJIAN_DATABASE_URL. Flag: --database-url. A password in the URL is never logged.
database_url = "sqlite://data/anjian.db?mode=rwc"

# Log format: "text" for people, "json" for log collectors. Env: ANJIAN_LOG_FORMAT.
log_format = "text"

# Log filter (tracing syntax), e.g. "info" or "anjian_api=debug,info". Env: ANJIAN_LOG_LEVEL; RUST_LOG wins.
log_level = "info"

# Built-in MQTT listener for devices (MQTT 3.1.1 and 5, QoS 0/1, per-device credentials), or "off".
# See docs/telemetry.md for the topic scheme and payload. Env: ANJIAN_MQTT_LISTEN.
mqtt_listen = "127.0.0.1:1883"

# An external broker (Mosquitto, EMQX) to subscribe to as well, e.g.
# "mqtt://user:secret@127.0.0.1:1883?client_id=anjian-1"; empty = none. Env: ANJIAN_MQTT_BROKER.
mqtt_broker = ""

# Not set here, for safety:
#   ANJIAN_ADMIN_PASSWORD  password of the bootstrap "admin" account created on first start;
#                          if unset, one is generated and printed once.
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_parses_to_the_defaults() {
        let c: Config = toml::from_str(EXAMPLE).unwrap();
        assert_eq!(c, Config::default());
    }

    #[test]
    #[allow(clippy::result_large_err)] // figment::Jail's own error type
    fn layers_apply_in_order() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "a.toml",
                "listen = \"127.0.0.1:9000\"\nlog_format = \"json\"",
            )?;
            let c = Config::load(Some(Path::new("a.toml")), None, None).unwrap();
            assert_eq!(c.listen, "127.0.0.1:9000");
            assert_eq!(c.log_format, "json");
            jail.set_env("ANJIAN_LISTEN", "127.0.0.1:9001");
            jail.set_env("ANJIAN_ADMIN_PASSWORD", "not-a-config-key");
            jail.set_env("ANJIAN_BIN", "/some/tool/setting");
            let c = Config::load(Some(Path::new("a.toml")), None, None).unwrap();
            assert_eq!(c.listen, "127.0.0.1:9001");
            let c = Config::load(
                Some(Path::new("a.toml")),
                Some("127.0.0.1:9002".into()),
                None,
            )
            .unwrap();
            assert_eq!(c.listen, "127.0.0.1:9002");
            jail.create_file("bad.toml", "lisen = \"x\"")?;
            assert!(Config::load(Some(Path::new("bad.toml")), None, None).is_err());
            assert!(Config::load(None, Some("nonsense".into()), None).is_err());
            assert!(Config::load(None, None, Some("mysql://x".into())).is_err());
            Ok(())
        });
    }
}
