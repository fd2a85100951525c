//! `shark`: the command line over shark-core. Parses arguments, runs one
//! command (see the library), and maps failures to exit codes (0 ok, 1 not
//! found, 2 database, 3 invalid state, 4 usage, 5 other: `shark_cli::exit`).

#![allow(clippy::print_stderr)]

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};
use shark_cli::args::Cli;
use shark_cli::render::{self, Out};

fn main() -> ExitCode {
    // A shell asking for completions (see `shark completion`) is answered
    // here, before anything prints or touches a file.
    shark_cli::complete::answer_if_asked();
    // Every argument must be text: a path or title that is not UTF-8 gets a
    // clear usage error (std::env::args would panic on it).
    let mut raw_args = Vec::new();
    for (i, a) in std::env::args_os().skip(1).enumerate() {
        match a.into_string() {
            Ok(s) => raw_args.push(s),
            Err(bad) => {
                eprintln!(
                    "error: argument {} ({}) is not valid UTF-8 text; Shark takes titles, keys and paths as UTF-8 (rename the file, or set a UTF-8 locale)",
                    i + 1,
                    bad.to_string_lossy()
                );
                return ExitCode::from(shark_cli::exit::USAGE);
            }
        }
    }
    // clap's own help and usage errors follow --no-color and --json too
    // (it reads NO_COLOR and the terminal itself).
    let mut command = Cli::command();
    if raw_args.iter().any(|a| a == "--no-color" || a == "--json") {
        command = command.color(clap::ColorChoice::Never);
    }
    let parsed = command
        .try_get_matches()
        .and_then(|m| Cli::from_arg_matches(&m));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) => return usage_error(&e, raw_args.iter().any(|a| a == "--json")),
    };
    // The daemon serves many commands at once and logs what it does.
    let daemon = matches!(
        cli.command,
        shark_cli::args::Command::Daemon(shark_cli::args::DaemonCmd::Run { .. })
    );
    init_logging(cli.verbose, daemon);
    let mut out = Out::new(cli.json);
    out.caller.colours = shark_cli::paint::Colours::decide(cli.json, cli.no_color);
    if let Err(e) = shark_core::time::test_now() {
        return fail(&out, &anyhow::Error::new(shark_cli::Usage(e)));
    }
    let runtime = if daemon {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
    } else {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
    };
    let runtime = match runtime {
        Ok(rt) => rt,
        Err(e) => return fail(&out, &anyhow::Error::new(e).context("cannot start")),
    };
    match runtime.block_on(shark_cli::run(cli, raw_args, &out)) {
        Ok(code) => ExitCode::from(code),
        Err(e) if render::is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => fail(&out, &e),
    }
}

/// Prints clap's help, version or usage error (as JSON with --json) with
/// its exit code: 0 for help and version, [`shark_cli::exit::USAGE`] otherwise.
fn usage_error(e: &clap::Error, json: bool) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
        let _ = e.print();
        return ExitCode::SUCCESS;
    }
    if json {
        let message = e.render().to_string();
        let message = message.trim().trim_start_matches("error: ");
        eprintln!(
            "{}",
            serde_json::json!({"error": {"code": "usage", "message": message}})
        );
    } else {
        let _ = e.print();
    }
    ExitCode::from(shark_cli::exit::USAGE)
}

/// Prints the error (as JSON with --json) and picks the exit code.
fn fail(out: &Out, e: &anyhow::Error) -> ExitCode {
    out.end_progress();
    let (text, code) = shark_cli::error_text(out.json, out.caller.colours.stderr, e);
    eprintln!("{text}");
    ExitCode::from(code)
}

/// Logs to stderr: warnings by default; the daemon (whose stderr is its
/// log file) also says what Shark itself does, not what the engine does.
fn init_logging(verbose: u8, daemon: bool) {
    use tracing_subscriber::EnvFilter;
    let default = match verbose {
        0 if daemon => "warn,shark=info,shark_cli=info,shark_core=info",
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let filter = EnvFilter::try_from_env("SHARK_LOG").unwrap_or_else(|_| EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .try_init();
}
