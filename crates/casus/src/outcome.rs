//! What the evaluator concludes about norms — a norm's status, the kind of a conflict — in the
//! words the report writes and a scenario's expectations name (docs/report.md, docs/scenarios.md).

/// The status of a norm as of a date (docs/semantics.md): what the evaluator reports and what a
/// scenario's expectations name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all(serialize = "snake_case", deserialize = "PascalCase"))]
pub enum Status {
    /// Active and not yet due, or without a deadline.
    Pending,
    /// A matching act happened in time.
    Fulfilled,
    /// Due and not performed, or a forbidden act happened.
    Violated,
    /// The episode ended before its due date.
    Discharged,
    /// A prevailing conflicting norm overrode it.
    Overridden,
    /// A prohibition that stands unbroken.
    InEffect,
    /// A permission.
    Permitted,
}

impl Status {
    /// The name used in reports: `pending`, `in_effect`, ...
    pub fn name(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Fulfilled => "fulfilled",
            Status::Violated => "violated",
            Status::Discharged => "discharged",
            Status::Overridden => "overridden",
            Status::InEffect => "in_effect",
            Status::Permitted => "permitted",
        }
    }
}

/// Direct or partial.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ConflictKind {
    /// Obliged and forbidden the same act.
    Direct,
    /// Obliged to an act that includes a forbidden one.
    Partial,
}

impl Status {
    /// The status in words, for people: `pending`, `in effect`, ...
    pub fn words(self) -> &'static str {
        match self {
            Status::InEffect => "in effect",
            other => other.name(),
        }
    }
}

/// In words, for people; [`Status::name`] is the name in data.
impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.words())
    }
}

impl std::fmt::Display for ConflictKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl ConflictKind {
    /// `direct` or `partial`.
    pub fn name(self) -> &'static str {
        match self {
            ConflictKind::Direct => "direct",
            ConflictKind::Partial => "partial",
        }
    }
}
