//! Local read connections: a small pool, so reads neither queue behind each
//! other nor behind a write or a pull (those use the store's one writer
//! connection), with idle connections closed after a while and figures for
//! `shark doctor`.

use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use serde::Serialize;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Read connections open at most at once, unless configured.
pub const DEFAULT_POOL_SIZE: usize = 10;
/// An idle read connection is closed after this long, unless configured.
pub const DEFAULT_POOL_IDLE: Duration = Duration::from_secs(300);

/// How the pool behaves (`[database]` in `config.toml`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolConfig {
    /// Read connections open at most at once (at least 1).
    pub size: usize,
    /// Idle connections older than this are closed.
    pub idle_timeout: Duration,
}

impl Default for PoolConfig {
    fn default() -> Self {
        PoolConfig {
            size: DEFAULT_POOL_SIZE,
            idle_timeout: DEFAULT_POOL_IDLE,
        }
    }
}

/// The pool's figures, as `shark doctor` and the Diagnostics panel show them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, ts_rs::TS)]
pub struct PoolStats {
    /// Configured maximum of open read connections.
    pub size: usize,
    pub idle_timeout_secs: u64,
    /// Read connections open now (idle plus in use).
    pub open: usize,
    pub idle: usize,
    pub in_use: usize,
    /// Readers waiting for a connection right now.
    pub waiting: usize,
    /// Reads served since the store opened.
    pub checkouts: u64,
    /// Reads that had to wait because every connection was in use.
    pub waited: u64,
    /// Total and longest time reads spent waiting for a connection.
    pub wait_total_ms: f64,
    pub wait_max_ms: f64,
    /// Connections opened, and closed for being idle, since the store opened.
    pub opened: u64,
    pub closed_idle: u64,
}

struct State<C> {
    idle: Vec<(C, Instant)>,
    in_use: usize,
    waiting: usize,
    checkouts: u64,
    waited: u64,
    wait_total: Duration,
    wait_max: Duration,
    opened: u64,
    closed_idle: u64,
    /// Idle connections the reaper leaves open (a long-lived owner keeps
    /// some: opening one waits for a sync step in flight).
    keep: usize,
}

/// A bounded set of reusable connections of type `C`.
pub(crate) struct Pool<C> {
    config: PoolConfig,
    permits: Arc<Semaphore>,
    state: Arc<Mutex<State<C>>>,
}

/// The right to hold one connection; an idle one to reuse, if there was one.
pub(crate) struct Checkout<C> {
    permit: OwnedSemaphorePermit,
    pub reused: Option<C>,
}

