//! Which routines of a driver play which role, and the roles file.
//!
//! `slic roles` writes the map as TOML, one table per role:
//!
//! ```toml
//! [dispatch]
//! routines = ["DispatchCreate", "DispatchRead"]
//!
//! [cancel]
//! routines = ["CancelIrp"]
//! ```
//!
//! and `--roles FILE` reads it back; `--role dispatch=DispatchRead` adds one.

use std::collections::{BTreeMap, BTreeSet};

use crate::role_table::{ROLES, Role};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoleMap {
    routines: BTreeMap<Role, BTreeSet<String>>,
}

impl RoleMap {
    pub fn add(&mut self, role: Role, routine: impl Into<String>) {
        self.routines
            .entry(role)
            .or_default()
            .insert(routine.into());
    }

    pub fn merge(&mut self, other: &RoleMap) {
        for (role, names) in &other.routines {
            for name in names {
                self.add(*role, name.clone());
            }
        }
    }

    /// The roles of a routine, in the role table's order.
    pub fn roles_of(&self, routine: &str) -> Vec<Role> {
        self.routines
            .iter()
            .filter(|(_, names)| names.contains(routine))
            .map(|(role, _)| *role)
            .collect()
    }

    /// Whether the routine has a role ([`RoleMap::roles_of`] is not empty).
    pub fn has_role(&self, routine: &str) -> bool {
        self.routines.values().any(|names| names.contains(routine))
    }

    /// [`RoleMap::roles_of`] every routine, found at once (a weaver that
    /// asks for thousands of routines).
    pub fn roles_by_routine<S: std::hash::BuildHasher + Default>(
        &self,
    ) -> std::collections::HashMap<&str, Vec<Role>, S> {
        let mut by_routine = std::collections::HashMap::<&str, Vec<Role>, S>::default();
        for (role, names) in &self.routines {
            for name in names {
                by_routine.entry(name).or_default().push(*role);
            }
        }
        by_routine
    }

    pub fn routines(&self, role: Role) -> impl Iterator<Item = &str> {
        self.routines
            .get(&role)
            .into_iter()
            .flatten()
            .map(String::as_str)
    }

    /// Every routine of every role.
    pub fn all_routines(&self) -> impl Iterator<Item = &str> {
        self.routines.values().flatten().map(String::as_str)
    }

    pub fn is_empty(&self) -> bool {
        self.routines.values().all(BTreeSet::is_empty)
    }

    /// The map as a roles file. `sources` are named in a comment.
    pub fn to_toml(&self, sources: &[String]) -> String {
        let mut out = String::from(
            "# Driver routines by role, for `slic weave --roles` and `slic cc --roles`.\n",
        );
        if !sources.is_empty() {
            out.push_str(&format!(
                "# Found by `slic roles` in: {}\n",
                sources.join(", ")
            ));
        }
        for info in ROLES {
            let Some(names) = self.routines.get(&info.role).filter(|n| !n.is_empty()) else {
                continue;
            };
            let quoted: Vec<String> = names.iter().map(|n| format!("{n:?}")).collect();
            out.push_str(&format!(
                "\n[{}]\nroutines = [{}]\n",
                info.key,
                quoted.join(", ")
            ));
        }
        out
    }

    /// Reads a roles file; the error says what is wrong, in one line.
    pub fn from_toml(text: &str) -> Result<RoleMap, String> {
        let table: toml::Table = without_comment_lines(text)
            .parse()
            .map_err(|error: toml::de::Error| error.message().to_string())?;
        let mut map = RoleMap::default();
        for (key, value) in &table {
            let role = Role::from_key(key).ok_or_else(|| unknown_role(key))?;
            let routines = value
                .get("routines")
                .and_then(|r| r.as_array())
                .ok_or_else(|| format!("[{key}] needs `routines = [\"Name\", ...]`"))?;
            for routine in routines {
                let name = routine
                    .as_str()
                    .ok_or_else(|| format!("[{key}] routines must be strings"))?;
                map.add(role, name);
            }
        }
        Ok(map)
    }

    /// Reads `KIND=NAME` from `--role`.
    pub fn parse_assignment(text: &str) -> Result<(Role, String), String> {
        let (key, name) = text.split_once('=').ok_or_else(|| {
            format!("`{text}` is not KIND=NAME (for example dispatch=DispatchRead)")
        })?;
        let role = Role::from_key(key.trim()).ok_or_else(|| unknown_role(key.trim()))?;
        let name = name.trim();
        let is_identifier = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !is_identifier {
            return Err(format!("`{name}` is not a C function name"));
        }
        Ok((role, name.to_string()))
    }
}

