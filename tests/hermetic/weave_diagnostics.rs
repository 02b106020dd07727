//! Every input under `tests/fixtures/weave/` is a test of what the weavers
//! say about a driver: `slic weave` reports exactly the codes its first
//! line expects, exits with 1 when one of them is an error, and its
//! rendered diagnostics are pinned.

use slic::diagnostic::{Code, Severity};

use crate::support::{expected_codes, weave_fixture};

/// The codes in rendered diagnostics: `error[E0030]`, `warning[W0013]`.
fn codes_in(rendered: &str) -> Vec<String> {
    let mut codes: Vec<String> = rendered
        .lines()
        .filter_map(|line| {
            let rest = line
                .strip_prefix("error[")
                .or_else(|| line.strip_prefix("warning["))?;
            Some(rest.split(']').next()?.to_string())
        })
        .collect();
    codes.sort();
    codes.dedup();
    codes
}

#[test]
fn weave_fixtures_report_exactly_their_codes() {
    let mut count = 0;
    for pattern in ["*.c", "*.ll"] {
        insta::glob!("../fixtures/weave", pattern, |path| {
            let text = std::fs::read_to_string(path).unwrap();
            let expected = expected_codes(&text);
            let (stderr, code) = weave_fixture(path);
            assert_eq!(codes_in(&stderr), expected, "{}:\n{stderr}", path.display());
            let errors = expected.iter().any(|code| {
                Code::ALL
                    .iter()
                    .any(|c| c.as_str() == code && c.severity() == Severity::Error)
            });
            assert_eq!(
                code,
                Some(if errors { 1 } else { 0 }),
                "{}:\n{stderr}",
                path.display()
            );
            insta::assert_snapshot!(stderr);
            count += 1;
        });
    }
    assert!(count >= 10, "only {count} weave fixtures");
}
