//! User settings (`config.toml`) and this machine's identity (device id and
//! name), which every history row and note records. No secret is ever kept here.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::{Actor, validate_name};
use crate::paths::{SharkPaths, make_private, write_private};

/// The sync intervals accepted in `config.toml`, in seconds: 1 s to 24 h (the
/// app's form asks for at least 5 s).
pub const SYNC_INTERVAL_SECS: (u64, u64) = (1, 86_400);

/// Settings read from `config.toml`; unknown keys are kept for newer versions.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Config {
    /// The name other machines see for this one (default: the host name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_name: Option<String>,
    /// Turso settings (never a token).
    #[serde(default, skip_serializing_if = "CloudSettings::is_empty")]
    pub cloud: CloudSettings,
    /// Usage figures and warnings (never a token).
    #[serde(default, skip_serializing_if = "UsageSettings::is_empty")]
    pub usage: UsageSettings,
    /// The local database's read pool.
    #[serde(default, skip_serializing_if = "DatabaseSettings::is_empty")]
    pub database: DatabaseSettings,
    /// The background owner of a connected machine's replica.
    #[serde(default, skip_serializing_if = "DaemonSettings::is_empty")]
    pub daemon: DaemonSettings,
    #[serde(flatten)]
    pub other: toml::Table,
}

/// The `[cloud]` table of `config.toml`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CloudSettings {
    /// The database URL set by `shark cloud init --url`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Allows `http://` to a host other than this machine (the token then
    /// travels in clear text): `shark cloud init --allow-insecure-http`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_insecure_http: Option<bool>,
    /// Seconds between pulls (default 30).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync_interval_secs: Option<u64>,
    /// Automatic sync paused by the user (the app's Pause sync).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paused: Option<bool>,
}

impl CloudSettings {
    pub fn is_empty(&self) -> bool {
        self.url.is_none()
            && self.sync_interval_secs.is_none()
            && self.paused.is_none()
            && self.allow_insecure_http.is_none()
    }
}

/// The `[database]` table of `config.toml`: the local read pool.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatabaseSettings {
    /// Read connections open at most at once (default 10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pool_size: Option<usize>,
    /// Seconds an idle read connection stays open (default 300).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pool_idle_secs: Option<u64>,
}

impl DatabaseSettings {
    pub fn is_empty(&self) -> bool {
        *self == DatabaseSettings::default()
    }
}

/// The `[daemon]` table of `config.toml`: the background process that owns a
/// connected machine's replica when the desktop app does not run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DaemonSettings {
    /// Seconds without a command before the daemon exits (when nothing
    /// waits to be pushed); 0 keeps it running (default 900).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idle_secs: Option<u64>,
    /// `false`: commands never start a daemon; they sync in the foreground.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub autostart: Option<bool>,
}

impl DaemonSettings {
    pub fn is_empty(&self) -> bool {
        *self == DaemonSettings::default()
    }
}

/// The `[usage]` table of `config.toml`: where Turso's own figures come from
/// and which limits to warn about.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct UsageSettings {
    /// Turso organization name (for the Platform API).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization: Option<String>,
    /// Turso database name (for the Platform API).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database: Option<String>,
    /// `free`, `developer` or `custom`; unset: the plan Turso reports, else free.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<String>,
    /// Limits for the `custom` plan (any left out come from the free plan).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rows_read_limit: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rows_written_limit: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_bytes_limit: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytes_synced_limit: Option<u64>,
    /// Warn at this percentage of a quota (default 80).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warn_percent: Option<u8>,
    /// The Platform API's base URL (default `https://api.turso.tech`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_url: Option<String>,
}

impl UsageSettings {
    pub fn is_empty(&self) -> bool {
        *self == UsageSettings::default()
    }
}

