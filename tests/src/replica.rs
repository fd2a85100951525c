//! A machine as the core sees it: a private Shark home with a named device and
//! a replica of the test sync server, opened in-process.

use std::sync::Arc;
use std::time::Duration;

use shark_core::config::{Config, Device};
use shark_core::paths::SharkPaths;
use shark_core::store::{Backend, NewEpic, NewFeature, NewTask, Remote, Store};

use crate::SyncServer;

/// One machine's replica (its home is removed on drop).
#[derive(Debug)]
pub struct Replica {
    pub home: tempfile::TempDir,
    pub paths: SharkPaths,
    pub store: Arc<Store>,
}

/// Opens (bootstrapping) a replica of `server` for a device called `name`.
pub async fn replica(server: &SyncServer, name: &str) -> Replica {
    replica_at(&server.url(), name, None).await
}

/// [`replica`] of the server at `url` (a proxy in front of one); with
/// `long_poll`, its pulls ask the server to hold them that long, as an
/// owner's do (a server that answers at once ignores it).
pub async fn replica_at(url: &str, name: &str, long_poll: Option<Duration>) -> Replica {
    let home = tempfile::tempdir().expect("temp dir");
    let paths = SharkPaths::under(home.path());
    paths.ensure_dirs().expect("shark home");
    let config = Config {
        device_name: Some(name.into()),
        ..Default::default()
    };
    let device = Device::load_or_create(&paths, &config).expect("device id");
    let backend = Backend::Replica(Remote {
        url: url.to_string(),
        token: None,
        long_poll,
        deadlines: Default::default(),
    });
    let store = Store::open_with(&paths, device, Duration::from_secs(5), &backend)
        .await
        .expect("open the replica");
    Replica {
        home,
        paths,
        store: Arc::new(store),
    }
}

/// Creates epic E01 with feature E01-F01.
pub async fn seed(store: &Store) {
    store.create_epic(NewEpic::titled("E")).await.expect("epic");
    feature(store, "F").await;
}

/// Adds a feature to E01 (E01-F01 first, then E01-F02, ...).
pub async fn feature(store: &Store, title: &str) {
    store
        .create_feature(NewFeature::new("E01", title))
        .await
        .expect("feature");
}

/// A new task in E01-F01.
pub fn task(title: &str) -> NewTask {
    NewTask::new("E01-F01", title)
}

/// One requested pass with the usage meter attached, as the app and the CLI
/// run it.
pub async fn metered_sync(
    store: &Store,
) -> Result<shark_core::cloud::SyncReport, shark_core::cloud::RunError> {
    let meter = shark_core::usage::meter::UsageMeter::new(store.home());
    let attempts = shark_core::cloud::Attempts {
        timeout: Duration::from_secs(30),
        retries: 0,
    };
    let r = shark_core::cloud::pipeline::run(
        store,
        shark_core::cloud::Trigger::Requested,
        attempts,
        &[&meter],
    )
    .await;
    meter.flush();
    r
}
