//! serde over the RON tree: typed values are read with serde's derives, each error placed at the
//! value it is about and worded in the scenario's own terms (an event, an expectation, a field),
//! never in the names of the types that read them.
//!
//! A field a type does not know is reported and skipped, so one reading finds all of a value's
//! unknown fields; [`Spanned`] keeps the place of a value for the checks made after reading.

use std::cell::RefCell;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};

use super::ron::{Value, ValueKind};
use casus_syntax::source::Span;
use casus_syntax::suggest::nearest;

/// A value read with its place in the file.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Spanned<T> {
    /// The value.
    pub value: T,
    /// Where it is written.
    pub span: Span,
}

impl<T> std::ops::Deref for Spanned<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}

/// The name under which [`Node`] recognises a request for a value's place.
const SPANNED: &str = "$casus::Spanned";
const START: &str = "$start";
const END: &str = "$end";
const VALUE: &str = "$value";

impl<'de, T: de::Deserialize<'de>> de::Deserialize<'de> for Spanned<T> {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct SpannedVisitor<T>(PhantomData<T>);
        impl<'de, T: de::Deserialize<'de>> Visitor<'de> for SpannedVisitor<T> {
            type Value = Spanned<T>;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a value with its place")
            }

            fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Spanned<T>, A::Error> {
                let (mut start, mut end, mut value) = (None, None, None);
                while let Some(key) = map.next_key::<SpanKey>()? {
                    match key {
                        SpanKey::Start => start = Some(map.next_value::<usize>()?),
                        SpanKey::End => end = Some(map.next_value::<usize>()?),
                        SpanKey::Value => value = Some(map.next_value::<T>()?),
                    }
                }
                let value = value.ok_or_else(|| de::Error::missing_field(VALUE))?;
                Ok(Spanned { value, span: Span::new(start.unwrap_or(0), end.unwrap_or(0)) })
            }
        }
        d.deserialize_newtype_struct(SPANNED, SpannedVisitor(PhantomData))
    }
}

/// A key of the map [`Spanned`] reads: told apart without a copy of it.
enum SpanKey {
    Start,
    End,
    Value,
}

impl<'de> de::Deserialize<'de> for SpanKey {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = SpanKey;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("the start, end or value of a value with its place")
            }

            fn visit_str<E: de::Error>(self, key: &str) -> Result<SpanKey, E> {
                Ok(match key {
                    START => SpanKey::Start,
                    END => SpanKey::End,
                    _ => SpanKey::Value,
                })
            }
        }
        d.deserialize_identifier(KeyVisitor)
    }
}

/// What went wrong reading a value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct DeError {
    /// What.
    pub kind: DeErrorKind,
    /// Where, once known.
    pub at: Option<Span>,
}

/// What went wrong reading a value, in the scenario's terms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeErrorKind {
    /// A value of the wrong shape.
    Expected {
        /// What was wanted: `a string`, `a list`.
        expected: String,
        /// What is written.
        found: String,
    },
    /// An event, expectation or word that casus does not know.
    UnknownVariant {
        /// `event`, `expectation`, `modality`, `status`.
        what: &'static str,
        /// The name as written.
        name: String,
        /// The nearest known name.
        nearest: Option<&'static str>,
        /// Every known name.
        known: &'static [&'static str],
    },
    /// A field that the value does not have.
    UnknownField {
        /// The field as written.
        field: String,
        /// What it is a field of, when known: `Fact`.
        of: Option<String>,
        /// The nearest known field.
        nearest: Option<&'static str>,
        /// Every known field.
        known: &'static [&'static str],
    },
    /// A field given twice.
    DuplicateField {
        /// The field.
        field: String,
    },
    /// A field the value needs.
    MissingField {
        /// The field.
        field: &'static str,
        /// What it is a field of, when known.
        of: Option<String>,
    },
    /// Anything else.
    Other(String),
}

impl fmt::Display for DeErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DeErrorKind::Expected { expected, found } => write!(f, "expected {expected}, found {found}"),
            DeErrorKind::UnknownVariant { what, name, .. } => write!(f, "unknown {what} `{name}`"),
            DeErrorKind::UnknownField { field, of: Some(of), .. } => write!(f, "`{of}` has no field `{field}`"),
            DeErrorKind::UnknownField { field, of: None, .. } => write!(f, "unknown field `{field}`"),
            DeErrorKind::DuplicateField { field } => write!(f, "the field `{field}` is given twice"),
            DeErrorKind::MissingField { field, of: Some(of) } => write!(f, "`{of}` needs the field `{field}`"),
            DeErrorKind::MissingField { field, of: None } => write!(f, "the field `{field}` is missing"),
            DeErrorKind::Other(m) => f.write_str(m),
        }
    }
}