impl Config {
    /// Reads the config file; a missing file is the default config.
    pub fn load(paths: &SharkPaths) -> Result<Self> {
        let path = paths.config_file();
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Config::default()),
            Err(e) => return Err(Error::io("cannot read", path, e)),
        };
        let config: Config = toml::from_str(&text).map_err(|e| Error::Config {
            path: path.clone(),
            message: e.message().to_string(),
        })?;
        config
            .check()
            .map_err(|message| Error::Config { path, message })?;
        Ok(config)
    }

    /// Every value checked against its allowed range: a value the code
    /// cannot use (a sync interval of 0 would sync in a tight loop, a huge one
    /// overflows a timer) is refused with the key and the range, never used.
    pub fn check(&self) -> std::result::Result<(), String> {
        let range = |key: &str, v: Option<u64>, lo: u64, hi: u64, unit: &str| match v {
            Some(v) if !(lo..=hi).contains(&v) => Err(format!(
                "{key} = {v} is out of range: it must be from {lo} to {hi}{unit}"
            )),
            _ => Ok(()),
        };
        range(
            "[cloud] sync_interval_secs",
            self.cloud.sync_interval_secs,
            SYNC_INTERVAL_SECS.0,
            SYNC_INTERVAL_SECS.1,
            " (seconds)",
        )?;
        range(
            "[database] pool_size",
            self.database.pool_size.map(|n| n as u64),
            1,
            64,
            "",
        )?;
        range(
            "[database] pool_idle_secs",
            self.database.pool_idle_secs,
            1,
            7 * 86_400,
            " (seconds)",
        )?;
        range(
            "[daemon] idle_secs",
            self.daemon.idle_secs,
            0,
            30 * 86_400,
            " (seconds; 0 keeps it running)",
        )?;
        range(
            "[usage] warn_percent",
            self.usage.warn_percent.map(u64::from),
            1,
            100,
            " (percent)",
        )?;
        for (key, v) in [
            ("[usage] rows_read_limit", self.usage.rows_read_limit),
            ("[usage] rows_written_limit", self.usage.rows_written_limit),
            (
                "[usage] storage_bytes_limit",
                self.usage.storage_bytes_limit,
            ),
            ("[usage] bytes_synced_limit", self.usage.bytes_synced_limit),
        ] {
            range(key, v, 1, u64::MAX / 2, "")?;
        }
        if let Some(u) = &self.usage.api_url {
            crate::usage::platform::check_base(u).map_err(|e| format!("[usage] api_url: {e}"))?;
        }
        Ok(())
    }

    /// Writes the config file (0600).
    pub fn save(&self, paths: &SharkPaths) -> Result<()> {
        let text = toml::to_string_pretty(self)
            .map_err(|e| Error::Corrupt(format!("config cannot be written: {e}")))?;
        write_private(&paths.config_file(), text.as_bytes())
    }
}

/// This machine as recorded in history: a stable UUIDv7 and a display name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Device {
    pub id: String,
    pub name: String,
}

impl Device {
    /// Reads this machine's id from the data folder, creating it on first use.
    /// The id lives beside the database (not in the config, which people copy
    /// between machines) so two machines never share one.
    pub fn load_or_create(paths: &SharkPaths, config: &Config) -> Result<Self> {
        let path = paths.device_file();
        let id = match std::fs::read_to_string(&path) {
            Ok(text) => {
                let id = text.trim();
                uuid::Uuid::parse_str(id).map_err(|_| {
                    Error::Corrupt(format!(
                        "the device id file {} does not hold a UUID; remove it and a new id will be made",
                        path.display()
                    ))
                })?;
                make_private(&path)?;
                id.to_string()
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let id = uuid::Uuid::now_v7().to_string();
                write_private(&path, format!("{id}\n").as_bytes())?;
                id
            }
            Err(e) => return Err(Error::io("cannot read", path, e)),
        };
        let name = match config
            .device_name
            .as_deref()
            .map(|n| validate_name("device name", n))
        {
            Some(Ok(Some(n))) => n,
            Some(Err(e)) => return Err(e),
            _ => hostname(),
        };
        Ok(Device { id, name })
    }
}

