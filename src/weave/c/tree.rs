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
            Some(function) => function.child_by_field_name("declarator")?,
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
                ("init_declarator", None) => node
                    .child_by_field_name("declarator")
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