impl DeErrorKind {
    /// What to do about it.
    pub fn help(&self) -> Option<String> {
        let list = |known: &[&str]| known.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ");
        match self {
            DeErrorKind::UnknownVariant { nearest: Some(n), .. }
            | DeErrorKind::UnknownField { nearest: Some(n), .. } => Some(format!("did you mean `{n}`?")),
            DeErrorKind::UnknownVariant { what, known, .. } => Some(format!("the {what}s are {}", list(known))),
            DeErrorKind::UnknownField { known, .. } => Some(format!("the fields are {}", list(known))),
            _ => None,
        }
    }
}

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.kind.fmt(f)
    }
}

impl std::error::Error for DeError {}

impl de::Error for DeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        DeError { kind: DeErrorKind::Other(msg.to_string()), at: None }
    }

    fn missing_field(field: &'static str) -> Self {
        DeError { kind: DeErrorKind::MissingField { field, of: None }, at: None }
    }
}

impl DeError {
    fn new(kind: DeErrorKind, at: Span) -> DeError {
        DeError { kind, at: Some(at) }
    }

    /// Places the error at `span` and names what it is a field of, unless an inner value did.
    fn within(mut self, span: Span, of: Option<&str>) -> DeError {
        if self.at.is_none() {
            self.at = Some(span);
        }
        if let DeErrorKind::MissingField { of: o @ None, .. } = &mut self.kind {
            *o = of.map(str::to_string);
        }
        self
    }
}

/// The word a scenario's reader uses for each kind of value that is one of several names.
fn word(enum_name: &str) -> &'static str {
    match enum_name {
        "RawEvent" => "event",
        "RawExpect" => "expectation",
        "RawModality" => "modality",
        "Status" => "status",
        _ => "name",
    }
}

/// A value of the tree, read by serde. Unknown fields are reported to `skipped` and left out.
#[derive(Clone, Copy)]
pub(super) struct Node<'a> {
    value: &'a Value<'a>,
    skipped: &'a RefCell<Vec<DeError>>,
}

impl<'a> Node<'a> {
    /// A value of the tree; unknown fields found under it go to `skipped`.
    pub(super) fn new(value: &'a Value<'a>, skipped: &'a RefCell<Vec<DeError>>) -> Node<'a> {
        Node { value, skipped }
    }

    fn child(&self, value: &'a Value<'a>) -> Node<'a> {
        Node { value, skipped: self.skipped }
    }

    fn expected(&self, what: &str) -> DeError {
        DeError::new(
            DeErrorKind::Expected { expected: what.to_string(), found: self.value.kind.describe() },
            self.value.span,
        )
    }

    /// The fields of a struct value (an empty `()` is one with none).
    fn fields(&self) -> Option<&'a [(super::ron::Name<'a>, Value<'a>)]> {
        match &self.value.kind {
            ValueKind::Struct { fields, .. } => Some(fields),
            ValueKind::Tuple { items, .. } if items.is_empty() => Some(&[]),
            _ => None,
        }
    }

    /// Reads a struct's fields with `visitor`, reporting unknown and repeated fields and
    /// skipping them.
    fn visit_fields<V: Visitor<'a>>(
        &self,
        of: Option<&str>,
        known: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        let Some(fields) = self.fields() else {
            return Err(self.expected(&format!("`{}(...)` with named fields", of.unwrap_or("Name"))));
        };
        // An event or expectation has a few fields: kept inline.
        let mut seen: smallvec::SmallVec<[&str; 8]> = smallvec::SmallVec::new();
        let mut kept: smallvec::SmallVec<[(&str, &Value); 8]> = smallvec::SmallVec::new();
        for (name, value) in fields {
            if !known.contains(&name.text) {
                let kind = DeErrorKind::UnknownField {
                    field: name.text.to_string(),
                    of: of.map(str::to_string),
                    nearest: nearest(name.text, known.iter().copied()),
                    known,
                };
                self.skipped.borrow_mut().push(DeError::new(kind, name.span));
            } else if seen.contains(&name.text) {
                let kind = DeErrorKind::DuplicateField { field: name.text.to_string() };
                self.skipped.borrow_mut().push(DeError::new(kind, name.span));
            } else {
                seen.push(name.text);
                kept.push((name.text, value));
            }
        }
        let access = FieldAccess { node: *self, fields: kept.into_iter(), next: None };
        visitor.visit_map(access).map_err(|e| e.within(self.value.span, of))
    }
}

struct FieldAccess<'a, I> {
    node: Node<'a>,
    fields: I,
    next: Option<&'a Value<'a>>,
}

