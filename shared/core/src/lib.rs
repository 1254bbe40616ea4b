//! apispm-core: the engine of apispm. Snapshot in, posture out, no I/O and no AWS.
//!
//! Pipeline: [`snapshot`] (raw facts, produced by collectors) → [`inventory`] (endpoints) →
//! [`classify`] → [`controls`] → [`scoring`] → [`policy`] → [`posture`]; then [`history`]
//! (finding lifecycle, drift) against what a [`store`] had, and [`render`].

pub mod access_log;
pub mod classify;
pub mod controls;
pub mod estate;
pub mod gateway;
pub mod gateway_controls;
pub mod gateway_export;
pub mod history;
pub mod inventory;
pub mod model;
pub mod observed;
pub mod openapi;
pub mod policy;
pub mod posture;
pub mod render;
pub mod resource_policy;
pub mod scoring;
pub mod sensitive;
pub mod snapshot;
pub mod source_map;
pub mod spec_audit;
pub mod store;
pub mod traffic;
pub mod traffic_checks;
