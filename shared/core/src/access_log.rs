//! API Gateway access logs, streamed: layout detection by content, decoding, and line parsing.
//!
//! Layouts (`reference/aws-apigateway-controls.md` §7.5), detected from the bytes, never from the
//! file name: gzip (a multi-member gzip of CloudWatch Logs envelopes as Firehose writes them, or
//! gzip'd text, possibly under an extra outer gzip), CloudWatch Logs envelopes (`messageType`,
//! `logEvents[]`; `CONTROL_MESSAGE` skipped), and raw lines straight from Firehose or files.
//!
//! Line formats: JSON with any keys (mapped from the stage's `accessLogSettings.format` when it is
//! known, else recognized by key names), and CLF, CSV, XML — the console presets for REST and HTTP
//! APIs, or any custom format string, compiled to a pattern. `-` is null; `requestTime` is
//! `dd/MMM/yyyy:HH:mm:ss Z`.
//!
//! Memory stays flat: one envelope or one line at a time, whatever the object's size.

use chrono::{DateTime, Utc};
use regex::Regex;
use serde::Deserialize;
use std::borrow::Cow;
use std::io::{BufRead, BufReader, Read};

/// One log line and where it came from.
#[derive(Debug)]
pub struct LogLine<'a> {
    pub text: &'a str,
    /// Line number, or (envelope, event) numbers: formatted only when reported.
    pub position: Position,
    /// The CloudWatch Logs group the envelope names, which ties the line to a stage.
    pub log_group: Option<&'a str>,
}

#[derive(Debug, Clone, Copy)]
pub enum Position {
    Line(u64),
    Event { envelope: u64, event: u64 },
}

impl LogLine<'_> {
    /// `line 12`, or `envelope 3, event 7`.
    pub fn location(&self) -> String {
        match self.position {
            Position::Line(n) => format!("line {n}"),
            Position::Event { envelope, event } => format!("envelope {envelope}, event {event}"),
        }
    }
}

#[derive(Debug, Default, Clone, PartialEq)]
pub struct ReadStats {
    pub lines: u64,
    pub control_messages: u64,
    /// Bytes of log text after decompression.
    pub bytes: u64,
    pub layout: &'static str,
}

#[derive(Debug, thiserror::Error)]
#[error("{location}: {message}")]
pub struct LogReadError {
    pub location: String,
    pub message: String,
    /// What was read before the error (it still counts).
    pub stats: ReadStats,
}

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
const BUFFER: usize = 256 * 1024;

