//! What a C file defines, declares and calls, from its tokens.
//!
//! `slic verify` closes a driver into a program an analyzer can read: it
//! must know which functions the driver and the WDK headers define (a stub
//! must not define them again), which ones the headers declare (a stub
//! must match a declaration the driver sees), and which ones the driver's
//! bodies call (each needs a definition or is havocked). The file is
//! usually preprocessed, so what macros hide is in plain sight.

use std::collections::BTreeSet;

use super::file::CFile;
use super::scan::Kind;
use super::structure::{ItemKind, definition_name, is_keyword};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outline {
    /// Functions defined in the file, in order; `static` ones too.
    pub defined: Vec<Definition>,
    /// Names declared as functions (with a parameter list) outside bodies,
    /// typedefs excepted.
    pub declared: BTreeSet<String>,
    /// Names called in function bodies (`name(`), not through `.` or `->`.
    pub called: BTreeSet<String>,
    /// Every name used in function bodies (called, or its address taken).
    pub used: BTreeSet<String>,
    /// Names in the initializers of file-scope declarations: functions a
    /// table of routines (`static const OPS ops = { Open, Close };`) holds.
    pub initializers: BTreeSet<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Definition {
    pub name: String,
    pub is_static: bool,
    /// Names its body calls.
    pub calls: BTreeSet<String>,
    /// Names its body uses (called, or its address taken).
    pub uses: BTreeSet<String>,
}

impl Outline {
    pub fn defines(&self, name: &str) -> bool {
        self.defined.iter().any(|d| d.name == name)
    }
}

/// What the functions reachable from `roots` call and use, following
/// calls and addresses taken through the `definitions` (of one program,
/// from the outlines of its files): a header's inline functions that the
/// driver never reaches call nothing that matters.
pub fn reachable(
    definitions: &[Definition],
    roots: impl IntoIterator<Item = String>,
) -> (BTreeSet<String>, BTreeSet<String>) {
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut called = BTreeSet::new();
    let mut used = BTreeSet::new();
    let mut pending: Vec<String> = roots.into_iter().collect();
    while let Some(name) = pending.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        for definition in definitions.iter().filter(|d| d.name == name) {
            called.extend(definition.calls.iter().cloned());
            used.extend(definition.uses.iter().cloned());
            pending.extend(
                definition
                    .uses
                    .iter()
                    .filter(|u| !seen.contains(*u))
                    .cloned(),
            );
        }
    }
    (called, used)
}

/// The outline of a C file (at most [`super::scan::MAX_LENGTH`] bytes).
pub fn outline(text: &str) -> Outline {
    let c = CFile::read(text, &[]);
    let tokens = c.tokens();
    let mut result = Outline::default();
    for (index, item) in c.structure.items.iter().enumerate() {
        let head = item.head();
        let first_word = head
            .clone()
            .find(|&t| tokens[t].kind == Kind::Identifier)
            .map(|t| c.word(t));
        match item.kind {
            ItemKind::Definition { open, close } => {
                let mut calls = BTreeSet::new();
                let mut uses = BTreeSet::new();
                let end = close.unwrap_or(item.tokens.end);
                for (token, scanned) in tokens.iter().enumerate().take(end).skip(open + 1) {
                    if scanned.kind == Kind::Identifier {
                        uses.insert(c.word(token).to_string());
                    }
                    if let Some(name) = called_at(&c, token) {
                        calls.insert(name.to_string());
                    }
                }
                result.used.extend(uses.iter().cloned());
                result.called.extend(calls.iter().cloned());
                if let Some(name) = c.name(index) {
                    let is_static = head
                        .clone()
                        .any(|t| tokens[t].kind == Kind::Identifier && c.word(t) == "static");
                    result.defined.push(Definition {
                        name: name.to_string(),
                        is_static,
                        calls,
                        uses,
                    });
                }
            }
            ItemKind::Declaration if first_word != Some("typedef") => {
                if let Some(name) = definition_name(tokens, text, head) {
                    result.declared.insert(c.word(name).to_string());
                }
                if let Some(equals) = item.tokens.clone().find(|&t| c.is(Some(t), b'=')) {
                    let after = equals + 1..item.tokens.end;
                    for (token, t) in tokens[after.clone()].iter().enumerate() {
                        if t.kind == Kind::Identifier {
                            result
                                .initializers
                                .insert(c.word(after.start + token).to_string());
                        }
                    }
                }
            }
            ItemKind::Declaration => {}
        }
    }
    result
}

