//! Every spec-audit rule on a document that must fail it and one that must pass it, including the
//! edge cases where apispm is stricter than Spectral; hostile documents get a bounded answer.

use apispm_core::spec_audit::{RULES, audit};

fn hits(rule: &str, doc: &str) -> usize {
    assert!(RULES.iter().any(|r| r.id == rule), "unknown rule {rule}");
    let report = audit("t.yaml", doc);
    assert!(
        report.score.unscored_reason.is_none(),
        "{rule}: {:?}",
        report.score.unscored_reason
    );
    report.findings.iter().filter(|f| f.rule == rule).count()
}

const OAS30: &str = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\n";
const OAS31: &str = "openapi: 3.1.0\ninfo: {title: t, version: '1'}\n";
const SW2: &str = "swagger: '2.0'\ninfo: {title: t, version: '1'}\n";

fn d(head: &str, body: &str) -> String {
    format!("{head}{body}")
}

/// (rule, failing document, passing document)
fn cases() -> Vec<(&'static str, String, String)> {
    let op = |extra: &str| {
        format!("paths:\n  /a:\n    get:\n{extra}      responses: {{'200': {{description: ok}}}}\n")
    };
    vec![
        (
            "SPEC-NO-NUMERIC-IDS",
            d(
                OAS30,
                "paths:\n  /u/{userID}:\n    get:\n      parameters: [{name: userID, in: path, required: true, schema: {type: integer}}]\n      responses: {'200': {description: ok}}\n",
            ),
            d(
                OAS30,
                "paths:\n  /u/{userId}:\n    get:\n      parameters: [{name: userId, in: path, required: true, schema: {type: string, format: uuid}}]\n      responses: {'200': {description: ok}}\n",
            ),
        ),
        (
            "SPEC-NO-HTTP-BASIC",
            d(
                OAS30,
                "paths: {}\ncomponents: {securitySchemes: {b: {type: http, scheme: Basic}}}\n",
            ),
            d(
                OAS30,
                "paths: {}\ncomponents: {securitySchemes: {b: {type: http, scheme: bearer}}}\n",
            ),
        ),
        (
            "SPEC-NO-API-KEYS-IN-URL",
            d(
                OAS30,
                "paths: {}\ncomponents: {securitySchemes: {k: {type: apiKey, in: query, name: key}}}\n",
            ),
            d(
                OAS30,
                "paths: {}\ncomponents: {securitySchemes: {k: {type: apiKey, in: header, name: X-API-Key}}}\n",
            ),
        ),
        (
            "SPEC-NO-CREDENTIALS-IN-URL",
            d(
                OAS30,
                &op(
                    "      parameters: [{name: access_token, in: query, schema: {type: string}}]\n",
                ),
            ),
            d(
                OAS30,
                &op("      parameters: [{name: page, in: query, schema: {type: string}}]\n"),
            ),
        ),
        (
            "SPEC-AUTH-INSECURE-SCHEMES",
            d(
                OAS30,
                "paths: {}\ncomponents: {securitySchemes: {n: {type: http, scheme: negotiate}}}\n",
            ),
            d(
                OAS30,
                "paths: {}\ncomponents: {securitySchemes: {n: {type: http, scheme: bearer}}}\n",
            ),
        ),
        (
            "SPEC-JWT-BEST-PRACTICES",
            d(
                OAS30,
                "paths: {}\ncomponents: {securitySchemes: {j: {type: http, scheme: bearer, bearerFormat: JWT}}}\n",
            ),
            d(
                OAS30,
                "paths: {}\ncomponents: {securitySchemes: {j: {type: http, scheme: bearer, bearerFormat: JWT, description: 'Tokens follow RFC8725'}}}\n",
            ),
        ),
        (
            "SPEC-SHORT-LIVED-TOKENS",
            d(
                OAS30,
                "paths: {}\ncomponents: {securitySchemes: {o: {type: oauth2, flows: {clientCredentials: {tokenUrl: 'https://t', scopes: {}}}}}}\n",
            ),
            d(
                OAS30,
                "paths: {}\ncomponents: {securitySchemes: {o: {type: oauth2, flows: {clientCredentials: {tokenUrl: 'https://t', refreshUrl: 'https://r', scopes: {}}}}}}\n",
            ),
        ),
        // Stricter than Spectral: `security: [{}]` on a POST is anonymous access.
        (
            "SPEC-WRITE-RESTRICTED",
            d(
                OAS30,
                "paths:\n  /a:\n    post:\n      security: [{}]\n      responses: {'200': {description: ok}}\n",
            ),
            d(
                OAS30,
                "security: [{k: []}]\npaths:\n  /a:\n    post:\n      responses: {'200': {description: ok}}\ncomponents: {securitySchemes: {k: {type: apiKey, in: header, name: k}}}\n",
            ),
        ),
        (
            "SPEC-READ-RESTRICTED",
            d(OAS30, &op("      security: []\n")),
            d(OAS30, &op("      security: [{k: []}]\n")),
        ),
        (
            "SPEC-NO-ADDITIONAL-PROPERTIES",
            d(
                OAS30,
                "paths: {}\ncomponents: {schemas: {A: {type: object, additionalProperties: true}}}\n",
            ),
            d(
                OAS30,
                "paths: {}\ncomponents: {schemas: {A: {type: object, additionalProperties: false}}}\n",
            ),
        ),
        (
            "SPEC-CONSTRAINED-ADDITIONAL-PROPERTIES",
            d(
                OAS30,
                "paths: {}\ncomponents: {schemas: {A: {type: object, additionalProperties: {type: string}}}}\n",
            ),
            d(
                OAS30,
                "paths: {}\ncomponents: {schemas: {A: {type: object, maxProperties: 5, additionalProperties: {type: string}}}}\n",
            ),
        ),
        // Stricter than Spectral: a 3.1 type array `[object, 'null']` is still checked.
        (
            "SPEC-NO-UNEVALUATED-PROPERTIES",
            d(
                OAS31,
                "paths: {}\ncomponents: {schemas: {A: {type: [object, 'null'], unevaluatedProperties: true}}}\n",
            ),
            d(
                OAS31,
                "paths: {}\ncomponents: {schemas: {A: {type: object, unevaluatedProperties: false}}}\n",
            ),
        ),
        (
            "SPEC-CONSTRAINED-UNEVALUATED-PROPERTIES",
            d(
                OAS31,
                "paths: {}\ncomponents: {schemas: {A: {type: object, unevaluatedProperties: {type: string}}}}\n",
            ),
            d(
                OAS31,
                "paths: {}\ncomponents: {schemas: {A: {type: object, maxProperties: 3, unevaluatedProperties: {type: string}}}}\n",
            ),
        ),
        // Stricter than Spectral: header names are matched case-insensitively, two sets pass.
        (
            "SPEC-RATE-LIMIT",
            d(
                OAS30,
                "paths:\n  /a:\n    get:\n      responses: {'200': {description: ok}}\n",
            ),
            d(
                OAS30,
                "paths:\n  /a:\n    get:\n      responses: {'200': {description: ok, headers: {x-ratelimit-limit: {schema: {type: integer}}, RateLimit: {schema: {type: string}}}}}\n",
            ),
        ),
        (
            "SPEC-RATE-LIMIT-RETRY-AFTER",
            d(
                OAS30,
                "paths:\n  /a:\n    get:\n      responses: {'429': {description: slow down}}\n",
            ),
            d(
                OAS30,
                "paths:\n  /a:\n    get:\n      responses: {'429': {description: slow down, headers: {Retry-After: {schema: {type: integer}}}}}\n",
            ),
        ),
        (
            "SPEC-RATE-LIMIT-429",
            d(OAS30, &op("")),
            d(
                OAS30,
                "paths:\n  /a:\n    get:\n      responses: {'429': {description: slow, content: {application/json: {schema: {type: object}}}}}\n",
            ),
        ),
        (
            "SPEC-ARRAY-LIMIT",
            d(
                OAS30,
                "paths: {}\ncomponents: {schemas: {L: {type: array, items: {type: string}}}}\n",
            ),
            d(
                OAS30,
                "paths: {}\ncomponents: {schemas: {L: {type: array, maxItems: 10, items: {type: string, maxLength: 5}}}}\n",
            ),
        ),
        (
            "SPEC-STRING-LIMIT",
            d(
                OAS30,
                "paths: {}\ncomponents: {schemas: {S: {type: string}}}\n",
            ),
            d(
                OAS30,
                "paths: {}\ncomponents: {schemas: {S: {type: string, maxLength: 20}}}\n",
            ),
        ),
        (
            "SPEC-STRING-RESTRICTED",
            d(
                OAS30,
                "paths: {}\ncomponents: {schemas: {S: {type: string, maxLength: 20}}}\n",
            ),
            d(
                OAS30,
                "paths: {}\ncomponents: {schemas: {S: {type: string, format: email}}}\n",
            ),
        ),
        (
            "SPEC-INTEGER-LIMIT",
            d(
                OAS31,
                "paths: {}\ncomponents: {schemas: {I: {type: integer, minimum: 1, exclusiveMinimum: 0, maximum: 9}}}\n",
            ),
            d(
                OAS31,
                "paths: {}\ncomponents: {schemas: {I: {type: integer, minimum: 1, exclusiveMaximum: 10}}}\n",
            ),
        ),
        (
            "SPEC-INTEGER-LIMIT-LEGACY",
            d(
                OAS30,
                "paths: {}\ncomponents: {schemas: {I: {type: integer, format: int32, minimum: 1}}}\n",
            ),
            d(
                OAS30,
                "paths: {}\ncomponents: {schemas: {I: {type: integer, format: int32, minimum: 1, maximum: 5}}}\n",
            ),
        ),
        (
            "SPEC-INTEGER-FORMAT",
            d(
                SW2,
                "paths: {}\ndefinitions: {I: {type: integer, minimum: 1, maximum: 5}}\n",
            ),
            d(
                SW2,
                "paths: {}\ndefinitions: {I: {type: integer, format: int64, minimum: 1, maximum: 5}}\n",
            ),
        ),
        // Stricter than Spectral: an admin path inheriting the global requirement is compared.
        (
            "SPEC-ADMIN-SECURITY-UNIQUE",
            d(
                OAS30,
                "security: [{k: []}]\npaths:\n  /admin/users:\n    get: {responses: {'200': {description: ok}}}\n  /users:\n    get: {responses: {'200': {description: ok}}}\n",
            ),
            d(
                OAS30,
                "security: [{k: []}]\npaths:\n  /admin/users:\n    get: {security: [{adm: []}], responses: {'200': {description: ok}}}\n  /users:\n    get: {responses: {'200': {description: ok}}}\n",
            ),
        ),
        (
            "SPEC-CONCERNING-URL-PARAMETER",
            d(
                OAS30,
                &op(
                    "      parameters: [{name: callback_url, in: query, schema: {type: string}}]\n",
                ),
            ),
            d(
                OAS30,
                &op("      parameters: [{name: page, in: query, schema: {type: string}}]\n"),
            ),
        ),
        (
            "SPEC-DEFINE-CORS-ORIGIN",
            d(
                OAS30,
                "paths:\n  /a:\n    get:\n      responses: {'200': {description: ok, headers: {X-Other: {schema: {type: string}}}}}\n",
            ),
            d(
                OAS30,
                "paths:\n  /a:\n    get:\n      responses: {'200': {description: ok, headers: {Access-Control-Allow-Origin: {schema: {type: string}}}}}\n",
            ),
        ),
        (
            "SPEC-NO-SCHEME-HTTP",
            d(SW2, "schemes: [http]\npaths: {}\n"),
            d(SW2, "schemes: [https]\npaths: {}\n"),
        ),
        (
            "SPEC-NO-SERVER-HTTP",
            d(
                OAS30,
                "servers: [{url: 'http://api.example.com'}]\npaths: {}\n",
            ),
            d(
                OAS30,
                "servers: [{url: '/v1'}, {url: 'https://api.example.com'}]\npaths: {}\n",
            ),
        ),
        (
            "SPEC-DEFINE-ERROR-VALIDATION",
            d(OAS30, &op("")),
            d(
                OAS30,
                "paths:\n  /a:\n    get:\n      responses: {'4XX': {description: bad}}\n",
            ),
        ),
        (
            "SPEC-DEFINE-ERROR-401",
            d(
                OAS30,
                "paths:\n  /a:\n    get:\n      responses: {'401': {description: no body}}\n",
            ),
            d(
                OAS30,
                "paths:\n  /a:\n    get:\n      responses: {'401': {description: who, content: {application/json: {schema: {type: object}}}}}\n",
            ),
        ),
        (
            "SPEC-DEFINE-ERROR-500",
            d(OAS30, &op("")),
            d(
                OAS30,
                "paths:\n  /a:\n    get:\n      responses: {'500': {description: oops, content: {application/json: {schema: {type: object}}}}}\n",
            ),
        ),
        (
            "SPEC-INVENTORY-ACCESS",
            d(
                OAS30,
                "servers: [{url: 'https://a', description: production}]\npaths: {}\n",
            ),
            d(
                OAS30,
                "servers: [{url: 'https://a', description: production, x-internal: false}]\npaths: {}\n",
            ),
        ),
        (
            "SPEC-INVENTORY-ENVIRONMENT",
            d(
                OAS30,
                "servers: [{url: 'https://a', x-internal: false}]\npaths: {}\n",
            ),
            d(
                OAS30,
                "servers: [{url: 'https://a', x-internal: false, description: Staging}]\npaths: {}\n",
            ),
        ),
        (
            "SPEC-SECURITY-SCHEMES-DEFINED",
            d(SW2, "paths: {}\n"),
            d(
                SW2,
                "paths: {}\nsecurityDefinitions: {k: {type: apiKey, in: header, name: k}}\n",
            ),
        ),
        (
            "SPEC-GLOBAL-SECURITY",
            d(OAS30, "paths: {}\n"),
            d(
                OAS30,
                "security: [{k: []}]\npaths: {}\ncomponents: {securitySchemes: {k: {type: apiKey, in: header, name: k}}}\n",
            ),
        ),
        (
            "SPEC-SECURITY-REFERENCES",
            d(
                SW2,
                "security: [{k: [read]}]\npaths: {}\nsecurityDefinitions: {k: {type: apiKey, in: header, name: k}}\n",
            ),
            d(
                SW2,
                "security: [{o: [read]}]\npaths: {}\nsecurityDefinitions: {o: {type: oauth2, flow: accessCode, authorizationUrl: 'https://a', tokenUrl: 'https://t', scopes: {read: r}}}\n",
            ),
        ),
        (
            "SPEC-NO-PASSWORD-FLOW",
            d(
                SW2,
                "paths: {}\nsecurityDefinitions: {o: {type: oauth2, flow: password, tokenUrl: 'https://t', scopes: {}}}\n",
            ),
            d(
                SW2,
                "paths: {}\nsecurityDefinitions: {o: {type: oauth2, flow: accessCode, authorizationUrl: 'https://a', tokenUrl: 'https://t', scopes: {}}}\n",
            ),
        ),
        (
            "SPEC-NO-IMPLICIT-FLOW",
            d(
                OAS30,
                "paths: {}\ncomponents: {securitySchemes: {o: {type: oauth2, flows: {implicit: {authorizationUrl: 'https://a', scopes: {}}}}}}\n",
            ),
            d(
                OAS30,
                "paths: {}\ncomponents: {securitySchemes: {o: {type: oauth2, flows: {authorizationCode: {authorizationUrl: 'https://a', tokenUrl: 'https://t', scopes: {}}}}}}\n",
            ),
        ),
        (
            "SPEC-PRODUCES-CONSUMES",
            d(
                SW2,
                "paths:\n  /a:\n    post: {responses: {'200': {description: ok}}}\n",
            ),
            d(
                SW2,
                "consumes: [application/json]\nproduces: [application/json]\npaths:\n  /a:\n    post: {responses: {'200': {description: ok}}}\n",
            ),
        ),
        (
            "SPEC-API-KEY-CLEARTEXT",
            d(
                OAS30,
                "servers: [{url: 'http://a'}]\nsecurity: [{k: []}]\npaths:\n  /a:\n    get: {responses: {'200': {description: ok}}}\ncomponents: {securitySchemes: {k: {type: apiKey, in: header, name: k}}}\n",
            ),
            d(
                OAS30,
                "servers: [{url: 'https://a'}]\nsecurity: [{k: []}]\npaths:\n  /a:\n    get: {responses: {'200': {description: ok}}}\ncomponents: {securitySchemes: {k: {type: apiKey, in: header, name: k}}}\n",
            ),
        ),
    ]
}