/// Read one log object, calling `on_line` for every access-log line in it.
pub fn read_log<'r, R: Read + 'r>(
    reader: R,
    mut on_line: impl FnMut(LogLine<'_>),
) -> Result<ReadStats, LogReadError> {
    let mut reader: Box<dyn BufRead + 'r> = Box::new(BufReader::with_capacity(BUFFER, reader));
    let mut layers = 0;
    loop {
        let head =
            peek(&mut reader, 2).map_err(|e| err("start", e.to_string(), ReadStats::default()))?;
        if head.starts_with(&GZIP_MAGIC) && layers < 3 {
            layers += 1;
            reader = Box::new(BufReader::with_capacity(
                BUFFER,
                flate2::bufread::MultiGzDecoder::new(reader),
            ));
            continue;
        }
        break;
    }
    let head = peek(&mut reader, 4096).map_err(|e| {
        err(
            "start",
            format!("not a readable gzip or text stream: {e}"),
            ReadStats::default(),
        )
    })?;
    let first = head
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .map(|i| head[i]);
    let is_envelope = first == Some(b'{') && contains(&head, b"\"messageType\"");
    let gz = if layers > 0 { "gzip, " } else { "" };
    if is_envelope {
        read_envelopes(
            reader,
            if layers > 0 {
                "gzip, CloudWatch Logs envelopes"
            } else {
                "CloudWatch Logs envelopes"
            },
            &mut on_line,
        )
    } else {
        let _ = gz;
        read_lines(
            reader,
            if layers > 0 { "gzip, lines" } else { "lines" },
            &mut on_line,
        )
    }
}

fn err(location: &str, message: String, stats: ReadStats) -> LogReadError {
    LogReadError {
        location: location.to_string(),
        message,
        stats,
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// Look at up to `n` bytes without consuming them (fills the buffer as far as one read goes).
fn peek(reader: &mut Box<dyn BufRead + '_>, n: usize) -> std::io::Result<Vec<u8>> {
    let buf = reader.fill_buf()?;
    Ok(buf[..buf.len().min(n)].to_vec())
}

fn read_lines(
    mut reader: Box<dyn BufRead + '_>,
    layout: &'static str,
    on_line: &mut impl FnMut(LogLine<'_>),
) -> Result<ReadStats, LogReadError> {
    let mut stats = ReadStats {
        layout,
        ..ReadStats::default()
    };
    let mut buf = Vec::with_capacity(4096);
    let mut n = 0u64;
    loop {
        buf.clear();
        match reader.read_until(b'\n', &mut buf) {
            Ok(0) => return Ok(stats),
            Ok(read) => {
                n += 1;
                stats.bytes += read as u64;
                // Validate as UTF-8 first (fast); only a broken line pays for the lossy copy.
                let text: Cow<'_, str> = match std::str::from_utf8(&buf) {
                    Ok(t) => Cow::Borrowed(t),
                    Err(_) => String::from_utf8_lossy(&buf),
                };
                let text = text.trim_end_matches(['\n', '\r']);
                if text.trim().is_empty() {
                    continue;
                }
                stats.lines += 1;
                on_line(LogLine {
                    text,
                    position: Position::Line(n),
                    log_group: None,
                });
            }
            Err(e) => {
                return Err(err(
                    &format!("after line {n}"),
                    format!("cannot decompress or read: {e}"),
                    stats,
                ));
            }
        }
    }
}

#[derive(Deserialize)]
struct Envelope {
    #[serde(rename = "messageType")]
    message_type: String,
    #[serde(rename = "logGroup", default)]
    log_group: Option<String>,
    #[serde(rename = "logEvents", default)]
    log_events: Vec<Event>,
}

#[derive(Deserialize)]
struct Event {
    #[serde(default)]
    message: String,
}

fn read_envelopes(
    mut reader: Box<dyn BufRead + '_>,
    layout: &'static str,
    on_line: &mut impl FnMut(LogLine<'_>),
) -> Result<ReadStats, LogReadError> {
    // Envelopes are concatenated JSON objects of at most a few MB (a CloudWatch batch). A cheap
    // byte scan (strings, escapes, nesting) finds where each one ends, so each is parsed exactly
    // once, from a window of the decompressed stream that slides: memory stays at about one
    // envelope, whatever the object's size.
    let mut stats = ReadStats {
        layout,
        ..ReadStats::default()
    };
    let mut window: Vec<u8> = Vec::with_capacity(BUFFER * 4);
    let mut scan = EnvelopeScan::default();
    let mut n = 0u64;
    let mut chunk = vec![0u8; BUFFER];
    loop {
        while let Some(found) = scan.next(&window) {
            let (from, to) = match found {
                Ok(span) => span,
                Err(at) => {
                    let shown = String::from_utf8_lossy(&window[at..window.len().min(at + 40)]);
                    return Err(err(
                        &format!("envelope {}", n + 1),
                        format!("not a CloudWatch Logs envelope: unexpected `{shown}`"),
                        stats,
                    ));
                }
            };
            n += 1;
            let envelope: Envelope = serde_json::from_slice(&window[from..to]).map_err(|e| {
                let message = if e.is_data() {
                    format!("not a CloudWatch Logs envelope: {e}")
                } else {
                    format!("malformed envelope: {e}")
                };
                err(&format!("envelope {n}"), message, stats.clone())
            })?;
            if envelope.message_type == "CONTROL_MESSAGE" {
                stats.control_messages += 1;
                continue;
            }
            for (i, event) in envelope.log_events.iter().enumerate() {
                stats.lines += 1;
                stats.bytes += event.message.len() as u64 + 1;
                on_line(LogLine {
                    text: event.message.trim_end_matches(['\n', '\r']),
                    position: Position::Event {
                        envelope: n,
                        event: i as u64 + 1,
                    },
                    log_group: envelope.log_group.as_deref(),
                });
            }
        }
        // Slide: drop what was parsed, read the next chunk.
        let consumed = scan.consumed();
        window.drain(..consumed);
        scan.shift(consumed);
        match reader.read(&mut chunk) {
            Ok(0) if scan.inside() => {
                return Err(err(
                    &format!("envelope {}", n + 1),
                    "truncated envelope: the stream ends inside it".into(),
                    stats,
                ));
            }
            Ok(0) => return Ok(stats),
            Ok(read) => window.extend_from_slice(&chunk[..read]),
            Err(e) => {
                return Err(err(
                    &format!("envelope {}", n + 1),
                    format!("cannot decompress or read: {e}"),
                    stats,
                ));
            }
        }
    }
}

/// Where concatenated JSON objects end, found by tracking strings, escapes and nesting across
/// reads. It does not validate JSON: the parser of each object does.
#[derive(Debug, Default)]
struct EnvelopeScan {
    /// Next byte to look at.
    at: usize,
    /// Start of the object being scanned, when inside one.
    start: Option<usize>,
    depth: u32,
    in_string: bool,
    escaped: bool,
}

impl EnvelopeScan {
    /// The next complete object as `Ok((start, end))`, `Err(position)` for a byte that cannot
    /// start one, `None` when the window ends first.
    fn next(&mut self, window: &[u8]) -> Option<Result<(usize, usize), usize>> {
        while self.at < window.len() {
            let b = window[self.at];
            self.at += 1;
            if self.start.is_none() {
                match b {
                    b'{' => {
                        self.start = Some(self.at - 1);
                        self.depth = 1;
                    }
                    b if b.is_ascii_whitespace() => {}
                    _ => return Some(Err(self.at - 1)),
                }
                continue;
            }
            if self.in_string {
                if self.escaped {
                    self.escaped = false;
                } else if b == b'\\' {
                    self.escaped = true;
                } else if b == b'"' {
                    self.in_string = false;
                } else {
                    // Skip to the next quote or backslash: strings are most of an envelope.
                    self.at = memchr::memchr2(b'"', b'\\', &window[self.at..])
                        .map_or(window.len(), |p| self.at + p);
                }
                continue;
            }
            match b {
                b'"' => self.in_string = true,
                b'{' | b'[' => self.depth += 1,
                b'}' | b']' => {
                    self.depth = self.depth.saturating_sub(1);
                    if self.depth == 0 {
                        let start = self.start.take().unwrap_or(0);
                        return Some(Ok((start, self.at)));
                    }
                }
                _ => {}
            }
        }
        None
    }

    /// Bytes the window can drop: everything before the object being scanned.
    fn consumed(&self) -> usize {
        self.start.unwrap_or(self.at)
    }

    fn shift(&mut self, by: usize) {
        self.at -= by;
        if let Some(s) = &mut self.start {
            *s -= by;
        }
    }

    fn inside(&self) -> bool {
        self.start.is_some()
    }
}

// ------------------------------------------------------------------------- line formats

/// The access-log fields apispm reads, named after their `$context` variables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    RequestId,
    SourceIp,
    RequestTime,
    RequestTimeEpoch,
    HttpMethod,
    ResourcePath,
    RouteKey,
    Path,
    Status,
    Principal,
    User,
    Caller,
    ApiId,
    Stage,
    DomainName,
    BasePathMatched,
    Claim,
    /// Fields that are neither identity nor data (latencies, lengths, protocol, user agent).
    Metric,
    Other,
}

impl Field {
    /// The field a `$context` variable fills.
    pub fn of_variable(var: &str) -> Field {
        let v = var.trim_start_matches("$context.");
        match v {
            "requestId" | "extendedRequestId" => Field::RequestId,
            "identity.sourceIp" => Field::SourceIp,
            "requestTime" => Field::RequestTime,
            "requestTimeEpoch" => Field::RequestTimeEpoch,
            "httpMethod" => Field::HttpMethod,
            "resourcePath" => Field::ResourcePath,
            "routeKey" => Field::RouteKey,
            "path" => Field::Path,
            "status" => Field::Status,
            "authorizer.principalId" | "authorizer.claims.sub" => Field::Principal,
            "identity.user" | "identity.userArn" | "identity.cognitoIdentityId" => Field::User,
            "identity.caller" => Field::Caller,
            "apiId" => Field::ApiId,
            "stage" => Field::Stage,
            "domainName" => Field::DomainName,
            "protocol"
            | "responseLength"
            | "responseLatency"
            | "integrationLatency"
            | "integrationStatus"
            | "identity.userAgent"
            | "integration.latency"
            | "integration.status"
            | "wafResponseCode" => Field::Metric,
            "customDomain.basePathMatched" => Field::BasePathMatched,
            v if v.starts_with("authorizer.claims.") || v.starts_with("authorizer.") => {
                Field::Claim
            }
            _ => Field::Other,
        }
    }

    /// Guess a JSON key's field from its name, for logs whose format string is unknown (the
    /// console presets' keys and common custom names).
    pub fn of_key(key: &str) -> Field {
        let k = key.to_ascii_lowercase().replace(['_', '-', '.'], "");
        match k.as_str() {
            "requestid" | "extendedrequestid" | "reqid" => Field::RequestId,
            "useragent" | "identityuseragent" | "protocol" | "responselength"
            | "integrationlatency" | "responselatency" | "integrationstatus" | "latency" => {
                Field::Metric
            }
            "ip" | "sourceip" | "clientip" | "identitysourceip" => Field::SourceIp,
            "requesttime" | "time" => Field::RequestTime,
            "requesttimeepoch" | "timestamp" | "epoch" => Field::RequestTimeEpoch,
            "httpmethod" | "method" => Field::HttpMethod,
            "resourcepath" | "resource" => Field::ResourcePath,
            "routekey" | "route" => Field::RouteKey,
            "path" | "requestpath" | "uri" => Field::Path,
            "status" | "statuscode" | "httpstatus" => Field::Status,
            "principalid" | "principal" | "authorizerprincipalid" | "sub" => Field::Principal,
            "user" | "identityuser" | "userarn" => Field::User,
            "caller" | "identitycaller" => Field::Caller,
            "apiid" => Field::ApiId,
            "stage" => Field::Stage,
            "domainname" | "domain" => Field::DomainName,
            "basepathmatched" => Field::BasePathMatched,
            k if k.starts_with("claim") || k.starts_with("authorizer") => Field::Claim,
            _ => Field::Other,
        }
    }

    /// `of_key`, remembered per thread: keys repeat on every line of a log.
    pub fn of_key_cached(key: &str) -> Field {
        thread_local! {
            static CACHE: std::cell::RefCell<std::collections::HashMap<String, Field>> = Default::default();
        }
        CACHE.with(|c| {
            if let Some(f) = c.borrow().get(key) {
                return *f;
            }
            let f = Field::of_key(key);
            let mut cache = c.borrow_mut();
            if cache.len() < 4096 {
                cache.insert(key.to_string(), f);
            }
            f
        })
    }

    /// Fields whose values never hold sensitive data worth scanning.
    fn is_structural(self) -> bool {
        matches!(
            self,
            Field::RequestId
                | Field::RequestTime
                | Field::RequestTimeEpoch
                | Field::HttpMethod
                | Field::Status
                | Field::ApiId
                | Field::Stage
                | Field::ResourcePath
                | Field::RouteKey
                | Field::Metric
        )
    }
}

/// How the lines of one log are laid out.
#[derive(Debug, Clone)]
pub enum LineFormat {
    /// JSON object per line; key → field (from the stage's format), else guessed per key.
    Json { keys: Vec<(String, Field)> },
    /// A non-JSON format string compiled to a pattern: one capture group per variable.
    Pattern {
        regex: Regex,
        fields: Vec<Field>,
        xml: bool,
        name: String,
        /// The same format as literal separators, when splitting on them gives exactly the
        /// regex's answer for every line it splits (CLF); the regex handles the rest.
        splitter: Option<Splitter>,
    },
}

/// A format string as `prefix VAR sep VAR sep … VAR suffix`, matched by finding each separator
/// in turn, in the regex's order of preference, without the cost of its capture engine. A line
/// it splits is split as the regex would split it; past a few tries it leaves the line to the
/// regex.
#[derive(Debug, Clone)]
pub struct Splitter {
    prefix: String,
    /// Per variable: whether it never holds whitespace, and the literal after it.
    parts: Vec<(bool, String)>,
    /// Per variable, the literal's searcher, built once.
    finders: Vec<memchr::memmem::Finder<'static>>,
}

impl Splitter {
    /// Every variable but the last must be followed by a non-empty literal: two variables side
    /// by side have no separator to find.
    fn new(prefix: &str, parts: Vec<(bool, String)>) -> Option<Splitter> {
        let last = parts.len().checked_sub(1)?;
        if parts[..last].iter().any(|(_, after)| after.is_empty()) {
            return None;
        }
        Some(Splitter {
            prefix: prefix.to_string(),
            finders: parts
                .iter()
                .map(|(_, after)| memchr::memmem::Finder::new(after.as_bytes()).into_owned())
                .collect(),
            parts,
        })
    }

    /// Split `line` into `out` as the regex would: candidates for each variable in the regex's
    /// order of preference (lazy: the literal's first occurrence first; spaceless greedy: the last
    /// within the run first), backtracking when the rest does not follow. The search covers what
    /// the regex would try, so `NoMatch` means the regex does not match either; past a bounded
    /// number of tries it gives up and the regex decides.
    fn split<'a>(&self, line: &'a str, out: &mut Vec<&'a str>) -> Split {
        out.clear();
        let Some(rest) = line.strip_prefix(self.prefix.as_str()) else {
            return Split::NoMatch;
        };
        let mut search = Search {
            text: rest,
            budget: 4096,
            failed: Vec::new(),
        };
        if self.split_from(0, 0, out, &mut search) {
            Split::Done
        } else if search.budget == 0 {
            Split::GaveUp
        } else {
            Split::NoMatch
        }
    }

    /// Variables `i..` from byte `at` of the text. A (variable, position) that failed once
    /// fails again, so it is remembered: the search stays polynomial, as the regex's does.
    fn split_from<'a>(
        &self,
        i: usize,
        at: usize,
        out: &mut Vec<&'a str>,
        search: &mut Search<'a>,
    ) -> bool {
        let rest = &search.text[at..];
        let Some((spaceless, after)) = self.parts.get(i) else {
            return rest.is_empty();
        };
        if search.budget == 0 || search.has_failed(i, at) {
            return false;
        }
        search.budget -= 1;
        if i == self.parts.len() - 1 {
            // Anchored at the end: the value is what comes before the suffix.
            return match rest.strip_suffix(after.as_str()) {
                Some(value) if !(*spaceless && value.contains(char::is_whitespace)) => {
                    out.push(value);
                    true
                }
                _ => false,
            };
        }
        let finder = &self.finders[i];
        let attempt = |end: usize, out: &mut Vec<&'a str>, search: &mut Search<'a>| {
            out.push(&rest[..end]);
            if self.split_from(i + 1, at + end + after.len(), out, search) {
                return true;
            }
            out.truncate(i);
            false
        };
        let found = if *spaceless {
            // Greedy `\S*`: where the literal starts within the run of non-whitespace (the
            // literal itself may run past it), longest first.
            let run = match rest
                .bytes()
                .position(|b| b == b' ' || (b'\t'..=b'\r').contains(&b) || b >= 0x80)
            {
                // Past ASCII, Unicode whitespace (as the regex's `\S` knows it) decides.
                Some(p) if rest.as_bytes()[p] >= 0x80 => {
                    p + rest[p..]
                        .find(char::is_whitespace)
                        .unwrap_or(rest.len() - p)
                }
                Some(p) => p,
                None => rest.len(),
            };
            let mut ends: Vec<usize> = occurrences(rest, finder)
                .take_while(|e| *e <= run)
                .collect();
            ends.reverse();
            ends.into_iter().any(|end| attempt(end, out, search))
        } else {
            // Lazy `.*?`: the literal's occurrences, first first.
            occurrences(rest, finder).any(|end| attempt(end, out, search))
        };
        if !found {
            search.mark_failed(i, at, self.parts.len());
        }
        found
    }
}

/// The state of one line's split: the text after the prefix, tries left, and the (variable,
/// position) pairs known to fail.
struct Search<'a> {
    text: &'a str,
    budget: u32,
    failed: Vec<bool>,
}

