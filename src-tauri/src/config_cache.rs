//! The saved settings as the status reads them: `config.toml` is parsed
//! again only when the file changed (its identity, size or modification
//! time), so the status line, refreshed on every sync event, reads no file.

use std::sync::Mutex;
use std::time::SystemTime;

use shark_core::config::Config;
use shark_core::paths::SharkPaths;

/// What identifies one version of the file (None: there is no file).
type Stamp = Option<(u64, u64, SystemTime)>;

/// The last settings read and the file they came from.
#[derive(Debug, Default)]
pub struct ConfigCache {
    last: Mutex<Option<(Stamp, Result<Config, String>)>>,
}

impl ConfigCache {
    /// The saved settings (or why they cannot be read), parsed again only
    /// after the file changed.
    pub fn get(&self, paths: &SharkPaths) -> Result<Config, String> {
        let stamp = stamp(paths);
        let mut last = self
            .last
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((seen, config)) = &*last
            && *seen == stamp
        {
            return config.clone();
        }
        let config = Config::load(paths).map_err(|e| e.to_string());
        *last = Some((stamp, config.clone()));
        config
    }
}

fn stamp(paths: &SharkPaths) -> Stamp {
    let meta = std::fs::metadata(paths.config_file()).ok()?;
    // The inode too: a save replaces the file (a rename) within a second.
    #[cfg(unix)]
    let inode = std::os::unix::fs::MetadataExt::ino(&meta);
    #[cfg(not(unix))]
    let inode = 0;
    Some((inode, meta.len(), meta.modified().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_again_only_after_a_change() {
        let tmp = tempfile::tempdir().unwrap();
        let paths = SharkPaths::under(tmp.path());
        paths.ensure_dirs().unwrap();
        let cache = ConfigCache::default();
        assert_eq!(cache.get(&paths).unwrap().cloud.paused, None);
        let mut c = Config::load(&paths).unwrap();
        c.cloud.paused = Some(true);
        c.save(&paths).unwrap();
        assert_eq!(cache.get(&paths).unwrap().cloud.paused, Some(true));
        // A bad edit is reported as such, and a fix is seen.
        std::fs::write(paths.config_file(), "cloud = [").unwrap();
        assert!(cache.get(&paths).is_err());
        c.cloud.paused = Some(false);
        c.save(&paths).unwrap();
        assert_eq!(cache.get(&paths).unwrap().cloud.paused, Some(false));
    }
}
