//! Tool calls assembled from streamed fragments. Both protocols stream a call's
//! arguments as pieces of one JSON text, valid only once concatenated.

use super::{ProviderError, ToolCall};

/// A tool call still arriving.
#[derive(Debug, Default)]
pub(crate) struct PartialToolCall {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) arguments: String,
}

impl PartialToolCall {
    /// The finished call. Empty arguments mean a tool without parameters (`{}`); anything
    /// else must be one JSON value, or the answer is unreadable.
    pub(crate) fn finish(self, position: usize) -> Result<ToolCall, ProviderError> {
        if self.name.is_empty() {
            return Err(ProviderError::Protocol(format!(
                "tool call {position} has no name"
            )));
        }
        let arguments = if self.arguments.trim().is_empty() {
            serde_json::Value::Object(Default::default())
        } else {
            serde_json::from_str(&self.arguments).map_err(|error| {
                ProviderError::Protocol(format!(
                    "the arguments of tool call {position} ({}) are not JSON: {error}",
                    self.name
                ))
            })?
        };
        // A call needs an id for its result to refer to; some compatible servers omit it.
        let id = if self.id.is_empty() {
            format!("call_{position}")
        } else {
            self.id
        };
        Ok(ToolCall {
            id,
            name: self.name,
            arguments,
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn partial(name: &str, arguments: &str) -> PartialToolCall {
        PartialToolCall {
            id: "call_a".into(),
            name: name.into(),
            arguments: arguments.into(),
        }
    }

    #[test]
    fn empty_arguments_are_an_empty_object() {
        let call = partial("handoff", "  ").finish(0).unwrap();
        assert_eq!(call.arguments, json!({}));
    }

    #[test]
    fn arguments_are_parsed_and_a_missing_id_is_filled_in() {
        let mut fragment = partial("search_knowledge", r#"{"query": "refund"}"#);
        fragment.id.clear();
        let call = fragment.finish(2).unwrap();
        assert_eq!(call.arguments, json!({"query": "refund"}));
        assert_eq!(call.id, "call_2");
    }

    #[test]
    fn broken_arguments_or_no_name_are_protocol_errors() {
        let broken = partial("search_knowledge", r#"{"query": "#).finish(0);
        assert!(
            matches!(broken, Err(ProviderError::Protocol(_))),
            "{broken:?}"
        );
        let nameless = partial("", "{}").finish(0);
        assert!(matches!(nameless, Err(ProviderError::Protocol(_))));
    }
}
