//! The instructions the weaver reads: `call`, `invoke`, `ret` and `phi`,
//! and the headers of `define` and `declare`.
//!
//! Parsing works on the tokens of one instruction and records token
//! indexes, so every operand can be copied or replaced exactly. The forms
//! are those of `shared/design/llvm-ir-forms.md`: calling conventions,
//! return and parameter attributes, explicit function types
//! (`call void (ptr, ...) @F`), constant-expression callees
//! (`bitcast (void (...)* @F to ...)`) and operands (with their own commas
//! and parentheses), operand bundles, `#N` groups, `!dbg` attachments,
//! and `invoke`'s `to label %a unwind label %b`.

use super::lexer::{Kind, Token, matching};
use super::types::{self, Shape, Type};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TailMarker {
    None,
    Tail,
    MustTail,
    NoTail,
}

#[derive(Debug, Clone)]
pub struct Call {
    /// The `%x` the call defines.
    pub result: Option<usize>,
    pub marker: TailMarker,
    pub invoke: bool,
    /// What the call returns.
    pub returns: Shape,
    /// The tokens of the returned type (before a function type's
    /// parameters).
    pub returns_type: (usize, usize),
    /// The function called directly (`@F`, or the `@F` of a `bitcast` or
    /// `addrspacecast` callee).
    pub direct: Option<usize>,
    pub arguments: Vec<Argument>,
    /// `[ "funclet"(token %x) ]`: calls inserted next to this one need
    /// the same bundles (or WinEH preparation deletes them).
    pub bundles: Option<(usize, usize)>,
    /// `%N` of `to label %N`.
    pub normal: Option<usize>,
    /// `!N` of `!dbg !N`.
    pub dbg: Option<usize>,
}

#[derive(Debug, Clone)]
pub struct Argument {
    pub ty: Type,
    /// The value's tokens.
    pub value: (usize, usize),
    /// A hidden struct-return pointer: not a C argument.
    pub sret: bool,
}

/// Words that may start a value (besides names, numbers, strings and
/// aggregates).
const VALUE_WORDS: &[&str] = &[
    "null",
    "true",
    "false",
    "undef",
    "poison",
    "zeroinitializer",
    "none",
    "blockaddress",
    "dso_local_equivalent",
    "no_cfi",
    "asm",
    "getelementptr",
    "bitcast",
    "addrspacecast",
    "inttoptr",
    "ptrtoint",
    "trunc",
    "zext",
    "sext",
    "fptrunc",
    "fpext",
    "fptoui",
    "fptosi",
    "uitofp",
    "sitofp",
    "icmp",
    "fcmp",
    "select",
    "extractelement",
    "insertelement",
    "shufflevector",
    "extractvalue",
    "insertvalue",
    "add",
    "sub",
    "mul",
    "shl",
    "lshr",
    "ashr",
    "and",
    "or",
    "xor",
    "udiv",
    "sdiv",
    "urem",
    "srem",
    "ptrauth",
];

fn starts_value(source: &str, token: &Token) -> bool {
    match token.kind {
        Kind::Local
        | Kind::Global
        | Kind::Integer
        | Kind::Float
        | Kind::String
        | Kind::Metadata
        | Kind::MetadataString => true,
        Kind::Word => VALUE_WORDS.contains(&token.text(source)),
        Kind::Punct => matches!(token.text(source), "[" | "{" | "<" | "!"),
        _ => false,
    }
}

/// Skips one attribute (or calling convention, or flag) at `at`: a word,
/// with its `(...)` or its number (`align 8`, `cc 10`).
fn skip_attribute(source: &str, tokens: &[Token], at: usize) -> usize {
    let next = at + 1;
    match tokens.get(next) {
        Some(t) if t.is(source, b'(') => {
            matching(source, tokens, next).map_or(tokens.len(), |c| c + 1)
        }
        Some(t)
            if t.kind == Kind::Integer
                && matches!(
                    tokens[at].text(source),
                    "align" | "cc" | "alignstack" | "addrspace"
                ) =>
        {
            next + 1
        }
        _ => next,
    }
}

