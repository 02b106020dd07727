//! tree-sitter-c over the pieces of a file where C's grammar matters (the
//! heads of function definitions and some declarations), and the few
//! questions the weaver asks of the trees.

use std::ops::Range;

use tree_sitter::{Node, Parser, Point, Tree};

use super::blank::Blanked;

/// The fields of tree-sitter-c's nodes the weaver reads. tree-sitter looks
/// a field up by name with a search through all the names; by number, it
/// does not.
#[derive(Debug, Clone, Copy)]
pub enum Field {
    Arguments,
    Body,
    Declarator,
    Function,
    Parameters,
    Type,
}

const FIELD_NAMES: [&str; 6] = [
    "arguments",
    "body",
    "declarator",
    "function",
    "parameters",
    "type",
];

/// The child of `node` in `field`.
pub fn child<'t>(node: Node<'t>, field: Field) -> Option<Node<'t>> {
    static IDS: std::sync::OnceLock<[u16; 6]> = std::sync::OnceLock::new();
    let ids = IDS.get_or_init(|| {
        let language: tree_sitter::Language = tree_sitter_c::LANGUAGE.into();
        FIELD_NAMES.map(|name| language.field_id_for_name(name).map_or(0, |id| id.get()))
    });
    node.child_by_field_id(ids[field as usize])
}

/// A parser of C.
pub fn parser() -> Parser {
    let mut parser = Parser::new();
    parser
        .set_language(&tree_sitter_c::LANGUAGE.into())
        .expect("the tree-sitter-c grammar matches the tree-sitter library");
    parser
}

/// Parses the given byte ranges of `text` (sorted, not overlapping) as if
/// they were one text, with the attribute-like macros `blanked` read as
/// spaces and every node at its position in `text`. `None` when there is
/// nothing to parse.
pub fn parse_ranges(
    parser: &mut Parser,
    text: &str,
    blanked: &[Blanked],
    ranges: &[Range<usize>],
    line_starts: &[usize],
) -> Option<Tree> {
    if ranges.is_empty() {
        return None;
    }
    let point = |offset: usize| {
        let row = line_starts.partition_point(|&s| s <= offset) - 1;
        Point::new(row, offset - line_starts[row])
    };
    let included: Vec<tree_sitter::Range> = ranges
        .iter()
        .map(|range| tree_sitter::Range {
            start_byte: range.start,
            end_byte: range.end,
            start_point: point(range.start),
            end_point: point(range.end),
        })
        .collect();
    // The callers give sorted ranges that do not overlap, which is all
    // tree-sitter asks of them.
    parser.set_included_ranges(&included).ok()?;
    const SPACES: &[u8] = &[b' '; 64];
    let bytes = text.as_bytes();
    let mut read = |offset: usize, _: Point| -> &[u8] {
        let index = blanked.partition_point(|b| b.range.end <= offset);
        match blanked.get(index) {
            Some(macro_) if macro_.range.start <= offset => {
                &SPACES[..(macro_.range.end - offset).min(SPACES.len())]
            }
            Some(macro_) => &bytes[offset..macro_.range.start],
            None => bytes.get(offset..).unwrap_or_default(),
        }
    };
    parser.parse_with_options(&mut read, None, None)
}

pub fn text<'a>(node: Node, source: &'a str) -> &'a str {
    &source[node.byte_range()]
}

/// The identifier a declarator declares, through pointers, parentheses,
/// arrays and function declarators.
pub fn declared_name(declarator: Node) -> Option<Node> {
    let mut node = declarator;
    loop {
        match node.kind() {
            "identifier" | "field_identifier" | "type_identifier" => return Some(node),
            "function_declarator"
            | "pointer_declarator"
            | "array_declarator"
            | "init_declarator"
            | "attributed_declarator" => node = child(node, Field::Declarator)?,
            "parenthesized_declarator" => node = node.named_child(0)?,
            _ => return None,
        }
    }
}

/// The function declarator of a function definition (under any pointers):
/// in `int (*f(void))(void)`, the declarator of the name is the one with
/// the parameters, the innermost.
pub fn function_declarator(declarator: Node) -> Option<Node> {
    let mut node = declarator;
    let mut found = None;
    loop {
        let next = match node.kind() {
            "function_declarator" => {
                found = Some(node);
                child(node, Field::Declarator)
            }
            "pointer_declarator" | "attributed_declarator" => child(node, Field::Declarator),
            "parenthesized_declarator" => node.named_child(0),
            _ => None,
        };
        match next {
            Some(next) => node = next,
            None => return found,
        }
    }
}

/// Whether an identifier is the name being declared (not a use).
pub fn is_declarator(node: Node, parent: Node) -> bool {
    match parent.kind() {
        "function_declarator"
        | "init_declarator"
        | "pointer_declarator"
        | "array_declarator"
        | "parenthesized_declarator"
        | "declaration"
        | "parameter_declaration"
        | "attributed_declarator" => child(parent, Field::Declarator) == Some(node),
        _ => false,
    }
}

