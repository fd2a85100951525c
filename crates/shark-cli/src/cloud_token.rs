//! `shark cloud login` and `shark cloud logout`: the database token read
//! without echo (or from standard input), checked, saved where it can be
//! kept (the keyring, else a 0600 file) and removed from every place.

use shark_core::cloud::token::{TOKEN_ENV, TokenSource, check_token, remove_token, store_token};
use shark_core::secret::SecretToken;
use shark_core::time;

use crate::Ctx;
use crate::render::Out;

fn read_token() -> anyhow::Result<SecretToken> {
    crate::secret_input::read_secret(
        "Turso database token (input hidden): ",
        "no token given: paste it at the prompt, or pipe it: turso db tokens create DB | shark cloud login",
    )
}

pub fn login(ctx: &Ctx, out: &Out) -> anyhow::Result<()> {
    let token = read_token()?;
    let checked = check_token(&token, time::now())?;
    let (stored, why_not_keyring) = store_token(&ctx.paths, &token)?;
    if out.json {
        return out.json(&serde_json::json!({
            "stored_in": stored, "keyring_unavailable": why_not_keyring, "expires_at": checked.expires_at,
        }));
    }
    let mut lines = vec![match (&stored, &why_not_keyring) {
        (TokenSource::Keyring, _) => "Saved the token in the system keyring.".to_string(),
        (TokenSource::File(p), Some(why)) => format!(
            "No usable system keyring here ({why}); saved the token in {} (readable only by you).",
            p.display()
        ),
        (other, _) => format!("Saved the token in {other}."),
    }];
    lines.extend(checked.warning.map(|w| format!("warning: {w}")));
    if std::env::var_os(TOKEN_ENV).is_some() {
        lines.push(format!(
            "note: {TOKEN_ENV} is set and is used before the saved token"
        ));
    }
    out.lines(&lines)
}

pub fn logout(ctx: &Ctx, out: &Out) -> anyhow::Result<()> {
    let removed = remove_token(&ctx.paths)?;
    if out.json {
        return out.json(&serde_json::json!({
            "removed_from": removed.from,
            "keyring_unchecked": removed.keyring_unchecked,
        }));
    }
    let mut lines = vec![
        match (removed.from.is_empty(), &removed.keyring_unchecked) {
            (true, None) => "No saved token.".to_string(),
            (true, Some(why)) => format!(
                "No token file. The system keyring could not be checked ({why}): if a token was saved there, remove it with your keyring tool (service \"dev.shark.turso\")."
            ),
            (false, _) => {
                let places: Vec<String> = removed.from.iter().map(ToString::to_string).collect();
                format!("Removed the saved token from {}.", places.join(" and "))
            }
        },
    ];
    if let (false, Some(why)) = (removed.from.is_empty(), &removed.keyring_unchecked) {
        lines.push(format!(
            "note: the system keyring could not be checked ({why})"
        ));
    }
    if std::env::var_os(TOKEN_ENV).is_some() {
        lines.push(format!(
            "note: {TOKEN_ENV} is still set in your environment"
        ));
    }
    out.lines(&lines)
}