/// The first token at or after `at`, outside brackets, that `wanted`
/// accepts, before `end`.
fn find_top_level(
    source: &str,
    tokens: &[Token],
    at: usize,
    end: usize,
    wanted: impl Fn(&Token) -> bool,
) -> Option<usize> {
    let mut depth = 0isize;
    for (index, token) in tokens.iter().enumerate().take(end).skip(at) {
        if depth == 0 && wanted(token) {
            return Some(index);
        }
        if token.kind == Kind::Punct && token.end == token.start + 1 {
            match source.as_bytes()[token.start as usize] {
                b'(' | b'[' | b'{' | b'<' => depth += 1,
                b')' | b']' | b'}' | b'>' => depth -= 1,
                _ => {}
            }
        }
    }
    None
}

/// The `!N` of a `!dbg !N` attachment at the top level after `at`.
pub fn dbg_attachment(source: &str, tokens: &[Token], at: usize) -> Option<usize> {
    let index = find_top_level(source, tokens, at, tokens.len(), |t| {
        t.kind == Kind::Metadata && t.text(source) == "!dbg"
    })?;
    tokens
        .get(index + 1)
        .filter(|t| t.kind == Kind::Metadata)
        .map(|_| index + 1)
}

/// The opcode of an instruction and where it is: after `%x =` and any
/// tail marker.
pub fn opcode<'a>(source: &'a str, tokens: &[Token]) -> Option<(&'a str, usize)> {
    let mut at = 0;
    if tokens.len() > 1 && tokens[0].kind == Kind::Local && tokens[1].is(source, b'=') {
        at = 2;
    }
    let token = tokens.get(at)?;
    (token.kind == Kind::Word).then(|| (token.text(source), at))
}

/// Parses a `call` or `invoke`; `None` for any other instruction, and for
/// calls the parser cannot follow (the caller treats those as opaque).
pub fn call(source: &str, tokens: &[Token]) -> Option<Call> {
    let (word, mut at) = opcode(source, tokens)?;
    let result = (at == 2).then_some(0);
    let marker = match word {
        "tail" => TailMarker::Tail,
        "musttail" => TailMarker::MustTail,
        "notail" => TailMarker::NoTail,
        _ => TailMarker::None,
    };
    if marker != TailMarker::None {
        at += 1;
    }
    let invoke = match tokens.get(at)?.text(source) {
        "call" => false,
        "invoke" => true,
        _ => return None,
    };
    at += 1;
    while at < tokens.len() && !types::starts_type(source, &tokens[at]) {
        at = skip_attribute(source, tokens, at);
    }
    let ty = types::parse(source, tokens, at)?;
    let returns = ty.shape.returned().clone();
    let returns_type = match ty.shape {
        // The parameters are the last group of a function type.
        Shape::Function(_) => {
            let open = (ty.start..ty.end).rev().find(|&i| {
                tokens[i].is(source, b'(') && matching(source, tokens, i) == Some(ty.end - 1)
            })?;
            (ty.start, open)
        }
        _ => (ty.start, ty.end),
    };
    at = ty.end;

    let first = tokens.get(at)?;
    let mut direct = None;
    match first.kind {
        Kind::Global => {
            direct = Some(at);
            at += 1;
        }
        Kind::Local => at += 1,
        Kind::Word if first.text(source) == "asm" => {
            at += 1;
            while tokens.get(at).is_some_and(|t| t.kind == Kind::Word) {
                at += 1;
            }
            // The assembly text, a comma, the constraints.
            while tokens
                .get(at)
                .is_some_and(|t| t.kind == Kind::String || t.is(source, b','))
            {
                at += 1;
            }
        }
        Kind::Word => {
            let operation = first.text(source);
            while tokens.get(at).is_some_and(|t| t.kind == Kind::Word) {
                at += 1;
            }
            let open = at;
            if !tokens.get(open)?.is(source, b'(') {
                return None;
            }
            let close = matching(source, tokens, open)?;
            if matches!(operation, "bitcast" | "addrspacecast") {
                direct = (open..close).find(|&i| tokens[i].kind == Kind::Global);
            }
            at = close + 1;
        }
        _ => return None,
    }
    let open = at;
    if !tokens.get(open)?.is(source, b'(') {
        return None;
    }
    let close = matching(source, tokens, open)?;
    let arguments = arguments(source, tokens, open, close)?;
    let bundles = find_top_level(source, tokens, close + 1, tokens.len(), |t| {
        t.is(source, b'[') || t.is(source, b',') || t.is_word(source, "to")
    })
    .filter(|&i| tokens[i].is(source, b'['))
    .and_then(|open| Some((open, matching(source, tokens, open)?)));
    let normal = if invoke {
        let to = find_top_level(source, tokens, close + 1, tokens.len(), |t| {
            t.is_word(source, "to")
        })?;
        if !tokens.get(to + 1)?.is_word(source, "label") || tokens.get(to + 2)?.kind != Kind::Local
        {
            return None;
        }
        Some(to + 2)
    } else {
        None
    };
    Some(Call {
        result,
        marker,
        invoke,
        returns,
        returns_type,
        direct,
        arguments,
        bundles,
        normal,
        dbg: dbg_attachment(source, tokens, close + 1),
    })
}

