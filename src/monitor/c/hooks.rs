//! The hooks of the C monitor: the entry points woven code calls, one per
//! event. A hook brings the event's values to their C types (`struct
//! slic_call`), finds the thread's state of each shared model its rules
//! read, runs the models' handlers, then each rule's for the event.

use std::fmt::Write;

use super::{Flavour, Monitor, c_string, expr, hook_prototype};
use crate::model::Target;
use crate::monitor::hooks::Hook;
use crate::monitor::models::{Models, own_steps};

/// Every hook of the monitor.
pub(super) fn hooks(out: &mut String, monitor: &Monitor, models: &Models) {
    out.push_str("\n/* ---- Hooks: the entry points woven code calls. ---- */\n");
    for hook in &monitor.hooks.hooks {
        let _ = writeln!(out, "\nSLIC_ENTRY {}\n{{", hook_prototype(hook));
        if monitor.flavour == Flavour::Runtime && matches!(hook.event.target, Target::Function(_)) {
            // A call the driver did not make (see `slic_driver_enter`).
            out.push_str("    if (!SLIC_IN_DRIVER()) return;\n");
        }
        out.push_str("    struct slic_call c;\n");
        let _ = writeln!(
            out,
            "    c.site = site;\n    c.event = {};\n    c.thread = (int64_t)SLIC_CURRENT_THREAD();",
            c_string(&hook.event.to_string())
        );
        for (index, value) in hook.arguments.iter().enumerate() {
            let _ = writeln!(
                out,
                "    c.a[{index}] = {};",
                expr::convert(value.ty, &format!("(int64_t)a{}", index + 1))
            );
        }
        for (position, value) in &hook.pointees {
            let _ = writeln!(
                out,
                "    c.d[{}] = {};",
                position - 1,
                expr::convert(value.ty, &format!("(int64_t)d{position}"))
            );
        }
        match hook.returns {
            Some(value) => {
                let _ = writeln!(
                    out,
                    "    c.ret = {};",
                    expr::convert(value.ty, "(int64_t)ret")
                );
            }
            None => out.push_str("    c.ret = 0;\n"),
        }
        dispatch(out, monitor, models, hook);
        out.push_str("}\n");
    }
}

/// The rest of a hook: the thread's state of each shared model the event
/// needs, found once and handed to the rules in `c.m`; the models'
/// handlers on it; then each rule that has handlers of its own for the
/// event, in the order of the rules (a rule only a model's handlers would
/// run on has nothing to do). In the kernel, a model's table stays locked
/// until the rules have read its state.
fn dispatch(out: &mut String, monitor: &Monitor, models: &Models, hook: &Hook) {
    let running: Vec<(usize, usize)> = hook
        .rules
        .iter()
        .copied()
        .filter(|&(rule, event)| !own_steps(&monitor.rules[rule], event).is_empty())
        .collect();
    let rules: Vec<usize> = running.iter().map(|&(rule, _)| rule).collect();
    let needed = models.needed(&hook.event, &rules);
    let runtime = monitor.flavour == Flavour::Runtime;
    for &k in &needed {
        let m = format!("slic_m{k}");
        if runtime {
            let _ = writeln!(
                out,
                "    struct {m}_state *m{k};\n#ifdef SLIC_KERNEL\n    SLIC_EVENT_BEGIN({m});\n#endif\n    m{k} = {m}_per_thread();\n    c.m[{k}] = m{k} ? m{k}->v : 0;"
            );
        } else {
            let _ = writeln!(
                out,
                "    struct {m}_state *m{k} = {m}_global();\n    c.m[{k}] = m{k}->v;"
            );
        }
    }
    for (k, event) in models.of_event(&hook.event) {
        if runtime {
            let _ = writeln!(out, "    if (m{k}) slic_m{k}_on_e{event}(m{k}, &c);");
        } else {
            let _ = writeln!(out, "    slic_m{k}_on_e{event}(m{k}, &c);");
        }
    }
    for (rule, event) in running {
        let reads = &models.layouts[rule].models;
        if runtime && !reads.is_empty() {
            // Only without the model's state (a full kernel table).
            let present: Vec<String> = reads.iter().map(|k| format!("m{k}")).collect();
            let _ = writeln!(
                out,
                "    if ({}) slic_r{rule}_on_e{event}(&c);",
                present.join(" && ")
            );
        } else {
            let _ = writeln!(out, "    slic_r{rule}_on_e{event}(&c);");
        }
    }
    if runtime {
        for &k in needed.iter().rev() {
            let _ = writeln!(
                out,
                "#ifdef SLIC_KERNEL\n    slic_m{k}_per_thread_end(m{k});\n#endif"
            );
        }
    }
}