impl Search<'_> {
    fn has_failed(&self, i: usize, at: usize) -> bool {
        self.failed
            .get(i * (self.text.len() + 1) + at)
            .copied()
            .unwrap_or(false)
    }

    fn mark_failed(&mut self, i: usize, at: usize, parts: usize) {
        if self.failed.is_empty() {
            // Only lines that backtrack pay for the table.
            self.failed = vec![false; parts * (self.text.len() + 1)];
        }
        if let Some(f) = self.failed.get_mut(i * (self.text.len() + 1) + at) {
            *f = true;
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Split {
    Done,
    NoMatch,
    GaveUp,
}

/// Every place the finder's literal starts in `hay`, overlapping ones included, in order. (A
/// UTF-8 literal only matches at character boundaries.)
fn occurrences<'h>(
    hay: &'h str,
    finder: &'h memchr::memmem::Finder<'static>,
) -> impl Iterator<Item = usize> + 'h {
    let mut from = 0;
    std::iter::from_fn(move || {
        let at = from + finder.find(hay.as_bytes().get(from..)?)?;
        from = at + 1;
        Some(at)
    })
}

impl LineFormat {
    /// Compile a stage's `accessLogSettings.format`.
    pub fn from_context_format(format: &str) -> Result<LineFormat, String> {
        let trimmed = format.trim();
        if trimmed.starts_with('{') {
            // A JSON format: the keys and the variables they carry.
            let re = Regex::new(r#""([^"]+)"\s*:\s*"?(\$context\.[A-Za-z0-9_.]+)"#)
                .map_err(|e| e.to_string())?;
            let keys: Vec<(String, Field)> = re
                .captures_iter(trimmed)
                .map(|c| (c[1].to_string(), Field::of_variable(&c[2])))
                .collect();
            if keys.is_empty() {
                return Err("a JSON access-log format without $context variables".into());
            }
            return Ok(LineFormat::Json { keys });
        }
        let var = Regex::new(r"\$context\.[A-Za-z0-9_.]+").map_err(|e| e.to_string())?;
        let mut pattern = String::from("^");
        let mut fields = Vec::new();
        let mut last = 0;
        let mut prefix = None;
        let mut parts: Vec<(bool, String)> = Vec::new();
        for m in var.find_iter(trimmed) {
            let literal = &trimmed[last..m.start()];
            pattern.push_str(&regex::escape(literal));
            match parts.last_mut() {
                Some(part) => part.1 = literal.to_string(),
                None => prefix = Some(literal.to_string()),
            }
            fields.push(Field::of_variable(m.as_str()));
            // Variables that never hold a space match `\S*`, so a route key like
            // `POST /orders` (which has one) still splits right; the others are lazy.
            let var_name = m.as_str().trim_start_matches("$context.");
            let spaceless = matches!(
                var_name,
                "httpMethod"
                    | "protocol"
                    | "status"
                    | "responseLength"
                    | "requestId"
                    | "extendedRequestId"
                    | "identity.sourceIp"
                    | "requestTimeEpoch"
                    | "apiId"
                    | "stage"
                    | "responseLatency"
                    | "integrationLatency"
                    | "integrationStatus"
                    | "domainName"
            );
            pattern.push_str(if spaceless { r"(\S*)" } else { "(.*?)" });
            parts.push((spaceless, String::new()));
            last = m.end();
        }
        pattern.push_str(&regex::escape(&trimmed[last..]));
        if let Some(part) = parts.last_mut() {
            part.1 = trimmed[last..].to_string();
        }
        pattern.push('$');
        if fields.is_empty() {
            return Err("an access-log format without $context variables".into());
        }
        let regex = Regex::new(&pattern).map_err(|e| e.to_string())?;
        let xml = trimmed.starts_with('<');
        let name = if xml {
            "XML"
        } else if trimmed.contains(',') && !trimmed.contains(' ') {
            "CSV"
        } else {
            "CLF"
        };
        Ok(LineFormat::Pattern {
            regex,
            fields,
            xml,
            name: name.into(),
            splitter: prefix.and_then(|p| Splitter::new(&p, parts)),
        })
    }

    /// Recognize a line's format when the stage's format string is unknown: JSON by its first
    /// byte, else the console presets (REST and HTTP; CLF, CSV, XML).
    pub fn detect(line: &str) -> Option<LineFormat> {
        if line.trim_start().starts_with('{') {
            // Learn the keys from this line: later lines of the same log keep them in order.
            let keys = serde_json::from_str::<Pairs<'_>>(line)
                .map(|p| {
                    p.0.into_iter()
                        .map(|(k, _)| {
                            let f = Field::of_key(&k);
                            (k.into_owned(), f)
                        })
                        .collect()
                })
                .unwrap_or_default();
            return Some(LineFormat::Json { keys });
        }
        PRESETS
            .iter()
            .filter_map(|p| LineFormat::from_context_format(p).ok())
            .find(|f| matches!(f, LineFormat::Pattern { regex, .. } if regex.is_match(line)))
    }

    pub fn name(&self) -> &str {
        match self {
            LineFormat::Json { .. } => "JSON",
            LineFormat::Pattern { name, .. } => name,
        }
    }
}

/// The console presets (reference §7.3), most specific first.
pub const PRESETS: &[&str] = &[
    r#"$context.identity.sourceIp $context.identity.caller $context.identity.user [$context.requestTime] "$context.httpMethod $context.resourcePath $context.protocol" $context.status $context.responseLength $context.requestId $context.extendedRequestId"#,
    r#"$context.identity.sourceIp - - [$context.requestTime] "$context.httpMethod $context.routeKey $context.protocol" $context.status $context.responseLength $context.requestId"#,
    r#"<request id="$context.requestId"> <extendedRequestId>$context.extendedRequestId</extendedRequestId> <ip>$context.identity.sourceIp</ip> <caller>$context.identity.caller</caller> <user>$context.identity.user</user> <requestTime>$context.requestTime</requestTime> <httpMethod>$context.httpMethod</httpMethod> <resourcePath>$context.resourcePath</resourcePath> <status>$context.status</status> <protocol>$context.protocol</protocol> <responseLength>$context.responseLength</responseLength> </request>"#,
    r#"<request id="$context.requestId"> <ip>$context.identity.sourceIp</ip> <requestTime>$context.requestTime</requestTime> <httpMethod>$context.httpMethod</httpMethod> <routeKey>$context.routeKey</routeKey> <status>$context.status</status> <protocol>$context.protocol</protocol> <responseLength>$context.responseLength</responseLength> </request>"#,
    r#"$context.identity.sourceIp,$context.identity.caller,$context.identity.user,$context.requestTime,$context.httpMethod,$context.resourcePath,$context.protocol,$context.status,$context.responseLength,$context.requestId,$context.extendedRequestId"#,
    r#"$context.identity.sourceIp,$context.requestTime,$context.httpMethod,$context.routeKey,$context.protocol,$context.status,$context.responseLength,$context.requestId"#,
];

/// One parsed access-log record. Values borrow from the line where they can.
#[derive(Debug, Default)]
pub struct AccessRecord<'a> {
    pub method: Option<Cow<'a, str>>,
    pub resource_path: Option<Cow<'a, str>>,
    pub route_key: Option<Cow<'a, str>>,
    pub path: Option<Cow<'a, str>>,
    pub status: Option<u16>,
    pub time: Option<DateTime<Utc>>,
    pub source_ip: Option<Cow<'a, str>>,
    /// The authenticated principal (authorizer principal, user, caller), when logged.
    pub principal: Option<Cow<'a, str>>,
    /// Whether the format logs a principal at all (if not, absence proves nothing).
    pub principal_logged: bool,
    pub api_id: Option<Cow<'a, str>>,
    pub stage: Option<Cow<'a, str>>,
    pub domain: Option<Cow<'a, str>>,
    pub base_path: Option<Cow<'a, str>>,
    /// Other string values (claims, custom fields) to scan for sensitive data: (key, value).
    pub other: Vec<(Cow<'a, str>, Cow<'a, str>)>,
}

