//! Running trace tests: each step's outcome against what the trace expects,
//! with a step-by-step log of every instance's state.

use crate::automaton::Automaton;
use crate::catalog::Catalog;
use crate::diagnostic::{Code, Diagnostic};
use crate::eval::Missing;
use crate::interp::{Config, Outcome, Status};
use crate::trace::{self, Expected, Objects, Trace, Value};

#[derive(Debug, Clone)]
pub struct TraceResult {
    pub name: String,
    /// Empty when the trace passed.
    pub mismatches: Vec<String>,
    /// The state after each step, for people and snapshots.
    pub log: String,
}

impl TraceResult {
    pub fn passed(&self) -> bool {
        self.mismatches.is_empty()
    }
}

/// Runs every trace. Diagnostics are errors in the traces themselves (an
/// unknown event, an abort message the rule does not have); a trace with
/// such an error fails.
pub fn run(
    automaton: &Automaton,
    catalog: &Catalog,
    traces: &[Trace],
) -> (Vec<TraceResult>, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let results = traces
        .iter()
        .map(|trace| run_one(automaton, catalog, trace, &mut diagnostics))
        .collect();
    (results, diagnostics)
}

fn run_one(
    automaton: &Automaton,
    catalog: &Catalog,
    trace: &Trace,
    diagnostics: &mut Vec<Diagnostic>,
) -> TraceResult {
    let mut objects = Objects::default();
    let mut config = automaton.initial_config();
    let mut log = format!(
        "trace {}\n  initial: {}\n",
        crate::syntax::pretty::quote(&trace.name),
        describe(automaton, &config, &objects)
    );
    let mut mismatches = Vec::new();
    for (number, step) in trace.steps.iter().enumerate() {
        let number = number + 1;
        let occurrence = match trace::occurrence(automaton, catalog, step, &mut objects) {
            Ok(occurrence) => occurrence,
            Err(diagnostic) => {
                mismatches.push(format!("step {number}: {}", diagnostic.message));
                diagnostics.push(diagnostic);
                break;
            }
        };
        let shown = step_text(step);
        log.push_str(&format!("  {number} {shown}\n"));
        let outcome = match automaton.step(&mut config, &occurrence) {
            Ok(outcome) => outcome,
            Err(missing) => {
                let diagnostic = missing_value(step, missing);
                mismatches.push(format!("step {number}: {}", diagnostic.message));
                diagnostics.push(diagnostic);
                break;
            }
        };
        for (abort, object) in &outcome.violations {
            let info = &automaton.aborts[*abort];
            log.push_str(&format!(
                "      abort {}{} ({})\n",
                crate::syntax::pretty::quote(&info.message),
                on(object, &objects),
                info.location
            ));
        }
        for object in &outcome.halts {
            log.push_str(&format!("      halt{}\n", on(object, &objects)));
        }
        log.push_str(&format!(
            "      {}\n",
            describe(automaton, &config, &objects)
        ));
        compare(
            automaton,
            step,
            number,
            &outcome,
            &objects,
            &mut mismatches,
            diagnostics,
        );
    }
    TraceResult {
        name: trace.name.clone(),
        mismatches,
        log,
    }
}

fn missing_value(step: &trace::Step, missing: Missing) -> Diagnostic {
    Diagnostic::new(
        Code::TraceMissingValue,
        step.span,
        format!(
            "a handler of `{}.{}` reads `{missing}`, which this step does not give",
            step.function, step.kind
        ),
    )
    .with_label("give the value here")
    .with_note("arguments go in parentheses, `*$N` as `p -> value`, `$return` after `returns`")
}

fn on(object: &Option<i64>, objects: &Objects) -> String {
    object.map_or(String::new(), |o| format!(" on {}", objects.write(o)))
}

/// The state of every instance: `s=locked`, or `lockA: s=locked; lockB: ...`.
pub fn describe(automaton: &Automaton, config: &Config, objects: &Objects) -> String {
    if automaton.watch.is_some() && config.instances.is_empty() {
        return "(no object tracked)".to_string();
    }
    config
        .instances
        .iter()
        .map(|(object, instance)| {
            let status = match instance.status {
                Status::Live => "",
                Status::Halted => " [halted]",
                Status::Failed(_) => " [error]",
            };
            let state = automaton
                .state_name_with(&instance.values, &|v| objects.name(v).map(str::to_string));
            match object {
                Some(object) => format!("{}: {state}{status}", objects.write(*object)),
                None => format!("{state}{status}"),
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn step_text(step: &trace::Step) -> String {
    let text = trace::print(&Trace {
        name: String::new(),
        span: step.span,
        steps: vec![trace::Step {
            expected: Vec::new(),
            ..step.clone()
        }],
    });
    text.lines()
        .nth(1)
        .unwrap_or_default()
        .trim()
        .trim_end_matches(';')
        .to_string()
}

#[allow(clippy::too_many_arguments)]
fn compare(
    automaton: &Automaton,
    step: &trace::Step,
    number: usize,
    outcome: &Outcome,
    objects: &Objects,
    mismatches: &mut Vec<String>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    // What happened, as (Some(message) for an abort or None for a halt, object).
    let mut actual: Vec<(Option<&str>, Option<i64>)> = outcome
        .violations
        .iter()
        .map(|(abort, object)| (Some(automaton.aborts[*abort].message.as_str()), *object))
        .chain(outcome.halts.iter().map(|object| (None, *object)))
        .collect();
    let mut objects_copy = objects.clone();
    for expected in &step.expected {
        let (message, object, span) = match expected {
            Expected::Abort {
                message,
                object,
                span,
            } => (Some(message.as_str()), object, *span),
            Expected::Halt { object, span } => (None, object, *span),
        };
        if let Some(message) = message
            && !automaton.aborts.iter().any(|a| a.message == message)
        {
            let mut diagnostic = Diagnostic::new(
                Code::TraceUnknownAbort,
                span,
                format!("rule `{}` has no abort with this message", automaton.name),
            );
            let messages = automaton.aborts.iter().map(|a| a.message.as_str());
            if let Some(similar) = crate::check::closest(message, messages) {
                diagnostic = diagnostic.with_note(format!(
                    "did you mean {}?",
                    crate::syntax::pretty::quote(&similar)
                ));
            }
            diagnostics.push(diagnostic);
        }
        let wanted_object = object.as_ref().and_then(|value| match value {
            Value::Number(n) => Some(*n),
            Value::Name(name) => Some(objects_copy.address(name)),
            Value::Omitted => None,
        });
        let found = actual
            .iter()
            .position(|(m, o)| *m == message && wanted_object.is_none_or(|w| Some(w) == *o));
        match found {
            Some(index) => {
                actual.remove(index);
            }
            None => mismatches.push(format!(
                "step {number} `{}`: expected {}, which did not happen",
                step_text(step),
                outcome_text(message, wanted_object, &objects_copy)
            )),
        }
    }
    for (message, object) in actual {
        mismatches.push(format!(
            "step {number} `{}`: unexpected {}",
            step_text(step),
            outcome_text(message, object, objects)
        ));
    }
}

fn outcome_text(message: Option<&str>, object: Option<i64>, objects: &Objects) -> String {
    let what = match message {
        Some(message) => format!("abort {}", crate::syntax::pretty::quote(message)),
        None => "halt".to_string(),
    };
    format!("{what}{}", on(&object, objects))
}
