//! A server-sent events parser, fed the body in whatever chunks the network delivers.
//!
//! It follows the HTML standard's event-stream rules: lines end in `\r\n`, `\n` or `\r`
//! (a `\r\n` split across two chunks is one line end), lines starting with `:` are
//! comments, `data:` lines accumulate joined by `\n`, a blank line dispatches the event,
//! and one space after the colon is dropped. `id` and `retry` are ignored: we never
//! reconnect, since a half-answered model request cannot be resumed.

/// One dispatched event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SseEvent {
    /// The `event:` field, `None` when absent (the standard's default type "message").
    pub(crate) event: Option<String>,
    /// The `data:` lines joined with `\n`.
    pub(crate) data: String,
}

/// Incremental parser state.
#[derive(Debug, Default)]
pub(crate) struct SseParser {
    /// Bytes of a line not yet ended.
    line: Vec<u8>,
    /// The previous chunk ended in `\r`, so a leading `\n` here belongs to that line end.
    after_cr: bool,
    event: Option<String>,
    data: String,
    has_data: bool,
}

impl SseParser {
    /// Parses `chunk`, returning the events it completed.
    pub(crate) fn feed(&mut self, chunk: &[u8]) -> Vec<SseEvent> {
        let mut events = Vec::new();
        let mut rest = chunk;
        if self.after_cr {
            self.after_cr = false;
            if let Some(stripped) = rest.strip_prefix(b"\n") {
                rest = stripped;
            }
        }
        while let Some(end) = rest.iter().position(|&b| b == b'\n' || b == b'\r') {
            self.line.extend_from_slice(&rest[..end]);
            let line = std::mem::take(&mut self.line);
            if let Some(event) = self.process_line(&line) {
                events.push(event);
            }
            let ends_in_cr = rest[end] == b'\r';
            rest = &rest[end + 1..];
            if ends_in_cr {
                match rest.first() {
                    Some(b'\n') => rest = &rest[1..],
                    None => self.after_cr = true,
                    Some(_) => {}
                }
            }
        }
        self.line.extend_from_slice(rest);
        events
    }

    /// The event left open when the body ended. The standard drops it; we dispatch it
    /// when it has data, because some servers omit the final blank line and a truncated
    /// event shows up anyway as malformed JSON.
    pub(crate) fn finish(&mut self) -> Option<SseEvent> {
        let line = std::mem::take(&mut self.line);
        if let Some(event) = self.process_line(&line) {
            return Some(event);
        }
        self.dispatch()
    }

    fn process_line(&mut self, line: &[u8]) -> Option<SseEvent> {
        if line.is_empty() {
            return self.dispatch();
        }
        if line.first() == Some(&b':') {
            return None;
        }
        let line = String::from_utf8_lossy(line);
        let (field, value) = match line.split_once(':') {
            Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
            None => (line.as_ref(), ""),
        };
        match field {
            "event" => self.event = Some(value.to_owned()),
            "data" => {
                if self.has_data {
                    self.data.push('\n');
                }
                self.data.push_str(value);
                self.has_data = true;
            }
            _ => {}
        }
        None
    }

    fn dispatch(&mut self) -> Option<SseEvent> {
        let event = self.event.take();
        if !std::mem::take(&mut self.has_data) {
            return None;
        }
        Some(SseEvent {
            event: event.filter(|name| !name.is_empty()),
            data: std::mem::take(&mut self.data),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_in_pieces(body: &str, piece: usize) -> Vec<SseEvent> {
        let mut parser = SseParser::default();
        let mut events = Vec::new();
        for chunk in body.as_bytes().chunks(piece) {
            events.extend(parser.feed(chunk));
        }
        events.extend(parser.finish());
        events
    }

    fn event(name: Option<&str>, data: &str) -> SseEvent {
        SseEvent {
            event: name.map(str::to_owned),
            data: data.to_owned(),
        }
    }

    #[test]
    fn every_line_ending_and_every_split_gives_the_same_events() {
        let body = ": keep-alive\r\nevent: message_start\r\ndata: {\"a\":1}\r\n\r\n\
                    data: first\rdata:second\r\rdata: x\n\n";
        let expected = vec![
            event(Some("message_start"), "{\"a\":1}"),
            event(None, "first\nsecond"),
            event(None, "x"),
        ];
        for piece in 1..body.len() {
            assert_eq!(parse_in_pieces(body, piece), expected, "pieces of {piece}");
        }
    }

    #[test]
    fn comments_and_events_without_data_dispatch_nothing() {
        let body = ": ping\n\nevent: ping\n\nid: 3\nretry: 10\n\n";
        assert_eq!(parse_in_pieces(body, 4), vec![]);
    }

    #[test]
    fn a_field_without_colon_and_an_empty_data_line() {
        let body = "data\n\ndata:\ndata:\n\n";
        assert_eq!(
            parse_in_pieces(body, 3),
            vec![event(None, ""), event(None, "\n")]
        );
    }

    #[test]
    fn an_unterminated_last_event_is_still_dispatched() {
        assert_eq!(
            parse_in_pieces("data: [DONE]", 5),
            vec![event(None, "[DONE]")]
        );
    }

    #[test]
    fn multibyte_characters_split_across_chunks_survive() {
        let body = "data: مرحبا 👋\n\n";
        assert_eq!(parse_in_pieces(body, 1), vec![event(None, "مرحبا 👋")]);
    }
}
