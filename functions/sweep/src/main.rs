//! The sweep Lambda: configuration validated at cold start, then a sweep per scheduled event, fanned-out units per SQS batch.

use apispm_sweep_fn::{Config, dispatch};
use lambda_runtime::{Error, LambdaEvent, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    tracing_subscriber::fmt()
        .json()
        .with_target(false)
        .without_time()
        .init();
    let config = Config::from_vars(|k| std::env::var(k).ok())
        .map_err(|e| format!("invalid configuration: {e}"))?;
    let config = &config;
    lambda_runtime::run(service_fn(
        move |event: LambdaEvent<serde_json::Value>| async move {
            dispatch(event.payload, config).await
        },
    ))
    .await
}
