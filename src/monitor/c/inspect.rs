//! The C monitor's state seen from outside it: one number for checkers that
//! tell states apart by a value (the static flavour's `slic_static_state`),
//! and every instance for slic's differential tests (`slic_testing_state`).

use std::fmt::Write;

use super::{Monitor, c_string};
use crate::monitor::models::{Models, Slot};

/// `slic_static_state`: the static flavour's state as one number (the
/// variables mixed in, so that different states rarely share a number; a
/// shared one only costs a checker precision).
pub(super) fn static_state(out: &mut String, monitor: &Monitor, models: &Models) {
    out.push_str("\nunsigned slic_static_state(void)\n{\n    unsigned key = 0;\n");
    let units =
        models
            .models
            .iter()
            .enumerate()
            .map(|(index, model)| (format!("slic_m{index}"), model, None))
            .chain(monitor.rules.iter().enumerate().map(|(index, rule)| {
                (format!("slic_r{index}"), rule, Some(&models.layouts[index]))
            }));
    for (r, automaton, layout) in units {
        let _ = writeln!(
            out,
            "    key = key * 2u + (unsigned){r}_started;\n    key = key * 3u + {r}_current.head.status;\n    key = key * 2u + {r}_current.head.exists;"
        );
        let own: Vec<usize> = match layout {
            Some(layout) => layout.own.clone(),
            None => (0..automaton.variables.len()).collect(),
        };
        for (slot, &variable) in own.iter().enumerate() {
            // A pointer's value is no number a checker can split on: only
            // whether it is NULL.
            let value = if automaton.variables[variable].ty.pointer {
                format!("({r}_current.v[{slot}] != 0)")
            } else {
                format!("(unsigned){r}_current.v[{slot}]")
            };
            let _ = writeln!(out, "    key = key * 31u + {value};");
        }
        if automaton.watch.is_some() {
            let _ = writeln!(
                out,
                "    key = key * 2u + (unsigned){r}_chosen;\n    key = key * 67u + {r}_passed_count;\n    key = key * 131u + {r}_chosen_site;"
            );
        }
    }
    out.push_str("    return key;\n}\n");
}

/// `slic_testing_state`, for slic's differential tests (`SLIC_TESTING`):
/// hands every instance the monitor keeps to a callback, in table order, so
/// that a test can tell two monitor states apart. The calling thread's
/// state only, for rules without `watch`, with the values of the shared
/// models it reads in their places among the rule's variables (as the
/// interpreter's copy holds them) while the rule is live, 0 once it
/// stopped (the interpreter's copy stays as it was, the shared state goes
/// on: printing it would tell apart states that behave alike, and a
/// search over states would never end); every existing instance of
/// `watch` rules (a test calls it with no event running).
pub(super) fn testing_state(out: &mut String, monitor: &Monitor, models: &Models) {
    out.push_str(
        "\n#if defined(SLIC_TESTING) && !defined(SLIC_KERNEL)\n\
         typedef void slic_instance_fn(const char *rule, uintptr_t object, int status, const int64_t *values, unsigned count);\n\
         void slic_testing_state(slic_instance_fn *instance);\n\
         SLIC_ENTRY void slic_testing_state(slic_instance_fn *instance)\n{\n",
    );
    for (index, automaton) in monitor.rules.iter().enumerate() {
        let r = format!("slic_r{index}");
        let name = c_string(&automaton.name);
        let count = automaton.variables.len().max(1);
        if automaton.watch.is_some() {
            let _ = writeln!(
                out,
                "    {{\n        unsigned i;\n        for (i = 0; i < SLIC_TABLE_SLOTS; i++)\n            if (slic_table_{r}.slots[i].head.exists)\n                instance({name}, slic_table_{r}.slots[i].head.object, slic_table_{r}.slots[i].head.status, slic_table_{r}.slots[i].v, {count});\n    }}"
            );
        } else if models.layouts[index].models.is_empty() {
            let _ = writeln!(
                out,
                "    instance({name}, 0, {r}_thread.head.status, {r}_thread.v, {count});"
            );
        } else {
            let mut values = String::new();
            for (id, slot) in models.layouts[index].slots.iter().enumerate() {
                let value = match *slot {
                    Slot::Own(own) => format!("{r}_thread.v[{own}]"),
                    Slot::Model { model, index } => {
                        format!("live ? slic_m{model}_thread.v[{index}] : 0")
                    }
                };
                let _ = writeln!(values, "        v[{id}] = {value};");
            }
            let _ = writeln!(
                out,
                "    {{\n        int64_t v[{count}] = {{ 0 }};\n        int live = {r}_thread.head.status == SLIC_LIVE;\n{values}        instance({name}, 0, {r}_thread.head.status, v, {count});\n    }}"
            );
        }
    }
    out.push_str("}\n#endif\n");
}
