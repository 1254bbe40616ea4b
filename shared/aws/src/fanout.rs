//! A sweep fanned out over SQS: one message per unit (account × region, or the S3 sources), any
//! number of workers, and the last unit to finish closes the sweep.
//!
//! The bookkeeping lives in the posture table, in its own partition `FANOUT#<sweep_id>`:
//!
//! | sk | item |
//! |---|---|
//! | `STATE` | `body` (source, slot time, unit keys), `expected` (N), `done` (SS of unit keys), `opened_at` (N), `closer` (S), `closed_at` (S) |
//! | `PART#<unit key>#<nnnn>` | one chunk of the unit's partial snapshot: gzip'd JSON (`data`, B), `chunks` (N) and `sha256` (S) of the whole |
//!
//! - `done` is a string set grown with `ADD`: atomic, and idempotent when SQS delivers a message
//!   twice, so the count of finished units is exact.
//! - The unit whose `ADD` completes the set claims the close with a conditional write naming its
//!   message id; a redelivery of that same message may reclaim it (the closer timed out), nobody
//!   else can. `closed_at` is set only after the posture is stored.
//! - Parts are chunked under DynamoDB's 400 KB item limit and checked by digest when read back.
//! - Everything expires with the sweep's history (`expires_at`).

use crate::Unit;
use crate::dynamo::{backend, batch_write};
use apispm_core::snapshot::Snapshot;
use apispm_core::store::StoreError;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{AttributeValue, PutRequest, ReturnValue, WriteRequest};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::io::{Read, Write};
use std::time::Duration;

/// Bytes of compressed part per item: well under DynamoDB's 400 KB item limit.
const CHUNK: usize = 300 * 1024;
/// SQS SendMessageBatch takes at most 10 entries.
const SQS_BATCH: usize = 10;

/// One stored chunk of a part: its index and its item.
type Chunk = (usize, HashMap<String, AttributeValue>);

/// The queue message for one unit of a sweep.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnitMessage {
    pub sweep_id: String,
    /// The sweep's schedule slot: every part and the posture are stamped with it.
    pub at: DateTime<Utc>,
    pub unit: Unit,
}

#[derive(Debug, thiserror::Error)]
pub enum FanoutError {
    #[error("table {table}: {source}")]
    Store { table: String, source: StoreError },
    #[error("sweep {0} has no open fan-out in the table (never opened, or expired)")]
    NotOpen(String),
    #[error("sending unit messages to {queue}: {message}")]
    Queue { queue: String, message: String },
}

/// How far a fanned-out sweep has got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    pub done: usize,
    pub expected: usize,
}

impl Progress {
    pub fn complete(&self) -> bool {
        self.done >= self.expected
    }
}

/// What opening a fan-out found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Opened {
    /// A fresh ledger: send the messages.
    Started,
    /// The same slot is already being swept (EventBridge delivered the event twice, or a person
    /// re-ran it too soon): nothing to send.
    AlreadyRunning(Progress),
}

/// The ledger of one table.
pub struct Ledger {
    client: Client,
    table: String,
}

/// The state item's body.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LedgerState {
    pub source: String,
    pub at: DateTime<Utc>,
    pub units: Vec<Unit>,
}

fn pk(sweep_id: &str) -> String {
    format!("FANOUT#{sweep_id}")
}

fn key(sweep_id: &str, sk: &str) -> HashMap<String, AttributeValue> {
    HashMap::from([
        ("pk".to_string(), AttributeValue::S(pk(sweep_id))),
        ("sk".to_string(), AttributeValue::S(sk.to_string())),
    ])
}

fn progress(item: Option<&HashMap<String, AttributeValue>>) -> Progress {
    let item = item.cloned().unwrap_or_default();
    Progress {
        done: item
            .get("done")
            .and_then(|v| v.as_ss().ok())
            .map_or(0, Vec::len),
        expected: item
            .get("expected")
            .and_then(|v| v.as_n().ok())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0),
    }
}

impl Ledger {
    pub fn new(config: &aws_config::SdkConfig, table: &str) -> Ledger {
        Ledger {
            client: Client::new(config),
            table: table.to_string(),
        }
    }

    fn err(&self, e: impl std::fmt::Display) -> FanoutError {
        FanoutError::Store {
            table: self.table.clone(),
            source: backend(e),
        }
    }

