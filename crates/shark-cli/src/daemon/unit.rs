//! `shark daemon install|uninstall`: a systemd user unit that keeps the
//! daemon running (servers and VMs that should sync at all times, with
//! nobody typing). Shark writes the file and says what to run; it never
//! calls systemctl itself (many servers have no user session bus).

use std::path::PathBuf;

use anyhow::Context;
use shark_core::cloud::url::{UrlSource, resolve_url};
use shark_core::paths::{SHARK_HOME_ENV, create_private_dir, write_private};

use crate::Ctx;
use crate::render::Out;

const UNIT: &str = "shark.service";

/// `$XDG_CONFIG_HOME/systemd/user/shark.service` (or under `~/.config`).
fn unit_path() -> anyhow::Result<PathBuf> {
    let base = match std::env::var_os("XDG_CONFIG_HOME") {
        Some(d) if !d.is_empty() => PathBuf::from(d),
        _ => PathBuf::from(
            std::env::var_os("HOME")
                .filter(|h| !h.is_empty())
                .context("HOME is not set: cannot find the systemd user folder")?,
        )
        .join(".config"),
    };
    Ok(base.join("systemd").join("user").join(UNIT))
}

/// A value quoted by systemd's rules for unit files: inside double quotes,
/// backslashes and `"` escaped with a backslash, `%` (a specifier) doubled, and
/// in a command line `$` (a variable) doubled. Control characters cannot be
/// written in a unit at all: refused.
fn systemd_quoted(value: &str, in_command: bool) -> anyhow::Result<String> {
    if let Some(c) = value.chars().find(|c| c.is_control()) {
        anyhow::bail!(
            "the path {value:?} holds a control character ({:?}), which a systemd unit cannot carry; use a path without it",
            c
        );
    }
    let mut out = String::from("\"");
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '%' => out.push_str("%%"),
            '$' if in_command => out.push_str("$$"),
            c => out.push(c),
        }
    }
    out.push('"');
    Ok(out)
}

/// The unit's text: the daemon that never idles out, restarted on failure.
fn unit_text(exe: &str, home: Option<&str>) -> anyhow::Result<String> {
    let env = match home {
        None => String::new(),
        Some(h) => format!(
            "Environment={}\n",
            systemd_quoted(&format!("{SHARK_HOME_ENV}={h}"), false)?
        ),
    };
    let exe = systemd_quoted(exe, true)?;
    Ok(format!(
        "[Unit]\n\
         Description=Shark background sync (owns the task database; shark commands hand over to it)\n\
         After=network-online.target\n\n\
         [Service]\n\
         ExecStart={exe} daemon run --idle-secs 0\n\
         {env}\
         Restart=on-failure\n\
         RestartSec=5\n\n\
         [Install]\n\
         WantedBy=default.target\n"
    ))
}

pub fn install(ctx: &Ctx, out: &Out) -> anyhow::Result<()> {
    super::connected_database(ctx)?;
    if let UrlSource::Env(var) = resolve_url(ctx.config.cloud.url.as_deref())?.source {
        anyhow::bail!(
            "the database URL comes from the environment variable {var}, which the service would not see: save it with shark cloud init --url URL first"
        );
    }
    let exe = std::env::current_exe().context("cannot find the shark binary")?;
    let exe = exe
        .to_str()
        .context("the shark binary's path is not UTF-8 text; systemd cannot run it")?;
    let home = std::env::var(SHARK_HOME_ENV).ok().filter(|h| !h.is_empty());
    let home = home
        .map(|h| std::path::absolute(&h).map(|p| p.display().to_string()))
        .transpose()?;
    let path = unit_path()?;
    if let Some(dir) = path.parent() {
        create_private_dir(dir)?;
    }
    write_private(&path, unit_text(exe, home.as_deref())?.as_bytes())?;
    out.lines(&[
        format!("Wrote {}.", path.display()),
        "Turn it on:  systemctl --user daemon-reload && systemctl --user enable --now shark.service".into(),
        "On a server, also run once: loginctl enable-linger $USER (so it runs with nobody logged in).".into(),
        "It never exits when idle; shark daemon status shows it. To remove it: shark daemon uninstall.".into(),
    ])
}

pub fn uninstall(out: &Out) -> anyhow::Result<()> {
    let path = unit_path()?;
    match std::fs::remove_file(&path) {
        Ok(()) => out.lines(&[
            format!("Removed {}.", path.display()),
            "If it was turned on: systemctl --user disable --now shark.service && systemctl --user daemon-reload".into(),
        ]),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            out.lines(&[format!("No unit to remove ({} does not exist).", path.display())])
        }
        Err(e) => Err(e).with_context(|| format!("cannot remove {}", path.display())),
    }
}

#[cfg(test)]
mod tests {
    // Test helpers may unwrap: a failure is the test failing.
    #![allow(clippy::unwrap_used)]

    #[test]
    fn the_unit_runs_the_daemon_forever_with_the_home() {
        let text = super::unit_text("/usr/bin/shark", Some("/srv/shark")).unwrap();
        assert!(text.contains("ExecStart=\"/usr/bin/shark\" daemon run --idle-secs 0\n"));
        assert!(text.contains("Environment=\"SHARK_HOME=/srv/shark\"\n"));
        assert!(text.contains("WantedBy=default.target"));
        assert!(
            !super::unit_text("/x", None)
                .unwrap()
                .contains("Environment")
        );
    }

    #[test]
    fn every_value_is_escaped_by_systemds_rules() {
        let text = super::unit_text("/opt/my $hark%/shark", Some(r#"/srv/a%b\c d"e"#)).unwrap();
        assert!(
            text.contains(r#"ExecStart="/opt/my $$hark%%/shark" daemon run"#),
            "{text}"
        );
        assert!(
            text.contains(r#"Environment="SHARK_HOME=/srv/a%%b\\c d\"e""#),
            "{text}"
        );
        let err = super::unit_text("/usr/bin/shark", Some("/srv/a\nb")).unwrap_err();
        assert!(err.to_string().contains("control character"), "{err}");
    }
}
