//! The OS keyring as the token's preferred home: the Secret Service on
//! Linux, the Keychain on macOS, the Credential Manager on Windows (all
//! through the `keyring` crate; only Linux is built and tested here).
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

/// One entry per token kind (`name`) and Shark home, so separate homes
/// never share a token.
fn account(paths: &SharkPaths, name: &str) -> String {
    format!("{name}:{}", paths.data_dir.display())
}

const SERVICE: &str = "dev.shark.turso";

#[cfg(any(target_os = "linux", target_os = "macos", target_os = "windows"))]
mod imp {
    use super::*;

    fn entry(paths: &SharkPaths, name: &str) -> Result<keyring::Entry, Unavailable> {
        keyring::Entry::new(SERVICE, &account(paths, name)).map_err(|e| Unavailable(e.to_string()))
    }

    pub fn get(paths: &SharkPaths, name: &str) -> Result<Option<SecretToken>, Unavailable> {
        match entry(paths, name)?.get_password() {
            Ok(t) => Ok(Some(SecretToken::new(t)).filter(|t| !t.is_empty())),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(Unavailable(e.to_string())),
        }
    }

    pub fn set(paths: &SharkPaths, name: &str, token: &SecretToken) -> Result<(), Unavailable> {
        entry(paths, name)?
            .set_password(token.expose())
            .map_err(|e| Unavailable(e.to_string()))?;
        // Read it back: some keyrings accept writes they cannot serve.
        match get(paths, name)? {
            Some(t) if t == *token => Ok(()),
            _ => Err(Unavailable("the keyring did not keep the token".into())),
        }
    }

    pub fn delete(paths: &SharkPaths, name: &str) -> Result<bool, Unavailable> {
        match entry(paths, name)?.delete_credential() {
            Ok(()) => Ok(true),
            Err(keyring::Error::NoEntry) => Ok(false),
            Err(e) => Err(Unavailable(e.to_string())),
        }
    }
}

#[cfg(not(any(target_os = "linux", target_os = "macos", target_os = "windows")))]
mod imp {
    use super::*;

    const NOT_YET: &str = "this system has no keyring Shark can use";

    pub fn get(_: &SharkPaths, _: &str) -> Result<Option<SecretToken>, Unavailable> {
        Err(Unavailable(NOT_YET.into()))
    }

    pub fn set(_: &SharkPaths, _: &str, _: &SecretToken) -> Result<(), Unavailable> {
        Err(Unavailable(NOT_YET.into()))
    }

    pub fn delete(_: &SharkPaths, _: &str) -> Result<bool, Unavailable> {
        Err(Unavailable(NOT_YET.into()))
    }
}

/// Skips the keyring entirely (`SHARK_NO_KEYRING=1`), e.g. on servers where
/// probing the desktop keyring is unwanted.
fn disabled() -> bool {
    std::env::var_os("SHARK_NO_KEYRING").is_some_and(|v| !v.is_empty() && v != "0")
}

/// The token of kind `name` stored in the keyring, if any.
pub fn get(paths: &SharkPaths, name: &str) -> Result<Option<SecretToken>, Unavailable> {
    if disabled() {
        return Err(Unavailable("SHARK_NO_KEYRING is set".into()));
    }
    imp::get(paths, name)
}

/// Stores the token in the keyring (verified by reading it back).
pub fn set(paths: &SharkPaths, name: &str, token: &SecretToken) -> Result<(), Unavailable> {
    if disabled() {
        return Err(Unavailable("SHARK_NO_KEYRING is set".into()));
    }
    imp::set(paths, name, token)
}

/// Removes the token from the keyring; true if there was one.
pub fn delete(paths: &SharkPaths, name: &str) -> Result<bool, Unavailable> {
    if disabled() {
        return Err(Unavailable("SHARK_NO_KEYRING is set".into()));
    }
    imp::delete(paths, name)
}

/// [`delete`] even with `SHARK_NO_KEYRING` set: a token stored there before
/// must still be removable (logout).
pub fn delete_anyway(paths: &SharkPaths, name: &str) -> Result<bool, Unavailable> {
    imp::delete(paths, name)
}
