//! JSON pointer → line and column in a YAML or JSON source, for findings that code scanning
//! annotates. One pass over the text indexes every mapping key (quoted JSON/YAML keys, plain
//! YAML block and flow keys) with its offsets; a pointer is then located segment by segment in
//! document order by binary search, so locating thousands of findings in a 10 MB document stays
//! linear. Array indices keep the position of their array; when a key cannot be found the
//! nearest located ancestor is used.

use std::collections::HashMap;

pub struct SourceMap<'a> {
    text: &'a str,
    line_starts: Vec<usize>,
    keys: HashMap<&'a str, Vec<usize>>,
}

impl<'a> SourceMap<'a> {
    pub fn new(text: &'a str) -> SourceMap<'a> {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        SourceMap {
            text,
            line_starts,
            keys: index_keys(text),
        }
    }

    fn line_col(&self, offset: usize) -> (u32, u32) {
        let line = self.line_starts.partition_point(|&s| s <= offset);
        let start = self.line_starts[line - 1];
        (
            line as u32,
            (self.text[start..offset].chars().count() + 1) as u32,
        )
    }

    fn find_key(&self, key: &str, from: usize) -> Option<usize> {
        let offsets = self.keys.get(key)?;
        let i = offsets.partition_point(|&o| o < from);
        offsets.get(i).copied()
    }

    pub fn locate(&self, pointer: &str) -> Option<(u32, u32)> {
        let mut pos = 0usize;
        let mut found: Option<usize> = None;
        for raw in pointer.split('/').skip(1) {
            let seg = raw.replace("~1", "/").replace("~0", "~");
            let numeric = !seg.is_empty() && seg.chars().all(|c| c.is_ascii_digit());
            match self.find_key(&seg, pos) {
                Some(at) => {
                    pos = at + 1;
                    found = Some(at);
                }
                // A number that is no key is an array index: stay at the array.
                None if numeric => continue,
                None => break,
            }
        }
        found.map(|o| self.line_col(o))
    }
}

/// Every mapping key in the text: `"key":`, `'key':`, and plain YAML keys at the start of a
/// line (after indentation and `- `) or after `{` / `,` in flow style. Offsets point at the key.
fn index_keys(text: &str) -> HashMap<&str, Vec<usize>> {
    let bytes = text.as_bytes();
    let mut keys: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut i = 0;
    // Whether a plain key may start here (line start, after `- `, `{` or `,`), and whether that
    // is inside a flow mapping (where `,{}[]` end a plain scalar; in block keys `{` is text).
    let mut key_position = true;
    let mut in_flow = false;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'"' | b'\'' => {
                let quote = b;
                let start = i + 1;
                let mut j = start;
                while j < bytes.len() && bytes[j] != quote && bytes[j] != b'\n' {
                    j += if bytes[j] == b'\\' && quote == b'"' {
                        2
                    } else {
                        1
                    };
                }
                let end = j.min(bytes.len());
                let mut k = end + 1;
                while k < bytes.len() && (bytes[k] == b' ' || bytes[k] == b'\t') {
                    k += 1;
                }
                if k < bytes.len()
                    && bytes[k] == b':'
                    && let Some(key) = text.get(start..end)
                {
                    keys.entry(key).or_default().push(i);
                }
                i = end + 1;
                key_position = false;
                continue;
            }
            b'\n' => {
                key_position = true;
                in_flow = false;
                i += 1;
                continue;
            }
            b'{' | b',' => {
                key_position = true;
                in_flow = true;
                i += 1;
                continue;
            }
            b' ' | b'\t' | b'\r' => {
                i += 1;
                continue;
            }
            b'-' if key_position && bytes.get(i + 1) == Some(&b' ') => {
                i += 2;
                continue;
            }
            _ if key_position => {
                // A plain key runs to `: ` / `:\n` / `:` at the end, without a newline before.
                let start = i;
                let mut j = i;
                while j < bytes.len() && bytes[j] != b'\n' {
                    if bytes[j] == b':'
                        && matches!(bytes.get(j + 1), None | Some(b' ' | b'\n' | b'\r' | b'\t'))
                    {
                        break;
                    }
                    if in_flow && matches!(bytes[j], b',' | b'{' | b'}' | b'[' | b']') {
                        break;
                    }
                    j += 1;
                }
                if j < bytes.len()
                    && bytes[j] == b':'
                    && let Some(key) = text.get(start..j)
                {
                    keys.entry(key.trim_end()).or_default().push(start);
                }
                key_position = false;
                i = j.max(i + 1);
                continue;
            }
            _ => {}
        }
        key_position = false;
        i += 1;
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_and_json_pointers() {
        let yaml = "openapi: 3.0.0\npaths:\n  /a/{id}:\n    get:\n      responses:\n        '200':\n          description: ok\n";
        let m = SourceMap::new(yaml);
        assert_eq!(m.locate("/paths/~1a~1{id}/get"), Some((4, 5)));
        assert_eq!(m.locate("/paths/~1a~1{id}/get/responses/200"), Some((6, 9)));
        let json = "{\n  \"paths\": {\n    \"/a\": {\n      \"get\": {}\n    }\n  }\n}";
        let m = SourceMap::new(json);
        assert_eq!(m.locate("/paths/~1a/get"), Some((4, 7)));
        let flow = "servers:\n  - url: http://x\npaths: {/b: {get: {responses: {'200': {description: ok}}}}}\n";
        let m = SourceMap::new(flow);
        assert_eq!(m.locate("/servers/0/url"), Some((2, 5)));
        assert_eq!(m.locate("/paths/~1b/get"), Some((3, 14)));
    }
}