/// The names of a definition's parameters, to forward them.
pub fn parameter_names(function: Node, source: &str) -> Result<Vec<String>, String> {
    let Some(list) = child(function, Field::Parameters) else {
        return Ok(Vec::new());
    };
    let mut names = Vec::new();
    let mut cursor = list.walk();
    for parameter in list.named_children(&mut cursor) {
        match parameter.kind() {
            "parameter_declaration" => match child(parameter, Field::Declarator) {
                Some(declarator) => match declared_name(declarator) {
                    Some(name) => names.push(text(name, source).to_string()),
                    None => return Err("a parameter has no name".to_string()),
                },
                None => {
                    let ty = child(parameter, Field::Type).map(|t| text(t, source));
                    if !matches!(ty, Some("void" | "VOID")) {
                        return Err("a parameter has no name".to_string());
                    }
                }
            },
            // K&R: `f(a, b) int a; char *b; { ... }`.
            "identifier" => names.push(text(parameter, source).to_string()),
            "variadic_parameter" => {
                return Err("it takes a variable number of arguments".to_string());
            }
            "comment" => {}
            other => return Err(format!("it has a parameter slic cannot forward ({other})")),
        }
    }
    Ok(names)
}

/// Whether a definition returns nothing: `void` or `VOID`, not a pointer.
pub fn returns_void(definition: Node, declarator: Node, source: &str) -> bool {
    let ty = child(definition, Field::Type).map(|t| text(t, source));
    matches!(ty, Some("void" | "VOID")) && declarator.kind() != "pointer_declarator"
}

/// The return type as the file spells it (`source` is the file's bytes):
/// the type specifiers plus any pointer stars of the declarator.
pub fn result_type(definition: Node, declarator: Node, source: &[u8]) -> Vec<u8> {
    let ty = child(definition, Field::Type).map_or(&b"int"[..], |t| &source[t.byte_range()]);
    let mut stars = String::new();
    let mut node = declarator;
    while node.kind() == "pointer_declarator" {
        stars.push('*');
        match child(node, Field::Declarator) {
            Some(inner) => node = inner,
            None => break,
        }
    }
    let qualifiers: Vec<&[u8]> = {
        let mut cursor = definition.walk();
        definition
            .children(&mut cursor)
            .filter(|c| c.kind() == "type_qualifier")
            .map(|c| &source[c.byte_range()])
            .collect()
    };
    let mut out = qualifiers.join(&b' ');
    if !out.is_empty() {
        out.push(b' ');
    }
    out.extend_from_slice(ty);
    if !stars.is_empty() {
        out.push(b' ');
        out.extend_from_slice(stars.as_bytes());
    }
    out
}

/// A node in a walk of the tree, with what the weaver asks about its
/// surroundings. (tree-sitter nodes have no parent pointer: `Node::parent`
/// searches down from the root, so a walk that keeps its own stack of
/// ancestors is what makes weaving large files fast.)
pub struct Visit<'t> {
    pub node: Node<'t>,
    pub parent: Option<Node<'t>>,
    /// Inside the raw text of a `#define` or other directive.
    pub in_directive: bool,
    /// The function definition the node is in.
    pub function: Option<Node<'t>>,
    /// The declarator of the global variable whose initialiser the node
    /// is in, outside any function.
    pub global: Option<Node<'t>>,
}

impl Visit<'_> {
    /// The name of the enclosing function, or of the global variable being
    /// initialised.
    pub fn enclosing_name<'s>(&self, source: &'s str) -> Option<&'s str> {
        let declarator = match self.function {
            Some(function) => child(function, Field::Declarator)?,
            None => self.global?,
        };
        declared_name(declarator).map(|n| text(n, source))
    }
}

/// Calls `visit` on every node, parents first.
pub fn walk<'t>(tree: &'t Tree, mut visit: impl FnMut(&Visit<'t>)) {
    struct Frame<'t> {
        node: Node<'t>,
        directive: bool,
        function: Option<Node<'t>>,
        global: Option<Node<'t>>,
    }
    let mut cursor = tree.walk();
    let mut stack: Vec<Frame<'t>> = Vec::new();
    loop {
        let node = cursor.node();
        let parent = stack.last();
        let in_directive = parent.is_some_and(|p| p.directive);
        let function = parent.and_then(|p| p.function);
        let global = parent.and_then(|p| p.global);
        visit(&Visit {
            node,
            parent: parent.map(|p| p.node),
            in_directive,
            function,
            global,
        });
        let kind = node.kind();
        let frame = Frame {
            node,
            directive: in_directive
                || matches!(
                    kind,
                    "preproc_def" | "preproc_function_def" | "preproc_call"
                ),
            function: if kind == "function_definition" {
                Some(node)
            } else {
                function
            },
            global: match (kind, function) {
                ("init_declarator", None) => child(node, Field::Declarator)
                    .filter(|d| d.kind() != "function_declarator")
                    .or(global),
                _ => global,
            },
        };
        if cursor.goto_first_child() {
            stack.push(frame);
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return;
            }
            stack.pop();
        }
    }
}
