//! input_validation: requests are validated against a schema before they reach the backend.
//!
//! Evidence: the seed sample's `has_schema_validation`; else the spec — an operation with no
//! input needs no validation, one whose every input declares a schema is validated as declared.

use super::{Control, EndpointFacts, Evaluation, Reference, evaluate_with};
use crate::gateway::GatewayEndpoint;
use crate::model::{ControlState, Severity};
use crate::snapshot::{SpecOperation, TrafficSample};

pub static CONTROL: Control = Control {
    id: "input_validation",
    title: "Requests are validated against a schema",
    severity: Severity::High,
    required: true,
    evidence: "Observed: the sample's schema-validation flag. Declared: every parameter and request \
               body of the operation has a schema (enforcement by the gateway is verified by the \
               AWS collectors, not here).",
    remediation: "Declare a schema for every parameter and request body, with bounds (maxLength, \
                  maximum, enum, pattern), and enable request validation at the gateway \
                  (API Gateway request validators).",
    references: &[
        Reference {
            standard: "OWASP API Top 10 2023",
            id: "API8:2023",
        },
        Reference {
            standard: "Spectral OWASP",
            id: "owasp:api4:2023-string-restricted",
        },
    ],
    evaluate,
};

fn evaluate(facts: &EndpointFacts) -> Evaluation {
    evaluate_with(facts, from_gateway, from_sample, from_spec)
}

fn from_gateway(g: &GatewayEndpoint) -> Option<(ControlState, String)> {
    if !g.validation_supported {
        return Some((
            ControlState::Absent,
            format!("{} APIs have no request validation", g.kind.as_str()),
        ));
    }
    Some(match g.validated {
        None => (
            ControlState::NotApplicable,
            "the deployed method takes no input".into(),
        ),
        Some(true) => (
            ControlState::Present,
            "a request validator checks the deployed method".into(),
        ),
        Some(false) => (
            ControlState::Absent,
            "no request validator on the deployed method".into(),
        ),
    })
}

fn from_sample(s: &TrafficSample) -> Option<(ControlState, String)> {
    match s.has_schema_validation? {
        true => Some((
            ControlState::Present,
            "request was validated against a schema".into(),
        )),
        false => Some((
            ControlState::Absent,
            "request was not validated against a schema".into(),
        )),
    }
}

fn from_spec(op: &SpecOperation) -> Option<(ControlState, String)> {
    Some(if !op.has_inputs {
        (
            ControlState::NotApplicable,
            "operation takes no input".into(),
        )
    } else if op.inputs_have_schemas {
        (
            ControlState::Present,
            "every input declares a schema".into(),
        )
    } else {
        (ControlState::Absent, "an input declares no schema".into())
    })
}
