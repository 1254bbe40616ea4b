//! The embedded store: SQLite (bundled), one table of (pk, sk) items in exactly the layout the
//! DynamoDB store uses (`apispm_core::store`). A sweep is saved in one transaction, so a failed
//! save leaves the previous posture intact.

use apispm_core::posture::{Finding, Posture};
use apispm_core::store::{self, Item, Store, StoreError, items_for_sweep};
use rusqlite::{Connection, OptionalExtension, params};
use std::path::Path;

pub struct SqliteStore {
    conn: Connection,
}

fn backend(e: rusqlite::Error) -> StoreError {
    StoreError::Backend(e.to_string())
}

impl SqliteStore {
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        let conn = Connection::open(path)
            .map_err(|e| StoreError::Backend(format!("{}: {e}", path.display())))?;
        Self::init(conn)
    }

    pub fn in_memory() -> Result<SqliteStore, StoreError> {
        Self::init(Connection::open_in_memory().map_err(backend)?)
    }

    fn init(conn: Connection) -> Result<SqliteStore, StoreError> {
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS items (
                 pk TEXT NOT NULL,
                 sk TEXT NOT NULL,
                 body TEXT NOT NULL,
                 expires_at INTEGER,
                 PRIMARY KEY (pk, sk)
             ) WITHOUT ROWID;",
        )
        .map_err(backend)?;
        Ok(SqliteStore { conn })
    }
}

impl Store for SqliteStore {
    fn query_prefix(&self, pk: &str, sk_prefix: &str) -> Result<Vec<Item>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT pk, sk, body, expires_at FROM items \
                 WHERE pk = ?1 AND substr(sk, 1, length(?2)) = ?2 ORDER BY sk",
            )
            .map_err(backend)?;
        let rows = stmt
            .query_map(params![pk, sk_prefix], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<i64>>(3)?,
                ))
            })
            .map_err(backend)?;
        let mut items = Vec::new();
        for row in rows {
            let (pk, sk, body, expires_at) = row.map_err(backend)?;
            let body = serde_json::from_str(&body).map_err(|e| StoreError::Malformed {
                pk: pk.clone(),
                sk: sk.clone(),
                message: e.to_string(),
            })?;
            items.push(Item {
                pk,
                sk,
                body,
                expires_at,
            });
        }
        Ok(items)
    }

    fn get(&self, pk: &str, sk: &str) -> Result<Option<Item>, StoreError> {
        let row: Option<String> = self
            .conn
            .query_row(
                "SELECT body FROM items WHERE pk = ?1 AND sk = ?2",
                params![pk, sk],
                |r| r.get(0),
            )
            .optional()
            .map_err(backend)?;
        row.map(|body| {
            let body = serde_json::from_str(&body).map_err(|e| StoreError::Malformed {
                pk: pk.into(),
                sk: sk.into(),
                message: e.to_string(),
            })?;
            Ok(Item {
                pk: pk.into(),
                sk: sk.into(),
                body,
                expires_at: None,
            })
        })
        .transpose()
    }

    fn save_checkpoints(
        &mut self,
        checkpoints: &std::collections::BTreeMap<String, i64>,
    ) -> Result<(), StoreError> {
        let tx = self.conn.transaction().map_err(backend)?;
        for item in store::checkpoint_items(checkpoints) {
            tx.execute(
                "INSERT OR REPLACE INTO items (pk, sk, body, expires_at) VALUES (?1, ?2, ?3, NULL)",
                params![item.pk, item.sk, item.body.to_string()],
            )
            .map_err(backend)?;
        }
        tx.commit().map_err(backend)
    }

    fn save(
        &mut self,
        posture: &Posture,
        records: &[Finding],
        ttl_days: i64,
    ) -> Result<(), StoreError> {
        let items = items_for_sweep(posture, records, ttl_days);
        let tx = self.conn.transaction().map_err(backend)?;
        {
            // Re-running a sweep rewrites its partition: drop items it no longer has.
            tx.execute(
                "DELETE FROM items WHERE pk = ?1",
                params![store::sweep_pk(&posture.sweep_id)],
            )
            .map_err(backend)?;
            let mut put = tx
                .prepare_cached("INSERT OR REPLACE INTO items (pk, sk, body, expires_at) VALUES (?1, ?2, ?3, ?4)")
                .map_err(backend)?;
            for item in &items {
                put.execute(params![
                    item.pk,
                    item.sk,
                    item.body.to_string(),
                    item.expires_at
                ])
                .map_err(backend)?;
            }
            // SQLite has no TTL: expire what DynamoDB would have expired.
            tx.execute(
                "DELETE FROM items WHERE expires_at IS NOT NULL AND expires_at < ?1",
                params![posture.generated_at.timestamp()],
            )
            .map_err(backend)?;
        }
        tx.commit().map_err(backend)
    }
}
