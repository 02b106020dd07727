//! The program a rule's traces run in: `harness.c`, which calls the rule's
//! APIs and defines its role routines (woven by each weaver), `stubs.c`,
//! the APIs themselves (never woven), and the translation of an event
//! trace into the instructions `tests/differential/main.c` runs.

use std::fmt::Write;

use slic::automaton::{Automaton, EventInfo};
use slic::catalog::{CType, Catalog, Prototype};
use slic::interp::{MAIN_THREAD, Occurrence};
use slic::model::Target;
use slic::role_table::{Role, RoleValue};
use slic::syntax::ast::EventKind;

/// The objects of the traces (`explore`'s `obj1`, `obj2`, ...) live at
/// these addresses in the interpreter; the harness gives each a cell.
const FIRST_OBJECT: i64 = 0x7FF0_0000;
const OBJECT_STRIDE: i64 = 0x100;
const OBJECTS: i64 = 8;

/// A function of the program: an API (called, stubbed) or a role routine
/// (defined, called by the harness).
pub struct Function {
    pub target: Target,
    kind: Kind,
    /// The rule sees both its entry and its exit: a trace can be inside it.
    pub frames: bool,
}

enum Kind {
    Api(Prototype),
    Role(Role),
}

/// A parameter as the harness passes it.
#[derive(Clone, Copy)]
struct Parameter {
    pointer: bool,
    /// Bytes of what a pointer parameter points to, for `*$N`.
    pointee_width: u8,
}

impl Function {
    fn parameters(&self) -> Vec<Parameter> {
        match &self.kind {
            Kind::Api(prototype) => prototype
                .parameters
                .iter()
                .map(|parameter| match &parameter.ty {
                    CType::Pointer(inner) => Parameter {
                        pointer: true,
                        pointee_width: match inner.as_ref() {
                            CType::Int(int) => int.bits / 8,
                            _ => 8,
                        },
                    },
                    _ => Parameter {
                        pointer: false,
                        pointee_width: 0,
                    },
                })
                .collect(),
            Kind::Role(role) => role
                .info()
                .parameters
                .iter()
                .map(|value| Parameter {
                    pointer: matches!(value, RoleValue::Pointer),
                    pointee_width: 8,
                })
                .collect(),
        }
    }

    fn returns_pointer(&self) -> bool {
        match &self.kind {
            Kind::Api(prototype) => matches!(prototype.returns, CType::Pointer(_)),
            Kind::Role(role) => matches!(role.info().returns, Some(RoleValue::Pointer)),
        }
    }

    /// The name the harness defines a role routine under.
    pub fn routine(role: Role) -> String {
        format!("Harness_{}", role.key())
    }
}

/// The functions of a rule's events, in a fixed order: their indexes are
/// the harness's function numbers.
pub fn functions(automaton: &Automaton, catalog: &Catalog) -> Vec<Function> {
    functions_of(&automaton.events, catalog)
}

/// The functions of a list of events (of several rules woven together).
pub fn functions_of(events: &[EventInfo], catalog: &Catalog) -> Vec<Function> {
    let mut functions: Vec<Function> = Vec::new();
    for info in events {
        let target = &info.event.target;
        if functions.iter().any(|f| &f.target == target) {
            continue;
        }
        let kind = match target {
            Target::Function(name) => Kind::Api(
                catalog
                    .get(name)
                    .unwrap_or_else(|| panic!("{name} is not in the catalog"))
                    .clone(),
            ),
            Target::Role(role) => Kind::Role(*role),
        };
        let kinds: Vec<EventKind> = events
            .iter()
            .filter(|other| &other.event.target == target)
            .map(|other| other.event.kind)
            .collect();
        let frames = kinds.iter().any(|k| is_entry(*k)) && kinds.iter().any(|k| !is_entry(*k));
        functions.push(Function {
            target: target.clone(),
            kind,
            frames,
        });
    }
    functions
}

fn is_entry(kind: EventKind) -> bool {
    matches!(kind, EventKind::Entry | EventKind::Call)
}

/// A C type for a value of a role routine's signature.
fn role_type(value: Option<RoleValue>) -> String {
    match value {
        None => "void".to_string(),
        Some(RoleValue::Pointer) => "PVOID".to_string(),
        Some(RoleValue::Int(int)) => {
            format!("{}int{}_t", if int.signed { "" } else { "u" }, int.bits)
        }
    }
}

fn declaration(prototype: &Prototype, names: bool) -> String {
    let parameters: Vec<String> = if prototype.parameters.is_empty() {
        vec!["VOID".to_string()]
    } else {
        prototype
            .parameters
            .iter()
            .enumerate()
            .map(|(i, p)| {
                if names {
                    format!("{} p{}", p.spelling, i + 1)
                } else {
                    p.spelling.clone()
                }
            })
            .collect()
    };
    format!(
        "{} {}{}({})",
        prototype.return_spelling,
        prototype
            .calling_convention
            .as_ref()
            .map(|c| format!("{c} "))
            .unwrap_or_default(),
        prototype.name,
        parameters.join(", ")
    )
}

