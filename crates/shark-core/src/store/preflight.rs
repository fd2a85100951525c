//! A look at a database file before the engine opens it: the engine loops
//! forever on a main file shorter than its header says (seen here with a
//! truncated replica), so that case is caught first and explained.

use std::io::Read;
use std::path::Path;

use crate::error::{Error, Result};

const MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// Checks the SQLite header of `path` against the file's length. A missing
/// or empty file is fine (a new database).
pub fn check_file(path: &Path) -> Result<()> {
    let damaged = |why: String| Error::Damaged {
        path: path.to_path_buf(),
        why,
    };
    let Ok(mut file) = std::fs::File::open(path) else {
        return Ok(());
    };
    let len = file
        .metadata()
        .map_err(|e| Error::io("cannot read", path, e))?
        .len();
    if len == 0 {
        return Ok(());
    }
    let mut header = [0u8; 100];
    if len < 100 || file.read_exact(&mut header).is_err() {
        return Err(damaged(format!(
            "only {len} bytes, shorter than a database header"
        )));
    }
    if &header[..16] != MAGIC {
        return Err(damaged("it does not start with a database header".into()));
    }
    let page_size = match u16::from_be_bytes([header[16], header[17]]) {
        1 => 65_536u64,
        n if n >= 512 && n.is_power_of_two() => u64::from(n),
        n => return Err(damaged(format!("its header names a page size of {n}"))),
    };
    if len % page_size != 0 {
        return Err(damaged(format!(
            "its length, {len} bytes, is not a whole number of {page_size}-byte pages: it was cut short"
        )));
    }
    let be =
        |i: usize| u32::from_be_bytes([header[i], header[i + 1], header[i + 2], header[i + 3]]);
    // The page count is valid when the version-valid-for number matches the change counter.
    let pages = u64::from(be(28));
    if be(92) == be(24) && pages * page_size > len {
        return Err(damaged(format!(
            "its header counts {pages} pages but the file holds {}: it was cut short",
            len / page_size
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(page_size: u16, pages: u32) -> Vec<u8> {
        let mut h = vec![0u8; 100];
        h[..16].copy_from_slice(MAGIC);
        h[16..18].copy_from_slice(&page_size.to_be_bytes());
        h[24..28].copy_from_slice(&7u32.to_be_bytes());
        h[28..32].copy_from_slice(&pages.to_be_bytes());
        h[92..96].copy_from_slice(&7u32.to_be_bytes());
        h
    }

    #[test]
    fn sound_new_and_damaged_files() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("db");
        assert!(check_file(&f).is_ok(), "missing: a new database");
        std::fs::write(&f, b"").unwrap();
        assert!(check_file(&f).is_ok(), "empty: a new database");
        let mut whole = header(4096, 3);
        whole.resize(3 * 4096, 0);
        std::fs::write(&f, &whole).unwrap();
        assert!(check_file(&f).is_ok());
        std::fs::write(&f, &whole[..2 * 4096]).unwrap();
        let e = check_file(&f).unwrap_err().to_string();
        assert!(
            e.contains("counts 3 pages but the file holds 2") && e.contains("shark cloud rebuild"),
            "{e}"
        );
        std::fs::write(&f, &whole[..5000]).unwrap();
        assert!(
            check_file(&f)
                .unwrap_err()
                .to_string()
                .contains("not a whole number")
        );
        std::fs::write(&f, b"hello").unwrap();
        assert!(
            check_file(&f)
                .unwrap_err()
                .to_string()
                .contains("shorter than a database header")
        );
        std::fs::write(&f, vec![b'x'; 4096]).unwrap();
        assert!(
            check_file(&f)
                .unwrap_err()
                .to_string()
                .contains("does not start")
        );
    }
}