/// The arguments between `(` at `open` and `)` at `close`. `None` if one
/// cannot be read.
fn arguments(source: &str, tokens: &[Token], open: usize, close: usize) -> Option<Vec<Argument>> {
    let mut list = Vec::new();
    let mut start = open + 1;
    while start < close {
        let end =
            find_top_level(source, tokens, start, close, |t| t.is(source, b',')).unwrap_or(close);
        if end == start + 1 && tokens[start].text(source) == "..." {
            // `...` forwards the caller's variable arguments (musttail).
            start = end + 1;
            continue;
        }
        let ty = types::parse(source, tokens, start)?;
        let mut at = ty.end;
        let mut sret = false;
        while at < end && !starts_value(source, &tokens[at]) {
            sret |= tokens[at].is_word(source, "sret");
            at = skip_attribute(source, tokens, at);
        }
        if at >= end {
            return None;
        }
        list.push(Argument {
            ty,
            value: (at, end),
            sret,
        });
        start = end + 1;
    }
    Some(list)
}

/// `ret <type> <value>`: the type and the value's tokens; `None` for
/// `ret void`.
#[derive(Debug, Clone)]
pub struct Ret {
    pub value: Option<(Type, (usize, usize))>,
    pub dbg: Option<usize>,
}

pub fn ret(source: &str, tokens: &[Token]) -> Option<Ret> {
    let (word, at) = opcode(source, tokens)?;
    if word != "ret" || at != 0 {
        return None;
    }
    let dbg = dbg_attachment(source, tokens, 1);
    if tokens.get(1)?.is_word(source, "void") {
        return Some(Ret { value: None, dbg });
    }
    let ty = types::parse(source, tokens, 1)?;
    let end = find_top_level(source, tokens, ty.end, tokens.len(), |t| t.is(source, b','))
        .unwrap_or(tokens.len());
    (end > ty.end).then(|| Ret {
        value: Some((ty.clone(), (ty.end, end))),
        dbg,
    })
}