    /// Open the ledger of a sweep. A ledger that is open and younger than `stale_after` is left
    /// alone (`AlreadyRunning`); a closed or abandoned one is reset, so re-running a slot redoes it.
    pub async fn open(
        &self,
        sweep_id: &str,
        state: &LedgerState,
        expires_at: i64,
        now: DateTime<Utc>,
        stale_after: chrono::Duration,
    ) -> Result<Opened, FanoutError> {
        let mut item = key(sweep_id, "STATE");
        item.insert(
            "body".into(),
            AttributeValue::S(serde_json::to_string(state).map_err(|e| self.err(e))?),
        );
        item.insert(
            "expected".into(),
            AttributeValue::N(state.units.len().to_string()),
        );
        item.insert(
            "opened_at".into(),
            AttributeValue::N(now.timestamp().to_string()),
        );
        item.insert(
            "expires_at".into(),
            AttributeValue::N(expires_at.to_string()),
        );
        let out = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression(
                "attribute_not_exists(pk) OR attribute_exists(closed_at) OR opened_at < :stale",
            )
            .expression_attribute_values(
                ":stale",
                AttributeValue::N((now - stale_after).timestamp().to_string()),
            )
            .send()
            .await;
        match out {
            Ok(_) => Ok(Opened::Started),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
            {
                Ok(Opened::AlreadyRunning(self.progress(sweep_id).await?))
            }
            Err(e) => Err(self.err(aws_sdk_dynamodb::error::DisplayErrorContext(e))),
        }
    }