/// A JSON value reduced to text: strings as they are, numbers and booleans as written.
struct Loose<'a>(Option<Cow<'a, str>>);

impl<'de> Deserialize<'de> for Loose<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Loose<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a scalar")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Loose(Some(Cow::Borrowed(v))))
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Loose(Some(Cow::Owned(v.to_string()))))
            }
            fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
                Ok(Loose(Some(Cow::Owned(v))))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
                Ok(Loose(Some(Cow::Owned(v.to_string()))))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
                Ok(Loose(Some(Cow::Owned(v.to_string()))))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
                Ok(Loose(Some(Cow::Owned(v.to_string()))))
            }
            fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
                Ok(Loose(Some(Cow::Borrowed(if v { "true" } else { "false" }))))
            }
            fn visit_unit<E>(self) -> Result<Self::Value, E> {
                Ok(Loose(None))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Self::Value, A::Error> {
                while map
                    .next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?
                    .is_some()
                {}
                Ok(Loose(None))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Self::Value, A::Error> {
                while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                Ok(Loose(None))
            }
        }
        d.deserialize_any(V)
    }
}

struct Pairs<'a>(Vec<(Cow<'a, str>, Option<Cow<'a, str>>)>);

impl<'de> Deserialize<'de> for Pairs<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Pairs<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Self::Value, A::Error> {
                let mut out = Vec::with_capacity(16);
                while let Some(k) = map.next_key::<Cow<'de, str>>()? {
                    let v: Loose<'de> = map.next_value()?;
                    out.push((k, v.0));
                }
                Ok(Pairs(out))
            }
        }
        d.deserialize_map(V)
    }
}