/// `harness.c`: the part of the program the weavers see.
pub fn harness_source(functions: &[Function]) -> String {
    let mut out = String::from(
        "/* Generated by slic's differential test: calls the rule's functions. */\n#include \"wdk_types.h\"\n\n",
    );
    for function in functions {
        match &function.kind {
            Kind::Api(prototype) => {
                let _ = writeln!(out, "{};", declaration(prototype, false));
            }
            Kind::Role(role) => {
                let info = role.info();
                let parameters: Vec<String> = (0..info.parameters.len())
                    .map(|i| format!("{} p{}", role_type(Some(info.parameters[i])), i + 1))
                    .collect();
                let returns = role_type(info.returns);
                let _ = writeln!(
                    out,
                    "\n{returns} {}({})\n{{",
                    Function::routine(*role),
                    if parameters.is_empty() {
                        "void".to_string()
                    } else {
                        parameters.join(", ")
                    }
                );
                for i in 0..info.parameters.len() {
                    let _ = writeln!(out, "    (void)p{};", i + 1);
                }
                out.push_str("    slic_h_body();\n");
                if info.returns.is_some() {
                    let _ = writeln!(out, "    return ({returns})slic_h_return;");
                }
                out.push_str("}\n");
            }
        }
    }
    // The trace's events are the driver's, whether a role routine runs or
    // not: the program runs it as the driver (see `slic_driver_enter`).
    out.push_str(
        "\nvoid slic_driver_enter(void);\nvoid slic_h_as_driver(void);\nvoid slic_h_as_driver(void)\n{\n    slic_driver_enter();\n}\n",
    );
    out.push_str("\nvoid slic_h_call(int function);\nvoid slic_h_call(int function)\n{\n    switch (function) {\n");
    for (index, function) in functions.iter().enumerate() {
        let (name, casts): (String, Vec<String>) = match &function.kind {
            Kind::Api(prototype) => (
                prototype.name.clone(),
                prototype
                    .parameters
                    .iter()
                    .map(|p| p.spelling.clone())
                    .collect(),
            ),
            Kind::Role(role) => (
                Function::routine(*role),
                role.info()
                    .parameters
                    .iter()
                    .map(|v| role_type(Some(*v)))
                    .collect(),
            ),
        };
        let arguments: Vec<String> = casts
            .iter()
            .enumerate()
            .map(|(i, cast)| format!("({cast})slic_h_args[{i}]"))
            .collect();
        let _ = writeln!(
            out,
            "    case {index}: (void){name}({}); break;",
            arguments.join(", ")
        );
    }
    out.push_str("    }\n}\n");
    out
}

/// `stubs.c`: the APIs, which run the rest of the trace when the trace is
/// inside them and return what the trace says.
pub fn stubs_source(functions: &[Function]) -> String {
    let mut out = String::from(
        "/* Generated by slic's differential test: the APIs, never woven. */\n#include \"wdk_types.h\"\n",
    );
    for function in functions {
        let Kind::Api(prototype) = &function.kind else {
            continue;
        };
        let _ = writeln!(out, "\n{}\n{{", declaration(prototype, true));
        for i in 0..prototype.parameters.len() {
            let _ = writeln!(out, "    (void)p{};", i + 1);
        }
        out.push_str("    slic_h_body();\n");
        if !prototype.returns.is_void() {
            let _ = writeln!(
                out,
                "    return ({})slic_h_return;",
                prototype.return_spelling
            );
        }
        out.push_str("}\n");
    }
    out
}

/// The object an interpreter value stands for, if it is one.
pub fn object_of(value: i64) -> Option<i64> {
    let offset = value - FIRST_OBJECT;
    (offset >= 0 && offset % OBJECT_STRIDE == 0 && offset / OBJECT_STRIDE < OBJECTS)
        .then_some(offset / OBJECT_STRIDE)
}

fn token(value: Option<i64>, pointer: bool) -> String {
    match value {
        Some(v) if pointer => match object_of(v) {
            Some(object) => format!("o{object}"),
            None => v.to_string(),
        },
        Some(v) => v.to_string(),
        None if pointer => "s".to_string(),
        None => "0".to_string(),
    }
}

/// The threads of a rule's traces, numbered as `main.c` numbers them: the
/// main thread is 1 (`interp::MAIN_THREAD`), the others follow in the order
/// the alphabet first names them, and are written as the number: `t2`.
pub struct Threads(Vec<i64>);

impl Threads {
    pub fn of(alphabet: &[Occurrence]) -> Threads {
        let mut threads = vec![MAIN_THREAD];
        for occurrence in alphabet {
            if !threads.contains(&occurrence.thread) {
                threads.push(occurrence.thread);
            }
        }
        Threads(threads)
    }

