//! The DynamoDB store: the engine's single-table item layout (`apispm_core::store`) in one
//! table keyed `pk` (S) / `sk` (S), the item body as a JSON string attribute `body`, and the TTL
//! attribute `expires_at` (N, epoch seconds).
//!
//! - Every read is a Query on one partition or a GetItem; nothing scans.
//! - Writes go in BatchWriteItem requests of at most 25 items (DynamoDB's limit, enforced here:
//!   moto accepts more), unprocessed items retried with exponential backoff.
//! - Saving a sweep writes its partition first and the `LATEST` pointer last, so a failure
//!   mid-way leaves the previous latest posture in place; items a re-run no longer has are
//!   deleted, so re-running a sweep is idempotent.
//!
//! The `Store` trait is synchronous; this adapter drives the async SDK on its own runtime, so it
//! must not be called from inside another Tokio runtime's async context (use `spawn_blocking`).

use apispm_core::posture::{Finding, Posture};
use apispm_core::store::{
    self, Item, LATEST, Store, StoreError, checkpoint_items, items_for_sweep,
};
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{AttributeValue, DeleteRequest, PutRequest, WriteRequest};
use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

/// DynamoDB's BatchWriteItem limit.
pub const BATCH_LIMIT: usize = 25;
const MAX_RETRIES: u32 = 8;

pub struct DynamoStore {
    client: Client,
    table: String,
    runtime: tokio::runtime::Runtime,
}

pub(crate) fn backend(e: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(e.to_string())
}

impl DynamoStore {
    /// A store on `table`, with credentials, region and endpoint from the standard AWS
    /// configuration (`AWS_REGION`, `AWS_ENDPOINT_URL`, profiles, roles).
    pub fn open(table: &str) -> Result<DynamoStore, StoreError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(backend)?;
        let config =
            runtime.block_on(aws_config::defaults(aws_config::BehaviorVersion::latest()).load());
        Ok(DynamoStore {
            client: Client::new(&config),
            table: table.to_string(),
            runtime,
        })
    }

    fn to_attributes(item: &Item) -> HashMap<String, AttributeValue> {
        let mut m = HashMap::from([
            ("pk".to_string(), AttributeValue::S(item.pk.clone())),
            ("sk".to_string(), AttributeValue::S(item.sk.clone())),
            ("body".to_string(), AttributeValue::S(item.body.to_string())),
        ]);
        if let Some(at) = item.expires_at {
            m.insert("expires_at".into(), AttributeValue::N(at.to_string()));
        }
        m
    }

    fn from_attributes(m: &HashMap<String, AttributeValue>) -> Result<Item, StoreError> {
        let s = |k: &str| m.get(k).and_then(|v| v.as_s().ok()).cloned();
        let pk = s("pk").unwrap_or_default();
        let sk = s("sk").unwrap_or_default();
        let body = s("body").ok_or_else(|| StoreError::Malformed {
            pk: pk.clone(),
            sk: sk.clone(),
            message: "no body".into(),
        })?;
        let body = serde_json::from_str(&body).map_err(|e| StoreError::Malformed {
            pk: pk.clone(),
            sk: sk.clone(),
            message: e.to_string(),
        })?;
        let expires_at = m
            .get("expires_at")
            .and_then(|v| v.as_n().ok())
            .and_then(|n| n.parse().ok());
        Ok(Item {
            pk,
            sk,
            body,
            expires_at,
        })
    }

    /// One partition, or the items of it whose sort key starts with `sk_prefix`, in sort-key
    /// order (one paginated Query).
    fn query_partition(&self, pk: &str, sk_prefix: &str) -> Result<Vec<Item>, StoreError> {
        self.runtime.block_on(async {
            let mut items = Vec::new();
            let mut start: Option<HashMap<String, AttributeValue>> = None;
            loop {
                let mut query = self
                    .client
                    .query()
                    .table_name(&self.table)
                    .expression_attribute_values(":pk", AttributeValue::S(pk.to_string()));
                query = if sk_prefix.is_empty() {
                    query.key_condition_expression("pk = :pk")
                } else {
                    query
                        .key_condition_expression("pk = :pk AND begins_with(sk, :prefix)")
                        .expression_attribute_values(
                            ":prefix",
                            AttributeValue::S(sk_prefix.to_string()),
                        )
                };
                let out = query
                    .set_exclusive_start_key(start.take())
                    .send()
                    .await
                    .map_err(|e| backend(aws_sdk_dynamodb::error::DisplayErrorContext(e)))?;
                for m in out.items() {
                    items.push(Self::from_attributes(m)?);
                }
                match out.last_evaluated_key() {
                    Some(k) if !k.is_empty() => start = Some(k.clone()),
                    _ => break,
                }
            }
            Ok(items)
        })
    }

    fn get_item(&self, pk: &str, sk: &str) -> Result<Option<Item>, StoreError> {
        self.runtime.block_on(async {
            let out = self
                .client
                .get_item()
                .table_name(&self.table)
                .key("pk", AttributeValue::S(pk.into()))
                .key("sk", AttributeValue::S(sk.into()))
                .consistent_read(true)
                .send()
                .await
                .map_err(|e| backend(aws_sdk_dynamodb::error::DisplayErrorContext(e)))?;
            out.item().map(Self::from_attributes).transpose()
        })
    }

    fn write(&self, requests: Vec<WriteRequest>) -> Result<(), StoreError> {
        self.runtime
            .block_on(batch_write(&self.client, &self.table, requests))
    }

    fn put_requests(items: &[Item]) -> Result<Vec<WriteRequest>, StoreError> {
        items
            .iter()
            .map(|i| {
                let put = PutRequest::builder()
                    .set_item(Some(Self::to_attributes(i)))
                    .build()
                    .map_err(backend)?;
                Ok(WriteRequest::builder().put_request(put).build())
            })
            .collect()
    }
}

