//! What each woven compile bound: the unbound-event warnings of a file,
//! the binding report `--report` appends to, and at the link the events no
//! file of the build bound.

use std::io::Write;
use std::path::Path;

use slic::automaton::Automaton;
use slic::model::Event;
use slic::span::SourceMap;
use slic::weave::Woven;
use slic::weave::report::{BindingReport, EventBindings};

use super::Context;
use crate::cli::Failure;
use crate::cli::diagnostics::{self, MessageFormat};

impl Context<'_> {
    pub(super) fn after_weaving<Text>(
        &self,
        name: &str,
        object: &Path,
        woven: &Woven<Text>,
        weaver: slic::weave::report::Weaver,
    ) -> Result<(), Failure> {
        let unbound = slic::weave::report::unbound(self.automata, &woven.sites);
        if self.args.verbose {
            let warnings: Vec<_> = unbound
                .iter()
                .map(|(rule, events)| {
                    slic::weave::report::unbound_warning(
                        &self.automata[*rule],
                        events,
                        name,
                        weaver,
                    )
                })
                .collect();
            diagnostics::print(
                self.options.message_format,
                &self.compiled.sources,
                &warnings,
            );
        }
        if let Some(report) = &self.args.report {
            let mut bindings = BindingReport::new(name, self.automata, &woven.sites);
            bindings.object = Some(object.display().to_string());
            let mut line = serde_json::to_string(&bindings).expect("a report serializes");
            line.push('\n');
            // One write per source, appended: parallel builds interleave
            // whole lines.
            let mut file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(report)
                .map_err(|e| Failure::usage(format!("cannot write `{}`: {e}", report.display())))?;
            file.write_all(line.as_bytes())
                .map_err(|e| Failure::usage(format!("cannot write `{}`: {e}", report.display())))?;
        }
        Ok(())
    }
}

/// At the link, with a binding report: the events of each rule that bound
/// in no file of the build, for the rules that bound somewhere. A driver
/// of many files binds most events in few of them, so the build as a whole
/// is what tells whether something was missed.
pub(super) fn summarize_build(
    report: &Path,
    automata: &[Automaton],
    sources: &SourceMap,
    format: MessageFormat,
) {
    let Ok(text) = std::fs::read_to_string(report) else {
        return;
    };
    let files: Vec<BindingReport> = text
        .lines()
        .filter_map(|line| serde_json::from_str(line).ok())
        .collect();
    // rule -> event -> sites over all files, in first-seen order.
    let mut rules: Vec<(&str, Vec<(&EventBindings, usize)>)> = Vec::new();
    for file in &files {
        for rule in &file.rules {
            let position = match rules.iter().position(|(n, _)| *n == rule.rule) {
                Some(position) => position,
                None => {
                    rules.push((&rule.rule, Vec::new()));
                    rules.len() - 1
                }
            };
            for event in &rule.events {
                let events = &mut rules[position].1;
                match events.iter_mut().find(|(e, _)| e.event == event.event) {
                    Some((_, total)) => *total += event.sites.len(),
                    None => events.push((event, event.sites.len())),
                }
            }
        }
    }
    let mut warnings = Vec::new();
    for (rule, events) in &rules {
        let bound = events.iter().any(|(e, n)| e.is_api() && *n > 0);
        let nowhere: Vec<&str> = events
            .iter()
            .filter(|(e, n)| e.is_api() && *n == 0)
            .map(|(e, _)| e.event.as_str())
            .collect();
        if !bound || nowhere.is_empty() {
            continue;
        }
        if let Some(automaton) = automata.iter().find(|a| a.name == *rule) {
            let events: Vec<Event> = automaton
                .events
                .iter()
                .map(|info| info.event.clone())
                .filter(|event| nowhere.contains(&event.to_string().as_str()))
                .collect();
            let place = format!("the {} woven files of this build", files.len());
            warnings.push(slic::weave::report::unbound_in_build(
                automaton, &events, &place,
            ));
        }
    }
    diagnostics::print(format, sources, &warnings);
}