#[test]
fn every_rule_fails_its_failing_document_and_passes_its_passing_one() {
    let cases = cases();
    for rule in RULES {
        assert!(
            cases.iter().any(|(id, _, _)| *id == rule.id),
            "rule {} has no test case",
            rule.id
        );
    }
    for (rule, failing, passing) in cases {
        assert!(hits(rule, &failing) > 0, "{rule} should fail:\n{failing}");
        assert_eq!(hits(rule, &passing), 0, "{rule} should pass:\n{passing}");
    }
}

#[test]
fn all_32_spectral_rules_are_referenced() {
    let spectral: std::collections::BTreeSet<&str> = RULES
        .iter()
        .flat_map(|r| r.references.iter())
        .filter(|r| r.standard == "Spectral OWASP")
        .map(|r| r.id)
        .collect();
    assert_eq!(spectral.len(), 32, "{spectral:#?}");
    let checkov: std::collections::BTreeSet<&str> = RULES
        .iter()
        .flat_map(|r| r.references.iter())
        .filter(|r| r.standard == "Checkov")
        .map(|r| r.id)
        .collect();
    assert_eq!(checkov.len(), 21, "{checkov:#?}");
}

#[test]
fn findings_carry_a_pointer_line_and_column() {
    let doc = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\nservers:\n  - url: http://api.example.com\npaths: {}\n";
    let report = audit("s.yaml", doc);
    let f = report
        .findings
        .iter()
        .find(|f| f.rule == "SPEC-NO-SERVER-HTTP")
        .unwrap();
    assert_eq!(f.pointer, "/servers/0/url");
    assert_eq!((f.line, f.column), (Some(4), Some(5)));
}

