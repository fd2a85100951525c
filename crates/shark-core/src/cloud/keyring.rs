//! The OS keyring (Secret Service on Linux) as the token's preferred home.
//! Machines without a usable keyring are normal (servers, CI, containers):
//! every call then reports `Unavailable` and callers fall back to the 0600
//! token file, saying so.

use crate::paths::SharkPaths;
use crate::secret::SecretToken;

/// The keyring cannot be used here; the reason, for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unavailable(pub String);

impl std::fmt::Display for Unavailable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// One entry per Shark home, so separate homes never share a token.
fn account(paths: &SharkPaths) -> String {
    format!("turso-token:{}", paths.data_dir.display())
}

const SERVICE: &str = "dev.shark.turso";

#[cfg(target_os = "linux")]
mod imp {
    use super::*;

    fn entry(paths: &SharkPaths) -> Result<keyring::Entry, Unavailable> {
        keyring::Entry::new(SERVICE, &account(paths)).map_err(|e| Unavailable(e.to_string()))
    }

    pub fn get(paths: &SharkPaths) -> Result<Option<SecretToken>, Unavailable> {
        match entry(paths)?.get_password() {
            Ok(t) => Ok(Some(SecretToken::new(t)).filter(|t| !t.is_empty())),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(Unavailable(e.to_string())),
        }
    }

    pub fn set(paths: &SharkPaths, token: &SecretToken) -> Result<(), Unavailable> {
        entry(paths)?
            .set_password(token.expose())
            .map_err(|e| Unavailable(e.to_string()))?;
        // Read it back: some keyrings accept writes they cannot serve.
        match get(paths)? {
            Some(t) if t == *token => Ok(()),
            _ => Err(Unavailable("the keyring did not keep the token".into())),
        }
    }

    pub fn delete(paths: &SharkPaths) -> Result<bool, Unavailable> {
        match entry(paths)?.delete_credential() {
            Ok(()) => Ok(true),
            Err(keyring::Error::NoEntry) => Ok(false),
            Err(e) => Err(Unavailable(e.to_string())),
        }
    }
}

#[cfg(not(target_os = "linux"))]
mod imp {
    use super::*;

    const NOT_YET: &str = "the system keyring is used on Linux only in this version";

    pub fn get(_: &SharkPaths) -> Result<Option<SecretToken>, Unavailable> {
        Err(Unavailable(NOT_YET.into()))
    }

    pub fn set(_: &SharkPaths, _: &SecretToken) -> Result<(), Unavailable> {
        Err(Unavailable(NOT_YET.into()))
    }

    pub fn delete(_: &SharkPaths) -> Result<bool, Unavailable> {
        Err(Unavailable(NOT_YET.into()))
    }
}

/// Skips the keyring entirely (`SHARK_NO_KEYRING=1`), e.g. on servers where
/// probing the desktop keyring is unwanted.
fn disabled() -> bool {
    std::env::var_os("SHARK_NO_KEYRING").is_some_and(|v| !v.is_empty() && v != "0")
}

/// The token stored in the keyring, if any.
pub fn get(paths: &SharkPaths) -> Result<Option<SecretToken>, Unavailable> {
    if disabled() {
        return Err(Unavailable("SHARK_NO_KEYRING is set".into()));
    }
    imp::get(paths)
}

/// Stores the token in the keyring (verified by reading it back).
pub fn set(paths: &SharkPaths, token: &SecretToken) -> Result<(), Unavailable> {
    if disabled() {
        return Err(Unavailable("SHARK_NO_KEYRING is set".into()));
    }
    imp::set(paths, token)
}

/// Removes the token from the keyring; true if there was one.
pub fn delete(paths: &SharkPaths) -> Result<bool, Unavailable> {
    if disabled() {
        return Err(Unavailable("SHARK_NO_KEYRING is set".into()));
    }
    imp::delete(paths)
}