/// The name called at `token`, if the token is a name followed by `(` and
/// not a member (`ops.Acquire(`, `ops->Acquire(`) or a keyword.
fn called_at<'t>(c: &CFile<'t>, token: usize) -> Option<&'t str> {
    let tokens = c.tokens();
    if tokens[token].kind != Kind::Identifier || !c.is(c.next(token), b'(') {
        return None;
    }
    let previous = c.previous(token).map(|p| tokens[p]);
    if previous.is_some_and(|p| p.is(b'.') || p.kind == Kind::Arrow) {
        return None;
    }
    let word = c.word(token);
    let builtin = word.starts_with("__builtin") || word == "__attribute__";
    (!is_keyword(word) && !builtin && !matches!(word, "sizeof" | "_Alignof" | "__typeof__"))
        .then_some(word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn definitions_declarations_and_calls() {
        let text = "
typedef long NTSTATUS;
typedef NTSTATUS DRIVER_DISPATCH(void *, void *);
NTSTATUS IoCreateDevice(void *d, unsigned long size, void **out);
void KeAcquireSpinLock(unsigned long long *lock, unsigned char *old);
static inline int Helper(int x) { return x + 1; }
struct ops { void (*Acquire)(void); } Ops;
NTSTATUS DispatchRead(void *d, void *irp)
{
    unsigned char old;
    if (Helper(1)) KeAcquireSpinLock(0, &old);
    Ops.Acquire();
    return sizeof(old) + IoCreateDevice(d, 0, 0);
}
";
        let found = outline(text);
        let defined: Vec<(&str, bool)> = found
            .defined
            .iter()
            .map(|d| (d.name.as_str(), d.is_static))
            .collect();
        assert_eq!(defined, [("Helper", true), ("DispatchRead", false)]);
        let calls: Vec<&str> = found.defined[1].calls.iter().map(String::as_str).collect();
        assert_eq!(calls, ["Helper", "IoCreateDevice", "KeAcquireSpinLock"]);
        assert!(found.defined[0].calls.is_empty());
        assert!(found.declared.contains("IoCreateDevice"));
        assert!(found.declared.contains("KeAcquireSpinLock"));
        assert!(!found.declared.contains("DRIVER_DISPATCH"));
        let called: Vec<&str> = found.called.iter().map(String::as_str).collect();
        assert_eq!(called, ["Helper", "IoCreateDevice", "KeAcquireSpinLock"]);
        assert!(found.defines("Helper"));
        assert!(found.used.contains("Ops") && found.used.contains("old"));
    }

    #[test]
    fn only_what_the_roots_reach_counts() {
        let text = "
static inline void *HeaderHelper(void) { return malloc(8); }
static void Callback(void) { KeReleaseSpinLock(0, 0); }
static void Register(void) { Queue(Callback); }
static void Close(void) { ObDereference(0); }
static const struct ops Ops = { .close = Close };
long Dispatch(void *d, void *irp) { Register(); return IoCallDriver(d, irp); }
long slic_verify_Dispatch(void *a1, void *a2) { return Dispatch(a1, a2); }
";
        let found = outline(text);
        assert!(found.initializers.contains("Close"));
        let roots = found
            .initializers
            .iter()
            .cloned()
            .chain(["slic_verify_Dispatch".to_string()]);
        let (called, used) = reachable(&found.defined, roots);
        let called: Vec<&str> = called.iter().map(String::as_str).collect();
        assert_eq!(
            called,
            [
                "Dispatch",
                "IoCallDriver",
                "KeReleaseSpinLock",
                "ObDereference",
                "Queue",
                "Register"
            ]
        );
        assert!(used.contains("Callback"));
        assert!(!used.contains("malloc") && !called.contains(&"malloc"));
    }
}