fn hostname() -> String {
    let h = gethostname::gethostname()
        .to_string_lossy()
        .trim()
        .to_string();
    if h.is_empty() {
        "this-machine".into()
    } else {
        h
    }
}

/// The person at this machine, from `USER` / `USERNAME`.
pub fn current_user() -> Actor {
    let name = ["USER", "USERNAME", "LOGNAME"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .find(|v| !v.trim().is_empty())
        .unwrap_or_else(|| "user".into());
    Actor::user(name.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_out_of_range_are_refused_with_their_key() {
        let tmp = tempfile::tempdir().unwrap();
        let paths = SharkPaths::under(tmp.path());
        paths.ensure_dirs().unwrap();
        for (text, words) in [
            (
                "[cloud]\nsync_interval_secs = 0\n",
                "[cloud] sync_interval_secs = 0 is out of range: it must be from 1 to 86400 (seconds)",
            ),
            (
                "[cloud]\nsync_interval_secs = 18446744073709551615\n",
                "[cloud] sync_interval_secs = 18446744073709551615 is out of range",
            ),
            (
                "[database]\npool_size = 0\n",
                "[database] pool_size = 0 is out of range",
            ),
            (
                "[usage]\nwarn_percent = 0\n",
                "[usage] warn_percent = 0 is out of range",
            ),
            (
                "[usage]\nrows_written_limit = 0\n",
                "[usage] rows_written_limit = 0 is out of range",
            ),
            ("[usage]\napi_url = \"ftp://x\"\n", "[usage] api_url:"),
        ] {
            std::fs::write(paths.config_file(), text).unwrap();
            let err = Config::load(&paths).unwrap_err().to_string();
            assert!(err.contains(words), "{text}: {err}");
            assert!(err.contains("config.toml"), "names the file: {err}");
        }
        std::fs::write(paths.config_file(), "[cloud]\nsync_interval_secs = 1\n").unwrap();
        assert_eq!(
            Config::load(&paths).unwrap().cloud.sync_interval_secs,
            Some(1)
        );
    }

    #[test]
    fn device_id_is_created_once_and_kept() {
        let tmp = tempfile::tempdir().unwrap();
        let paths = SharkPaths::under(tmp.path());
        paths.ensure_dirs().unwrap();
        let a = Device::load_or_create(&paths, &Config::default()).unwrap();
        let b = Device::load_or_create(&paths, &Config::default()).unwrap();
        assert_eq!(a.id, b.id);
        assert!(uuid::Uuid::parse_str(&a.id).is_ok());
        assert!(!a.name.is_empty());
    }

    #[test]
    fn config_round_trips_and_keeps_unknown_keys() {
        let tmp = tempfile::tempdir().unwrap();
        let paths = SharkPaths::under(tmp.path());
        std::fs::write(
            paths.config_file(),
            "device_name = \"laptop\"\nfuture = 3\n",
        )
        .unwrap();
        let c = Config::load(&paths).unwrap();
        assert_eq!(c.device_name.as_deref(), Some("laptop"));
        c.save(&paths).unwrap();
        let again = std::fs::read_to_string(paths.config_file()).unwrap();
        assert!(again.contains("future = 3"), "{again}");
        let d = Device::load_or_create(&paths, &c).unwrap();
        assert_eq!(d.name, "laptop");
    }

    #[test]
    fn broken_config_is_explained() {
        let tmp = tempfile::tempdir().unwrap();
        let paths = SharkPaths::under(tmp.path());
        std::fs::write(paths.config_file(), "device_name = [").unwrap();
        let err = Config::load(&paths).unwrap_err().to_string();
        assert!(
            err.contains("config.toml is not valid") && err.contains("Fix or remove it"),
            "{err}"
        );
    }
}
