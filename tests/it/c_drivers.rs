//! The C back end on the mock drivers: woven, compiled with gcc and clang,
//! run, and the reports compared with the bugs seeded in the source.

use crate::driver_support::{MockDriver, run_driver_with};

fn check_driver(name: &str) {
    let driver = MockDriver::open(name);
    let expected = driver.expected();
    for compiler in ["gcc", "clang-19"] {
        let work = tempfile::tempdir().unwrap();
        let executable = driver.build_with_c_weaver(compiler, work.path());
        let (reports, stdout) = run_driver_with(&executable, &[]);
        assert_eq!(reports, expected, "{name} built with {compiler}");
        assert!(
            !stdout.lines().any(|line| line.starts_with("failed")),
            "the test program of {name} checks the driver's results:\n{stdout}"
        );
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
fn irql_driver_reports_its_seeded_bugs() {
    check_driver("irql");
}

#[test]
fn handoff_driver_reports_nothing_while_another_thread_holds_its_locks() {
    check_driver("handoff");
}

#[test]
fn ringbuf_driver_reports_nothing() {
    check_driver("ringbuf");
}

#[test]
fn mailbox_driver_reports_nothing() {
    check_driver("mailbox");
}

/// The mailbox driver on four threads with real contention, several runs
/// with each compiler and more iterations than `mailbox_driver_reports_nothing`:
/// no report, and the threads did meet (reads completed by other threads'
/// writes, and cancelled).
#[test]
fn mailbox_driver_on_four_threads_reports_nothing_with_the_c_back_end() {
    let driver = MockDriver::open("mailbox");
    assert!(
        driver.expected().is_empty(),
        "the mailbox driver has no bugs"
    );
    for compiler in ["gcc", "clang-19"] {
        let work = tempfile::tempdir().unwrap();
        let executable = driver.build_with_c_weaver(compiler, work.path());
        for run in 0..3 {
            let (reports, stdout) =
                run_driver_with(&executable, &[("SLIC_MAILBOX_ITERATIONS", "10000")]);
            assert_eq!(reports, [], "run {run} of mailbox built with {compiler}");
            let number = |label: &str| -> u64 {
                let before = stdout
                    .split(label)
                    .next()
                    .and_then(|text| text.split_whitespace().last())
                    .unwrap_or_else(|| panic!("`{label}` in {stdout}"));
                before.trim_start_matches('(').parse().unwrap()
            };
            assert_eq!(
                number(" reads delivered") + number(" cancelled"),
                4 * 2 * 10000,
                "every read completed once: {stdout}"
            );
            assert!(
                number(" from another thread") > 0 && number(" cancelled") > 0,
                "the threads met: {stdout}"
            );
        }
    }
}

/// Protocols that cross threads as Windows lets them: a resource released
/// for its owner on another thread reports nothing; a spin lock and a
/// resource released the wrong way on another thread report once each, at
/// the other thread's call.
#[test]
fn crossthread_driver_reports_its_seeded_bugs() {
    check_driver("crossthread");
}
