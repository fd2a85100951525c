//! The real Turso sync server (`tursodb --sync-server`, from the npm package
//! pinned in package.json) on a free loopback port in a temporary folder, one
//! per test, stopped on drop. It can be stopped and restarted on the same
//! port and data to play "offline".

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Where the npm package puts the server binary (or `TURSODB_BIN`).
pub fn tursodb_bin() -> PathBuf {
    if let Some(p) = std::env::var_os("TURSODB_BIN") {
        return PathBuf::from(p);
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let bin = root.join("node_modules/@tursodatabase/cli-linux-x64-gnu/tursodb");
    assert!(
        bin.exists(),
        "{} is missing: run `npm install` at the repository root (the README test command does)",
        bin.display()
    );
    bin
}

/// A running sync server.
#[derive(Debug)]
pub struct SyncServer {
    dir: tempfile::TempDir,
    addr: SocketAddr,
    child: Option<Child>,
}

impl SyncServer {
    /// Starts a server with an empty database on a free loopback port.
    pub fn start() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let addr = free_port();
        let mut s = SyncServer {
            dir,
            addr,
            child: None,
        };
        s.restart();
        s
    }

    /// The server's loopback address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Whether the server process is up.
    pub fn is_running(&self) -> bool {
        self.child.is_some()
    }

    /// Kills the server (SIGKILL): clients see it as unreachable.
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Starts (again) on the same port and data.
    pub fn restart(&mut self) {
        self.stop();
        let db = self.dir.path().join("server.db");
        let log = std::fs::File::create(self.dir.path().join("server.log")).expect("log file");
        let child = Command::new(tursodb_bin())
            .arg(&db)
            .arg("--sync-server")
            .arg(self.addr.to_string())
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .spawn()
            .expect("start tursodb");
        self.child = Some(child);
        let start = Instant::now();
        while TcpStream::connect_timeout(&self.addr, Duration::from_millis(100)).is_err() {
            assert!(
                start.elapsed() < Duration::from_secs(15),
                "the sync server did not start: {}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// What the server printed (for failure messages).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }
}

impl Drop for SyncServer {
    fn drop(&mut self) {
        self.stop();
    }
}

fn free_port() -> SocketAddr {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    l.local_addr().expect("local address")
}
