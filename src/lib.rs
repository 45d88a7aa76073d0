//! hearth: on-device, consent-aware personalization.
//!
//! The engine is pure Rust: no clock, no randomness and no I/O of its own.
//! Time, seeds and storage come in as values or traits, so the same inputs
//! give the same decision natively, in Node, in Chromium and in workerd.
#![forbid(unsafe_code)]

// Wasm's allocator: talc, smaller than the default dlmalloc (Cargo.toml says more).
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOC: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

pub mod base64;
pub mod condition;
pub mod consent;
pub mod decide;
pub mod diag;
pub mod growthbook;
pub mod host;
pub mod json;
pub mod manifest;
pub mod map;
pub mod profile;
pub mod session;
mod sort;
pub mod store;
mod text;
pub mod time;
mod wire;

#[cfg(target_arch = "wasm32")]
mod wasm;