/// Write requests in batches of 25, retrying what DynamoDB leaves unprocessed with exponential
/// backoff.
pub(crate) async fn batch_write(
    client: &Client,
    table: &str,
    requests: Vec<WriteRequest>,
) -> Result<(), StoreError> {
    for chunk in batches(requests) {
        let mut pending = chunk;
        let mut attempt = 0;
        while !pending.is_empty() {
            let out = client
                .batch_write_item()
                .request_items(table, pending)
                .send()
                .await
                .map_err(|e| backend(aws_sdk_dynamodb::error::DisplayErrorContext(e)))?;
            pending = out
                .unprocessed_items()
                .and_then(|m| m.get(table))
                .cloned()
                .unwrap_or_default();
            if !pending.is_empty() {
                attempt += 1;
                if attempt > MAX_RETRIES {
                    return Err(StoreError::Backend(format!(
                        "{} items stayed unprocessed after {MAX_RETRIES} retries",
                        pending.len()
                    )));
                }
                tokio::time::sleep(Duration::from_millis(50 << attempt.min(6))).await;
            }
        }
    }
    Ok(())
}

/// Split write requests into BatchWriteItem-sized chunks.
pub fn batches<T>(mut requests: Vec<T>) -> Vec<Vec<T>> {
    let mut out = Vec::new();
    while !requests.is_empty() {
        let rest = requests.split_off(requests.len().min(BATCH_LIMIT));
        out.push(std::mem::replace(&mut requests, rest));
    }
    out
}

impl Store for DynamoStore {
    fn query_prefix(&self, pk: &str, sk_prefix: &str) -> Result<Vec<Item>, StoreError> {
        self.query_partition(pk, sk_prefix)
    }

    fn get(&self, pk: &str, sk: &str) -> Result<Option<Item>, StoreError> {
        self.get_item(pk, sk)
    }

    fn save(
        &mut self,
        posture: &Posture,
        records: &[Finding],
        ttl_days: i64,
    ) -> Result<(), StoreError> {
        let mut items = items_for_sweep(posture, records, ttl_days);
        // The pointer goes last, on its own, after everything it points at is written.
        let pointer_at = items.iter().position(|i| i.pk == LATEST);
        let pointer = pointer_at.map(|at| items.remove(at));
        // Re-running a sweep: drop the items of its partition it no longer has.
        let pk = store::sweep_pk(&posture.sweep_id);
        let keep: std::collections::HashSet<&str> = items
            .iter()
            .filter(|i| i.pk == pk)
            .map(|i| i.sk.as_str())
            .collect();
        let stale: Vec<WriteRequest> = self
            .query_partition(&pk, "")?
            .into_iter()
            .filter(|i| !keep.contains(i.sk.as_str()))
            .map(|i| {
                let delete = DeleteRequest::builder()
                    .key("pk", AttributeValue::S(i.pk))
                    .key("sk", AttributeValue::S(i.sk))
                    .build()
                    .map_err(backend)?;
                Ok(WriteRequest::builder().delete_request(delete).build())
            })
            .collect::<Result<_, StoreError>>()?;
        let mut requests = Self::put_requests(&items)?;
        requests.extend(stale);
        self.write(requests)?;
        if let Some(pointer) = pointer {
            self.write(Self::put_requests(&[pointer])?)?;
        }
        Ok(())
    }

    fn save_checkpoints(&mut self, checkpoints: &BTreeMap<String, i64>) -> Result<(), StoreError> {
        self.write(Self::put_requests(&checkpoint_items(checkpoints))?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_never_exceed_25() {
        let sizes: Vec<usize> = batches((0..61).collect::<Vec<_>>())
            .iter()
            .map(Vec::len)
            .collect();
        assert_eq!(sizes, vec![25, 25, 11]);
        assert!(batches(Vec::<u8>::new()).is_empty());
    }
}
