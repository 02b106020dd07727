//! The explicit automaton: reachable valuations as states.
//!
//! For a `watch` rule this is the automaton of one instance, the one of an
//! object called `obj`; an edge's guard then says how the event's values
//! relate to `obj` (`$1 == obj`). Conditions on event values that the
//! state does not decide stay on the edge as its guard. The construction
//! follows the interpreter's semantics exactly: an instance back in its
//! initial state does not exist, so handlers without a guard skip it.

use std::collections::{BTreeSet, HashMap, VecDeque};

use super::plan::{Instances, Step};
use super::rewrite::{constant_value, fold, substitute, walk};
use super::{Automaton, End, EventId};
use crate::diagnostic::{Code, Diagnostic};
use crate::eval::{self, Env, Missing};
use crate::interp::MAIN_THREAD;
use crate::model::BinaryOp;
use crate::model::{AbortId, ExprKind, TypedExpr};

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Node {
    State(Vec<i64>),
    Error(AbortId),
    Halted,
    /// Integer variables beyond the exploration bound.
    Beyond,
}

/// One conjunct of an edge guard.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Atom {
    /// The condition holds (`true`) or does not.
    Condition(TypedExpr, bool),
    /// `$n == obj` (`true`) or `$n != obj`.
    IsObject(u32, bool),
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Edge {
    pub from: usize,
    pub to: usize,
    pub event: EventId,
    pub guard: Vec<Atom>,
}

#[derive(Debug, Clone)]
pub struct Graph {
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
    /// The bound integer variables were explored up to, if one was hit.
    pub bounded: Option<i64>,
}

pub const DEFAULT_BOUND: i64 = 8;

/// Builds the graph, or says why the rule has no finite one: a variable
/// that takes values from events can hold any value.
pub fn build(automaton: &Automaton, bound: i64) -> Result<Graph, Diagnostic> {
    check_finite(automaton)?;
    let mut builder = Builder {
        automaton,
        bound,
        nodes: Vec::new(),
        index: HashMap::new(),
        edges: Vec::new(),
        bounded: false,
    };
    let initial = builder.node(Node::State(automaton.initial()));
    let mut queue = VecDeque::from([initial]);
    while let Some(from) = queue.pop_front() {
        let Node::State(values) = builder.nodes[from].clone() else {
            continue;
        };
        for event in 0..automaton.events.len() {
            for branch in builder.outcomes(&values, event) {
                let target = match branch.status {
                    End::Abort(abort) => Node::Error(abort),
                    End::Halt => Node::Halted,
                    End::Done if builder.beyond(&branch.values) => {
                        builder.bounded = true;
                        Node::Beyond
                    }
                    End::Done => Node::State(branch.values.clone()),
                };
                if target == Node::State(values.clone()) {
                    continue;
                }
                let known = builder.index.contains_key(&target);
                let to = builder.node(target.clone());
                if !known && matches!(target, Node::State(_)) {
                    queue.push_back(to);
                }
                let edge = Edge {
                    from,
                    to,
                    event,
                    guard: branch.guard,
                };
                if !builder.edges.contains(&edge) {
                    builder.edges.push(edge);
                }
            }
        }
    }
    Ok(Graph {
        nodes: builder.nodes,
        edges: builder.edges,
        bounded: builder.bounded.then_some(bound),
    })
}

fn check_finite(automaton: &Automaton) -> Result<(), Diagnostic> {
    for handler in &automaton.handlers {
        for path in &handler.paths {
            for (variable, value) in &path.updates {
                let mut reads_event = false;
                walk(value, &mut |node| {
                    reads_event |= matches!(
                        node.kind,
                        ExprKind::Argument(_) | ExprKind::Deref(_) | ExprKind::Return
                    );
                });
                if reads_event {
                    let info = &automaton.variables[*variable];
                    return Err(Diagnostic::new(
                        Code::NotFinite,
                        info.span,
                        format!(
                            "`{}` takes values from events, so the rule's states cannot be listed",
                            info.name
                        ),
                    )
                    .with_label("assigned an event value")
                    .with_secondary(handler.span, "in this handler")
                    .with_note("`slic explore` and `slic test` still work for this rule"));
                }
            }
        }
    }
    Ok(())
}

struct Builder<'a> {
    automaton: &'a Automaton,
    bound: i64,
    nodes: Vec<Node>,
    index: HashMap<Node, usize>,
    edges: Vec<Edge>,
    bounded: bool,
}

/// One way an event can go from one valuation.
#[derive(Clone)]
struct Branch {
    values: Vec<i64>,
    /// Whether the instance exists (rules without `watch`: always).
    exists: bool,
    guard: Vec<Atom>,
    status: End,
}

struct Values<'a>(&'a [i64]);

