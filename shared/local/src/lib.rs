//! apispm-local: adapters for one machine — the local estate folder reader and the SQLite store.

pub mod estate_dir;
pub mod sqlite;

pub use estate_dir::{EstateDirError, read_estate};
pub use sqlite::SqliteStore;