fn null_dash(v: Option<Cow<'_, str>>) -> Option<Cow<'_, str>> {
    v.filter(|s| !s.is_empty() && s != "-")
}

fn unescape_xml(s: &str) -> Cow<'_, str> {
    if !s.contains('&') {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&apos;", "'")
            .replace("&amp;", "&"),
    )
}

/// `dd/MMM/yyyy:HH:mm:ss Z`, as `$context.requestTime` writes it. Parsed by hand: it runs once
/// per log line, and chrono's format-string parser is the slowest step of a line.
pub fn parse_request_time(s: &str) -> Option<DateTime<Utc>> {
    let b = s.as_bytes();
    if b.len() != 26 || b[2] != b'/' || b[6] != b'/' || b[11] != b':' || b[20] != b' ' {
        return DateTime::parse_from_str(s, "%d/%b/%Y:%H:%M:%S %z")
            .ok()
            .map(|t| t.with_timezone(&Utc));
    }
    let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<u32>().ok();
    let month = match &s[3..6] {
        "Jan" => 1,
        "Feb" => 2,
        "Mar" => 3,
        "Apr" => 4,
        "May" => 5,
        "Jun" => 6,
        "Jul" => 7,
        "Aug" => 8,
        "Sep" => 9,
        "Oct" => 10,
        "Nov" => 11,
        "Dec" => 12,
        _ => return None,
    };
    let date = chrono::NaiveDate::from_ymd_opt(num(7..11)? as i32, month, num(0..2)?)?;
    let time = date.and_hms_opt(num(12..14)?, num(15..17)?, num(18..20)?)?;
    let sign: i64 = match b[21] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let offset = sign * (i64::from(num(22..24)?) * 3600 + i64::from(num(24..26)?) * 60);
    Some(DateTime::from_naive_utc_and_offset(time, Utc) - chrono::Duration::seconds(offset))
}

