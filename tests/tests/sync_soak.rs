//! The soak test (bounded, about three minutes): three machines, each with
//! its daemon owning its replica and its own network (a fault proxy), doing
//! random work while each is slept and woken at random moments (every open
//! connection silenced, the network down), while the server answers 503
//! and then 429 with `Retry-After` for a while, and while it is killed and
//! restarted. Every command works throughout; every explicit `shark cloud
//! sync` that succeeds tells the truth (it brings everything another
//! machine's successful sync had sent); and within 10 s of the last fault
//! every task exists exactly once on every machine.

// Test helpers may unwrap: a failure is the test failing.
#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use shark_tests::rng::Rng;
use shark_tests::{FaultProxy, Machine, SyncServer};

struct Node {
    m: Machine,
    proxy: FaultProxy,
    /// The round it wakes in, while asleep.
    wakes: Option<usize>,
    /// Titles it created.
    made: Vec<String>,
}

/// Task titles on `m`, with how many times each appears.
fn titles(m: &Machine) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for t in m.json(&["task", "list", "--all"]).as_array().unwrap() {
        *out.entry(t["title"].as_str().unwrap().to_string())
            .or_default() += 1;
    }
    out
}

#[test]
fn three_machines_through_sleeps_an_outage_and_a_restart_end_identical() {
    let mut server = SyncServer::start();
    let mut rng = Rng(0x5eed_cafe_f00d_1234);
    let mut nodes: Vec<Node> = (0..3)
        .map(|_| {
            let proxy = FaultProxy::start(server.addr());
            let m = Machine::new().with_daemon();
            m.ok(&["cloud", "init", "--url", &proxy.url()]);
            Node {
                m,
                proxy,
                wakes: None,
                made: Vec::new(),
            }
        })
        .collect();
    nodes[0].m.ok(&["epic", "create", "Soak"]);
    nodes[0].m.ok(&["feature", "create", "E01", "Work"]);
    nodes[0].m.ok(&["cloud", "sync"]);
    for n in &nodes[1..] {
        n.m.ok(&["cloud", "sync"]);
        assert!(
            n.m.ok(&["feature", "list"]).contains("Work"),
            "the feature reached every machine"
        );
    }
    // Titles some machine's successful sync has put on the server.
    let mut on_server: BTreeSet<String> = BTreeSet::new();
    let mut truthful = 0;
    let rounds = 70;
    let mut server_down_until = None;
    for round in 0..rounds {
        // Faults, on a schedule with random victims.
        match round {
            20 => nodes.iter().for_each(|n| n.proxy.errors(40, 503, None)),
            24 => nodes.iter().for_each(|n| n.proxy.errors(40, 429, Some(1))),
            28 => nodes.iter().for_each(|n| n.proxy.errors(0, 503, None)),
            45 => {
                server.stop();
                server_down_until = Some(48);
            }
            _ => {}
        }
        if server_down_until == Some(round) {
            server.restart();
            server_down_until = None;
        }
        if round % 6 == 3 {
            let i = rng.below(3);
            if nodes[i].wakes.is_none() {
                nodes[i].proxy.silence_open_connections();
                nodes[i].proxy.network_down(rng.below(2) == 0);
                nodes[i].wakes = Some(round + 2 + rng.below(3));
            }
        }
        for n in nodes.iter_mut() {
            if n.wakes == Some(round) {
                n.proxy.network_up();
                n.wakes = None;
            }
        }
        // Work: one or two tasks on a random machine; every command works.
        let i = rng.below(3);
        for _ in 0..1 + rng.below(2) {
            let title = format!("round {round} on {i} #{}", nodes[i].made.len());
            nodes[i].m.ok(&["task", "create", "E01", "F01", &title]);
            nodes[i].made.push(title);
        }
        // An explicit sync on a random machine: when it succeeds, it sent
        // this machine's work and brought everything already on the server.
        if round % 3 == 0 {
            let j = rng.below(3);
            let before = on_server.clone();
            let r = nodes[j].m.run(&["cloud", "sync", "--json"]);
            if r.code == 0 {
                let here = titles(&nodes[j].m);
                let missing: Vec<_> = before.iter().filter(|t| !here.contains_key(*t)).collect();
                assert!(
                    missing.is_empty(),
                    "round {round}: cloud sync on {j} said {} but lacks {missing:?}",
                    r.stdout
                );
                on_server.extend(nodes[j].made.iter().cloned());
                truthful += 1;
            }
        }
        std::thread::sleep(Duration::from_millis(1200));
    }
    // The last fault ends now.
    if server_down_until.is_some() {
        server.restart();
    }
    for n in &nodes {
        n.proxy.heal();
    }
    let healed = Instant::now();
    let all: BTreeSet<String> = nodes.iter().flat_map(|n| n.made.iter().cloned()).collect();
    for (i, n) in nodes.iter().enumerate() {
        loop {
            let here = titles(&n.m);
            let complete = all.iter().all(|t| here.get(t) == Some(&1));
            if complete {
                break;
            }
            assert!(
                healed.elapsed() < Duration::from_secs(10),
                "machine {i} 10 s after the last fault: missing {:?}, twice {:?}",
                all.iter()
                    .filter(|t| !here.contains_key(*t))
                    .collect::<Vec<_>>(),
                here.iter().filter(|(_, c)| **c > 1).collect::<Vec<_>>()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
    eprintln!(
        "{} tasks on 3 machines, identical {:?} after the last fault; {truthful} explicit syncs succeeded and told the truth",
        all.len(),
        healed.elapsed()
    );
    assert!(
        truthful >= 5,
        "too few explicit syncs succeeded: {truthful}"
    );
    // Keys become unique on each machine: a collision's loser renumbers
    // when it pulls the winner's row, and the others pull the new key.
    for (i, n) in nodes.iter().enumerate() {
        loop {
            let tasks = n.m.json(&["task", "list", "--all"]);
            let mut by_key: std::collections::BTreeMap<String, Vec<String>> = Default::default();
            for t in tasks.as_array().unwrap() {
                by_key
                    .entry(t["key"].as_str().unwrap().to_string())
                    .or_default()
                    .push(t["title"].as_str().unwrap().to_string());
            }
            if by_key.len() == all.len() {
                eprintln!(
                    "machine {i}: keys unique {:?} after the last fault",
                    healed.elapsed()
                );
                break;
            }
            assert!(
                healed.elapsed() < Duration::from_secs(20),
                "machine {i} 20 s after the last fault: keys taken twice {:?}",
                by_key
                    .iter()
                    .filter(|(_, t)| t.len() > 1)
                    .collect::<Vec<_>>()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}