impl Env for Values<'_> {
    fn variable(&self, id: usize) -> i64 {
        self.0[id]
    }
    fn argument(&self, index: u32) -> Result<i64, Missing> {
        Err(Missing::Argument(index))
    }
    fn deref(&self, index: u32) -> Result<i64, Missing> {
        Err(Missing::Deref(index))
    }
    fn return_value(&self) -> Result<i64, Missing> {
        Err(Missing::Return)
    }
    /// The explicit automaton is one thread's (as `slic explore` is): a
    /// variable that remembers `$thread` holds `main`.
    fn thread(&self) -> Result<i64, Missing> {
        Ok(MAIN_THREAD)
    }
}

impl Builder<'_> {
    fn node(&mut self, node: Node) -> usize {
        if let Some(&index) = self.index.get(&node) {
            return index;
        }
        self.nodes.push(node.clone());
        self.index.insert(node, self.nodes.len() - 1);
        self.nodes.len() - 1
    }

    fn beyond(&self, values: &[i64]) -> bool {
        self.automaton
            .variables
            .iter()
            .zip(values)
            .any(|(variable, &value)| {
                variable.ty.enumeration.is_none()
                    && !variable.ty.pointer
                    && value.saturating_abs() > self.bound
            })
    }

    /// Every way `event` can go from `values`, with its guard.
    fn outcomes(&self, values: &[i64], event: EventId) -> Vec<Branch> {
        let automaton = self.automaton;
        let initial = automaton.initial();
        let start = Branch {
            values: values.to_vec(),
            exists: automaton.watch.is_none() || values != initial.as_slice(),
            guard: Vec::new(),
            status: End::Done,
        };
        let mut branches = vec![start];
        for step in automaton.plan(event) {
            let (handler, on) = match step {
                Step::Create(argument) => {
                    branches = branches
                        .into_iter()
                        .flat_map(|b| split_on_object(b, argument))
                        .collect();
                    continue;
                }
                Step::Run { handler, on } => (&automaton.handlers[handler], on),
            };
            let mut next = Vec::new();
            for branch in branches {
                if branch.status != End::Done {
                    next.push(branch);
                    continue;
                }
                let candidates = match on {
                    Instances::Object(argument) => split_on_object(branch, argument)
                        .into_iter()
                        .map(|b| {
                            let runs = b.guard.contains(&Atom::IsObject(argument, true));
                            (b, runs)
                        })
                        .collect(),
                    Instances::Only | Instances::Every => {
                        let runs = branch.exists;
                        vec![(branch, runs)]
                    }
                };
                for (branch, runs) in candidates {
                    if runs {
                        next.extend(self.run(&branch, handler));
                    } else {
                        next.push(branch);
                    }
                }
            }
            branches = next;
        }
        branches
            .into_iter()
            .filter(|b| self.satisfiable(&b.guard))
            .collect()
    }

    /// The paths of a handler that can run from this branch.
    fn run(&self, branch: &Branch, handler: &super::Handler) -> Vec<Branch> {
        let mut out = Vec::new();
        let env = Values(&branch.values);
        'paths: for path in &handler.paths {
            let mut guard = branch.guard.clone();
            for (condition, polarity) in &path.conditions {
                let partial = fold(&substitute(condition, &|id| {
                    Some(TypedExpr {
                        kind: ExprKind::Constant(branch.values[id]),
                        ty: self.automaton.variables[id].ty,
                    })
                }));
                match constant_value(&partial) {
                    Some(value) if (value != 0) != *polarity => continue 'paths,
                    Some(_) => {}
                    None => {
                        if guard.contains(&Atom::Condition(partial.clone(), !*polarity)) {
                            continue 'paths;
                        }
                        if !guard.contains(&Atom::Condition(partial.clone(), *polarity)) {
                            guard.push(Atom::Condition(partial, *polarity));
                        }
                    }
                }
            }
            let mut values = branch.values.clone();
            for (id, value) in &path.updates {
                let computed =
                    eval::eval(value, &env).expect("updates of a finite rule read no event values");
                values[*id] = self.automaton.variables[*id].ty.int.normalize(computed);
            }
            let initial = self.automaton.initial();
            let exists =
                self.automaton.watch.is_none() || values != initial || path.end != End::Done;
            out.push(Branch {
                values,
                exists: branch.exists || exists,
                guard,
                status: path.end,
            });
        }
        out
    }

    /// Whether some choice of event values meets every atom. Values are
    /// drawn from the constants the guard mentions, one value beside them,
    /// `obj` and another object: enough to tell every atom apart.
    fn satisfiable(&self, guard: &[Atom]) -> bool {
        let mut slots: BTreeSet<Slot> = BTreeSet::new();
        let mut constants: BTreeSet<i64> = BTreeSet::from([0, 1]);
        for atom in guard {
            match atom {
                Atom::IsObject(n, _) => {
                    slots.insert(Slot::Argument(*n));
                }
                Atom::Condition(condition, _) => walk(condition, &mut |node| match node.kind {
                    ExprKind::Argument(n) => {
                        slots.insert(Slot::Argument(n));
                    }
                    ExprKind::Deref(n) => {
                        slots.insert(Slot::Deref(n));
                    }
                    ExprKind::Return => {
                        slots.insert(Slot::Return);
                    }
                    ExprKind::Constant(value) => {
                        constants.insert(value);
                        constants.insert(value.wrapping_add(1));
                        constants.insert(value.wrapping_sub(1));
                    }
                    _ => {}
                }),
            }
        }
        const OBJ: i64 = 0x7FF0_0000;
        const OTHER: i64 = 0x7FF0_0100;
        let mut candidates: Vec<i64> = constants.into_iter().collect();
        candidates.extend([OBJ, OTHER]);
        let slots: Vec<Slot> = slots.into_iter().collect();
        let mut choice = vec![0usize; slots.len()];
        loop {
            let value_of = |slot: Slot| {
                slots
                    .iter()
                    .position(|s| *s == slot)
                    .map(|i| candidates[choice[i]])
            };
            let env = Chosen {
                value_of: &value_of,
            };
            let holds = guard.iter().all(|atom| match atom {
                Atom::IsObject(n, polarity) => {
                    (value_of(Slot::Argument(*n)) == Some(OBJ)) == *polarity
                }
                Atom::Condition(condition, polarity) => {
                    eval::eval(condition, &env).is_ok_and(|v| (v != 0) == *polarity)
                }
            });
            if holds {
                return true;
            }
            // Next combination, like an odometer.
            let mut position = 0;
            loop {
                if position == choice.len() {
                    return false;
                }
                choice[position] += 1;
                if choice[position] < candidates.len() {
                    break;
                }
                choice[position] = 0;
                position += 1;
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Slot {
    Argument(u32),
    Deref(u32),
    Return,
}

struct Chosen<'a> {
    value_of: &'a dyn Fn(Slot) -> Option<i64>,
}

impl Env for Chosen<'_> {
    fn variable(&self, _: usize) -> i64 {
        unreachable!("guards mention no variables")
    }
    fn argument(&self, index: u32) -> Result<i64, Missing> {
        (self.value_of)(Slot::Argument(index)).ok_or(Missing::Argument(index))
    }
    fn deref(&self, index: u32) -> Result<i64, Missing> {
        (self.value_of)(Slot::Deref(index)).ok_or(Missing::Deref(index))
    }
    fn return_value(&self) -> Result<i64, Missing> {
        (self.value_of)(Slot::Return).ok_or(Missing::Return)
    }
    fn thread(&self) -> Result<i64, Missing> {
        Ok(MAIN_THREAD)
    }
}

/// A branch where `$argument` is `obj` (the instance now exists) and one
/// where it is not; a branch that already decided keeps its side.
fn split_on_object(branch: Branch, argument: u32) -> Vec<Branch> {
    if branch.guard.contains(&Atom::IsObject(argument, true)) {
        return vec![Branch {
            exists: true,
            ..branch
        }];
    }
    if branch.guard.contains(&Atom::IsObject(argument, false)) {
        return vec![branch];
    }
    let mut is_object = branch.clone();
    is_object.guard.push(Atom::IsObject(argument, true));
    is_object.exists = true;
    let mut not_object = branch;
    not_object.guard.push(Atom::IsObject(argument, false));
    vec![is_object, not_object]
}

impl Automaton {
    /// A guard atom in C syntax; negated comparisons are flipped rather
    /// than wrapped in `!( )`.
    pub fn atom_text(&self, atom: &Atom) -> String {
        match atom {
            Atom::IsObject(n, true) => format!("${n} == obj"),
            Atom::IsObject(n, false) => format!("${n} != obj"),
            Atom::Condition(condition, true) => self.expression(condition),
            Atom::Condition(condition, false) => match &condition.kind {
                ExprKind::Binary {
                    op,
                    operand_type,
                    left,
                    right,
                } if op.is_comparison() => {
                    let flipped = match op {
                        BinaryOp::Eq => BinaryOp::Ne,
                        BinaryOp::Ne => BinaryOp::Eq,
                        BinaryOp::Lt => BinaryOp::Ge,
                        BinaryOp::Ge => BinaryOp::Lt,
                        BinaryOp::Gt => BinaryOp::Le,
                        _ => BinaryOp::Gt,
                    };
                    self.expression(&TypedExpr {
                        kind: ExprKind::Binary {
                            op: flipped,
                            operand_type: *operand_type,
                            left: left.clone(),
                            right: right.clone(),
                        },
                        ty: condition.ty,
                    })
                }
                _ => format!("!({})", self.expression(condition)),
            },
        }
    }

    pub fn guard_text(&self, guard: &[Atom]) -> String {
        guard
            .iter()
            .map(|a| self.atom_text(a))
            .collect::<Vec<_>>()
            .join(" && ")
    }
}
