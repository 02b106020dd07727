//! Running commands and timing them: wall time over several runs, peak
//! memory through GNU time.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// Times of several runs of one command.
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
            let start = Instant::now();
            run(words);
            start.elapsed()
        })
        .collect();
    Timing { runs }
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
