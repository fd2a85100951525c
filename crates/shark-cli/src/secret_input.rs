//! Reading a token the user types or pipes in (the database token for
//! `cloud login`, the Platform API token for `cloud usage --api-token`):
//! without echo from a terminal, else from standard input.

use std::io::{IsTerminal, Read};

use shark_core::secret::SecretToken;

use crate::usage;

/// Reads a token without echo from a terminal, else from standard input;
/// an empty one is a usage error saying `when_empty`.
pub(crate) fn read_secret(prompt: &str, when_empty: &str) -> anyhow::Result<SecretToken> {
    let text = if std::io::stdin().is_terminal() {
        rpassword::prompt_password(prompt)?
    } else {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s)?;
        s
    };
    let token = SecretToken::new(text);
    if token.is_empty() {
        return usage(when_empty);
    }
    Ok(token)
}
