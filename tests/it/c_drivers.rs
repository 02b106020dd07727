//! The C back end on the mock drivers: woven, compiled with gcc and clang,
//! run, and the reports compared with the bugs seeded in the source.

use crate::driver_support::{MockDriver, run_driver};

fn check_driver(name: &str) {
    let driver = MockDriver::open(name);
    let expected = driver.expected();
    for compiler in ["gcc", "clang-19"] {
        let work = tempfile::tempdir().unwrap();
        let executable = driver.build_with_c_weaver(compiler, work.path());
        let reports = run_driver(&executable);
        assert_eq!(reports, expected, "{name} built with {compiler}");
    }
}

#[test]
fn queued_driver_reports_its_seeded_bugs() {
    check_driver("queued");
}

#[test]
fn serial_driver_reports_its_seeded_bugs() {
    check_driver("serial");
}

#[test]
fn legacy_driver_reports_its_seeded_bugs() {
    check_driver("legacy");
}

#[test]
fn config_driver_reports_its_seeded_bugs() {
    check_driver("config");
}

#[test]
fn handoff_driver_reports_nothing_while_another_thread_holds_its_locks() {
    check_driver("handoff");
}
