//! Typed async client for the Letta plant-store API.
pub mod types;