impl<'a, I: Iterator<Item = (&'a str, &'a Value<'a>)>> de::MapAccess<'a> for FieldAccess<'a, I> {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'a>>(&mut self, seed: K) -> Result<Option<K::Value>, DeError> {
        let Some((name, value)) = self.fields.next() else { return Ok(None) };
        self.next = Some(value);
        seed.deserialize(de::value::BorrowedStrDeserializer::new(name)).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'a>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        let value = self.next.take().ok_or_else(|| de::Error::custom("a field without a value"))?;
        let node = self.node.child(value);
        seed.deserialize(node).map_err(|e| e.within(value.span, None))
    }
}

struct SeqAccess<'a, I> {
    node: Node<'a>,
    items: I,
}

impl<'a, I: Iterator<Item = &'a Value<'a>>> de::SeqAccess<'a> for SeqAccess<'a, I> {
    type Error = DeError;

    fn next_element_seed<T: DeserializeSeed<'a>>(&mut self, seed: T) -> Result<Option<T::Value>, DeError> {
        let Some(value) = self.items.next() else { return Ok(None) };
        seed.deserialize(self.node.child(value)).map(Some).map_err(|e| e.within(value.span, None))
    }
}

struct PairAccess<'a, I> {
    node: Node<'a>,
    pairs: I,
    next: Option<&'a Value<'a>>,
}

impl<'a, I: Iterator<Item = &'a (Value<'a>, Value<'a>)>> de::MapAccess<'a> for PairAccess<'a, I> {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'a>>(&mut self, seed: K) -> Result<Option<K::Value>, DeError> {
        let Some((key, value)) = self.pairs.next() else { return Ok(None) };
        self.next = Some(value);
        seed.deserialize(self.node.child(key)).map(Some).map_err(|e| e.within(key.span, None))
    }

    fn next_value_seed<V: DeserializeSeed<'a>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        let value = self.next.take().ok_or_else(|| de::Error::custom("a key without a value"))?;
        seed.deserialize(self.node.child(value)).map_err(|e| e.within(value.span, None))
    }
}

/// The place of a value, then the value: what [`Spanned`] asks for.
struct SpanAccess<'a> {
    node: Node<'a>,
    step: u8,
}

impl<'a> de::MapAccess<'a> for SpanAccess<'a> {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'a>>(&mut self, seed: K) -> Result<Option<K::Value>, DeError> {
        let key = match self.step {
            0 => START,
            1 => END,
            2 => VALUE,
            _ => return Ok(None),
        };
        seed.deserialize(de::value::BorrowedStrDeserializer::new(key)).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'a>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        let span = self.node.value.span;
        self.step += 1;
        match self.step {
            1 => seed.deserialize(span.start.into_deserializer()),
            2 => seed.deserialize(span.end.into_deserializer()),
            _ => seed.deserialize(self.node),
        }
    }
}

struct Variant<'a> {
    node: Node<'a>,
    name: &'a super::ron::Name<'a>,
}

impl<'a> de::EnumAccess<'a> for Variant<'a> {
    type Error = DeError;
    type Variant = Variant<'a>;

    fn variant_seed<V: DeserializeSeed<'a>>(self, seed: V) -> Result<(V::Value, Variant<'a>), DeError> {
        let v = seed.deserialize(de::value::BorrowedStrDeserializer::new(self.name.text))?;
        Ok((v, self))
    }
}

impl<'a> de::VariantAccess<'a> for Variant<'a> {
    type Error = DeError;

    fn unit_variant(self) -> Result<(), DeError> {
        match &self.node.value.kind {
            ValueKind::Unit(_) => Ok(()),
            ValueKind::Tuple { items, .. } if items.is_empty() => Ok(()),
            _ => Err(self.node.expected(&format!("`{}` alone", self.name.text))),
        }
    }

    fn newtype_variant_seed<T: DeserializeSeed<'a>>(self, seed: T) -> Result<T::Value, DeError> {
        match &self.node.value.kind {
            ValueKind::Tuple { items, .. } if items.len() == 1 => seed.deserialize(self.node.child(&items[0])),
            _ => Err(self.node.expected(&format!("`{}(value)`", self.name.text))),
        }
    }

    fn tuple_variant<V: Visitor<'a>>(self, _len: usize, visitor: V) -> Result<V::Value, DeError> {
        match &self.node.value.kind {
            ValueKind::Tuple { items, .. } => visitor.visit_seq(SeqAccess { node: self.node, items: items.iter() }),
            _ => Err(self.node.expected(&format!("`{}(...)`", self.name.text))),
        }
    }

    fn struct_variant<V: Visitor<'a>>(self, fields: &'static [&'static str], visitor: V) -> Result<V::Value, DeError> {
        self.node.visit_fields(Some(self.name.text), fields, visitor)
    }
}

