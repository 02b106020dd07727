//! The code the C weaver adds to a file: the site table, the wrappers of
//! the APIs (by call and by address), and the calls of the hooks.

use std::fmt::Write;

use crate::catalog::{CType, Prototype};
use crate::monitor::hooks::{Hook, HookSet};
use crate::syntax::pretty::{push_quoted, quote};
use crate::weave::Site;
use crate::weave::bind;

/// `slic_sites`: where each site is and the function it is in, appended
/// to `out` (the woven file's bytes: a site's line is made in a small
/// buffer and copied, so the table is never held twice).
pub fn site_table(sites: &[Site], out: &mut Vec<u8>) {
    let count = sites.len().max(1);
    let mut line = String::with_capacity(256);
    let _ = writeln!(
        line,
        "SLIC_MAYBE_UNUSED static const struct slic_site slic_sites[{count}] = {{"
    );
    // Sites are many and their files few: each file is quoted once.
    let mut file: Option<(&str, String)> = None;
    for site in sites {
        out.extend_from_slice(line.as_bytes());
        line.clear();
        line.push_str("    { ");
        match &site.position {
            Some(position) => {
                if file.as_ref().is_none_or(|(name, _)| *name != position.file) {
                    file = Some((&position.file, quote(&position.file)));
                }
                let quoted = &file.as_ref().expect("just set").1;
                line.push_str(quoted);
                line.push_str(", ");
                push_number(&mut line, position.line.into());
                line.push_str(", ");
                push_number(&mut line, position.column.into());
                line.push_str(", ");
            }
            None => line.push_str("0, 0, 0, "),
        }
        push_quoted(&mut line, &site.function);
        line.push_str(" },\n");
    }
    if sites.is_empty() {
        line.push_str("    { 0, 0, 0, 0 },\n");
    }
    line.push_str("};\n");
    out.extend_from_slice(line.as_bytes());
}

/// `slic_w_F(site, args...)`: the hooks around the real call. Its only
/// uses may be in code the preprocessor drops (`KdPrint` arguments in a
/// free build, an `#if DBG` branch), so it is marked maybe-unused, as are
/// the site table and the pointer wrappers: WDK builds treat warnings as
/// errors.
pub fn api_wrapper(
    hooks: &HookSet,
    prototype: &Prototype,
    declarations: &mut String,
    out: &mut String,
    api: &str,
) {
    let (parameters, declared) = parameters(prototype);
    let mut signature = vec!["const struct slic_site *slic_site".to_string()];
    signature.extend(declared);
    let returns_void = prototype.returns.is_void();
    let head = format!(
        "SLIC_MAYBE_UNUSED static {} slic_w_{api}({})",
        prototype.return_spelling,
        signature.join(", ")
    );
    let _ = writeln!(declarations, "{head};");
    let values = hook_values(prototype, &parameters);
    if values.iter().any(|v| v.starts_with(BITS64)) && !out.contains(BITS64_DEFINITION) {
        out.push_str(BITS64_DEFINITION);
    }
    let _ = writeln!(out, "{head}\n{{");
    let hooks = bind::call_hooks(hooks, api);
    let site = SiteArgument::Named("slic_site");
    for hook in &hooks.before {
        out.push_str("    ");
        push_hook_call(out, hook, site, &values, None);
        out.push_str(";\n");
    }
    let call = format!("{api}({})", parameters.join(", "));
    // The result declared where it is made, in a block of its own after
    // statements (C90 allows declarations only at a block's start).
    let block = !returns_void && !hooks.before.is_empty();
    let indent = if block { "        " } else { "    " };
    if block {
        out.push_str("    {\n");
    }
    if returns_void {
        let _ = writeln!(out, "    {call};");
    } else {
        let _ = writeln!(
            out,
            "{indent}{} slic_result = {call};",
            prototype.return_spelling
        );
    }
    let ret = (!returns_void).then_some("slic_result");
    for hook in &hooks.after {
        out.push_str(indent);
        push_hook_call(out, hook, site, &values, ret);
        out.push_str(";\n");
    }
    if !returns_void {
        out.push_str(indent);
        out.push_str("return slic_result;\n");
    }
    if block {
        out.push_str("    }\n");
    }
    out.push_str("}\n");
}

/// A function with the API's own prototype (calling convention too), for
/// a use of its address.
pub fn pointer_wrapper(
    prototype: &Prototype,
    declarations: &mut String,
    out: &mut String,
    site: usize,
    api: &str,
) {
    let (parameters, declared) = parameters(prototype);
    let convention = prototype
        .calling_convention
        .as_ref()
        .map_or(String::new(), |c| format!("{c} "));
    let declared = if declared.is_empty() {
        "void".to_string()
    } else {
        declared.join(", ")
    };
    let mut arguments = vec![format!("&slic_sites[{site}]")];
    arguments.extend(parameters);
    let call = format!("slic_w_{api}({})", arguments.join(", "));
    let body = if prototype.returns.is_void() {
        format!("{call};")
    } else {
        format!("return {call};")
    };
    let head = format!(
        "SLIC_MAYBE_UNUSED static {} {convention}slic_wp{site}_{api}({declared})",
        prototype.return_spelling
    );
    let _ = writeln!(declarations, "{head};");
    let _ = writeln!(out, "{head}\n{{\n    {body}\n}}");
}

pub const GENERATED: &str = "<slic generated>";

/// `number` in decimal, written into `digits`, without the formatting
/// machinery: the weaver writes several for every site.
pub fn decimal(mut number: u64, digits: &mut [u8; 20]) -> &[u8] {
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (number % 10) as u8;
        number /= 10;
        if number == 0 {
            break;
        }
    }
    &digits[at..]
}