/// Parse one line with a known format.
pub fn parse_line<'a>(format: &LineFormat, line: &'a str) -> Result<AccessRecord<'a>, String> {
    let mut rec = AccessRecord::default();
    match format {
        LineFormat::Json { keys } => {
            let pairs: Pairs<'a> =
                serde_json::from_str(line).map_err(|e| format!("not a JSON record: {e}"))?;
            for (i, (k, v)) in pairs.0.into_iter().enumerate() {
                // Lines of one log keep their key order: try the same position first.
                let field = match keys.get(i) {
                    Some((key, f)) if key == &k => *f,
                    _ => keys
                        .iter()
                        .find(|(key, _)| key == &k)
                        .map(|(_, f)| *f)
                        .unwrap_or_else(|| Field::of_key_cached(&k)),
                };
                // Only an authorizer's principal proves authentication was (not) there:
                // identity.user and identity.caller are filled by IAM auth alone.
                if field == Field::Principal {
                    rec.principal_logged = true;
                }
                set(&mut rec, field, null_dash(v), Some(k));
            }
        }
        LineFormat::Pattern {
            regex,
            fields,
            xml,
            splitter,
            ..
        } => {
            let mut values: Vec<&'a str> = Vec::with_capacity(fields.len());
            let split = splitter
                .as_ref()
                .map_or(Split::GaveUp, |s| s.split(line, &mut values));
            let no_match = || "the line does not match the access-log format".to_string();
            if split == Split::NoMatch {
                return Err(no_match());
            }
            if split == Split::GaveUp {
                let caps = regex.captures(line).ok_or_else(no_match)?;
                values.clear();
                values.extend((1..=fields.len()).map(|i| caps.get(i).map_or("", |m| m.as_str())));
            }
            for (field, value) in fields.iter().zip(values) {
                if *field == Field::Principal {
                    rec.principal_logged = true;
                }
                let value = if *xml {
                    unescape_xml(value)
                } else {
                    Cow::Borrowed(value)
                };
                set(&mut rec, *field, null_dash(Some(value)), None);
            }
        }
    }
    if rec.method.is_none() && rec.route_key.is_none() {
        return Err("the record has no method or route key".into());
    }
    Ok(rec)
}

