//! `hearth check`: what a site developer sees, and the exit status CI scripts rely on.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn hearth(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_hearth"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the hearth binary runs");
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn a_valid_manifest_prints_a_summary_and_exits_0() {
    let out = hearth(&["check", "docs/manifest.sample.json"], "");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.starts_with("docs/manifest.sample.json: ok, hearth manifest v1 `trailhead-outfitters`: 2 features"), "{stdout}");
}

#[test]
fn every_error_is_printed_with_its_path_and_exits_1() {
    let out = hearth(&["check", "-"], r#"{"hearth": 1, "slots": {"x": {"strategy": "affine"}}, "segmnts": {}}"#);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines,
        [
            "-: slots.x.strategy: unknown strategy `affine` (expected one of experiment, rules, affinity, bandit)",
            "-: slots.x.variants: is required",
            "-: segmnts: unknown field (did you mean `segments`?)",
        ]
    );
    assert_eq!(text(&out.stderr).trim(), "-: 3 errors");
}

#[test]
fn usage_and_io_errors_exit_2() {
    assert_eq!(hearth(&[], "").status.code(), Some(2));
    assert_eq!(hearth(&["check"], "").status.code(), Some(2));
    let out = hearth(&["check", "no/such/file.json"], "");
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("cannot read no/such/file.json"), "{}", text(&out.stderr));
}

#[test]
fn compile_writes_a_manifest_check_and_load_read_back() {
    let dir = std::env::temp_dir().join(format!("hearth-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out_path = dir.join("sample.bin");
    let out_arg = out_path.to_str().unwrap();
    let out = hearth(&["compile", "docs/manifest.sample.json", "-o", out_arg], "");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains(" bytes from 5"), "{}", text(&out.stdout));
    let bytes = std::fs::read(&out_path).unwrap();
    assert!(bytes.starts_with(b"HEARTHc"));
    let check = hearth(&["check", out_arg], "");
    assert_eq!(check.status.code(), Some(0), "{}", text(&check.stderr));
    assert!(text(&check.stdout).contains("ok, hearth manifest v1 `trailhead-outfitters`: 2 features"), "{}", text(&check.stdout));
    // A damaged file is an error with what is wrong, and so is a manifest that does not validate.
    let damaged = dir.join("damaged.bin");
    std::fs::write(&damaged, &bytes[..bytes.len() - 1]).unwrap();
    let bad = hearth(&["check", damaged.to_str().unwrap()], "");
    assert_eq!(bad.status.code(), Some(1));
    assert!(text(&bad.stdout).contains("compiled: damaged"), "{}", text(&bad.stdout));
    let invalid = hearth(&["compile", "-", "-o", out_arg], r#"{"hearth": 1, "segmnts": {}}"#);
    assert_eq!(invalid.status.code(), Some(1));
    assert!(text(&invalid.stdout).contains("-: segmnts: unknown field"), "{}", text(&invalid.stdout));
    assert_eq!(std::fs::read(&out_path).unwrap(), bytes, "a failed compile leaves the earlier output alone");
    assert_eq!(hearth(&["compile", "docs/manifest.sample.json"], "").status.code(), Some(2), "no -o");
    std::fs::remove_dir_all(&dir).unwrap();
}
