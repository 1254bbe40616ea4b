//! The report Lambda: configuration validated at cold start, then one report per invocation.

use apispm_report_fn::{Config, Request, handle};
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
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Request>| async move {
        handle(event.payload, config).await
    }))
    .await
}