#[test]
fn invalid_documents_are_gated_not_scored_zero() {
    let r = audit("x.yaml", "openapi: 3.0.0\npaths: [\n");
    assert_eq!(r.score.score, None);
    assert!(r.score.unscored_reason.as_deref().unwrap().contains("line"));
    let r = audit("x.json", "{\"hello\": 1}");
    assert!(
        r.score
            .unscored_reason
            .unwrap()
            .contains("not an OpenAPI document")
    );
}

#[test]
fn scores_saturate_and_normalise_per_operation() {
    let clean = audit(
        "c.yaml",
        &format!(
            "{OAS30}security: [{{k: []}}]\npaths: {{}}\ncomponents: {{securitySchemes: {{k: {{type: apiKey, in: header, name: k}}}}}}\n"
        ),
    );
    assert_eq!(clean.score.score, Some(100.0), "{:#?}", clean.findings);
    let bad = audit(
        "b.yaml",
        &d(
            OAS30,
            "servers: [{url: 'http://a'}]\npaths:\n  /a:\n    post: {responses: {'200': {description: ok}}}\n",
        ),
    );
    let s = bad.score;
    assert!(
        s.security.unwrap() < 15.0 && s.data_validation.unwrap() < 70.0,
        "{s:?}"
    );
    assert!(s.score.unwrap() > 0.0, "saturating: never below 0");
}

