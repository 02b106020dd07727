//! The shared models of a set of rules woven together: one state per
//! thread for each model, however many rules include it, and the model's
//! handlers run once per event, before the rules' own.
//!
//! Each rule's automaton carries its own copy of every model it includes
//! (the interpreter runs it so: see `docs/language.md`, "Shared models").
//! That is exact, and so is one copy for all of them: a model's handlers
//! read only the model's variables and the event's values, never abort or
//! halt, and rules never assign the model's variables, so every copy holds
//! the same values at every step. A rule that aborted or halted stops
//! running its handlers, and so stops reading the model; the shared copy
//! goes on for the others.
//!
//! `Models::new` takes the copies apart: each model once, as an automaton
//! of its own (its variables and handlers, no aborts, no `watch`), and for
//! each rule where each of its variables lives (`Slot`). Two rules share a
//! model when they include the same code under the same name; a model of
//! the same name with other code (another version of the file) is kept
//! apart. Both monitors print from this.

use crate::automaton::plan::Step;
use crate::automaton::rewrite::transform;
use crate::automaton::{Automaton, EventId, EventInfo, Handler, Path};
use crate::model::{Event, ExprKind, ModelId, TypedExpr, ValueType, VarId, Variable};

/// Where one of a rule's variables lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    /// In the rule's own state, at this index.
    Own(usize),
    /// In the state of shared model `model` (an index into
    /// `Models::models`), at this index.
    Model { model: usize, index: usize },
}

/// Where a rule's variables live, and which shared models it reads.
#[derive(Debug, Clone)]
pub struct Layout {
    /// One per variable of the rule's automaton.
    pub slots: Vec<Slot>,
    /// The rule's own variables, in the order of its state.
    pub own: Vec<VarId>,
    /// The shared model of each model the rule includes (by `ModelId`).
    pub models: Vec<usize>,
}

/// The shared models of a woven set, and each rule's layout.
#[derive(Debug, Clone)]
pub struct Models {
    /// Each model as an automaton of its own: its variables and handlers,
    /// with its own variable and event numbers.
    pub models: Vec<Automaton>,
    /// One per rule, in the order of the rules.
    pub layouts: Vec<Layout>,
}

impl Models {
    pub fn new(rules: &[Automaton]) -> Models {
        let mut models: Vec<Automaton> = Vec::new();
        let mut layouts = Vec::new();
        for rule in rules {
            let mut shared_of = Vec::new();
            for model in 0..rule.models.len() {
                let extracted = extract(rule, model);
                let index = match models.iter().position(|m| same(m, &extracted)) {
                    Some(index) => index,
                    None => {
                        models.push(extracted);
                        models.len() - 1
                    }
                };
                shared_of.push(index);
            }
            let mut slots = Vec::new();
            let mut own = Vec::new();
            let mut counts = vec![0; rule.models.len()];
            for (id, variable) in rule.variables.iter().enumerate() {
                match variable.model {
                    None => {
                        slots.push(Slot::Own(own.len()));
                        own.push(id);
                    }
                    Some(model) => {
                        slots.push(Slot::Model {
                            model: shared_of[model],
                            index: counts[model],
                        });
                        counts[model] += 1;
                    }
                }
            }
            layouts.push(Layout {
                slots,
                own,
                models: shared_of,
            });
        }
        Models { models, layouts }
    }

    /// The shared models whose handlers run on `event`, with the event's id
    /// in each model's automaton, in the order of the models.
    pub fn of_event<'a>(&'a self, event: &'a Event) -> impl Iterator<Item = (usize, EventId)> + 'a {
        self.models
            .iter()
            .enumerate()
            .filter_map(move |(index, model)| model.event_id(event).map(|id| (index, id)))
    }

    /// The shared models the rules of `rules` read (by index into the
    /// rules), with those whose handlers run on `event`: the models whose
    /// state a hook must find.
    pub fn needed(&self, event: &Event, rules: &[usize]) -> Vec<usize> {
        let mut needed: Vec<usize> = self.of_event(event).map(|(model, _)| model).collect();
        for &rule in rules {
            needed.extend(&self.layouts[rule].models);
        }
        needed.sort_unstable();
        needed.dedup();
        needed
    }
}

/// The steps of `event` that are the rule's own: its plan without the
/// handlers of the models it includes (those run once, for every rule, in
/// the shared model). Empty when only the models handle the event: the
/// rule then has nothing to do.
pub fn own_steps(automaton: &Automaton, event: EventId) -> Vec<Step> {
    automaton
        .plan(event)
        .filter(|step| match step {
            Step::Create(_) => true,
            Step::Run { handler, .. } => automaton.handlers[*handler].model.is_none(),
        })
        .collect()
}

