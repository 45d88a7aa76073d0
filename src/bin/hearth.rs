//! `hearth`: command-line tools for site developers.
//!
//! ```text
//! hearth check manifest.json [--key BASE64]   validate; print every error with its path
//! hearth compile manifest.json -o manifest.bin  validate and compile (docs/manifest.md)
//! ```
//! Exit status: 0 valid, 1 invalid, 2 usage or I/O error.

use hearth::diag::Issues;
use hearth::host::NativeRegexEngine;
use hearth::manifest::{is_compiled, Manifest};
use std::process::ExitCode;

const USAGE: &str = "usage: hearth check <manifest.json | manifest.bin | -> [--key <decryption key>]
       hearth compile <manifest.json | -> -o <manifest.bin>

check validates a hearth manifest, a GrowthBook SDK payload or a compiled
manifest and prints every problem with its path, or a short summary when it
is valid. compile validates the same way and writes the compiled manifest,
which every build loads without validating again (docs/manifest.md).
Exit status: 0 valid, 1 invalid, 2 usage or I/O error.";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("check") => check(&args[1..]),
        Some("compile") => compile(&args[1..]),
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

/// `path`'s bytes (`-`: standard input).
fn read(path: &str) -> Result<Vec<u8>, ExitCode> {
    let read = if path == "-" {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut bytes).map(|_| bytes)
    } else {
        std::fs::read(path)
    };
    read.map_err(|e| io_error(if path == "-" { "standard input" } else { path }, &e))
}

fn text(path: &str, bytes: Vec<u8>) -> Result<String, ExitCode> {
    String::from_utf8(bytes).map_err(|_| {
        eprintln!("{path}: not UTF-8 text (a manifest is JSON)");
        ExitCode::from(1)
    })
}

fn check(args: &[String]) -> ExitCode {
    let mut path = None;
    let mut key = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--key" => match it.next() {
                Some(k) => key = Some(k.clone()),
                None => return usage("check", "--key needs a value"),
            },
            _ if path.is_none() => path = Some(a.clone()),
            other => return usage("check", &format!("unexpected argument `{other}`")),
        }
    }
    let Some(path) = path else { return usage("check", "which manifest? give a file path or - for standard input") };
    let bytes = match read(&path) {
        Ok(b) => b,
        Err(code) => return code,
    };
    let parsed = if is_compiled(&bytes) {
        Manifest::from_compiled(&bytes, &NativeRegexEngine)
    } else {
        match text(&path, bytes) {
            Ok(t) => Manifest::parse_with_key(&t, key.as_deref(), &NativeRegexEngine),
            Err(code) => return code,
        }
    };
    match parsed {
        Ok(m) => {
            println!("{path}: ok, {}", m.summary());
            ExitCode::SUCCESS
        }
        Err(issues) => invalid(&path, &issues),
    }
}

fn compile(args: &[String]) -> ExitCode {
    let (mut path, mut out) = (None, None);
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "-o" | "--output" => match it.next() {
                Some(o) => out = Some(o.clone()),
                None => return usage("compile", "-o needs a file name"),
            },
            _ if path.is_none() => path = Some(a.clone()),
            other => return usage("compile", &format!("unexpected argument `{other}`")),
        }
    }
    let Some(path) = path else { return usage("compile", "which manifest? give a file path or - for standard input") };
    let Some(out) = out else { return usage("compile", "where to? give -o <manifest.bin>") };
    let text = match read(&path).and_then(|b| text(&path, b)) {
        Ok(t) => t,
        Err(code) => return code,
    };
    match Manifest::compile(&text, &NativeRegexEngine) {
        Ok(bytes) => {
            if let Err(e) = std::fs::write(&out, &bytes) {
                eprintln!("hearth compile: cannot write {out}: {e}");
                return ExitCode::from(2);
            }
            println!("{out}: {} bytes from {} bytes of JSON", bytes.len(), text.len());
            ExitCode::SUCCESS
        }
        Err(issues) => invalid(&path, &issues),
    }
}

fn invalid(path: &str, issues: &Issues) -> ExitCode {
    for issue in issues.iter() {
        println!("{path}: {issue}");
    }
    let n = issues.len();
    eprintln!("{path}: {n} error{}", if n == 1 { "" } else { "s" });
    ExitCode::from(1)
}

fn usage(command: &str, msg: &str) -> ExitCode {
    eprintln!("hearth {command}: {msg}\n\n{USAGE}");
    ExitCode::from(2)
}

fn io_error(what: &str, e: &std::io::Error) -> ExitCode {
    eprintln!("hearth: cannot read {what}: {e}");
    ExitCode::from(2)
}
