//! The IR back end on the mock drivers, for every fixture of
//! `tests/fixtures/ir/` (clang 14, 16 and 19; Linux, x64 and i686 Windows;
//! -O0 and -O2; with and without -g):
//!
//! - every woven module passes `opt -passes=verify` of its producer;
//! - Windows modules compile to objects with `llc`;
//! - Linux modules, linked with the mock WDK and the driver's `main.c`,
//!   run natively and under `lli` and print the reports the C back end
//!   prints for the same driver: the same text, byte for byte (in a fixed
//!   order: threads report in any), at -O0 with debug information (and then
//!   also the bugs the annotations expect);
//!   the same reports but for their places otherwise (no debug
//!   information; or an optimiser that ran before weaving, which may make a
//!   call through a pointer direct or move a `ret`);
//! - a module woven at -O0 and then optimised with `opt -O2` reports the
//!   same as before.

use crate::driver_support::{MockDriver, parse_reports};
use crate::ir_support::*;

/// The C back end's reports for a driver (built with clang 19).
fn c_reports(driver: &MockDriver, work: &std::path::Path) -> String {
    let executable = driver.build_with_c_weaver("clang-19", work);
    run_for_reports(std::process::Command::new(executable), "the C-woven driver")
}

fn check_clang(version: u32) {
    for name in drivers_with_fixtures() {
        let driver = MockDriver::open(&name);
        let work = tempfile::tempdir().unwrap();
        let expected_text = c_reports(&driver, work.path());
        let macros = wdk_macros();
        let roles = roles_file(&driver, work.path());
        let mut arguments = rule_arguments(&driver.rules);
        arguments.extend(["--roles".to_string(), roles.display().to_string()]);
        let fixtures = fixtures(&name, version);
        assert!(
            !fixtures.is_empty(),
            "no clang-{version} fixtures for {name}"
        );
        for fixture in fixtures {
            assert_eq!(
                fixture.files.len(),
                driver.sources.len(),
                "{name}: {} has a file per source (run scripts/regenerate-ir-fixtures)",
                fixture.name()
            );
            let context = format!("{name}: {}", fixture.name());
            let extension = if fixture.bitcode { "bc" } else { "ll" };
            let woven: Vec<_> = fixture
                .files
                .iter()
                .map(|file| weave(&fixture, file, &arguments, work.path(), extension).0)
                .collect();
            for module in &woven {
                verify(version, module);
                if !fixture.is_linux() {
                    compile_object(version, module, work.path());
                }
            }
            if !fixture.is_linux() {
                continue;
            }
            let level = match (fixture.optimised, fixture.debug) {
                (true, _) => Match::Optimised,
                (false, true) => Match::Exact,
                (false, false) => Match::WithoutPlaces,
            };
            let expected = comparable(&expected_text, level, &macros);
            let compare = |stderr: &str, how: &str| {
                assert_same_reports(
                    &comparable(stderr, level, &macros),
                    &expected,
                    &format!("{context}, {how}"),
                );
                if level == Match::Exact {
                    assert_eq!(parse_reports(stderr), driver.expected(), "{context}, {how}");
                }
                if !fixture.debug {
                    assert!(
                        !stderr.contains(".c:"),
                        "{context}, {how}: a position without debug information"
                    );
                }
            };
            let executable = link_native(version, &woven, &driver, work.path());
            let native = run_for_reports(std::process::Command::new(&executable), &context);
            compare(&native, "native");
            compare(&run_with_lli(version, &woven, &driver, work.path()), "lli");
            if !fixture.optimised && !fixture.bitcode {
                let optimised: Vec<_> = woven
                    .iter()
                    .map(|module| {
                        let optimised = optimise(version, module, work.path());
                        verify(version, &optimised);
                        optimised
                    })
                    .collect();
                let executable = link_native(version, &optimised, &driver, work.path());
                let after = run_for_reports(std::process::Command::new(&executable), &context);
                assert_eq!(
                    report_blocks(&after),
                    report_blocks(&native),
                    "{context}: woven at -O0, then opt -O2"
                );
            }
        }
    }
}

#[test]
fn clang_14_fixtures_verify_compile_and_report_as_the_c_back_end() {
    check_clang(14);
}

#[test]
fn clang_16_fixtures_verify_compile_and_report_as_the_c_back_end() {
    check_clang(16);
}

#[test]
fn clang_19_fixtures_verify_compile_and_report_as_the_c_back_end() {
    check_clang(19);
}

/// The forms of `tests/fixtures/ir/forms.c` (invokes, funclets, musttail,
/// K&R calls, tables, volatile pointers), woven with the whole built-in
/// pack: valid for the producer, and compiled for every target.
#[test]
fn forms_fixtures_verify_and_compile_for_every_target() {
    let work = tempfile::tempdir().unwrap();
    let roles = [
        "--role".to_string(),
        "dispatch=FormsDispatch".to_string(),
        "--role".to_string(),
        "dispatch=FormsTailDispatch".to_string(),
    ];
    for version in [14, 16, 19] {
        let fixtures = fixtures("forms", version);
        assert_eq!(fixtures.len(), 12, "forms fixtures of clang-{version}");
        for fixture in fixtures {
            let (woven, stderr) = weave(&fixture, &fixture.files[0], &roles, work.path(), "ll");
            verify(version, &woven);
            compile_object(version, &woven, work.path());
            // `release_in_tail` calls an API with `musttail`; FormsTailDispatch
            // (a dispatch routine) returns through one.
            assert!(
                stderr.contains("warning[W0013]: the events after this `musttail` call of `KeReleaseInStackQueuedSpinLock`"),
                "{}: {stderr}",
                fixture.name()
            );
            assert!(
                stderr.contains(
                    "warning[W0013]: `FormsTailDispatch` returns through a `musttail` call"
                ),
                "{}: {stderr}",
                fixture.name()
            );
        }
    }
}
