//! A database token that cannot leak by accident: its `Debug` prints stars, it
//! has no `Display` and no `Serialize`, and the only way to read it is the
//! explicit `expose()`, used where the token is put on the wire.

/// A Turso database (or Platform API) token.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretToken(String);

impl SecretToken {
    /// Wraps a token, trimming surrounding white space (a pasted newline).
    pub fn new(token: impl Into<String>) -> Self {
        SecretToken(token.into().trim().to_string())
    }

    /// The token itself. Call only to send it to the configured server.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl std::fmt::Debug for SecretToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretToken(****)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_token() {
        let t = SecretToken::new(" eyJhbGciOiJFZERTQSJ9.e30.c2ln \n");
        assert_eq!(format!("{t:?}"), "SecretToken(****)");
        assert_eq!(format!("{:?}", Some(&t)), "Some(SecretToken(****))");
        assert_eq!(t.expose(), "eyJhbGciOiJFZERTQSJ9.e30.c2ln");
    }
}
