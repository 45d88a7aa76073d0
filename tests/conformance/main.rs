//! External conformance suites, one line each:
//! `growthbook cases: 517/517 passed`.
//!
//! Runs under `cargo test` (it fails if any case fails) and alone through
//! `make conformance`. Each suite module exposes `run() -> Suite`.

mod consent;
mod growthbook;

use std::process::ExitCode;

/// The outcome of one external suite.
pub struct Suite {
    pub name: &'static str,
    pub total: usize,
    /// `case name: what differed`, one per failed case.
    pub failures: Vec<String>,
}

impl Suite {
    pub fn new(name: &'static str) -> Self {
        Suite { name, total: 0, failures: Vec::new() }
    }

    /// Records one case: `Err` carries what differed.
    pub fn case(&mut self, name: impl std::fmt::Display, result: Result<(), String>) {
        self.total += 1;
        if let Err(why) = result {
            self.failures.push(format!("{name}: {why}"));
        }
    }
}

/// Reads a file under `tests/data/`.
pub fn data(path: &str) -> String {
    let full = format!("{}/tests/data/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("cannot read {full}: {e}"))
}

fn main() -> ExitCode {
    let suites: Vec<Suite> = vec![growthbook::run(), consent::run()];
    let verbose = std::env::args().any(|a| a == "--verbose");
    let mut ok = true;
    for s in &suites {
        let passed = s.total - s.failures.len();
        println!("{}: {}/{} passed", s.name, passed, s.total);
        for f in s.failures.iter().take(if verbose { usize::MAX } else { 20 }) {
            println!("  FAIL {f}");
        }
        ok &= s.failures.is_empty() && s.total > 0;
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
