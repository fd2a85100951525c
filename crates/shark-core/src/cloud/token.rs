//! The database token: found in, in order, `TURSO_AUTH_TOKEN`, the OS keyring,
//! then the token file `turso-token` in the Shark home (refused when others
//! may read it). Before any request the token is checked: a JWT's shape, and
//! its `exp`.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::paths::{SharkPaths, write_private};
use crate::secret::SecretToken;
use crate::time::{self, Timestamp};

/// The environment variable that overrides every stored token.
pub const TOKEN_ENV: &str = "TURSO_AUTH_TOKEN";

/// Which token: each kind has its own environment variable, keyring entry
/// and file, so the database token and the Platform API token never mix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenSlot {
    /// The environment variable that overrides the stored token.
    pub env: &'static str,
    /// The keyring entry's and the file's name.
    pub name: &'static str,
}

/// The database token (sync).
pub const DATABASE_TOKEN: TokenSlot = TokenSlot {
    env: TOKEN_ENV,
    name: "turso-token",
};

/// The Turso Platform API token (usage figures); not a database token.
pub const PLATFORM_TOKEN: TokenSlot = TokenSlot {
    env: "TURSO_API_TOKEN",
    name: "turso-platform-token",
};

impl TokenSource {
    /// Where the token of `slot` came from, for people.
    pub fn describe(&self, slot: TokenSlot) -> String {
        match self {
            TokenSource::Env => format!("environment variable {}", slot.env),
            other => other.to_string(),
        }
    }
}

/// A token this close to expiry gets a warning.
pub const EXPIRY_WARNING_DAYS: i64 = 7;

/// Where the token came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenSource {
    Env,
    Keyring,
    File(PathBuf),
}

impl std::fmt::Display for TokenSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TokenSource::Env => write!(f, "environment variable {TOKEN_ENV}"),
            TokenSource::Keyring => f.write_str("the system keyring"),
            TokenSource::File(p) => write!(f, "token file {}", p.display()),
        }
    }
}

/// The token file in the Shark home.
pub fn token_file(paths: &SharkPaths) -> PathBuf {
    slot_file(paths, DATABASE_TOKEN)
}

fn slot_file(paths: &SharkPaths, slot: TokenSlot) -> PathBuf {
    paths.data_dir.join(slot.name)
}

/// Finds the token, if any. A token file readable by others is refused.
pub fn load_token(paths: &SharkPaths) -> Result<Option<(SecretToken, TokenSource)>> {
    load_slot(paths, DATABASE_TOKEN)
}

/// Finds the token of `slot`, if any.
pub fn load_slot(
    paths: &SharkPaths,
    slot: TokenSlot,
) -> Result<Option<(SecretToken, TokenSource)>> {
    load_slot_from(paths, slot, std::env::var(slot.env).ok())
}

/// The database token saved on this machine (keyring or file), ignoring the
/// environment: what a settings change may have to put back.
pub fn saved_token(paths: &SharkPaths) -> Result<Option<SecretToken>> {
    Ok(load_token_from(paths, None)?.map(|(t, _)| t))
}

/// Puts the saved database token back as it was before a failed change:
/// `previous` saved again, or, when there was none, the new one removed.
pub fn restore_token(paths: &SharkPaths, previous: Option<&SecretToken>) -> Result<()> {
    match previous {
        Some(t) => store_token(paths, t).map(|_| ()),
        None => remove_token(paths).map(|_| ()),
    }
}

/// [`load_token`] with the environment variable's value given.
pub fn load_token_from(
    paths: &SharkPaths,
    env: Option<String>,
) -> Result<Option<(SecretToken, TokenSource)>> {
    load_slot_from(paths, DATABASE_TOKEN, env)
}

fn load_slot_from(
    paths: &SharkPaths,
    slot: TokenSlot,
    env: Option<String>,
) -> Result<Option<(SecretToken, TokenSource)>> {
    if let Some(v) = env {
        let t = SecretToken::new(v);
        if !t.is_empty() {
            return Ok(Some((t, TokenSource::Env)));
        }
    }
    match super::keyring::get(paths, slot.name) {
        Ok(Some(t)) => return Ok(Some((t, TokenSource::Keyring))),
        Ok(None) => {}
        Err(why) => tracing::debug!(%why, "keyring not available"),
    }
    let path = slot_file(paths, slot);
    if !path.exists() {
        return Ok(None);
    }
    check_private(&path)?;
    let text = std::fs::read_to_string(&path)
        .map_err(|e| Error::io("cannot read the token file", &path, e))?;
    let t = SecretToken::new(text);
    if t.is_empty() {
        return Ok(None);
    }
    Ok(Some((t, TokenSource::File(path))))
}

