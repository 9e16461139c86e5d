//! What every protocol message type shares: a message knows its name and the clause that defines
//! it; parsing gives the typed value together with the JSON it came from (for evidence, and for
//! judging members the type does not know), or an error that names the message and the clause.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// A JSON message defined by a specification.
pub trait Message: DeserializeOwned + Serialize {
    /// What the message is called, as a report says it ("credential issuer metadata").
    const NAME: &'static str;
    /// Where it is defined ("OID4VCI-1.0 §12.2.4").
    const CLAUSE: &'static str;

    /// Parses a JSON value.
    fn parse(value: &Value) -> Result<Received<Self>, MessageError> {
        let Value::Object(raw) = value else {
            return Err(MessageError::NotObject { message: Self::NAME, clause: Self::CLAUSE, found: kind(value) });
        };
        Ok(Received { value: Self::typed(value)?, raw: raw.clone() })
    }

    /// The typed message of a JSON object, read in place (not from a copy of it).
    fn typed(value: &Value) -> Result<Self, MessageError> {
        Self::deserialize(value).map_err(|e| MessageError::Shape {
            message: Self::NAME,
            clause: Self::CLAUSE,
            detail: e.to_string(),
        })
    }

    /// Parses a body: UTF-8 JSON holding an object.
    fn parse_bytes(bytes: &[u8]) -> Result<Received<Self>, MessageError> {
        let text = std::str::from_utf8(bytes).map_err(|e| MessageError::NotJson {
            message: Self::NAME,
            clause: Self::CLAUSE,
            detail: format!("not UTF-8: {e}"),
        })?;
        let value: Value = serde_json::from_str(text).map_err(|e| MessageError::NotJson {
            message: Self::NAME,
            clause: Self::CLAUSE,
            detail: e.to_string(),
        })?;
        if !value.is_object() {
            return Self::parse(&value);
        }
        let typed = Self::typed(&value)?;
        match value {
            // The object itself, not a copy of it.
            Value::Object(raw) => Ok(Received { value: typed, raw }),
            other => Self::parse(&other),
        }
    }

    /// The message as JSON (for sending, and for evidence).
    fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

/// A message as received: the typed value and the object it was read from.
#[derive(Debug, Clone, PartialEq)]
pub struct Received<T> {
    pub value: T,
    pub raw: Map<String, Value>,
}

impl<T> std::ops::Deref for Received<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

/// Why a message could not be read, naming the message and the clause that defines it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MessageError {
    #[error("the {message} is not JSON ({clause}): {detail}")]
    NotJson { message: &'static str, clause: &'static str, detail: String },
    #[error("the {message} is JSON {found}, not an object ({clause})")]
    NotObject { message: &'static str, clause: &'static str, found: &'static str },
    #[error("the {message} does not have the shape {clause} gives: {detail}")]
    Shape { message: &'static str, clause: &'static str, detail: String },
    #[error("the {message} has no {member} ({clause})")]
    Missing { message: &'static str, clause: &'static str, member: &'static str },
}

/// The JSON type of a value, for messages.
pub fn kind(value: &Value) -> &'static str {
    crate::jose::kind(value)
}

/// A member a lenient message type keeps optional (so that the harness can say what is missing)
/// but the clause requires.
pub fn required<'a, T: ?Sized>(
    value: Option<&'a T>,
    message: &'static str,
    clause: &'static str,
    member: &'static str,
) -> Result<&'a T, MessageError> {
    value.ok_or(MessageError::Missing { message, clause, member })
}
