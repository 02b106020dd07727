//! Parsing C with tree-sitter and the few questions the weaver asks of it.

use tree_sitter::{Node, Parser, Tree};

pub fn parse(text: &str) -> Tree {
    let mut parser = Parser::new();
    parser
        .set_language(&tree_sitter_c::LANGUAGE.into())
        .expect("the tree-sitter-c grammar matches the tree-sitter library");
    parser
        .parse(text, None)
        .expect("parsing without a timeout or cancellation finishes")
}

/// Every node of the tree, parents before children.
pub fn all_nodes(tree: &Tree) -> Vec<Node<'_>> {
    let mut nodes = Vec::new();
    let mut cursor = tree.walk();
    loop {
        nodes.push(cursor.node());
        if cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return nodes;
            }
        }
    }
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
            | "attributed_declarator" => node = node.child_by_field_name("declarator")?,
            "parenthesized_declarator" => node = node.named_child(0)?,
            _ => return None,
        }
    }
}

/// The function declarator of a function definition (under any pointers).
pub fn function_declarator(declarator: Node) -> Option<Node> {
    let mut node = declarator;
    loop {
        match node.kind() {
            "function_declarator" => {
                // `int (*f(void))(void)`: the outermost declarator of the
                // name is the one with the parameters.
                let inner = node.child_by_field_name("declarator")?;
                return match inner.kind() {
                    "identifier" => Some(node),
                    _ => function_declarator(inner).or(Some(node)),
                };
            }
            "pointer_declarator" | "attributed_declarator" => {
                node = node.child_by_field_name("declarator")?
            }
            "parenthesized_declarator" => node = node.named_child(0)?,
            _ => return None,
        }
    }
}

/// The name of the function a node is in, or of the global variable whose
/// initialiser it is in; `None` at file scope elsewhere.
pub fn enclosing_name<'a>(node: Node, source: &'a str) -> Option<&'a str> {
    let mut current = node.parent();
    while let Some(parent) = current {
        match parent.kind() {
            "function_definition" => {
                let declarator = parent.child_by_field_name("declarator")?;
                return declared_name(declarator).map(|n| text(n, source));
            }
            "init_declarator" => {
                let declarator = parent.child_by_field_name("declarator")?;
                if declarator.kind() != "function_declarator" {
                    let inside_function =
                        ancestors(parent).any(|a| a.kind() == "function_definition");
                    if !inside_function {
                        return declared_name(declarator).map(|n| text(n, source));
                    }
                }
            }
            _ => {}
        }
        current = parent.parent();
    }
    None
}

pub fn ancestors(node: Node) -> impl Iterator<Item = Node> {
    std::iter::successors(node.parent(), |n| n.parent())
}

/// Whether the node is inside a preprocessor directive's raw text.
pub fn in_directive(node: Node) -> bool {
    ancestors(node).any(|a| {
        matches!(
            a.kind(),
            "preproc_def" | "preproc_function_def" | "preproc_call"
        )
    })
}

/// Every node under `node`, `node` first.
pub fn all_descendants(node: Node) -> impl Iterator<Item = Node> {
    let mut stack = vec![node];
    std::iter::from_fn(move || {
        let next = stack.pop()?;
        let mut cursor = next.walk();
        let children: Vec<Node> = next.children(&mut cursor).collect();
        stack.extend(children.into_iter().rev());
        Some(next)
    })
}
