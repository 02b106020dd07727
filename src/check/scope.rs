//! The names a rule declares, and looking them up.

use indexmap::IndexMap;

use crate::builtins::{self, Constant};
use crate::model::{EnumId, ModelId, ValueType, VarId};
use crate::span::Span;

#[derive(Debug, Clone, Copy)]
pub enum Symbol {
    Variable(VarId),
    Enumerator {
        enumeration: EnumId,
        value: i64,
    },
    /// A `#define`, declared at item `item` (it is visible after it).
    Define {
        index: usize,
        item: usize,
    },
    Builtin(&'static Constant),
}

#[derive(Debug, Clone)]
pub struct DefineValue {
    pub name: String,
    /// `None` when the define has no value or its value did not check.
    pub value: Option<(i64, ValueType)>,
    pub span: Span,
}

/// A declared name: what it is, where, and which model declares it
/// (`None` for the rule itself).
#[derive(Debug, Clone, Copy)]
struct Declared {
    symbol: Symbol,
    span: Span,
    owner: Option<ModelId>,
}

/// Everything declared by name, in declaration order.
#[derive(Debug, Default)]
pub struct Scope {
    names: IndexMap<String, Declared>,
    pub defines: Vec<DefineValue>,
}

impl Scope {
    /// Declares `name`; on a clash, returns where the earlier one is.
    pub fn declare(
        &mut self,
        name: &str,
        symbol: Symbol,
        span: Span,
        owner: Option<ModelId>,
    ) -> Result<(), Span> {
        if let Some(earlier) = self.names.get(name) {
            return Err(earlier.span);
        }
        let declared = Declared {
            symbol,
            span,
            owner,
        };
        self.names.insert(name.to_string(), declared);
        Ok(())
    }

    /// The model that declares `name` and where, for a declared name.
    pub fn owner(&self, name: &str) -> Option<(Option<ModelId>, Span)> {
        self.names.get(name).map(|d| (d.owner, d.span))
    }

    /// What `name` means when used inside item number `item`.
    pub fn lookup(&self, name: &str, item: usize) -> Option<Symbol> {
        match self.names.get(name).map(|d| d.symbol) {
            Some(Symbol::Define {
                item: defined_at, ..
            }) if defined_at >= item => builtins::constant_named(name).map(Symbol::Builtin),
            Some(symbol) => Some(symbol),
            None => builtins::constant_named(name).map(Symbol::Builtin),
        }
    }

    /// The declared or built-in name closest to `name`, for "did you mean".
    pub fn similar(&self, name: &str) -> Option<String> {
        let declared = self.names.keys().map(String::as_str);
        let builtin = builtins::CONSTANTS.iter().map(|c| c.name);
        closest(name, declared.chain(builtin))
    }
}

/// The candidate nearest to `name` by edit distance, if it is near enough
/// to be a likely typo.
pub fn closest<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<String> {
    let limit = (name.chars().count() / 3).max(1);
    candidates
        .map(|candidate| (edit_distance(name, candidate), candidate))
        .filter(|&(distance, _)| distance <= limit)
        .min()
        .map(|(_, candidate)| candidate.to_string())
}

fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.to_lowercase().chars().collect();
    let b: Vec<char> = b.to_lowercase().chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, &ca) in a.iter().enumerate() {
        let mut current = vec![i + 1];
        for (j, &cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != cb);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closest_finds_typos_only() {
        let names = ["locked", "unlocked", "KeAcquireSpinLock"];
        assert_eq!(
            closest("lcoked", names.into_iter()).as_deref(),
            Some("locked")
        );
        assert_eq!(
            closest("KeAcquireSpinlock", names.into_iter()).as_deref(),
            Some("KeAcquireSpinLock")
        );
        assert_eq!(closest("zzz", names.into_iter()), None);
    }
}