/// The tokens naming the incoming blocks of a `phi`.
pub fn phi_blocks(source: &str, tokens: &[Token]) -> Vec<usize> {
    let Some((word, at)) = opcode(source, tokens) else {
        return Vec::new();
    };
    if word != "phi" {
        return Vec::new();
    }
    // Fast-math flags, then the type (which may be an array: `[2 x i32]`).
    let mut index = at + 1;
    while index < tokens.len() && !types::starts_type(source, &tokens[index]) {
        index += 1;
    }
    let Some(ty) = types::parse(source, tokens, index) else {
        return Vec::new();
    };
    index = ty.end;
    let mut blocks = Vec::new();
    let mut depth = 0;
    while index < tokens.len() {
        let token = &tokens[index];
        if depth == 0 && token.kind == Kind::Metadata {
            break;
        }
        if token.is(source, b'[')
            && depth == 0
            && let Some(close) = matching(source, tokens, index)
        {
            if tokens[close - 1].kind == Kind::Local {
                blocks.push(close - 1);
            }
            index = close + 1;
            continue;
        }
        match token.text(source) {
            "(" | "{" | "<" | "[" if token.kind == Kind::Punct => depth += 1,
            ")" | "}" | ">" | "]" if token.kind == Kind::Punct => depth -= 1,
            _ => {}
        }
        index += 1;
    }
    blocks
}

/// The header of a `define` or `declare`.
#[derive(Debug, Clone)]
pub struct Header {
    /// The `@name` token.
    pub name: usize,
    /// Linkage, calling convention and return attributes: from after the
    /// keyword to the return type.
    pub prefix: (usize, usize),
    pub returns: Type,
    pub parameters: Vec<Parameter>,
    pub variadic: bool,
    /// `!N` of the `!dbg !N` attachment (the function's `DISubprogram`).
    pub dbg: Option<usize>,
}

#[derive(Debug, Clone)]
pub struct Parameter {
    pub ty: Type,
    /// Attributes, from after the type to the name (or the end).
    pub attributes: (usize, usize),
    /// The `%name` token; `None` when the parameter is unnamed.
    pub name: Option<usize>,
    pub sret: bool,
}

pub fn header(source: &str, tokens: &[Token]) -> Option<Header> {
    let keyword = tokens.first()?;
    if !matches!(keyword.text(source), "define" | "declare") {
        return None;
    }
    let mut at = 1;
    while at < tokens.len() && !types::starts_type(source, &tokens[at]) {
        at = skip_attribute(source, tokens, at);
    }
    let returns = types::parse(source, tokens, at)?;
    let name = returns.end;
    if tokens.get(name)?.kind != Kind::Global {
        return None;
    }
    let open = name + 1;
    if !tokens.get(open)?.is(source, b'(') {
        return None;
    }
    let close = matching(source, tokens, open)?;
    let mut parameters = Vec::new();
    let mut variadic = false;
    let mut start = open + 1;
    while start < close {
        let end =
            find_top_level(source, tokens, start, close, |t| t.is(source, b',')).unwrap_or(close);
        if tokens[start].text(source) == "..." {
            variadic = true;
            start = end + 1;
            continue;
        }
        let ty = types::parse(source, tokens, start)?;
        let named = end > ty.end && tokens[end - 1].kind == Kind::Local;
        let attributes_end = if named { end - 1 } else { end };
        let sret = (ty.end..attributes_end).any(|i| tokens[i].is_word(source, "sret"));
        parameters.push(Parameter {
            attributes: (ty.end, attributes_end),
            ty,
            name: named.then_some(end - 1),
            sret,
        });
        start = end + 1;
    }
    Some(Header {
        name,
        prefix: (1, returns.start),
        returns,
        parameters,
        variadic,
        dbg: dbg_attachment(source, tokens, close + 1),
    })
}

