//! JSON pointer → line and column in a YAML or JSON source, for findings that code scanning
//! annotates. Keys are found in document order, segment by segment; array indices keep the
//! position of their array. Good for the documents people write; when a key cannot be found the
//! nearest located ancestor is used.

pub struct SourceMap<'a> {
    text: &'a str,
    line_starts: Vec<usize>,
}

impl<'a> SourceMap<'a> {
    pub fn new(text: &'a str) -> SourceMap<'a> {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        SourceMap { text, line_starts }
    }

    fn line_col(&self, offset: usize) -> (u32, u32) {
        let line = self.line_starts.partition_point(|&s| s <= offset);
        let start = self.line_starts[line - 1];
        (line as u32, (self.text[start..offset].chars().count() + 1) as u32)
    }

    /// Offset of the key `key` at or after `from`: `"key":` (JSON, quoted YAML) or `key:` as a
    /// YAML mapping key (after indentation, `- ` or `{`/`,`).
    fn find_key(&self, key: &str, from: usize) -> Option<usize> {
        let hay = &self.text[from..];
        let quoted = [format!("\"{key}\""), format!("'{key}'")];
        let mut best: Option<usize> = None;
        for q in &quoted {
            if let Some(i) = hay
                .match_indices(q.as_str())
                .find(|(i, m)| hay[i + m.len()..].trim_start_matches([' ', '\t']).starts_with(':'))
                .map(|(i, _)| i)
            {
                best = Some(best.map_or(i, |b: usize| b.min(i)));
            }
        }
        let plain = format!("{key}:");
        if let Some(i) = hay.match_indices(plain.as_str()).find(|(i, m)| {
            let before = hay[..*i].chars().last();
            let after = hay[i + m.len()..].chars().next();
            matches!(before, None | Some(' ' | '\t' | '\n' | '{' | ',')) && matches!(after, None | Some(' ' | '\n' | '\r' | '\t'))
        }) {
            best = Some(best.map_or(i.0, |b| b.min(i.0)));
        }
        best.map(|i| from + i)
    }

    pub fn locate(&self, pointer: &str) -> Option<(u32, u32)> {
        let mut pos = 0usize;
        let mut found: Option<usize> = None;
        for raw in pointer.split('/').skip(1) {
            let seg = raw.replace("~1", "/").replace("~0", "~");
            let numeric = !seg.is_empty() && seg.chars().all(|c| c.is_ascii_digit());
            match self.find_key(&seg, pos) {
                Some(at) => {
                    pos = at + seg.len();
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
    }
}
