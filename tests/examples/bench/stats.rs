//! Figures as the suite reports them: median, 95th percentile (nearest
//! rank) and the number of runs, with the target they are held against.

use std::time::{Duration, Instant};

use serde::Serialize;

/// What a figure must reach, as docs/benchmarks.md states it.
#[derive(Debug, Clone, Serialize)]
pub struct Target {
    /// `p95`, `p99` or `median` (which statistic is held to it).
    pub stat: &'static str,
    /// `<` (at most) or `>=` (at least).
    pub op: &'static str,
    pub value: f64,
    pub text: String,
}

/// One measured figure.
#[derive(Debug, Clone, Serialize)]
pub struct Figure {
    pub id: String,
    pub group: &'static str,
    pub name: String,
    pub unit: &'static str,
    pub median: f64,
    pub p95: f64,
    /// Nearest-rank 99th percentile.
    pub p99: f64,
    pub runs: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<Target>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub met: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Figure {
    /// A figure from samples (at least one).
    pub fn from(
        id: impl Into<String>,
        group: &'static str,
        name: impl Into<String>,
        unit: &'static str,
        samples: &[f64],
    ) -> Self {
        let (median, p95) = median_p95(samples);
        let p99 = nearest_rank(samples, 0.99);
        Figure {
            id: id.into(),
            group,
            name: name.into(),
            unit,
            median,
            p95,
            p99,
            runs: samples.len(),
            target: None,
            met: None,
            note: None,
        }
    }

    /// Holds `stat` (`p95` or `median`) to `op value`.
    pub fn target(mut self, stat: &'static str, op: &'static str, value: f64, text: &str) -> Self {
        let v = match stat {
            "p95" => self.p95,
            "p99" => self.p99,
            _ => self.median,
        };
        self.met = Some(match op {
            "<" => v < value,
            "<=" => v <= value,
            _ => v >= value,
        });
        self.target = Some(Target {
            stat,
            op,
            value,
            text: text.into(),
        });
        self
    }

    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }
}

/// Median and nearest-rank 95th percentile.
pub fn median_p95(samples: &[f64]) -> (f64, f64) {
    let mut v = samples.to_vec();
    v.sort_by(f64::total_cmp);
    if v.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    let median = if v.len() % 2 == 1 {
        v[v.len() / 2]
    } else {
        (v[v.len() / 2 - 1] + v[v.len() / 2]) / 2.0
    };
    let rank = ((v.len() as f64) * 0.95).ceil() as usize;
    (median, v[rank.clamp(1, v.len()) - 1])
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Wall time of `f` in ms.
pub fn time_ms<T>(f: impl FnOnce() -> T) -> (f64, T) {
    let t = Instant::now();
    let v = f();
    (ms(t.elapsed()), v)
}

/// Runs a process `runs` times after `warmup` unmeasured runs; each run's
/// wall time in ms. Output goes to /dev/null; a failure stops the suite.
pub fn process_runs(
    mut make: impl FnMut() -> std::process::Command,
    warmup: usize,
    runs: usize,
) -> Vec<f64> {
    let mut out = Vec::with_capacity(runs);
    for i in 0..warmup + runs {
        let mut cmd = make();
        cmd.stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .stdin(std::process::Stdio::null());
        let t = Instant::now();
        let o = cmd.output().expect("start the process");
        let took = ms(t.elapsed());
        assert!(
            o.status.success(),
            "{cmd:?} failed: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        if i >= warmup {
            out.push(took);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn nearest_rank() {
        let v: Vec<f64> = (1..=20).map(f64::from).collect();
        assert_eq!(super::median_p95(&v), (10.5, 19.0));
        assert_eq!(super::median_p95(&[3.0]), (3.0, 3.0));
    }
}

/// The nearest-rank percentile `q` (0..1) of `samples` (at least one).
pub fn nearest_rank(samples: &[f64], q: f64) -> f64 {
    let mut v = samples.to_vec();
    v.sort_by(f64::total_cmp);
    let rank = ((q * v.len() as f64).ceil() as usize).clamp(1, v.len());
    v[rank - 1]
}