/// Model `model` of `rule` as an automaton of its own.
fn extract(rule: &Automaton, model: ModelId) -> Automaton {
    let mut local = vec![None; rule.variables.len()];
    let mut variables = Vec::new();
    for (id, variable) in rule.variables.iter().enumerate() {
        if variable.model == Some(model) {
            local[id] = Some(variables.len());
            let mut variable: Variable = variable.clone();
            variable.model = None;
            variable.ty.enumeration = None;
            variables.push(variable);
        }
    }
    let mut events: Vec<EventInfo> = Vec::new();
    let mut handlers = Vec::new();
    for handler in rule.handlers.iter().filter(|h| h.model == Some(model)) {
        let mut ids = Vec::new();
        for &event in &handler.events {
            let info = &rule.events[event];
            let id = match events.iter().position(|e| e.event == info.event) {
                Some(id) => id,
                None => {
                    events.push(info.clone());
                    events.len() - 1
                }
            };
            ids.push(id);
        }
        let map = |expr: &TypedExpr| renumber(expr, &local);
        handlers.push(Handler {
            events: ids,
            guard: handler.guard,
            paths: handler
                .paths
                .iter()
                .map(|path| Path {
                    conditions: path
                        .conditions
                        .iter()
                        .map(|(condition, polarity)| (map(condition), *polarity))
                        .collect(),
                    updates: path
                        .updates
                        .iter()
                        .map(|(id, value)| {
                            (local[*id].expect("a model assigns its own"), map(value))
                        })
                        .collect(),
                    end: path.end,
                })
                .collect(),
            span: handler.span,
            model: None,
        });
    }
    let name = rule.models[model].name.clone();
    Automaton {
        path: format!("model {name}"),
        name,
        rule_id: None,
        variables,
        enums: Vec::new(),
        events,
        watch: None,
        handlers,
        models: Vec::new(),
        aborts: Vec::new(),
        description: None,
        help_link: None,
    }
}

/// `expr` with the model's variable numbers and no enum types (the
/// monitors compute with integer types only).
fn renumber(expr: &TypedExpr, local: &[Option<usize>]) -> TypedExpr {
    let plain = |mut ty: ValueType| {
        ty.enumeration = None;
        ty
    };
    transform(
        expr,
        &|id, ty| {
            Some(TypedExpr {
                kind: ExprKind::Variable(local[id].expect("a model reads its own variables")),
                ty: plain(ty),
            })
        },
        &plain,
    )
}

/// Whether two extracted models are the same code under the same name.
fn same(a: &Automaton, b: &Automaton) -> bool {
    a.name == b.name
        && a.variables.len() == b.variables.len()
        && a.variables
            .iter()
            .zip(&b.variables)
            .all(|(x, y)| x.name == y.name && x.ty == y.ty && x.init == y.init)
        && a.events.len() == b.events.len()
        && a.events
            .iter()
            .zip(&b.events)
            .all(|(x, y)| x.event == y.event && x.signature == y.signature)
        && a.handlers.len() == b.handlers.len()
        && a.handlers
            .iter()
            .zip(&b.handlers)
            .all(|(x, y)| x.events == y.events && x.guard == y.guard && x.paths == y.paths)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{EventKind, Target};

    fn pack() -> Vec<Automaton> {
        let loader = crate::pack::loader();
        let mut session = crate::frontend::Session::new(&loader);
        let (models, _) = crate::frontend::compile_pack(&mut session);
        models.iter().map(crate::automaton::lower).collect()
    }

    fn event(name: &str, kind: EventKind) -> Event {
        Event {
            target: Target::Function(name.to_string()),
            kind,
        }
    }

    #[test]
    fn the_pack_shares_one_model_and_its_rules_keep_only_their_own_state() {
        let rules = pack();
        let models = Models::new(&rules);
        assert_eq!(models.models.len(), 1, "the IRQL model, once");
        let irql = &models.models[0];
        assert_eq!(irql.name, "Irql");
        assert_eq!(irql.variables.len(), 6);
        let mut including = 0;
        for (rule, layout) in rules.iter().zip(&models.layouts) {
            assert_eq!(layout.slots.len(), rule.variables.len());
            let own: Vec<usize> = (0..rule.variables.len())
                .filter(|&id| rule.variables[id].model.is_none())
                .collect();
            assert_eq!(layout.own, own, "{}", rule.name);
            for (id, slot) in layout.slots.iter().enumerate() {
                match *slot {
                    Slot::Own(index) => assert_eq!(own[index], id),
                    Slot::Model { model, index } => {
                        assert_eq!(model, 0);
                        assert_eq!(irql.variables[index].name, rule.variables[id].name);
                    }
                }
            }
            if !rule.models.is_empty() {
                including += 1;
                assert_eq!(layout.models, vec![0]);
            }
        }
        assert_eq!(including, 30);
        // The model's event functions: one per event its handlers name.
        let acquire = event("KeAcquireInStackQueuedSpinLock", EventKind::Exit);
        assert_eq!(models.of_event(&acquire).count(), 1);
        let close = event("ZwClose", EventKind::Entry);
        assert_eq!(models.of_event(&close).count(), 0);
    }

    #[test]
    fn a_rule_is_called_only_on_the_events_it_handles_itself() {
        let rules = pack();
        let rule = rules
            .iter()
            .find(|r| r.name == "IrqlKeReleaseSpinLock")
            .expect("in the pack");
        let id = |name: &str, kind| rule.event_id(&event(name, kind)).expect("an event of it");
        // Only the model handles the release's exit; the rule checks its entry.
        assert!(own_steps(rule, id("KeReleaseSpinLock", EventKind::Exit)).is_empty());
        assert_eq!(
            own_steps(rule, id("KeReleaseSpinLock", EventKind::Entry)).len(),
            1
        );
        assert!(rule.plan(id("KeReleaseSpinLock", EventKind::Exit)).count() >= 1);
    }

    #[test]
    fn a_model_of_the_same_name_with_other_code_is_kept_apart() {
        let mut rules: Vec<Automaton> = pack()
            .into_iter()
            .filter(|r| !r.models.is_empty())
            .take(3)
            .collect();
        let other = rules[2]
            .variables
            .iter()
            .position(|v| v.model.is_some())
            .expect("a model variable");
        rules[2].variables[other].init += 1;
        let models = Models::new(&rules);
        assert_eq!(models.models.len(), 2);
        assert_eq!(models.layouts[0].models, vec![0]);
        assert_eq!(models.layouts[1].models, vec![0]);
        assert_eq!(models.layouts[2].models, vec![1]);
    }
}
