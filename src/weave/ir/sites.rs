//! The sites of a woven module as IR: one `struct slic_site` constant per
//! site, and the strings they point to.

use std::collections::HashMap;
use std::fmt::Write;

use super::monitor::string_constant;
use super::target::Target;
use crate::weave::Site;

/// Private strings of one module, each defined once.
#[derive(Debug, Default)]
pub struct Strings {
    numbers: HashMap<String, usize>,
    texts: Vec<String>,
}

impl Strings {
    /// A `ptr`/`i8*` operand (without its type) for `text`.
    pub fn reference(&mut self, target: &Target, text: &str) -> String {
        let number = match self.numbers.get(text) {
            Some(&number) => number,
            None => {
                self.texts.push(text.to_string());
                self.numbers.insert(text.to_string(), self.texts.len() - 1);
                self.texts.len() - 1
            }
        };
        target.string_ref(&format!("@slic.string.{number}"), text.len() + 1)
    }

    pub fn definitions(&self, out: &mut String) {
        for (number, text) in self.texts.iter().enumerate() {
            let _ = writeln!(
                out,
                "{}",
                string_constant(&format!("@slic.string.{number}"), text, "private")
            );
        }
    }
}

/// The symbol of site `index`.
pub fn symbol(index: usize) -> String {
    format!("@slic.site.{index}")
}

/// The site constants.
pub fn table(out: &mut String, target: &Target, sites: &[Site], strings: &mut Strings) {
    let byte = target.ptr("i8");
    for (index, site) in sites.iter().enumerate() {
        let function = strings.reference(target, &site.function);
        let (file, line, column) = match &site.position {
            Some(position) => (
                strings.reference(target, &position.file),
                position.line,
                position.column,
            ),
            None => ("null".to_string(), 0, 0),
        };
        let _ = writeln!(
            out,
            "{} = private unnamed_addr constant %slic.site {{ {byte} {file}, i32 {line}, i32 {column}, {byte} {function} }}",
            symbol(index)
        );
    }
}
