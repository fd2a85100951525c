//! The long-poll hold inside the engine's pull requests: `/pull-updates`
//! carries the hold it asks the server for as field 4 of its protobuf body
//! (a varint, `long_poll_timeout_ms`). The relay strips it to ask again
//! without a hold when a local write is waiting to push or a user asked to
//! sync (the engine runs one request at a time, so a held pull would hold
//! the push too).

/// A pull's body as the relay found it.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Hold {
    /// The same body without its hold.
    Stripped(Vec<u8>),
    /// It asks for no hold.
    NotAsked,
    /// It cannot be read as the protobuf we know (sent as it is).
    Unreadable,
}

/// The body without its hold, if it asks for one and can be read.
pub(crate) fn without_long_poll(body: &[u8]) -> Hold {
    match strip(body) {
        Some(Some(out)) => Hold::Stripped(out),
        Some(None) => Hold::NotAsked,
        None => Hold::Unreadable,
    }
}

/// `None`: unreadable; `Some(None)`: no hold asked.
fn strip(body: &[u8]) -> Option<Option<Vec<u8>>> {
    let mut out = Vec::with_capacity(body.len());
    let mut rest = body;
    let mut stripped = false;
    while !rest.is_empty() {
        let start = rest;
        let key = varint(&mut rest)?;
        match key & 7 {
            0 => {
                varint(&mut rest)?;
            }
            1 => rest = rest.get(8..)?,
            2 => {
                let n = usize::try_from(varint(&mut rest)?).ok()?;
                rest = rest.get(n..)?;
            }
            5 => rest = rest.get(4..)?,
            _ => return None,
        }
        let field = &start[..start.len() - rest.len()];
        if key == (4 << 3) {
            stripped = true;
        } else {
            out.extend_from_slice(field);
        }
    }
    Some(stripped.then_some(out))
}

fn varint(b: &mut &[u8]) -> Option<u64> {
    let mut v = 0u64;
    for shift in (0..64).step_by(7) {
        let (&byte, rest) = b.split_first()?;
        *b = rest;
        v |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Some(v);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_the_hold_and_keeps_every_other_field() {
        let name = [0x0a, 3, b'a', b'b', b'c'];
        let revision = [0x10, 0x07];
        let hold = [0x20, 0xd0, 0x0f]; // 2000 ms
        let fixed = [0x2d, 1, 2, 3, 4];
        let whole = [&name[..], &hold, &revision, &fixed].concat();
        assert_eq!(
            without_long_poll(&whole),
            Hold::Stripped([&name[..], &revision, &fixed].concat())
        );
        // No hold asked: nothing to strip.
        assert_eq!(
            without_long_poll(&[&name[..], &revision].concat()),
            Hold::NotAsked
        );
        // Unreadable (cut short, an unknown wire type): sent as it is.
        assert_eq!(without_long_poll(&[0x0a, 9, b'a']), Hold::Unreadable);
        assert_eq!(without_long_poll(&[0x23, 0x20, 0x01]), Hold::Unreadable);
        assert_eq!(without_long_poll(&[0x20, 0x80]), Hold::Unreadable);
    }
}