    pub fn number(&self, thread: i64) -> usize {
        1 + self
            .0
            .iter()
            .position(|&t| t == thread)
            .expect("every thread of a trace is in the alphabet")
    }

    /// How a trace names a step's thread: `t2: ` (the main thread: nothing).
    pub fn prefix(&self, thread: i64) -> String {
        match self.number(thread) {
            1 => String::new(),
            number => format!("t{number}: "),
        }
    }
}

/// One instruction of a trace's program, as `main.c` reads it.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
struct Instruction {
    /// The thread it runs on: 1 is the main thread.
    thread: usize,
    function: usize,
    open: bool,
    exit: bool,
    arguments: Vec<String>,
    /// Which arguments the trace gave (the others are a placeholder that
    /// the exit of an open call may fill in; a number's placeholder `0`
    /// is also a value, so the text cannot tell).
    given: Vec<bool>,
    returns: String,
    writes: Vec<String>,
}

impl Instruction {
    fn text(&self) -> String {
        let mut text = if self.thread == 1 {
            String::new()
        } else {
            format!("t{} ", self.thread)
        };
        if self.exit {
            text.push('X');
        } else {
            let _ = write!(text, "C {} {}", self.function, u8::from(self.open));
            for argument in &self.arguments {
                text.push(' ');
                text.push_str(argument);
            }
        }
        let _ = write!(text, " = {}", self.returns);
        if !self.writes.is_empty() {
            text.push_str(" | ");
            text.push_str(&self.writes.join(" "));
        }
        text
    }
}

/// A trace as a program, or `None` if no program can produce it (an exit
/// of a routine the trace is not inside on the exit's thread, or an exit
/// whose values differ from its entry's).
pub struct Program {
    instructions: Vec<Instruction>,
    /// The open calls at the end, of all threads, innermost last:
    /// instruction indexes.
    open: Vec<usize>,
}

impl Program {
    pub fn text(&self) -> String {
        self.instructions
            .iter()
            .map(Instruction::text)
            .collect::<Vec<_>>()
            .join(" ; ")
    }

    /// What the open calls are, for telling apart states of a trace that
    /// the same continuation may find in different routines: each thread's,
    /// innermost last (how the threads' calls interleave does not matter).
    pub fn open_calls(&self) -> Vec<String> {
        let mut open = self.open.clone();
        open.sort_by_key(|&i| self.instructions[i].thread);
        open.iter().map(|&i| self.instructions[i].text()).collect()
    }
}

pub fn translate(
    functions: &[Function],
    threads: &Threads,
    trace: &[Occurrence],
) -> Option<Program> {
    let mut program = Program {
        instructions: Vec::new(),
        open: Vec::new(),
    };
    for occurrence in trace {
        let (index, function) = functions
            .iter()
            .enumerate()
            .find(|(_, f)| f.target == occurrence.event.target)
            .expect("every event's function is in the program");
        let parameters = function.parameters();
        let value = |i: usize| occurrence.arguments.get(i).copied().flatten();
        let writes: Vec<String> = parameters
            .iter()
            .enumerate()
            .filter_map(|(i, p)| {
                let pointee = occurrence.pointees.get(i).copied().flatten()?;
                Some(format!("{}:{}:{pointee}", i + 1, p.pointee_width))
            })
            .collect();
        let returns = token(occurrence.return_value, function.returns_pointer());
        let thread = threads.number(occurrence.thread);
        if function.frames && !is_entry(occurrence.event.kind) {
            // The exit of the thread's innermost open call, which must be
            // this function's, called with these values.
            let position = program
                .open
                .iter()
                .rposition(|&call| program.instructions[call].thread == thread)?;
            let call = program.open[position];
            if program.instructions[call].function != index {
                return None;
            }
            for (i, parameter) in parameters.iter().enumerate() {
                let Some(v) = value(i) else { continue };
                let wanted = token(Some(v), parameter.pointer);
                let entry = &mut program.instructions[call];
                if !entry.given[i] {
                    entry.arguments[i] = wanted;
                    entry.given[i] = true;
                } else if entry.arguments[i] != wanted {
                    return None;
                }
            }
            program.open.remove(position);
            program.instructions.push(Instruction {
                thread,
                function: index,
                open: false,
                exit: true,
                arguments: Vec::new(),
                given: Vec::new(),
                returns,
                writes,
            });
            continue;
        }
        let open = function.frames;
        if open {
            program.open.push(program.instructions.len());
        }
        program.instructions.push(Instruction {
            thread,
            function: index,
            open,
            exit: false,
            arguments: parameters
                .iter()
                .enumerate()
                .map(|(i, p)| token(value(i), p.pointer))
                .collect(),
            given: (0..parameters.len()).map(|i| value(i).is_some()).collect(),
            returns,
            writes,
        });
    }
    Some(program)
}
