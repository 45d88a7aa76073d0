//! `hearth`: command-line tools for site developers.
//!
//! ```text
//! hearth check manifest.json [--key BASE64]   validate; print every error with its path
//! ```
//! Exit status: 0 valid, 1 invalid, 2 usage or I/O error.

use hearth::host::NativeRegexEngine;
use hearth::manifest::Manifest;
use std::process::ExitCode;

const USAGE: &str = "usage: hearth check <manifest.json | -> [--key <decryption key>]

Validates a hearth manifest or a GrowthBook SDK payload and prints every
problem with its path, or a short summary when it is valid.
Exit status: 0 valid, 1 invalid, 2 usage or I/O error.";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("check") => check(&args[1..]),
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        Some("--version" | "-V") => {
            println!("hearth {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn check(args: &[String]) -> ExitCode {
    let mut path = None;
    let mut key = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--key" => match it.next() {
                Some(k) => key = Some(k.clone()),
                None => return usage("--key needs a value"),
            },
            _ if path.is_none() => path = Some(a.clone()),
            other => return usage(&format!("unexpected argument `{other}`")),
        }
    }
    let Some(path) = path else { return usage("which manifest? give a file path or - for standard input") };
    let text = if path == "-" {
        let mut s = String::new();
        match std::io::Read::read_to_string(&mut std::io::stdin(), &mut s) {
            Ok(_) => s,
            Err(e) => return io_error("standard input", &e),
        }
    } else {
        match std::fs::read_to_string(&path) {
            Ok(s) => s,
            Err(e) => return io_error(&path, &e),
        }
    };
    match Manifest::parse_with_key(&text, key.as_deref(), &NativeRegexEngine) {
        Ok(m) => {
            println!("{path}: ok, {}", m.summary());
            ExitCode::SUCCESS
        }
        Err(issues) => {
            for issue in issues.iter() {
                println!("{path}: {issue}");
            }
            let n = issues.len();
            eprintln!("{path}: {n} error{}", if n == 1 { "" } else { "s" });
            ExitCode::from(1)
        }
    }
}

fn usage(msg: &str) -> ExitCode {
    eprintln!("hearth check: {msg}\n\n{USAGE}");
    ExitCode::from(2)
}

fn io_error(what: &str, e: &std::io::Error) -> ExitCode {
    eprintln!("hearth check: cannot read {what}: {e}");
    ExitCode::from(2)
}