    /// The ledger's state and progress, if it is open or still kept.
    pub async fn state(
        &self,
        sweep_id: &str,
    ) -> Result<Option<(LedgerState, Progress, Option<String>)>, FanoutError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key(sweep_id, "STATE")))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| self.err(aws_sdk_dynamodb::error::DisplayErrorContext(e)))?;
        let Some(item) = out.item() else {
            return Ok(None);
        };
        let body = item
            .get("body")
            .and_then(|v| v.as_s().ok())
            .ok_or_else(|| self.err(format!("{}/STATE has no body", pk(sweep_id))))?;
        let state: LedgerState = serde_json::from_str(body)
            .map_err(|e| self.err(format!("{}/STATE: {e}", pk(sweep_id))))?;
        let closed_at = item.get("closed_at").and_then(|v| v.as_s().ok()).cloned();
        Ok(Some((state, progress(Some(item)), closed_at)))
    }

    async fn progress(&self, sweep_id: &str) -> Result<Progress, FanoutError> {
        Ok(self
            .state(sweep_id)
            .await?
            .map(|(_, p, _)| p)
            .unwrap_or(Progress {
                done: 0,
                expected: 0,
            }))
    }

    /// Store one unit's partial snapshot, compressed and chunked.
    pub async fn record_part(
        &self,
        sweep_id: &str,
        unit: &Unit,
        part: &Snapshot,
        expires_at: i64,
    ) -> Result<(), FanoutError> {
        let json = serde_json::to_vec(part).map_err(|e| self.err(e))?;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(&json).map_err(|e| self.err(e))?;
        let data = gz.finish().map_err(|e| self.err(e))?;
        let digest = hex(&Sha256::digest(&data));
        let chunks: Vec<&[u8]> = data.chunks(CHUNK).collect();
        let mut requests = Vec::with_capacity(chunks.len());
        for (i, chunk) in chunks.iter().enumerate() {
            let mut item = key(sweep_id, &format!("PART#{}#{i:04}", unit.key()));
            item.insert(
                "data".into(),
                AttributeValue::B(aws_sdk_dynamodb::primitives::Blob::new(chunk.to_vec())),
            );
            item.insert("chunks".into(), AttributeValue::N(chunks.len().to_string()));
            item.insert("sha256".into(), AttributeValue::S(digest.clone()));
            item.insert(
                "expires_at".into(),
                AttributeValue::N(expires_at.to_string()),
            );
            let put = PutRequest::builder()
                .set_item(Some(item))
                .build()
                .map_err(|e| self.err(e))?;
            requests.push(WriteRequest::builder().put_request(put).build());
        }
        batch_write(&self.client, &self.table, requests)
            .await
            .map_err(|source| FanoutError::Store {
                table: self.table.clone(),
                source,
            })
    }

    /// Count a unit as finished (idempotent) and say how far the sweep has got.
    pub async fn finish(&self, sweep_id: &str, unit: &Unit) -> Result<Progress, FanoutError> {
        let out = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(sweep_id, "STATE")))
            .update_expression("ADD done :unit")
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_values(":unit", AttributeValue::Ss(vec![unit.key()]))
            .return_values(ReturnValue::AllNew)
            .send()
            .await;
        match out {
            Ok(out) => Ok(progress(out.attributes())),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
            {
                Err(FanoutError::NotOpen(sweep_id.to_string()))
            }
            Err(e) => Err(self.err(aws_sdk_dynamodb::error::DisplayErrorContext(e))),
        }
    }

    /// Claim the close for `closer` (a message id). True for the one claimant, and again for
    /// the same claimant when its message is redelivered.
    pub async fn claim_close(&self, sweep_id: &str, closer: &str) -> Result<bool, FanoutError> {
        let out = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(sweep_id, "STATE")))
            .update_expression("SET closer = :me")
            .condition_expression(
                "attribute_exists(pk) AND attribute_not_exists(closed_at) AND (attribute_not_exists(closer) OR closer = :me)",
            )
            .expression_attribute_values(":me", AttributeValue::S(closer.to_string()))
            .send()
            .await;
        match out {
            Ok(_) => Ok(true),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
            {
                Ok(false)
            }
            Err(e) => Err(self.err(aws_sdk_dynamodb::error::DisplayErrorContext(e))),
        }
    }

    /// Forget an opened ledger whose messages could not all be sent, so a retry of the same
    /// slot opens it afresh instead of waiting on units that were never queued.
    pub async fn abandon(&self, sweep_id: &str) -> Result<(), FanoutError> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key(sweep_id, "STATE")))
            .send()
            .await
            .map_err(|e| self.err(aws_sdk_dynamodb::error::DisplayErrorContext(e)))?;
        Ok(())
    }

    /// Mark the sweep closed once its posture is stored.
    pub async fn mark_closed(&self, sweep_id: &str, at: DateTime<Utc>) -> Result<(), FanoutError> {
        self.client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(sweep_id, "STATE")))
            .update_expression("SET closed_at = :at")
            .expression_attribute_values(":at", AttributeValue::S(at.to_rfc3339()))
            .send()
            .await
            .map_err(|e| self.err(aws_sdk_dynamodb::error::DisplayErrorContext(e)))?;
        Ok(())
    }

    /// Every unit's part, by unit key. A part that cannot be read back (chunks missing, digest
    /// mismatch, not a snapshot) is an error for that unit only.
    pub async fn parts(
        &self,
        sweep_id: &str,
    ) -> Result<BTreeMap<String, Result<Snapshot, String>>, FanoutError> {
        let mut chunks: BTreeMap<String, Vec<Chunk>> = BTreeMap::new();
        let mut start: Option<HashMap<String, AttributeValue>> = None;
        loop {
            let out = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("pk = :pk AND begins_with(sk, :part)")
                .expression_attribute_values(":pk", AttributeValue::S(pk(sweep_id)))
                .expression_attribute_values(":part", AttributeValue::S("PART#".into()))
                .set_exclusive_start_key(start.take())
                .consistent_read(true)
                .send()
                .await
                .map_err(|e| self.err(aws_sdk_dynamodb::error::DisplayErrorContext(e)))?;
            for item in out.items() {
                let sk = item
                    .get("sk")
                    .and_then(|v| v.as_s().ok())
                    .cloned()
                    .unwrap_or_default();
                // PART#<unit key>#<nnnn>
                let Some((unit, index)) = sk
                    .strip_prefix("PART#")
                    .and_then(|rest| rest.rsplit_once('#'))
                else {
                    continue;
                };
                let index = index.parse().unwrap_or(usize::MAX);
                chunks
                    .entry(unit.to_string())
                    .or_default()
                    .push((index, item.clone()));
            }
            match out.last_evaluated_key() {
                Some(k) if !k.is_empty() => start = Some(k.clone()),
                _ => break,
            }
        }
        Ok(chunks
            .into_iter()
            .map(|(unit, mut items)| {
                items.sort_by_key(|(i, _)| *i);
                (unit, reassemble(&items))
            })
            .collect())
    }
}

