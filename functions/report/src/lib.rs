//! The report function: `{"format": "json"|"markdown"|"html", "filters": {...}}` → the latest
//! posture from DynamoDB, rendered by the engine. JSON and Markdown come back inline; HTML is
//! written to the reports bucket (`reports/<sweep>.html` and `latest.html`) and a presigned URL
//! with a short expiry comes back. Errors come back as Lambda errors with an actionable message.

use apispm_aws::DynamoStore;
use apispm_core::render::{self, Format};
use apispm_core::store::Store;
use aws_sdk_s3::presigning::PresigningConfig;
use serde::{Deserialize, Serialize};
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Config {
    pub table: String,
    pub reports_bucket: Option<String>,
    pub url_expiry: Duration,
    /// When set, every report also imports the findings into Security Hub with this product ARN.
    pub securityhub_product_arn: Option<String>,
}

impl Config {
    /// `APISPM_TABLE` is required; `APISPM_REPORTS_BUCKET` enables HTML reports;
    /// `APISPM_URL_EXPIRY_SECONDS` (default 900) bounds the presigned URL.
    pub fn from_vars(get: impl Fn(&str) -> Option<String>) -> Result<Config, String> {
        let table = get("APISPM_TABLE")
            .filter(|t| !t.is_empty())
            .ok_or("APISPM_TABLE is required (the DynamoDB table)")?;
        let expiry = match get("APISPM_URL_EXPIRY_SECONDS") {
            Some(v) => v
                .parse::<u64>()
                .map_err(|_| format!("APISPM_URL_EXPIRY_SECONDS={v}: expected seconds"))?,
            None => 900,
        };
        let import = get("APISPM_SECURITYHUB_IMPORT").is_some_and(|v| v == "true");
        let product = get("APISPM_SECURITYHUB_PRODUCT_ARN").filter(|p| !p.is_empty());
        if import && product.is_none() {
            return Err(
                "APISPM_SECURITYHUB_IMPORT=true needs APISPM_SECURITYHUB_PRODUCT_ARN".into(),
            );
        }
        Ok(Config {
            table,
            reports_bucket: get("APISPM_REPORTS_BUCKET").filter(|b| !b.is_empty()),
            url_expiry: Duration::from_secs(expiry),
            securityhub_product_arn: if import { product } else { None },
        })
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Filters {
    /// Keep endpoints (and their findings) of this service or qualified stage.
    #[serde(default)]
    pub service: Option<String>,
    /// Keep endpoints at or above this risk score.
    #[serde(default)]
    pub min_risk: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    pub format: String,
    #[serde(default)]
    pub filters: Filters,
}

#[derive(Debug, Serialize)]
pub struct Response {
    pub format: String,
    pub sweep_id: String,
    /// Findings imported into Security Hub, when the import is enabled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub imported: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

pub async fn handle(request: Request, cfg: &Config) -> Result<Response, lambda_runtime::Error> {
    let format = match request.format.as_str() {
        "json" => Format::Json,
        "markdown" => Format::Markdown,
        "html" => Format::Html,
        other => return Err(format!("format `{other}`: expected json, markdown or html").into()),
    };
    if format == Format::Html && cfg.reports_bucket.is_none() {
        return Err("HTML reports need APISPM_REPORTS_BUCKET".into());
    }
    let table = cfg.table.clone();
    let (posture, history) = tokio::task::spawn_blocking(move || {
        let store = DynamoStore::open(&table)?;
        Ok::<_, apispm_core::store::StoreError>((store.latest()?, store.history()?))
    })
    .await
    .map_err(|e| e.to_string())?
    .map_err(|e| format!("reading table {}: {e}", cfg.table))?;
    let mut posture = posture.ok_or_else(|| {
        format!(
            "table {} holds no sweep yet: run the sweep function first",
            cfg.table
        )
    })?;
    if let Some(service) = &request.filters.service {
        posture.endpoints.retain(|e| &e.service == service);
    }
    if let Some(min) = request.filters.min_risk {
        posture.endpoints.retain(|e| e.risk_score >= min);
    }
    if request.filters.service.is_some() || request.filters.min_risk.is_some() {
        let kept: std::collections::HashSet<&str> =
            posture.endpoints.iter().map(|e| e.id.as_str()).collect();
        posture
            .findings
            .retain(|f| f.endpoint_id.as_deref().is_some_and(|id| kept.contains(id)));
    }
    let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .load()
        .await;
    let imported = match &cfg.securityhub_product_arn {
        Some(product) => Some(
            import_findings(
                &posture,
                product,
                &aws_sdk_securityhub::Client::new(&config),
            )
            .await?,
        ),
        None => None,
    };
    let body = render::render(
        &posture,
        format,
        &render::Context {
            history,
            asff: None,
        },
    );
    let mut response = Response {
        format: request.format.clone(),
        sweep_id: posture.sweep_id.clone(),
        imported,
        body: None,
        url: None,
    };
    if format != Format::Html {
        response.body = Some(body);
        return Ok(response);
    }
    let bucket = cfg.reports_bucket.clone().unwrap_or_default();
    // Emulators answer on one host: address buckets by path there.
    let s3 = apispm_aws::s3::client(&config, std::env::var_os("AWS_ENDPOINT_URL").is_some());
    let key = format!("reports/{}.html", posture.sweep_id);
    for k in [key.as_str(), "latest.html"] {
        let page = body.clone().into_bytes();
        apispm_aws::s3::write(&s3, &bucket, k, "text/html; charset=utf-8", page).await?;
    }
    let presigned = s3
        .get_object()
        .bucket(&bucket)
        .key(&key)
        .presigned(PresigningConfig::expires_in(cfg.url_expiry).map_err(|e| e.to_string())?)
        .await
        .map_err(|e| format!("presigning s3://{bucket}/{key}: {e}"))?;
    response.url = Some(presigned.uri().to_string());
    Ok(response)
}

/// Import the posture's findings (open and resolved, so Security Hub archives what was fixed)
/// with BatchImportFindings, 100 at a time. The ASFF documents come from the engine's renderer;
/// ids are stable, so a re-import updates the same findings.
pub async fn import_findings(
    posture: &apispm_core::posture::Posture,
    product_arn: &str,
    client: &aws_sdk_securityhub::Client,
) -> Result<usize, lambda_runtime::Error> {
    use aws_sdk_securityhub::types::{
        AwsSecurityFinding, Compliance, ComplianceStatus, Partition, Recommendation, RecordState,
        Remediation, Resource, Severity, SeverityLabel, Workflow, WorkflowStatus,
    };
    // arn:aws:securityhub:<region>:<account>:product/<account>/default
    let parts: Vec<&str> = product_arn.split(':').collect();
    let (region, account) = (
        parts.get(3).copied().unwrap_or("us-east-1"),
        parts.get(4).copied().unwrap_or("000000000000"),
    );
    let mut target = apispm_core::render::asff::AsffTarget::default_for(account, region);
    target.product_arn = product_arn.to_string();
    let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
    let findings: Vec<AwsSecurityFinding> = apispm_core::render::asff::findings(posture, &target)
        .iter()
        .map(|f| {
            let r = &f["Resources"][0];
            AwsSecurityFinding::builder()
                .schema_version(text(&f["SchemaVersion"]))
                .id(text(&f["Id"]))
                .product_arn(text(&f["ProductArn"]))
                .generator_id(text(&f["GeneratorId"]))
                .aws_account_id(text(&f["AwsAccountId"]))
                .types(text(&f["Types"][0]))
                .first_observed_at(text(&f["FirstObservedAt"]))
                .last_observed_at(text(&f["LastObservedAt"]))
                .created_at(text(&f["CreatedAt"]))
                .updated_at(text(&f["UpdatedAt"]))
                .severity(
                    Severity::builder()
                        .label(SeverityLabel::from(
                            f["Severity"]["Label"].as_str().unwrap_or("INFORMATIONAL"),
                        ))
                        .build(),
                )
                .title(text(&f["Title"]))
                .description(text(&f["Description"]))
                .remediation(
                    Remediation::builder()
                        .recommendation(
                            Recommendation::builder()
                                .text(text(&f["Remediation"]["Recommendation"]["Text"]))
                                .build(),
                        )
                        .build(),
                )
                .resources(
                    Resource::builder()
                        .r#type(text(&r["Type"]))
                        .id(text(&r["Id"]))
                        .partition(Partition::Aws)
                        .region(text(&r["Region"]))
                        .build(),
                )
                .compliance(
                    Compliance::builder()
                        .status(ComplianceStatus::from(
                            f["Compliance"]["Status"].as_str().unwrap_or("WARNING"),
                        ))
                        .build(),
                )
                .workflow(
                    Workflow::builder()
                        .status(WorkflowStatus::from(
                            f["Workflow"]["Status"].as_str().unwrap_or("NEW"),
                        ))
                        .build(),
                )
                .record_state(RecordState::from(
                    f["RecordState"].as_str().unwrap_or("ACTIVE"),
                ))
                .build()
        })
        .collect();
    let mut imported = 0usize;
    for batch in findings.chunks(100) {
        let out = client
            .batch_import_findings()
            .set_findings(Some(batch.to_vec()))
            .send()
            .await
            .map_err(|e| {
                format!(
                    "Security Hub BatchImportFindings: {}",
                    aws_sdk_securityhub::error::DisplayErrorContext(e)
                )
            })?;
        if let Some(n) = out.failed_count().filter(|n| *n > 0) {
            let first = out
                .failed_findings()
                .first()
                .and_then(|f| f.error_message())
                .unwrap_or("unknown error")
                .to_string();
            return Err(format!("Security Hub refused {n} findings: {first}").into());
        }
        imported += out.success_count().unwrap_or(0) as usize;
    }
    Ok(imported)
}