impl<'de> de::Deserializer<'de> for Node<'de> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match &self.value.kind {
            ValueKind::Str(s) => visitor.visit_borrowed_str(s),
            ValueKind::Bool(b) => visitor.visit_bool(*b),
            ValueKind::Number(n) => {
                if let Ok(i) = n.parse::<i64>() {
                    visitor.visit_i64(i)
                } else if let Ok(u) = n.parse::<u64>() {
                    visitor.visit_u64(u)
                } else if let Ok(f) = n.parse::<f64>() {
                    visitor.visit_f64(f)
                } else {
                    Err(self.expected("a number"))
                }
            }
            ValueKind::List(items) | ValueKind::Tuple { items, .. } => {
                visitor.visit_seq(SeqAccess { node: self, items: items.iter() })
            }
            ValueKind::Map(pairs) => visitor.visit_map(PairAccess { node: self, pairs: pairs.iter(), next: None }),
            ValueKind::Struct { fields, .. } => visitor.visit_map(FieldAccess {
                node: self,
                fields: fields.iter().map(|(n, v)| (n.text, v)),
                next: None,
            }),
            ValueKind::Unit(n) if *n == "None" => visitor.visit_none(),
            ValueKind::Unit(n) => visitor.visit_borrowed_str(n),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match &self.value.kind {
            ValueKind::Bool(b) => visitor.visit_bool(*b),
            _ => Err(self.expected("`true` or `false`")),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match &self.value.kind {
            ValueKind::Str(s) => visitor.visit_borrowed_str(s),
            _ => Err(self.expected("a string in quotes")),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match &self.value.kind {
            ValueKind::Str(s) => visitor.visit_borrowed_str(s),
            ValueKind::Unit(s) => visitor.visit_borrowed_str(s),
            _ => Err(self.expected("a name")),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match &self.value.kind {
            ValueKind::Unit(n) if *n == "None" => visitor.visit_none(),
            ValueKind::Tuple { name: Some(n), items } if n.text == "Some" && items.len() == 1 => {
                visitor.visit_some(self.child(&items[0]))
            }
            // RON's implicit `Some`: a value alone where one is optional.
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match &self.value.kind {
            ValueKind::Tuple { name: None, items } if items.is_empty() => visitor.visit_unit(),
            _ => Err(self.expected("`()`")),
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(self, _name: &'static str, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, name: &'static str, visitor: V) -> Result<V::Value, DeError> {
        if name == SPANNED {
            return visitor.visit_map(SpanAccess { node: self, step: 0 });
        }
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match &self.value.kind {
            ValueKind::List(items) | ValueKind::Tuple { name: None, items } => {
                visitor.visit_seq(SeqAccess { node: self, items: items.iter() })
            }
            _ => Err(self.expected("a list `[...]`")),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match &self.value.kind {
            ValueKind::Map(pairs) => visitor.visit_map(PairAccess { node: self, pairs: pairs.iter(), next: None }),
            _ => Err(self.expected("a map `{\"key\": \"value\", ...}`")),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.visit_fields(None, fields, visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        let variant = match &self.value.kind {
            ValueKind::Struct { name: Some(n), .. } | ValueKind::Tuple { name: Some(n), .. } => n,
            ValueKind::Unit(_) => {
                // A name alone: its place is the whole value.
                return self.unit_variant(name, variants, visitor);
            }
            _ => return Err(self.expected(&format!("{} ({})", article(word(name)), one_of(variants)))),
        };
        if !variants.contains(&variant.text) {
            let kind = DeErrorKind::UnknownVariant {
                what: word(name),
                name: variant.text.to_string(),
                nearest: nearest(variant.text, variants.iter().copied()),
                known: variants,
            };
            return Err(DeError::new(kind, variant.span));
        }
        visitor.visit_enum(Variant { node: self, name: variant })
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char bytes byte_buf
    }
}

impl<'a> Node<'a> {
    fn unit_variant<V: Visitor<'a>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        let ValueKind::Unit(n) = &self.value.kind else { return Err(self.expected("a name")) };
        if !variants.contains(n) {
            let kind = DeErrorKind::UnknownVariant {
                what: word(name),
                name: n.to_string(),
                nearest: nearest(n, variants.iter().copied()),
                known: variants,
            };
            return Err(DeError::new(kind, self.value.span));
        }
        visitor.visit_enum(n.into_deserializer())
    }
}

/// `an event`, `a status`.
fn article(word: &str) -> String {
    let an = word.starts_with(['a', 'e', 'i', 'o', 'u']);
    format!("{} {word}", if an { "an" } else { "a" })
}

/// `` `A`, `B` or `C` ``.
fn one_of(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    match quoted.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    }
}