fn check_private(path: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)
            .map_err(|e| Error::io("cannot read", path, e))?
            .permissions()
            .mode()
            & 0o777;
        if mode & 0o077 != 0 {
            return Err(Error::invalid(format!(
                "the token file {p} can be read by other users (mode {mode:04o}); Shark will not use it. Fix it with: chmod 600 {p}",
                p = path.display()
            )));
        }
    }
    Ok(())
}

/// Saves the token in the keyring, or when no keyring works here, in the
/// 0600 token file. Returns where it went and, for the file, why.
pub fn store_token(
    paths: &SharkPaths,
    token: &SecretToken,
) -> Result<(TokenSource, Option<String>)> {
    store_slot(paths, DATABASE_TOKEN, token)
}

/// [`store_token`] for the token of `slot`.
pub fn store_slot(
    paths: &SharkPaths,
    slot: TokenSlot,
    token: &SecretToken,
) -> Result<(TokenSource, Option<String>)> {
    if slot.name == DATABASE_TOKEN.name {
        // A new token binds to the host it is first used with.
        super::token_host::unbind(paths);
    }
    match super::keyring::set(paths, slot.name, token) {
        Ok(()) => {
            // One copy only: a stale file would be used if the keyring went away.
            let _ = std::fs::remove_file(slot_file(paths, slot));
            Ok((TokenSource::Keyring, None))
        }
        Err(why) => {
            let path = store_slot_file(paths, slot, token)?;
            Ok((TokenSource::File(path), Some(why.to_string())))
        }
    }
}

/// What removing a token did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Removed {
    /// Where a token was found and removed.
    pub from: Vec<TokenSource>,
    /// Why the keyring could not be checked (it may still hold one).
    pub keyring_unchecked: Option<String>,
}

/// Removes the token from the keyring and the token file.
pub fn remove_token(paths: &SharkPaths) -> Result<Removed> {
    remove_slot(paths, DATABASE_TOKEN)
}

/// [`remove_token`] for the token of `slot`. The keyring is asked even with
/// `SHARK_NO_KEYRING` set (that setting stops Shark storing or reading
/// tokens there, not forgetting one): logging out removes the token from
/// every place it may be, or says which place it could not check.
pub fn remove_slot(paths: &SharkPaths, slot: TokenSlot) -> Result<Removed> {
    if slot.name == DATABASE_TOKEN.name {
        super::token_host::unbind(paths);
    }
    let mut removed = Removed::default();
    match super::keyring::delete_anyway(paths, slot.name) {
        Ok(true) => removed.from.push(TokenSource::Keyring),
        Ok(false) => {}
        Err(why) => removed.keyring_unchecked = Some(why.to_string()),
    }
    let path = slot_file(paths, slot);
    match std::fs::remove_file(&path) {
        Ok(()) => removed.from.push(TokenSource::File(path)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(Error::io("cannot remove", path, e)),
    }
    Ok(removed)
}

/// Saves the token to the token file (0600) and returns the file's path.
pub fn store_token_file(paths: &SharkPaths, token: &SecretToken) -> Result<PathBuf> {
    store_slot_file(paths, DATABASE_TOKEN, token)
}

fn store_slot_file(paths: &SharkPaths, slot: TokenSlot, token: &SecretToken) -> Result<PathBuf> {
    if slot.name == DATABASE_TOKEN.name {
        super::token_host::unbind(paths);
    }
    let path = slot_file(paths, slot);
    write_private(&path, format!("{}\n", token.expose()).as_bytes())?;
    Ok(path)
}

/// What a usable token says about itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TokenInfo {
    /// `exp`, when the token has one.
    pub expires_at: Option<Timestamp>,
    /// Set when it expires within [`EXPIRY_WARNING_DAYS`].
    pub warning: Option<String>,
}

