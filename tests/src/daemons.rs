//! Finding and stopping the background daemons a test's commands started:
//! every process whose command line is `shark daemon run` and whose
//! environment names the test's `SHARK_HOME`, stopped by pid (SIGTERM, then
//! SIGKILL), whatever the test's outcome.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// The pids of `shark daemon run` processes for `home`.
pub fn of_home(home: &Path) -> Vec<u32> {
    let wanted = format!("SHARK_HOME={}", home.display());
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
            let args: Vec<&[u8]> = cmdline.split(|b| *b == 0).collect();
            let is_daemon = args.windows(2).any(|w| w == [b"daemon".as_slice(), b"run"]);
            is_daemon
                && std::fs::read(format!("/proc/{pid}/environ"))
                    .unwrap_or_default()
                    .split(|b| *b == 0)
                    .any(|v| v == wanted.as_bytes())
        })
        .collect()
}

/// Whether `pid` still runs (a zombie counts as gone).
pub fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|s| {
        !s.rsplit(')')
            .next()
            .unwrap_or("")
            .trim_start()
            .starts_with('Z')
    })
}

/// Sends `signal` (`-TERM`, `-KILL`) to `pid`.
pub fn signal(pid: u32, signal: &str) {
    let _ = Command::new("kill")
        .args([signal, &pid.to_string()])
        .status();
}

/// Stops every daemon of `home`: SIGTERM, up to 10 s, then SIGKILL.
pub fn stop_all(home: &Path) {
    let pids = of_home(home);
    for pid in &pids {
        signal(*pid, "-TERM");
    }
    let start = Instant::now();
    while pids.iter().any(|p| alive(*p)) && start.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(20));
    }
    for pid in pids.iter().filter(|p| alive(**p)) {
        signal(*pid, "-KILL");
    }
}