/// Linkage, preemption, visibility and DLL storage words: what a wrapper
/// must not copy from the declaration it imitates.
pub const LINKAGE_WORDS: &[&str] = &[
    "private",
    "internal",
    "available_externally",
    "linkonce",
    "weak",
    "common",
    "appending",
    "extern_weak",
    "linkonce_odr",
    "weak_odr",
    "external",
    "dso_local",
    "dso_preemptable",
    "default",
    "hidden",
    "protected",
    "dllimport",
    "dllexport",
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::weave::llvm::lexer::tokenize;

    fn tokens(text: &str) -> Vec<Token> {
        let mut tokens = Vec::new();
        tokenize(text, 0..text.len(), &mut tokens);
        tokens
    }

    fn parsed(text: &str) -> (Call, Vec<Token>) {
        let tokens = tokens(text);
        (call(text, &tokens).expect("a call"), tokens)
    }

    fn text_of(text: &str, tokens: &[Token], (start, end): (usize, usize)) -> String {
        text[tokens[start].start as usize..tokens[end - 1].end as usize].to_string()
    }

    fn values(text: &str) -> Vec<String> {
        let (call, tokens) = parsed(text);
        call.arguments
            .iter()
            .map(|a| text_of(text, &tokens, a.value))
            .collect()
    }

    fn direct(text: &str) -> Option<String> {
        let (call, tokens) = parsed(text);
        call.direct.map(|i| tokens[i].text(text).to_string())
    }

    #[test]
    fn plain_call_with_debug_location() {
        let text = "  call void @KeReleaseInStackQueuedSpinLock(ptr noundef %3), !dbg !101";
        let (call, tokens) = parsed(text);
        assert_eq!(direct(text).unwrap(), "@KeReleaseInStackQueuedSpinLock");
        assert_eq!(call.returns, Shape::Void);
        assert_eq!(values(text), ["%3"]);
        assert_eq!(tokens[call.dbg.unwrap()].text(text), "!101");
        assert_eq!(call.marker, TailMarker::None);
    }

    #[test]
    fn fastcall_quoted_inreg_tail_and_groups() {
        let text = r#"  tail call x86_fastcallcc void @"\01@KeReleaseInStackQueuedSpinLock@4"(ptr inreg noundef %2) #9"#;
        let (call, _) = parsed(text);
        assert_eq!(call.marker, TailMarker::Tail);
        assert_eq!(
            direct(text).unwrap(),
            r#"@"\01@KeReleaseInStackQueuedSpinLock@4""#
        );
        assert_eq!(values(text), ["%2"]);
        assert!(call.dbg.is_none());
    }

    #[test]
    fn value_producing_typed_pointer_call() {
        let text = r#"  %27 = call x86_fastcallcc zeroext i8 @"\01@KeTryToAcquireSpinLockAtDpcLevel@4"(i32* inreg noundef %26)"#;
        let (call, tokens) = parsed(text);
        assert_eq!(call.returns, Shape::Int(8));
        assert_eq!(tokens[call.result.unwrap()].text(text), "%27");
        assert_eq!(call.arguments[0].ty.shape, Shape::Pointer);
        assert_eq!(values(text), ["%26"]);
    }

    #[test]
    fn bitcast_callee_and_explicit_function_type() {
        let text =
            "  call void bitcast (void (...)* @F to void (%struct.X*)*)(%struct.X* noundef %1)";
        assert_eq!(direct(text).unwrap(), "@F");
        assert_eq!(values(text), ["%1"]);
        let text = "  call void (ptr, ...) @F(ptr noundef %3)";
        assert_eq!(direct(text).unwrap(), "@F");
        assert_eq!(parsed(text).0.returns, Shape::Void);
        assert_eq!(values(text), ["%3"]);
    }

    #[test]
    fn constant_expression_operands_keep_their_commas() {
        let text = "  call void @KeAcquireInStackQueuedSpinLock(i64* noundef getelementptr inbounds (%struct.E, %struct.E* @g, i32 0, i32 1), %struct._KLOCK_QUEUE_HANDLE* noundef nonnull align 8 dereferenceable(16) @gh) #3, !dbg !7";
        assert_eq!(
            values(text),
            [
                "getelementptr inbounds (%struct.E, %struct.E* @g, i32 0, i32 1)",
                "@gh"
            ]
        );
        let text = "  call void @F(ptr noundef nonnull getelementptr inbounds (i8, ptr @g, i64 8), i8 noundef signext 0)";
        assert_eq!(
            values(text),
            ["getelementptr inbounds (i8, ptr @g, i64 8)", "0"]
        );
    }

    #[test]
    fn indirect_calls_have_no_direct_callee() {
        assert_eq!(
            direct("  call x86_fastcallcc void %12(ptr inreg noundef %1)"),
            None
        );
        assert_eq!(direct(r#"  call void asm sideeffect "nop", ""()"#), None);
    }

    #[test]
    fn invoke_on_two_lines_with_bundles() {
        let text = "  invoke x86_fastcallcc void @\"\\01@KeAcquireInStackQueuedSpinLock@8\"(ptr inreg noundef %9, ptr inreg noundef %8) #4 [ \"funclet\"(token %5) ]\n          to label %10 unwind label %15, !dbg !3\n";
        let (call, tokens) = parsed(text);
        assert!(call.invoke);
        assert_eq!(tokens[call.normal.unwrap()].text(text), "%10");
        assert_eq!(
            text_of(
                text,
                &tokens,
                (call.bundles.unwrap().0, call.bundles.unwrap().1 + 1)
            ),
            "[ \"funclet\"(token %5) ]"
        );
        assert_eq!(tokens[call.dbg.unwrap()].text(text), "!3");
    }

    #[test]
    fn musttail_sret_and_forwarded_varargs() {
        let text =
            "  musttail call void (ptr, ...) @F(ptr sret(%struct.S) align 4 %0, i32 %1, ...)";
        let (call, _) = parsed(text);
        assert_eq!(call.marker, TailMarker::MustTail);
        assert!(call.arguments[0].sret);
        assert_eq!(values(text), ["%0", "%1"]);
    }

    #[test]
    fn rets_and_phis() {
        let text = "  ret i32 %23, !dbg !161";
        let tokens = tokens(text);
        let parsed = ret(text, &tokens).unwrap();
        let (ty, value) = parsed.value.unwrap();
        assert_eq!(ty.shape, Shape::Int(32));
        assert_eq!(text_of(text, &tokens, value), "%23");
        assert_eq!(tokens[parsed.dbg.unwrap()].text(text), "!161");
        let text = "  ret void";
        assert!(ret(text, &self::tokens(text)).unwrap().value.is_none());

        let text = "  %12 = phi i32 [ %2, %6 ], [ 0, %4 ], [ ptrtoint (ptr getelementptr ([2 x i8], ptr @s, i32 0, i32 1) to i32), %9 ], !dbg !4";
        let tokens = self::tokens(text);
        let blocks: Vec<&str> = phi_blocks(text, &tokens)
            .into_iter()
            .map(|i| tokens[i].text(text))
            .collect();
        assert_eq!(blocks, ["%6", "%4", "%9"]);
    }

    #[test]
    fn headers_of_definitions_and_declarations() {
        let text = r#"define dso_local x86_stdcallcc i32 @"\01_DispatchRead@8"(ptr noundef %0, ptr noundef %Irp) #0 !dbg !117 {"#;
        let tokens = tokens(text);
        let header = header(text, &tokens).unwrap();
        assert_eq!(tokens[header.name].text(text), r#"@"\01_DispatchRead@8""#);
        assert_eq!(header.parameters.len(), 2);
        assert_eq!(
            tokens[header.parameters[1].name.unwrap()].text(text),
            "%Irp"
        );
        assert_eq!(tokens[header.dbg.unwrap()].text(text), "!117");
        assert_eq!(
            text_of(text, &tokens, header.prefix),
            "dso_local x86_stdcallcc"
        );

        let text = "declare dso_local x86_fastcallcc zeroext i8 @\"\\01@F@4\"(i32* inreg noundef, ...) local_unnamed_addr #4";
        let tokens = self::tokens(text);
        let header = super::header(text, &tokens).unwrap();
        assert!(header.variadic);
        assert_eq!(header.returns.shape, Shape::Int(8));
        assert!(header.parameters[0].name.is_none());
        assert_eq!(
            text_of(text, &tokens, header.parameters[0].attributes),
            "inreg noundef"
        );
        assert!(header.dbg.is_none());
    }
}