/// Checks a token before any request: a JWT (three base64url parts, a JSON
/// header), not expired. Messages never contain the token.
pub fn check_token(token: &SecretToken, now: Timestamp) -> Result<TokenInfo> {
    let bad = |why: &str| {
        Error::invalid(format!(
            "the Turso token is not valid ({why}); copy it again from `turso db tokens create <db>` and run shark cloud login"
        ))
    };
    let parts: Vec<&str> = token.expose().split('.').collect();
    if parts.len() != 3 || parts.iter().any(|p| p.is_empty()) {
        return Err(bad("a token has three parts separated by dots"));
    }
    let decode = |p: &str| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(p.trim_end_matches('='))
            .ok()
            .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
            .filter(serde_json::Value::is_object)
    };
    decode(parts[0]).ok_or_else(|| bad("its header is not base64url JSON"))?;
    if !parts[2]
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'=')
    {
        return Err(bad("its signature is not base64url"));
    }
    let claims = decode(parts[1]).ok_or_else(|| bad("its claims are not base64url JSON"))?;
    let expires_at = match claims.get("exp") {
        None | Some(serde_json::Value::Null) => None,
        Some(v) => {
            let secs = v
                .as_i64()
                .or_else(|| v.as_f64().map(|f| f as i64))
                .ok_or_else(|| bad("its exp is not a number"))?;
            Some(
                chrono::DateTime::from_timestamp(secs, 0)
                    .ok_or_else(|| bad("its exp is out of range"))?,
            )
        }
    };
    let mut warning = None;
    if let Some(exp) = expires_at {
        if exp <= now {
            return Err(Error::invalid(format!(
                "the Turso token expired on {}; create a new one (turso db tokens create <db>) and run shark cloud login",
                time::to_text(&exp)
            )));
        }
        let left = exp - now;
        if left <= chrono::Duration::days(EXPIRY_WARNING_DAYS) {
            warning = Some(format!(
                "the Turso token expires in {} (on {}); create a new one soon",
                if left.num_days() >= 1 {
                    format!("{} days", left.num_days())
                } else {
                    format!("{} hours", left.num_hours())
                },
                time::to_text(&exp)
            ));
        }
    }
    Ok(TokenInfo {
        expires_at,
        warning,
    })
}

/// Builds an unsigned JWT-shaped token with the given claims (for tests).
pub fn test_token(claims: &serde_json::Value) -> SecretToken {
    let enc = |v: &serde_json::Value| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
    };
    SecretToken::new(format!(
        "{}.{}.c2lnbmF0dXJl",
        enc(&serde_json::json!({"alg": "EdDSA", "typ": "JWT"})),
        enc(claims)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn at(days: i64) -> i64 {
        (time::now() + chrono::Duration::days(days)).timestamp()
    }

    #[test]
    fn a_token_without_exp_is_fine() {
        let info = check_token(&test_token(&json!({"a": "rw"})), time::now()).unwrap();
        assert_eq!(
            info,
            TokenInfo {
                expires_at: None,
                warning: None
            }
        );
    }

    #[test]
    fn expired_is_an_error_and_soon_is_a_warning() {
        let err = check_token(&test_token(&json!({"exp": at(-1)})), time::now())
            .unwrap_err()
            .to_string();
        assert!(err.contains("expired on"), "{err}");
        let info = check_token(&test_token(&json!({"exp": at(3)})), time::now()).unwrap();
        assert!(info.warning.unwrap().contains("expires in"));
        let info = check_token(&test_token(&json!({"exp": at(30)})), time::now()).unwrap();
        assert!(info.warning.is_none() && info.expires_at.is_some());
    }

    #[test]
    fn malformed_tokens_are_refused_without_echoing_them() {
        for t in [
            "not-a-jwt",
            "a.b",
            "a..c",
            "!!!.e30.sig",
            "e30.!!!.sig",
            "eyJ4IjoxfQ.e30.si$g",
        ] {
            let err = check_token(&SecretToken::new(t), time::now())
                .unwrap_err()
                .to_string();
            assert!(err.contains("token is not valid"), "{t}: {err}");
            assert!(
                !err.contains(t),
                "the token must not appear in the message: {err}"
            );
        }
    }

    #[cfg(unix)]
    #[test]
    fn env_beats_file_and_a_loose_file_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let paths = SharkPaths::under(tmp.path());
        assert!(load_token_from(&paths, None).unwrap().is_none());
        let path = store_token_file(&paths, &SecretToken::new("x.y.z")).unwrap();
        let (t, src) = load_token_from(&paths, None).unwrap().unwrap();
        assert_eq!(
            (t.expose(), src),
            ("x.y.z", TokenSource::File(path.clone()))
        );
        let (t, src) = load_token_from(&paths, Some("from.the.env".into()))
            .unwrap()
            .unwrap();
        assert_eq!(
            (t.expose(), src),
            ("from.the.env", TokenSource::Env),
            "env beats the file"
        );
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = load_token_from(&paths, None).unwrap_err().to_string();
        assert!(
            err.contains(&format!("chmod 600 {}", path.display())),
            "{err}"
        );
    }
}