fn reassemble(items: &[Chunk]) -> Result<Snapshot, String> {
    let first = &items.first().ok_or("no chunks")?.1;
    let count: usize = first
        .get("chunks")
        .and_then(|v| v.as_n().ok())
        .and_then(|n| n.parse().ok())
        .ok_or("chunk 0 has no chunk count")?;
    let digest = first
        .get("sha256")
        .and_then(|v| v.as_s().ok())
        .ok_or("chunk 0 has no digest")?;
    let mut data = Vec::new();
    for want in 0..count {
        let (_, item) = items
            .iter()
            .find(|(i, _)| *i == want)
            .ok_or_else(|| format!("chunk {want} of {count} is missing"))?;
        let blob = item
            .get("data")
            .and_then(|v| v.as_b().ok())
            .ok_or_else(|| format!("chunk {want} has no data"))?;
        data.extend_from_slice(blob.as_ref());
    }
    if hex(&Sha256::digest(&data)) != *digest {
        return Err("digest mismatch (chunks from different runs of the unit)".into());
    }
    let mut json = Vec::new();
    flate2::read::GzDecoder::new(data.as_slice())
        .read_to_end(&mut json)
        .map_err(|e| format!("not gzip: {e}"))?;
    serde_json::from_slice(&json).map_err(|e| format!("not a snapshot: {e}"))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Send one message per unit, ten per SendMessageBatch, retrying entries SQS refuses.
pub async fn send_units(
    sqs: &aws_sdk_sqs::Client,
    queue_url: &str,
    messages: &[UnitMessage],
) -> Result<(), FanoutError> {
    use aws_sdk_sqs::types::SendMessageBatchRequestEntry;
    let queue_err = |message: String| FanoutError::Queue {
        queue: queue_url.to_string(),
        message,
    };
    for batch in messages.chunks(SQS_BATCH) {
        let mut pending: Vec<(String, String)> = batch
            .iter()
            .enumerate()
            .map(|(i, m)| {
                serde_json::to_string(m)
                    .map(|body| (i.to_string(), body))
                    .map_err(|e| queue_err(e.to_string()))
            })
            .collect::<Result<_, _>>()?;
        let mut attempt = 0u32;
        while !pending.is_empty() {
            let entries = pending
                .iter()
                .map(|(id, body)| {
                    SendMessageBatchRequestEntry::builder()
                        .id(id)
                        .message_body(body)
                        .build()
                        .map_err(|e| queue_err(e.to_string()))
                })
                .collect::<Result<Vec<_>, _>>()?;
            let out = sqs
                .send_message_batch()
                .queue_url(queue_url)
                .set_entries(Some(entries))
                .send()
                .await
                .map_err(|e| queue_err(aws_sdk_sqs::error::DisplayErrorContext(e).to_string()))?;
            let failed: Vec<&str> = out.failed().iter().map(|f| f.id()).collect();
            if let Some(f) = out.failed().iter().find(|f| f.sender_fault()) {
                // The request itself is wrong: retrying will not help.
                return Err(queue_err(format!(
                    "message refused: {} {}",
                    f.code(),
                    f.message().unwrap_or_default()
                )));
            }
            pending.retain(|(id, _)| failed.contains(&id.as_str()));
            if !pending.is_empty() {
                attempt += 1;
                if attempt > 5 {
                    return Err(queue_err(format!(
                        "{} messages still refused after 5 retries",
                        pending.len()
                    )));
                }
                tokio::time::sleep(Duration::from_millis(100 << attempt)).await;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_messages_round_trip_and_name_their_unit() {
        let m = UnitMessage {
            sweep_id: "20261204T060000Z-abcd1234".into(),
            at: "2026-12-04T06:00:00Z".parse().unwrap(),
            unit: Unit::Target {
                account: Some("111122223333".into()),
                region: "eu-west-1".into(),
            },
        };
        let text = serde_json::to_string(&m).unwrap();
        assert_eq!(serde_json::from_str::<UnitMessage>(&text).unwrap(), m);
        assert_eq!(m.unit.key(), "target/111122223333/eu-west-1");
        assert_eq!(Unit::Sources.key(), "sources");
        assert!(serde_json::from_str::<UnitMessage>(r#"{"sweep_id":"x"}"#).is_err());
    }

    #[test]
    fn a_part_reassembles_from_its_chunks_and_a_mixed_run_is_refused() {
        let chunk = |i: usize, count: usize, sha: &str, data: &[u8]| {
            (
                i,
                HashMap::from([
                    ("chunks".to_string(), AttributeValue::N(count.to_string())),
                    ("sha256".to_string(), AttributeValue::S(sha.to_string())),
                    (
                        "data".to_string(),
                        AttributeValue::B(aws_sdk_dynamodb::primitives::Blob::new(data.to_vec())),
                    ),
                ]),
            )
        };
        let snapshot = Snapshot::new("aws:us-east-1", "2026-12-04T06:00:00Z".parse().unwrap());
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(&serde_json::to_vec(&snapshot).unwrap())
            .unwrap();
        let data = gz.finish().unwrap();
        let sha = hex(&Sha256::digest(&data));
        let (a, b) = data.split_at(data.len() / 2);
        let back = reassemble(&[chunk(0, 2, &sha, a), chunk(1, 2, &sha, b)]).unwrap();
        assert_eq!(back.source, "aws:us-east-1");
        assert!(
            reassemble(&[chunk(0, 2, &sha, a)])
                .unwrap_err()
                .contains("chunk 1 of 2 is missing")
        );
        assert!(
            reassemble(&[chunk(0, 2, &sha, a), chunk(1, 2, &sha, a)])
                .unwrap_err()
                .contains("digest mismatch")
        );
    }
}
