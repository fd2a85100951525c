//! Test fixtures: a real `shark` binary run against a private temporary
//! `SHARK_HOME`, with helpers that check exit codes and parse `--json` output.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

pub mod daemons;
pub mod faults;
pub mod goshark;
pub mod platform;
pub mod proxy;
pub mod replica;
pub mod rng;
pub mod server;
pub use faults::FaultProxy;
pub use proxy::AuthProxy;
pub use server::SyncServer;

/// The `shark` binary built by `cargo build` (the test command builds it
/// first), next to this test executable's `deps/` folder, or `SHARK_BIN`.
pub fn shark_bin() -> PathBuf {
    if let Some(p) = std::env::var_os("SHARK_BIN") {
        return PathBuf::from(p);
    }
    let exe = std::env::current_exe().expect("test executable path");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("target/<profile>");
    let bin = profile_dir.join(format!("shark{}", std::env::consts::EXE_SUFFIX));
    assert!(
        bin.exists(),
        "{} is missing: build it first with `cargo build -p shark-cli` (the README test command does)",
        bin.display()
    );
    bin
}

/// `PATH` with the built `shark`'s folder first (for shell scripts that
/// call `shark` by name, as users and the docs do).
pub fn path_with_shark() -> String {
    let bin = shark_bin();
    let dir = bin.parent().expect("the binary's folder");
    format!(
        "{}:{}",
        dir.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

/// Runs Debian's `sqlite3` on `db` with `sql` (a hand edit as a person with
/// an SQL shell makes one, or a look at an export); asserts it succeeded and
/// returns what it printed. (The README test command installs sqlite3.)
pub fn sqlite3(db: &Path, sql: &str) -> String {
    let out = Command::new("sqlite3")
        .arg(db)
        .arg(sql)
        .output()
        .expect("sqlite3 is needed for this test: apt-get install sqlite3");
    assert!(
        out.status.success(),
        "sqlite3 {}: {}",
        db.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// One machine: a Shark home of its own.
#[derive(Debug)]
pub struct Machine {
    pub home: tempfile::TempDir,
    bin: PathBuf,
    /// The instant this machine's clock starts at (`SHARK_TEST_NOW`), for
    /// tests whose outcome depends on the date; `None`: the system clock.
    now: Option<String>,
    /// Whether commands may start the background daemon: on, as on every
    /// connected machine; off ([`Machine::foreground`]) only in tests about
    /// the foreground path.
    daemon: bool,
}

impl Drop for Machine {
    fn drop(&mut self) {
        if self.daemon {
            daemons::stop_all(self.home.path());
        }
    }
}

impl Default for Machine {
    fn default() -> Self {
        Self::new()
    }
}

/// The result of one `shark` run.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(o: Output) -> Self {
        Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

impl Machine {
    pub fn new() -> Self {
        let home = tempfile::tempdir().expect("temp dir");
        // As Shark creates its own folders (`shark doctor` checks the mode).
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(home.path(), std::fs::Permissions::from_mode(0o700))
                .expect("chmod the home");
        }
        Machine {
            home,
            bin: shark_bin(),
            now: None,
            daemon: true,
        }
    }

    /// This machine's commands start the background daemon as a user's do
    /// (the default); every daemon of this home is stopped, by pid, when
    /// the machine is dropped.
    pub fn with_daemon(mut self) -> Self {
        self.daemon = true;
        self
    }

    /// This machine's commands never start the daemon (`SHARK_DAEMON=off`):
    /// for tests about a command's own foreground work.
    pub fn foreground(mut self) -> Self {
        self.daemon = false;
        self
    }

    /// The pids of the daemons running for this home.
    pub fn daemon_pids(&self) -> Vec<u32> {
        daemons::of_home(self.home.path())
    }

    /// This machine's commands run with their clock starting at `instant`
    /// (RFC 3339), so date-dependent output is the same on every day.
    pub fn at(mut self, instant: &str) -> Self {
        self.now = Some(instant.to_string());
        self
    }

    pub fn path(&self) -> &Path {
        self.home.path()
    }

    /// A `shark` command for this machine (a clean environment for Shark).
    pub fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(&self.bin);
        c.args(args)
            .env("SHARK_HOME", self.home.path())
            .env("USER", "tester")
            .env_remove("SHARK_AGENT")
            .env_remove("SHARK_LOG")
            .env_remove("SHARK_LOCK_TIMEOUT_MS")
            .env_remove("TURSO_API_TOKEN")
            .env("SHARK_DAEMON", if self.daemon { "on" } else { "off" })
            .stdin(Stdio::null());
        match &self.now {
            Some(at) => c.env("SHARK_TEST_NOW", at),
            None => c.env_remove("SHARK_TEST_NOW"),
        };
        c
    }

    /// Gives `c` (another program: bash, script) the environment this
    /// machine's `shark` commands get.
    pub fn env_onto<'a>(&self, c: &'a mut Command) -> &'a mut Command {
        for (k, v) in self.command(&[]).get_envs() {
            match v {
                Some(v) => c.env(k, v),
                None => c.env_remove(k),
            };
        }
        c
    }

    /// Runs `shark args...`.
    pub fn run(&self, args: &[&str]) -> Run {
        self.command(args).output().expect("run shark").into()
    }

    /// Runs and asserts success; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let r = self.run(args);
        assert_eq!(r.code, 0, "shark {args:?} failed: {}{}", r.stdout, r.stderr);
        r.stdout
    }

    /// Runs with `--json`, asserts success, parses stdout.
    pub fn json(&self, args: &[&str]) -> Value {
        let mut all = args.to_vec();
        all.push("--json");
        let out = self.ok(&all);
        serde_json::from_str(&out)
            .unwrap_or_else(|e| panic!("shark {args:?}: not JSON ({e}): {out}"))
    }

    /// Runs and asserts the exit code; returns stderr.
    pub fn fails(&self, code: i32, args: &[&str]) -> String {
        let r = self.run(args);
        assert_eq!(
            r.code, code,
            "shark {args:?}: expected exit {code}, got {}: {}{}",
            r.code, r.stdout, r.stderr
        );
        assert!(
            !r.stderr.trim().is_empty(),
            "shark {args:?} failed without a message"
        );
        r.stderr
    }

    /// Every task (archived included) as JSON, to check nothing changed.
    pub fn snapshot(&self) -> Value {
        serde_json::json!({
            "tasks": self.json(&["task", "list", "--all"]),
            "epics": self.json(&["epic", "list"]),
            "features": self.json(&["feature", "list"]),
        })
    }

    /// The titles of the epics (`epic list --json`).
    pub fn epic_titles(&self) -> Vec<String> {
        self.json(&["epic", "list"])["results"]
            .as_array()
            .map(|r| {
                r.iter()
                    .filter_map(|e| e["title"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Creates epic E01 with feature E01-F01 and `n` tasks in it.
    pub fn seed(&self, n: usize) {
        self.ok(&["epic", "create", "Platform"]);
        self.ok(&["feature", "create", "E01", "Accounts"]);
        for i in 1..=n {
            self.ok(&["task", "create", "E01", "F01", &format!("Task {i}")]);
        }
    }
}

/// The `key` fields of a JSON array.
pub fn keys(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|t| t["key"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

impl Machine {
    /// Sets `[cloud] sync_interval_secs` (tests use 1 s so retries come fast).
    pub fn set_sync_interval(&self, secs: u64) {
        let path = self.path().join("config.toml");
        let mut text = std::fs::read_to_string(&path).unwrap_or_default();
        if !text.contains("[cloud]") {
            text.push_str("\n[cloud]\n");
        }
        text = text.replace(
            "[cloud]\n",
            &format!("[cloud]\nsync_interval_secs = {secs}\n"),
        );
        std::fs::write(&path, text).expect("write config");
    }
}