fn set<'a>(
    rec: &mut AccessRecord<'a>,
    field: Field,
    value: Option<Cow<'a, str>>,
    key: Option<Cow<'a, str>>,
) {
    let Some(value) = value else { return };
    match field {
        Field::HttpMethod => rec.method = Some(value),
        Field::ResourcePath => rec.resource_path = Some(value),
        Field::RouteKey => rec.route_key = Some(value),
        Field::Path => rec.path = Some(value),
        Field::Status => rec.status = value.trim().parse().ok(),
        Field::RequestTime => rec.time = rec.time.or_else(|| parse_request_time(&value)),
        Field::RequestTimeEpoch => {
            rec.time = rec.time.or_else(|| {
                value
                    .trim()
                    .parse::<i64>()
                    .ok()
                    .and_then(DateTime::from_timestamp_millis)
            })
        }
        Field::SourceIp => rec.source_ip = Some(value),
        Field::Principal | Field::User | Field::Caller => {
            if rec.principal.is_none() {
                rec.principal = Some(value)
            }
        }
        Field::ApiId => rec.api_id = Some(value),
        Field::Stage => rec.stage = Some(value),
        Field::DomainName => rec.domain = Some(value),
        Field::BasePathMatched => rec.base_path = Some(value),
        Field::Claim | Field::Other => {
            if !field.is_structural() {
                rec.other
                    .push((key.unwrap_or(Cow::Borrowed("value")), value));
            }
        }
        Field::RequestId | Field::Metric => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::Compression;
    use flate2::write::GzEncoder;
    use std::io::Write;

    const REST_JSON: &str = r#"{ "requestId":"3f1e6c2a-8d4b-4b7e-9a51-6c2b0d1e9f00", "extendedRequestId":"eXaMpLeExtId1Aw=", "ip": "203.0.113.10", "caller":"-", "user":"-", "requestTime":"21/Aug/2025:12:34:56 +0000", "httpMethod":"GET", "resourcePath":"/pets/{petId}", "status":"200", "protocol":"HTTP/1.1", "responseLength":"512" }"#;
    const REST_CLF: &str = r#"203.0.113.10 - - [21/Aug/2025:12:34:56 +0000] "GET /pets/{petId} HTTP/1.1" 200 512 3f1e6c2a-8d4b-4b7e-9a51-6c2b0d1e9f00 eXaMpLeExtId1Aw="#;
    const REST_CSV: &str = "203.0.113.10,-,-,21/Aug/2025:12:34:56 +0000,GET,/pets/{petId},HTTP/1.1,200,512,3f1e6c2a-8d4b-4b7e-9a51-6c2b0d1e9f00,eXaMpLeExtId1Aw=";
    const REST_XML: &str = r#"<request id="3f1e6c2a-8d4b-4b7e-9a51-6c2b0d1e9f00"> <extendedRequestId>eXaMpLeExtId1Aw=</extendedRequestId> <ip>203.0.113.10</ip> <caller>-</caller> <user>-</user> <requestTime>21/Aug/2025:12:34:56 +0000</requestTime> <httpMethod>GET</httpMethod> <resourcePath>/pets/{petId}</resourcePath> <status>200</status> <protocol>HTTP/1.1</protocol> <responseLength>512</responseLength> </request>"#;
    const HTTP_CLF: &str = r#"198.51.100.7 - - [21/Aug/2025:12:35:02 +0000] "POST POST /orders HTTP/1.1" 201 87 Ab1CdEfGhIjKlMnO="#;
    const HTTP_JSON: &str = r#"{ "requestId":"Ab1CdEfGhIjKlMnO=", "ip": "198.51.100.7", "requestTime":"21/Aug/2025:12:35:02 +0000", "httpMethod":"POST","routeKey":"POST /orders", "status":"201","protocol":"HTTP/1.1", "responseLength":"87" }"#;

    #[test]
    fn every_preset_format_parses() {
        for line in [REST_JSON, REST_CLF, REST_CSV, REST_XML] {
            let f = LineFormat::detect(line).unwrap_or_else(|| panic!("no format for {line}"));
            let r = parse_line(&f, line).unwrap();
            assert_eq!(r.method.as_deref(), Some("GET"), "{}", f.name());
            assert_eq!(
                r.resource_path.as_deref(),
                Some("/pets/{petId}"),
                "{}",
                f.name()
            );
            assert_eq!(r.status, Some(200));
            assert_eq!(r.time.unwrap().to_rfc3339(), "2025-08-21T12:34:56+00:00");
            assert_eq!(r.principal, None, "`-` is null");
            assert!(
                !r.principal_logged,
                "identity.user/caller do not show authorizer principals"
            );
        }
        for line in [HTTP_CLF, HTTP_JSON] {
            let f = LineFormat::detect(line).unwrap();
            let r = parse_line(&f, line).unwrap();
            assert_eq!(r.route_key.as_deref(), Some("POST /orders"), "{}", f.name());
            assert_eq!(r.status, Some(201));
        }
    }

    #[test]
    fn a_stage_format_maps_custom_json_keys() {
        let f = LineFormat::from_context_format(r#"{"rid":"$context.requestId","who":"$context.authorizer.principalId","m":"$context.httpMethod","p":"$context.path","s":$context.status,"email":"$context.authorizer.claims.email"}"#).unwrap();
        let r = parse_line(&f, r#"{"rid":"x","who":"user-7","m":"GET","p":"/v1/users/42","s":200,"email":"jane@example.com"}"#).unwrap();
        assert_eq!(r.principal.as_deref(), Some("user-7"));
        assert_eq!(r.path.as_deref(), Some("/v1/users/42"));
        assert_eq!(r.status, Some(200));
        assert_eq!(r.other.len(), 1, "claims are scanned");
    }

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut e = GzEncoder::new(Vec::new(), Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    fn envelope(kind: &str, messages: &[&str]) -> String {
        serde_json::json!({"messageType": kind, "owner": "123456789012", "logGroup": "/aws/apigateway/orders/prod",
            "logStream": "s", "subscriptionFilters": ["f"],
            "logEvents": messages.iter().enumerate().map(|(i, m)| serde_json::json!({"id": i.to_string(), "timestamp": 1, "message": m})).collect::<Vec<_>>()})
        .to_string()
    }

    fn lines_of(bytes: &[u8]) -> (Vec<String>, ReadStats) {
        let mut lines = Vec::new();
        let stats = read_log(bytes, |l| lines.push(l.text.to_string())).unwrap();
        (lines, stats)
    }

    #[test]
    fn the_splitter_answers_as_the_regex_or_leaves_the_line_to_it() {
        let lines = [
            REST_CLF,
            HTTP_CLF,
            // A path with a space: the regex backtracks, the splitter must give up.
            r#"203.0.113.10 - - [21/Aug/2025:12:34:56 +0000] "GET /a b HTTP/1.1" 200 512 id1 ext1"#,
            // A quote inside the path, an empty user, a trailing space.
            r#"203.0.113.10 - - [21/Aug/2025:12:34:56 +0000] "GET /a"b HTTP/1.1" 200 512 id1 ext1"#,
            r#"203.0.113.10 -  [21/Aug/2025:12:34:56 +0000] "GET /x HTTP/1.1" 200 512 id1 ext1 "#,
            "not a log line at all",
        ];
        let mut split_any = 0;
        for preset in PRESETS {
            let format = LineFormat::from_context_format(preset).unwrap();
            let LineFormat::Pattern {
                regex,
                fields,
                splitter,
                ..
            } = &format
            else {
                unreachable!("presets are patterns")
            };
            for line in lines {
                let mut values = Vec::new();
                let split = splitter
                    .as_ref()
                    .is_some_and(|s| s.split(line, &mut values) == Split::Done);
                let by_regex: Option<Vec<&str>> = regex.captures(line).map(|c| {
                    (1..=fields.len())
                        .map(|i| c.get(i).map_or("", |m| m.as_str()))
                        .collect()
                });
                if split {
                    split_any += 1;
                    assert_eq!(Some(values), by_regex, "{preset}\n{line}");
                }
            }
        }
        assert!(
            split_any >= 4,
            "the CLF presets take the fast path: {split_any}"
        );

        // Random lines made of the formats' own separators: the splitter never disagrees.
        let pieces = [
            " ", "  ", "-", "\"", "[", "]", "] \"", "\" ", "GET", "/a", "HTTP/1.1", "200", ",",
            "<ip>", "</ip> ", "x", "é", "\u{b}", "\u{a0}",
        ];
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let formats: Vec<LineFormat> = PRESETS
            .iter()
            .map(|p| LineFormat::from_context_format(p).unwrap())
            .collect();
        let mut gave_up = 0;
        for _ in 0..3000 {
            // Start from a real line and splice in noise, so many still match.
            let base = [REST_CLF, HTTP_CLF, REST_CSV][(next() % 3) as usize];
            let mut line = base.to_string();
            for _ in 0..(next() % 4) {
                let at = (next() as usize) % (line.len() + 1);
                if line.is_char_boundary(at) {
                    line.insert_str(at, pieces[(next() as usize) % pieces.len()]);
                }
            }
            for format in &formats {
                let LineFormat::Pattern {
                    regex,
                    fields,
                    splitter: Some(splitter),
                    ..
                } = format
                else {
                    continue;
                };
                let mut values = Vec::new();
                match splitter.split(&line, &mut values) {
                    Split::Done => {
                        let by_regex: Option<Vec<&str>> = regex.captures(&line).map(|c| {
                            (1..=fields.len())
                                .map(|i| c.get(i).map_or("", |m| m.as_str()))
                                .collect()
                        });
                        assert_eq!(Some(values), by_regex, "{line}");
                    }
                    Split::NoMatch => assert!(!regex.is_match(&line), "missed: {line}"),
                    Split::GaveUp => gave_up += 1,
                }
            }
        }
        // With failed positions remembered, the search ends well inside its budget.
        assert_eq!(gave_up, 0);
        // Real lines of each preset split without the regex.
        for (line, preset) in [(REST_CLF, 0), (HTTP_CLF, 1), (REST_XML, 2), (REST_CSV, 4)] {
            let LineFormat::Pattern {
                splitter: Some(splitter),
                ..
            } = LineFormat::from_context_format(PRESETS[preset]).unwrap()
            else {
                unreachable!()
            };
            assert_eq!(splitter.split(line, &mut Vec::new()), Split::Done, "{line}");
        }
        // The line with a space in its path still parses.
        let clf = LineFormat::from_context_format(PRESETS[0]).unwrap();
        let rec = parse_line(&clf, lines[2]).unwrap();
        assert_eq!(rec.resource_path.as_deref(), Some("/a b"));
    }

    /// A stream that hands out at most `n` bytes per read, as a network body may.
    struct Trickle<'a>(&'a [u8], usize);

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.1.min(buf.len()).min(self.0.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn envelopes_split_anywhere_are_each_read_once_whatever_their_strings_hold() {
        // Braces, brackets, quotes and backslashes inside messages must not end an envelope.
        let tricky = r#"{"httpMethod":"GET","path":"/a}{b]\"c","status":"200"}"#;
        let mut text = String::new();
        for _ in 0..3 {
            text.push_str(&envelope("DATA_MESSAGE", &[tricky, REST_JSON]));
            text.push_str("\n ");
        }
        let mut lines = Vec::new();
        let stats = read_log(Trickle(text.as_bytes(), 61), |l| {
            lines.push(l.text.to_string())
        })
        .unwrap();
        assert_eq!(stats.layout, "CloudWatch Logs envelopes");
        assert_eq!(lines.len(), 6);
        assert_eq!(lines[0], tricky);
        assert_eq!(lines[5], REST_JSON);

        // Cut inside the last envelope: what came before counts, the error says where.
        let cut = &text.as_bytes()[..text.len() - 30];
        let e = read_log(Trickle(cut, 61), |_| {}).unwrap_err();
        assert_eq!(e.location, "envelope 3");
        assert!(e.message.contains("truncated"), "{}", e.message);
        assert_eq!(e.stats.lines, 4);
    }

    #[test]
    fn an_envelope_with_its_events_before_its_type_and_group_still_ties_them_to_the_group() {
        let events = serde_json::json!([{"id": "1", "message": REST_JSON}, {"id": "2", "message": REST_CLF}]);
        let text = format!(
            r#"{{"logEvents": {events}, "owner": "1", "messageType": "DATA_MESSAGE", "logGroup": "/aws/apigateway/late"}}"#
        );
        let mut seen = Vec::new();
        let stats = read_log(
            Trickle(
                format!("{{\"messageType\": \"x\"}}\n{text}").as_bytes(),
                4096,
            ),
            |l| {
                seen.push((
                    l.text.to_string(),
                    l.log_group.map(str::to_string),
                    l.location(),
                ))
            },
        )
        .unwrap_or_else(|e| panic!("{}: {}", e.location, e.message));
        assert_eq!(stats.lines, 2);
        assert_eq!(seen[0].0, REST_JSON);
        assert_eq!(seen[1].1.as_deref(), Some("/aws/apigateway/late"));
        assert_eq!(seen[1].2, "envelope 2, event 2");

        // An envelope without a message type is named, with what came before it.
        let e = read_log(
            Trickle(br#"{"messageType": "x"} {"logEvents": []}"#, 4096),
            |_| {},
        )
        .unwrap_err();
        assert_eq!(e.location, "envelope 2");
        assert!(e.message.contains("messageType"), "{}", e.message);
    }

    #[test]
    fn layouts_are_detected_by_content() {
        // Firehose: one gzip member per CloudWatch envelope, no delimiter; a control message.
        let mut firehose = gz(envelope(
            "CONTROL_MESSAGE",
            &["CWL CONTROL MESSAGE: Checking health of destination Firehose."],
        )
        .as_bytes());
        firehose.extend(gz(
            envelope("DATA_MESSAGE", &[REST_JSON, REST_JSON]).as_bytes()
        ));
        firehose.extend(gz(envelope("DATA_MESSAGE", &[REST_CLF]).as_bytes()));
        let (lines, stats) = lines_of(&firehose);
        assert_eq!(lines.len(), 3);
        assert_eq!(stats.control_messages, 1);
        assert_eq!(stats.layout, "gzip, CloudWatch Logs envelopes");
        // The same under an extra outer gzip (Firehose compression on top).
        let (lines, _) = lines_of(&gz(&firehose));
        assert_eq!(lines.len(), 3);
        // Raw lines straight from Firehose, plain and gzip'd.
        let raw = format!("{REST_JSON}\n{REST_CLF}\n\n{REST_CSV}\n");
        assert_eq!(lines_of(raw.as_bytes()).0.len(), 3);
        let (lines, stats) = lines_of(&gz(raw.as_bytes()));
        assert_eq!((lines.len(), stats.layout), (3, "gzip, lines"));
    }

    #[test]
    fn malformed_gzip_and_truncated_json_are_reported_with_what_was_read() {
        let mut truncated = gz(format!("{REST_JSON}\n{REST_JSON}\n").repeat(200).as_bytes());
        truncated.truncate(truncated.len() / 2);
        let mut n = 0;
        let e = read_log(truncated.as_slice(), |_| n += 1).unwrap_err();
        assert!(e.message.contains("cannot decompress or read"), "{e}");
        assert_eq!(e.stats.lines, n);
        let cut = &envelope("DATA_MESSAGE", &[REST_JSON])[..80];
        let e = read_log(cut.as_bytes(), |_| {}).unwrap_err();
        assert!(e.message.contains("truncated envelope"), "{e}");
        assert_eq!(e.location, "envelope 1");
    }
}