impl<C: Send + 'static> Pool<C> {
    pub fn new(config: PoolConfig) -> Self {
        let config = PoolConfig {
            size: config.size.max(1),
            ..config
        };
        Pool {
            config,
            permits: Arc::new(Semaphore::new(config.size)),
            state: Arc::new(Mutex::new(State {
                idle: Vec::new(),
                in_use: 0,
                waiting: 0,
                checkouts: 0,
                waited: 0,
                wait_total: Duration::ZERO,
                wait_max: Duration::ZERO,
                opened: 0,
                closed_idle: 0,
                keep: 0,
            })),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State<C>> {
        // A panic while holding this lock leaves plain counters behind: still usable.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits for a free slot and takes the most recently used idle
    /// connection, if any (the caller opens one otherwise).
    pub async fn checkout(&self) -> Checkout<C> {
        let started = Instant::now();
        let permit = match self.permits.clone().try_acquire_owned() {
            Ok(p) => p,
            Err(_) => {
                self.lock().waiting += 1;
                let p = self.permits.clone().acquire_owned().await;
                let mut s = self.lock();
                s.waiting -= 1;
                s.waited += 1;
                p.expect("the pool's semaphore is never closed")
            }
        };
        let waited = started.elapsed();
        let mut s = self.lock();
        s.checkouts += 1;
        s.wait_total += waited;
        s.wait_max = s.wait_max.max(waited);
        s.in_use += 1;
        let reused = s.idle.pop().map(|(c, _)| c);
        Checkout { permit, reused }
    }

    /// Records that the caller opened a new connection for its checkout.
    pub fn opened(&self) {
        self.lock().opened += 1;
    }

    /// Returns a connection (`None`: it was lost, e.g. opening it failed).
    pub fn give_back(&self, checkout: Checkout<C>, conn: Option<C>) {
        let mut s = self.lock();
        s.in_use -= 1;
        if let Some(c) = conn {
            s.idle.push((c, Instant::now()));
        }
        drop(s);
        drop(checkout.permit);
    }

    /// Keeps `n` idle connections open whatever their age (at most the size).
    pub fn keep_open(&self, n: usize) {
        self.lock().keep = n.min(self.config.size);
    }

    /// Whether fewer connections are idle than are kept open (and the pool
    /// has room for another).
    pub fn spare_needed(&self) -> bool {
        let s = self.lock();
        s.idle.len() < s.keep && s.idle.len() + s.in_use < self.config.size
    }

    /// Adds a newly opened connection as idle (a spare for the next read).
    pub fn add_idle(&self, conn: C) {
        let mut s = self.lock();
        s.opened += 1;
        s.idle.push((conn, Instant::now()));
    }

    /// Closes connections idle for longer than the timeout; returns how many.
    #[cfg(test)]
    pub fn close_idle(&self, now: Instant) -> usize {
        close_idle_in(&self.state, self.config.idle_timeout, now)
    }

    /// Current figures.
    pub fn stats(&self) -> PoolStats {
        let s = self.lock();
        PoolStats {
            size: self.config.size,
            idle_timeout_secs: self.config.idle_timeout.as_secs(),
            open: s.idle.len() + s.in_use,
            idle: s.idle.len(),
            in_use: s.in_use,
            waiting: s.waiting,
            checkouts: s.checkouts,
            waited: s.waited,
            wait_total_ms: s.wait_total.as_secs_f64() * 1000.0,
            wait_max_ms: s.wait_max.as_secs_f64() * 1000.0,
            opened: s.opened,
            closed_idle: s.closed_idle,
        }
    }

    /// Closes idle connections in the background (about every tenth of the
    /// idle timeout, at most every 30 s) until the pool is dropped. Does
    /// nothing outside a Tokio runtime.
    pub fn start_reaper(&self) {
        let Ok(rt) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let weak: Weak<Mutex<State<C>>> = Arc::downgrade(&self.state);
        let config = self.config;
        let tick =
            (config.idle_timeout / 10).clamp(Duration::from_millis(10), Duration::from_secs(30));
        rt.spawn(async move {
            loop {
                tokio::time::sleep(tick).await;
                let Some(state) = weak.upgrade() else { break };
                let closed = close_idle_in(&state, config.idle_timeout, Instant::now());
                if closed > 0 {
                    tracing::debug!(closed, "closed idle read connections");
                }
            }
        });
    }
}

fn close_idle_in<C>(state: &Mutex<State<C>>, limit: Duration, now: Instant) -> usize {
    let mut s = state.lock().unwrap_or_else(|e| e.into_inner());
    let before = s.idle.len();
    // The most recently used are last; the `keep` newest always stay.
    let kept_from = before.saturating_sub(s.keep);
    let mut i = 0;
    s.idle.retain(|(_, since)| {
        i += 1;
        i > kept_from || now.saturating_duration_since(*since) < limit
    });
    let closed = before - s.idle.len();
    s.closed_idle += closed as u64;
    closed
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A connection that counts its closing.
    struct Conn(Arc<AtomicUsize>);
    impl Drop for Conn {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    fn pool(size: usize, idle_ms: u64) -> Pool<Conn> {
        Pool::new(PoolConfig {
            size,
            idle_timeout: Duration::from_millis(idle_ms),
        })
    }

    async fn take(p: &Pool<Conn>) -> (Checkout<Conn>, Conn) {
        take_counted(p, &Arc::default()).await
    }

    async fn take_counted(p: &Pool<Conn>, closed: &Arc<AtomicUsize>) -> (Checkout<Conn>, Conn) {
        let mut c = p.checkout().await;
        let conn = c.reused.take().unwrap_or_else(|| {
            p.opened();
            Conn(closed.clone())
        });
        (c, conn)
    }

    #[test]
    fn the_newest_kept_connections_survive_the_idle_timeout() {
        let closed = Arc::new(AtomicUsize::new(0));
        let p = pool(4, 1_000);
        p.keep_open(2);
        for _ in 0..3 {
            p.add_idle(Conn(closed.clone()));
        }
        assert!(!p.spare_needed());
        let later = Instant::now() + Duration::from_secs(60);
        assert_eq!(p.close_idle(later), 1, "only the one beyond the kept two");
        assert_eq!(p.stats().idle, 2);
        assert_eq!(closed.load(Ordering::SeqCst), 1);
        p.keep_open(3);
        assert!(p.spare_needed());
        p.keep_open(0);
        assert_eq!(p.close_idle(later), 2);
    }

    #[tokio::test]
    async fn at_most_size_connections_and_the_rest_wait() {
        let p = Arc::new(pool(2, 60_000));
        let a = take(&p).await;
        let b = take(&p).await;
        assert_eq!((p.stats().open, p.stats().in_use), (2, 2));
        let p2 = p.clone();
        let third = tokio::spawn(async move {
            let (c, conn) = take(&p2).await;
            p2.give_back(c, Some(conn));
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(p.stats().waiting, 1, "the third reader waits");
        assert_eq!(p.stats().open, 2, "no third connection is opened");
        p.give_back(a.0, Some(a.1));
        third.await.unwrap();
        let s = p.stats();
        assert_eq!((s.waiting, s.waited, s.checkouts), (0, 1, 3));
        assert!(s.wait_max_ms >= 40.0, "{s:?}");
        assert_eq!(s.opened, 2, "the waiter reused the returned connection");
        p.give_back(b.0, Some(b.1));
        assert_eq!((p.stats().idle, p.stats().in_use), (2, 0));
    }

    #[tokio::test]
    async fn idle_connections_are_closed_after_the_timeout() {
        let p = pool(3, 100);
        let closed = Arc::new(AtomicUsize::new(0));
        let (c, conn) = take_counted(&p, &closed).await;
        p.give_back(c, Some(conn));
        assert_eq!(p.close_idle(Instant::now()), 0, "still fresh");
        assert_eq!(closed.load(Ordering::SeqCst), 0);
        assert_eq!(p.close_idle(Instant::now() + Duration::from_millis(150)), 1);
        assert_eq!(closed.load(Ordering::SeqCst), 1, "the connection is closed");
        let s = p.stats();
        assert_eq!((s.open, s.idle, s.closed_idle), (0, 0, 1));
        // The background reaper does the same on its own.
        p.start_reaper();
        let (c, conn) = take(&p).await;
        p.give_back(c, Some(conn));
        assert_eq!(p.stats().idle, 1);
        tokio::time::sleep(Duration::from_millis(400)).await;
        assert_eq!((p.stats().idle, p.stats().closed_idle), (0, 2));
    }

    #[tokio::test]
    async fn a_lost_connection_frees_its_slot() {
        let p = pool(1, 60_000);
        let (c, _conn) = take(&p).await;
        p.give_back(c, None);
        let s = p.stats();
        assert_eq!((s.open, s.in_use), (0, 0));
        let (c, conn) = take(&p).await;
        p.give_back(c, Some(conn));
        assert_eq!(p.stats().opened, 2);
    }
}
