//! The sites of a woven module as IR: one `struct slic_site` constant per
//! site, and the strings they point to.

use crate::hash::FnvHashMap;

use super::emit::push_number;
use crate::llvm::names::escape_into;
use crate::llvm::target::{Pointers, Target};
use crate::weave::Site;

/// Private strings of one module, each defined once.
#[derive(Debug, Default)]
pub struct Strings {
    numbers: FnvHashMap<String, usize>,
    texts: Vec<String>,
}

impl Strings {
    /// The number of `text`'s constant (`@slic.string.N`).
    fn number(&mut self, text: &str) -> usize {
        if let Some(&number) = self.numbers.get(text) {
            return number;
        }
        self.texts.push(text.to_string());
        self.numbers.insert(text.to_string(), self.texts.len() - 1);
        self.texts.len() - 1
    }

    pub fn definitions(&self, out: &mut String) {
        // `string_constant`'s text, written in place (a module has
        // thousands).
        for (number, text) in self.texts.iter().enumerate() {
            out.push_str("@slic.string.");
            push_number(out, number);
            out.push_str(" = private unnamed_addr constant [");
            push_number(out, text.len() + 1);
            out.push_str(" x i8] c\"");
            escape_into(out, text);
            out.push_str("\\00\"\n");
        }
    }
}

/// A `ptr`/`i8*` operand for string constant `number` of `length` bytes
/// (without its terminator).
fn write_reference(out: &mut String, target: &Target, number: usize, length: usize) {
    match target.pointers {
        Pointers::Opaque => {
            out.push_str("@slic.string.");
            push_number(out, number);
        }
        Pointers::Typed => {
            target.write_string_ref(out, format_args!("@slic.string.{number}"), length + 1)
        }
    }
}

/// The number of `text`'s constant, looked up only if `text` is not the
/// text of the previous call with the same `last`.
fn cached<'s>(strings: &mut Strings, last: &mut Option<(&'s str, usize)>, text: &'s str) -> usize {
    match *last {
        Some((previous, number)) if previous == text => number,
        _ => {
            let number = strings.number(text);
            *last = Some((text, number));
            number
        }
    }
}

/// The constants of `sites`, the first of which has id `first`.
pub fn table(
    out: &mut String,
    target: &Target,
    first: usize,
    sites: &[Site],
    strings: &mut Strings,
) {
    let byte = target.ptr("i8");
    // Neighbouring sites are mostly in the same function and file: their
    // strings are looked up once.
    let mut last_function: Option<(&str, usize)> = None;
    let mut last_file: Option<(&str, usize)> = None;
    for (index, site) in sites.iter().enumerate() {
        let function = cached(strings, &mut last_function, &site.function);
        out.push_str("@slic.site.");
        push_number(out, first + index);
        out.push_str(" = private unnamed_addr constant %slic.site { ");
        out.push_str(&byte);
        out.push(' ');
        match &site.position {
            Some(position) => {
                let file = cached(strings, &mut last_file, &position.file);
                write_reference(out, target, file, position.file.len());
                out.push_str(", i32 ");
                push_number(out, position.line as usize);
                out.push_str(", i32 ");
                push_number(out, position.column as usize);
                out.push_str(", ");
            }
            None => out.push_str("null, i32 0, i32 0, "),
        }
        out.push_str(&byte);
        out.push(' ');
        write_reference(out, target, function, site.function.len());
        out.push_str(" }\n");
    }
}