/// `text` with its comment lines made empty: `slic roles` ends a file
/// with a comment line for each routine it found, which the TOML parser
/// is slow to skip (a large driver's roles file is mostly comments). A line
/// whose first non-blank character is `#` is a comment unless it is inside
/// a multi-line string (TOML's other strings cannot span lines), so a text
/// with none is left as it is. Lines stay where they were.
fn without_comment_lines(text: &str) -> std::borrow::Cow<'_, str> {
    let bytes = text.as_bytes();
    if memchr::memmem::find(bytes, b"\"\"\"").is_some()
        || memchr::memmem::find(bytes, b"'''").is_some()
    {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut kept = String::with_capacity(text.len());
    let mut start = 0;
    let ends = memchr::memchr_iter(b'\n', bytes).chain(std::iter::once(bytes.len()));
    for end in ends {
        let line = &bytes[start..end];
        let content = line.strip_suffix(b"\r").unwrap_or(line);
        let comment = content
            .iter()
            .find(|&&b| b != b' ' && b != b'\t')
            .is_some_and(|&b| b == b'#');
        // A comment with a control character is TOML's to refuse.
        let plain = || {
            content
                .iter()
                .all(|&b| (b >= 0x20 && b != 0x7f) || b == b'\t')
        };
        if comment && plain() {
            // The line break stays (`\r\n` or `\n`), and nothing else.
            kept.push_str(&text[start + content.len()..end]);
        } else {
            kept.push_str(&text[start..end]);
        }
        // Past the `\n`.
        start = (end + 1).min(bytes.len());
        if end < bytes.len() {
            kept.push('\n');
        }
    }
    std::borrow::Cow::Owned(kept)
}

fn unknown_role(key: &str) -> String {
    let keys: Vec<&str> = ROLES.iter().map(|info| info.key).collect();
    format!("`{key}` is not a role; the roles are {}", keys.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_round_trip() {
        let mut map = RoleMap::default();
        map.add(Role::Dispatch, "DispatchRead");
        map.add(Role::Dispatch, "DispatchCreate");
        map.add(Role::Cancel, "CancelIrp");
        let text = map.to_toml(&["driver.c".to_string()]);
        assert!(text.contains("[dispatch]\nroutines = [\"DispatchCreate\", \"DispatchRead\"]"));
        assert_eq!(RoleMap::from_toml(&text).unwrap(), map);
        assert_eq!(map.roles_of("CancelIrp"), [Role::Cancel]);
    }

    #[test]
    fn comment_lines_are_dropped_only_where_they_are_comments() {
        let text = "# head\n[dispatch]\n  # inside\nroutines = [\"A\", # x\n  \"B\"]\r\n# tail\r\n";
        let mut map = RoleMap::default();
        map.add(Role::Dispatch, "A");
        map.add(Role::Dispatch, "B");
        assert_eq!(RoleMap::from_toml(text).unwrap(), map);
        assert_eq!(
            without_comment_lines(text),
            "\n[dispatch]\n\nroutines = [\"A\", # x\n  \"B\"]\r\n\r\n"
        );
        // In a multi-line string, `#` starts no comment.
        let string = "a = \"\"\"\n# not a comment\n\"\"\"\n";
        assert_eq!(without_comment_lines(string), string);
        // A comment TOML refuses is still refused.
        assert!(RoleMap::from_toml("# bad \u{7}\n[dispatch]\nroutines = []\n").is_err());
    }

    #[test]
    fn bad_roles_files_and_assignments_say_why() {
        assert!(
            RoleMap::from_toml("[dispach]\nroutines = []")
                .unwrap_err()
                .contains("not a role")
        );
        assert!(
            RoleMap::from_toml("[dispatch]\nnames = []")
                .unwrap_err()
                .contains("routines")
        );
        assert!(RoleMap::from_toml("[dispatch").is_err());
        assert_eq!(
            RoleMap::parse_assignment("cancel=CancelIrp").unwrap(),
            (Role::Cancel, "CancelIrp".to_string())
        );
        assert!(RoleMap::parse_assignment("CancelIrp").is_err());
        assert!(RoleMap::parse_assignment("cancel=1x").is_err());
    }
}
