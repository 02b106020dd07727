//! Flattening handler bodies into guarded paths.
//!
//! Each handler body is executed symbolically: assignments are substituted
//! forward, so every condition and every new value of a path is an
//! expression over the state *before* the handler and the event's values.
//! Conditions that fold to a constant choose their branch; the others fork.

use std::collections::BTreeMap;

use super::rewrite::{constant_value, fold, substitute};
use super::{Automaton, End, EventInfo, Handler, Path, Watch};
use crate::model::{ExprKind, Model, Statement, TypedExpr, VarId};

pub fn lower(model: &Model) -> Automaton {
    let events: Vec<EventInfo> = model
        .signatures
        .iter()
        .map(|(event, signature)| EventInfo {
            event: event.clone(),
            signature: signature.clone(),
        })
        .collect();
    let event_id = |event| {
        events
            .iter()
            .position(|info| &info.event == event)
            .expect("the checker records every event it resolves")
    };
    let handlers = model
        .handlers
        .iter()
        .map(|handler| {
            let mut paths = Vec::new();
            let lowering = Lowering { model };
            lowering.execute(&handler.body, &[], PathState::default(), &mut paths);
            Handler {
                events: handler.events.iter().map(event_id).collect(),
                guard: handler.guard,
                paths,
                span: handler.span,
                model: handler.model,
            }
        })
        .collect();
    let watch = model.watch.as_ref().map(|watch| Watch {
        event: event_id(&watch.event),
        argument: watch.argument,
        span: watch.span,
    });
    Automaton {
        name: model.name.clone(),
        rule_id: model.rule_id,
        path: model.path.clone(),
        variables: model.variables.clone(),
        enums: model.enums.clone(),
        events,
        watch,
        handlers,
        models: model.models.clone(),
        aborts: model.aborts.clone(),
        description: model.header.as_ref().and_then(|h| h.description.clone()),
        help_link: model.header.as_ref().and_then(|h| h.help_link.clone()),
    }
}

#[derive(Clone, Default)]
struct PathState {
    conditions: Vec<(TypedExpr, bool)>,
    /// Each assigned variable's value, as an expression over the state
    /// before the handler.
    values: BTreeMap<VarId, TypedExpr>,
}

struct Lowering<'a> {
    model: &'a Model,
}

impl Lowering<'_> {
    fn current(&self, state: &PathState, expr: &TypedExpr) -> TypedExpr {
        fold(&substitute(expr, &|id| state.values.get(&id).cloned()))
    }

    /// Runs `current`, then each slice of `rest` in order, forking at every
    /// condition that does not fold.
    fn execute(
        &self,
        current: &[Statement],
        rest: &[&[Statement]],
        mut state: PathState,
        out: &mut Vec<Path>,
    ) {
        let Some((first, tail)) = current.split_first() else {
            match rest.split_first() {
                Some((next, more)) => self.execute(next, more, state, out),
                None => out.push(finish(state, End::Done)),
            }
            return;
        };
        match first {
            Statement::Assign(id, value) => {
                let value = self.current(&state, value);
                state.values.insert(*id, value);
                self.execute(tail, rest, state, out);
            }
            Statement::Reset => {
                // A rule's `reset` puts back its own state; the variables of
                // a model it includes describe the thread, not the rule.
                let own = self.model.variables.iter().enumerate();
                for (id, variable) in own.filter(|(_, v)| v.model.is_none()) {
                    let initial = TypedExpr {
                        kind: ExprKind::Constant(variable.init),
                        ty: variable.ty,
                    };
                    state.values.insert(id, initial);
                }
                self.execute(tail, rest, state, out);
            }
            Statement::Abort(id) => out.push(finish(state, End::Abort(*id))),
            Statement::Halt => out.push(finish(state, End::Halt)),
            Statement::If(condition, then_body, else_body) => {
                let condition = self.current(&state, condition);
                let mut continuation = vec![tail];
                continuation.extend_from_slice(rest);
                match constant_value(&condition) {
                    Some(value) => {
                        let body = if value != 0 { then_body } else { else_body };
                        self.execute(body, &continuation, state, out);
                    }
                    None => {
                        // A test the path already made has a known outcome.
                        if !contradicts(&state.conditions, &condition, true) {
                            let mut then_state = state.clone();
                            then_state.conditions.push((condition.clone(), true));
                            self.execute(then_body, &continuation, then_state, out);
                        }
                        if !contradicts(&state.conditions, &condition, false) {
                            state.conditions.push((condition, false));
                            self.execute(else_body, &continuation, state, out);
                        }
                    }
                }
            }
        }
    }
}

/// Whether adding `condition` with `polarity` contradicts a condition the
/// path already has (the same test with the other outcome).
fn contradicts(conditions: &[(TypedExpr, bool)], condition: &TypedExpr, polarity: bool) -> bool {
    conditions
        .iter()
        .any(|(c, p)| c == condition && *p != polarity)
}

fn finish(state: PathState, end: End) -> Path {
    let updates = state
        .values
        .into_iter()
        .filter(|(id, value)| value.kind != ExprKind::Variable(*id))
        .collect();
    let mut conditions: Vec<(TypedExpr, bool)> = Vec::new();
    for (condition, polarity) in state.conditions {
        if !conditions.contains(&(condition.clone(), polarity)) {
            conditions.push((condition, polarity));
        }
    }
    Path {
        conditions,
        updates,
        end,
    }
}