/// Appends a number in decimal ([`decimal`]).
pub fn push_number(out: &mut String, number: u64) {
    let mut digits = [0; 20];
    let digits = decimal(number, &mut digits);
    out.push_str(std::str::from_utf8(digits).expect("ASCII digits"));
}

/// `&slic_sites[N]`, the site `N` of the table.
pub fn push_site(out: &mut String, site: usize) {
    out.push_str("&slic_sites[");
    push_number(out, site as u64);
    out.push(']');
}

/// [`push_site`] into bytes.
pub fn push_site_bytes(out: &mut Vec<u8>, site: usize) {
    out.extend_from_slice(b"&slic_sites[");
    out.extend_from_slice(decimal(site as u64, &mut [0; 20]));
    out.push(b']');
}

pub fn line_directive(line: u32, file: &str) -> String {
    let mut out = String::new();
    push_line_directive(&mut out, line, &quote(file));
    out
}

/// Appends `#line LINE FILE`, the file already quoted (a woven file has a
/// directive after each wrapper).
pub fn push_line_directive(out: &mut String, line: u32, quoted_file: &str) {
    let _ = writeln!(out, "#line {line} {quoted_file}");
}

/// The wrapper's parameters `a1, a2, ...`, and each declared with the
/// API's type.
fn parameters(prototype: &Prototype) -> (Vec<String>, Vec<String>) {
    let names: Vec<String> = (1..=prototype.parameters.len())
        .map(|i| format!("a{i}"))
        .collect();
    let declared = prototype
        .parameters
        .iter()
        .zip(&names)
        .map(|(p, name)| declare(&p.spelling, name))
        .collect();
    (names, declared)
}

/// What the hooks are given for each parameter: its value, but for a
/// structure or union passed by value, which no integer cast takes. The
/// WDK's by-value unions are `LARGE_INTEGER` and its kin (`PHYSICAL_ADDRESS`,
/// `ULARGE_INTEGER`: `KeSetTimer`'s due time): their 64 bits, the value the
/// IR weaver sees too (Windows passes them in a register), copied byte by
/// byte, since headers differ on the type (a union in the WDK, an integer
/// in some stub kernels). Any other record is given as 0.
fn hook_values(prototype: &Prototype, parameters: &[String]) -> Vec<String> {
    prototype
        .parameters
        .iter()
        .zip(parameters)
        .map(|(parameter, name)| match &parameter.ty {
            CType::Record(record) if record.trim_start_matches('_').ends_with("LARGE_INTEGER") => {
                format!("{BITS64}&({name}), (unsigned)sizeof({name}))")
            }
            CType::Record(_) => "0".to_string(),
            _ => name.clone(),
        })
        .collect()
}

const BITS64: &str = "slic_bits64(";

/// Written once, before the first wrapper that needs it. C90, no library.
const BITS64_DEFINITION: &str =
    "SLIC_MAYBE_UNUSED static int64_t slic_bits64(const void *value, unsigned size)
{
    const unsigned char *from = (const unsigned char *)value;
    int64_t bits = 0;
    unsigned char *to = (unsigned char *)&bits;
    unsigned i;
    for (i = 0; i < size && i < sizeof bits; i++) {
        to[i] = from[i];
    }
    return bits;
}
";

/// `TYPE name`, with the stars of a spelled pointer type after the type.
fn declare(spelling: &str, name: &str) -> String {
    format!("{spelling} {name}")
}

/// Where a hook call's site comes from.
#[derive(Clone, Copy)]
pub enum SiteArgument<'s> {
    /// A parameter of an API wrapper (`slic_site`).
    Named(&'s str),
    /// An entry of the site table: `&slic_sites[N]` (routine wrappers).
    Table(usize),
}

/// Appends a call of a hook, `HOOK(SITE, values...)`: values are the
/// wrapper's parameters (`0` past the last), what they point to, and the
/// returned value `ret`. Written in place: a woven driver has thousands.
pub fn push_hook_call(
    out: &mut String,
    hook: &Hook,
    site: SiteArgument,
    parameters: &[String],
    ret: Option<&str>,
) {
    out.push_str(&hook.name);
    out.push('(');
    match site {
        SiteArgument::Named(name) => out.push_str(name),
        SiteArgument::Table(index) => push_site(out, index),
    }
    for (index, value) in hook.arguments.iter().enumerate() {
        let parameter = parameters.get(index).map_or("0", String::as_str);
        for part in [", (", value.c_carrier(), ")(", parameter, ")"] {
            out.push_str(part);
        }
    }
    for (position, value) in &hook.pointees {
        let parameter = parameters
            .get(*position as usize - 1)
            .map_or("0", String::as_str);
        for part in [
            ", (",
            parameter,
            " ? (",
            value.c_carrier(),
            ")*(",
            parameter,
            ") : 0)",
        ] {
            out.push_str(part);
        }
    }
    if let Some(value) = hook.returns {
        for part in [", (", value.c_carrier(), ")(", ret.unwrap_or("0"), ")"] {
            out.push_str(part);
        }
    }
    out.push(')');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_written_as_format_writes_them() {
        for number in [0, 7, 10, 99, 100, 1_234_567, u64::from(u32::MAX), u64::MAX] {
            let mut out = String::from("x");
            push_number(&mut out, number);
            assert_eq!(out, format!("x{number}"));
        }
        let mut site = String::new();
        push_site(&mut site, 8559);
        assert_eq!(site, "&slic_sites[8559]");
        let mut bytes = b"x".to_vec();
        push_site_bytes(&mut bytes, 0);
        assert_eq!(bytes, b"x&slic_sites[0]");
    }
}