#[test]
fn hostile_documents_get_a_bounded_answer() {
    // $ref cycles.
    let cyclic = d(
        OAS30,
        "paths: {}\ncomponents: {schemas: {A: {$ref: '#/components/schemas/B'}, B: {$ref: '#/components/schemas/A'}, N: {type: object, properties: {self: {$ref: '#/components/schemas/N'}}}}}\n",
    );
    let r = audit("c.yaml", &cyclic);
    assert!(r.score.score.is_some());
    // Deep nesting.
    let deep = format!(
        "{{\"openapi\":\"3.0.0\",\"info\":{{}},\"paths\":{{}},\"x\":{}{}}}",
        "[".repeat(5000),
        "]".repeat(5000)
    );
    let r = audit("d.json", &deep);
    assert!(
        r.score.unscored_reason.is_some(),
        "too deep is an error, not a crash"
    );
    // A YAML alias bomb.
    let mut bomb =
        String::from("openapi: 3.0.0\npaths: {}\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        bomb.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n",
            p = i - 1
        ));
    }
    let started = std::time::Instant::now();
    let r = audit("bomb.yaml", &bomb);
    assert!(
        r.score.unscored_reason.is_some(),
        "alias expansion is bounded: {:?}",
        r.score
    );
    assert!(started.elapsed().as_secs() < 5);
    // 50 MB: declined with the reason, fast.
    let huge = format!(
        "{OAS30}paths: {{}}\nx-pad: \"{}\"\n",
        "a".repeat(50 * 1024 * 1024)
    );
    let r = audit("huge.yaml", &huge);
    assert!(r.score.unscored_reason.unwrap().contains("audit limit"));
    // Remote refs are never fetched.
    let remote = d(
        OAS30,
        "paths:\n  /a:\n    get:\n      parameters: [{$ref: 'https://evil.example/p.yaml'}]\n      responses: {'200': {description: ok}}\n",
    );
    assert!(audit("r.yaml", &remote).score.score.is_some());
}
