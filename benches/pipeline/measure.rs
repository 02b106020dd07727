//! Running commands and timing them: CPU time (user and system, of the
//! command and every process it waited for) over several runs, peak memory
//! through GNU time.
//!
//! CPU time, not wall time: the machine is shared, and a ratio of wall
//! times measures the other sessions' load as much as the two commands.
//! Every command timed here runs on one core (a compiler driver waits for
//! the compiler it starts), so on an idle machine the two are the same.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// CPU times of several runs of one command.
pub struct Timing {
    pub runs: Vec<Duration>,
}

impl Timing {
    pub fn median(&self) -> Duration {
        let mut sorted = self.runs.clone();
        sorted.sort();
        sorted[sorted.len() / 2]
    }

    pub fn millis(&self) -> f64 {
        self.median().as_secs_f64() * 1e3
    }
}

pub fn command(words: &[&str]) -> Command {
    let mut command = Command::new(words[0]);
    command.args(&words[1..]);
    command
}

/// Runs a command to completion; panics with its output if it fails.
pub fn run(words: &[&str]) -> String {
    let output = command(words)
        .output()
        .unwrap_or_else(|error| panic!("cannot run `{}`: {error}", words[0]));
    assert!(
        output.status.success(),
        "`{}` failed:\n{}{}",
        words.join(" "),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// One warm-up run, then `runs` timed runs of the whole process.
pub fn time(words: &[&str], runs: usize) -> Timing {
    run(words);
    let runs = (0..runs)
        .map(|_| {
            let start = children_cpu_time();
            run(words);
            children_cpu_time() - start
        })
        .collect();
    Timing { runs }
}

/// User and system time of every child process waited for so far
/// (`getrusage(RUSAGE_CHILDREN)`: a child's own children are included
/// once it has waited for them).
fn children_cpu_time() -> Duration {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage writes the whole struct; RUSAGE_CHILDREN is valid.
    let usage = unsafe {
        assert_eq!(
            libc::getrusage(libc::RUSAGE_CHILDREN, usage.as_mut_ptr()),
            0
        );
        usage.assume_init()
    };
    let time = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    time(usage.ru_utime) + time(usage.ru_stime)
}

/// Peak resident memory of a run, in bytes (GNU time's `%M`).
pub fn peak_memory(words: &[&str]) -> u64 {
    let mut full = vec!["/usr/bin/time", "-f", "slic-bench-peak %M"];
    full.extend_from_slice(words);
    let output = command(&full)
        .output()
        .unwrap_or_else(|error| panic!("cannot run /usr/bin/time: {error}"));
    assert!(output.status.success(), "`{}` failed", words.join(" "));
    let stderr = String::from_utf8_lossy(&output.stderr);
    let kilobytes: u64 = stderr
        .lines()
        .find_map(|line| line.strip_prefix("slic-bench-peak "))
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or_else(|| panic!("no peak memory in GNU time's output:\n{stderr}"));
    kilobytes * 1024
}

pub fn lines(path: &Path) -> usize {
    std::fs::read_to_string(path)
        .expect("a generated input")
        .lines()
        .count()
}

pub fn bytes(path: &Path) -> u64 {
    std::fs::metadata(path).expect("a generated input").len()
}

/// Fails with the way to get a tool, as the tests do.
pub fn require(tool: &str) {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        found,
        "`{tool}` is needed by the benchmarks: run scripts/install-tools"
    );
}
