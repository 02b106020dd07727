//! `cargo bench --bench pipeline`: slic measured against the tools it sits
//! beside, on inputs the benchmark makes from the mock drivers, with each
//! result as a ratio where there is something to compare with. Times are
//! CPU times (see `measure.rs`: the machine is shared).
//!
//! - `front-end`: `slic check` of the whole pack, `slic explore --depth 8`
//!   of every pack rule;
//! - `c-weave`: weaving a driver file of 50,000 lines vs `gcc -fsyntax-only`;
//! - `ir-weave`: weaving a module of more than 200,000 lines vs `llvm-as`,
//!   and peak memory vs the size of the file; the same at 1/4, 4 and 16
//!   times the size, beside the floor (`cp` of the file, `wc -l`);
//! - `monitor`: the monitor's cost per event in a lock-heavy loop, woven vs
//!   plain, for a rule kept per thread and a `watch` rule, on 1 and 4
//!   threads, through both weavers; and the whole pack woven at once
//!   against the per-thread rule alone;
//! - `cc`: `slic cc` vs the plain compiler on the mock drivers' sources;
//! - `verify`: `slic verify` of every pack rule on each driver of
//!   `tests/drivers/` (the mock drivers and those on mingw-w64's headers),
//!   the seconds each engine took per rule and the CPU time of each run,
//!   and QueuedSpinLockRelease with EVA on a driver of 500 lines;
//! - `verify-target`: only the last (a few seconds, where `verify` takes
//!   an hour of CPU with the whole pack).
//!
//! `cargo bench --bench pipeline -- monitor cc` runs only those sections.
//! docs/performance.md records the results.

mod inputs;
mod measure;

use std::path::{Path, PathBuf};

use measure::{require, run, time};

const CLANG: &str = "clang-19";
const LLVM_AS: &str = "llvm-as-19";

struct Row {
    what: String,
    value: String,
    target: &'static str,
    met: Option<bool>,
}

struct Bench {
    slic: &'static str,
    work: PathBuf,
    rows: Vec<Row>,
    /// Tables printed after the rows.
    tables: Vec<String>,
}

impl Bench {
    fn row(
        &mut self,
        what: impl Into<String>,
        value: String,
        target: &'static str,
        met: Option<bool>,
    ) {
        let row = Row {
            what: what.into(),
            value,
            target,
            met,
        };
        eprintln!("  {}: {}", row.what, row.value);
        self.rows.push(row);
    }

    fn path(&self, name: &str) -> String {
        self.work.join(name).display().to_string()
    }
}

fn main() {
    let sections: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let wants = |name: &str| sections.is_empty() || sections.iter().any(|s| s == name);
    std::env::set_current_dir(env!("CARGO_MANIFEST_DIR")).unwrap();
    // Kept after the run, so the inputs can be looked at or timed again by
    // hand (docs/performance.md has the commands).
    let work = PathBuf::from("target/bench");
    std::fs::create_dir_all(&work).unwrap();
    let mut bench = Bench {
        slic: env!("CARGO_BIN_EXE_slic"),
        work,
        rows: Vec::new(),
        tables: Vec::new(),
    };
    eprintln!("machine: {}", machine());
    if wants("front-end") {
        front_end(&mut bench);
    }
    if wants("c-weave") {
        c_weave(&mut bench);
    }
    if wants("ir-weave") {
        ir_weave(&mut bench);
    }
    if wants("monitor") {
        monitor(&mut bench);
    }
    if wants("cc") {
        cc(&mut bench);
    }
    if wants("verify") || wants("verify-target") {
        verify_target(&mut bench);
    }
    if wants("verify") {
        verify_every_driver(&mut bench);
    }
    println!("| what | result | target | met |\n|---|---|---|---|");
    for row in &bench.rows {
        let met = match row.met {
            Some(true) => "yes",
            Some(false) => "**no**",
            None => "",
        };
        println!("| {} | {} | {} | {met} |", row.what, row.value, row.target);
    }
    for table in &bench.tables {
        println!("{table}");
    }
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".to_string());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!("{cpu}, {cores} cores")
}

fn front_end(bench: &mut Bench) {
    eprintln!("front end");
    let check = time(&[bench.slic, "check"], 20);
    bench.row(
        "`slic check` (the built-in pack and its catalog)",
        format!("{:.1} ms", check.millis()),
        "",
        None,
    );
    let mut rules: Vec<PathBuf> = std::fs::read_dir("rules/wdm")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "slic"))
        .collect();
    rules.sort();
    let mut total = 0.0;
    let mut slowest = (0.0, String::new());
    for rule in &rules {
        let rule = rule.display().to_string();
        let timing = time(&[bench.slic, "explore", "--depth", "8", &rule], 5);
        total += timing.millis();
        if timing.millis() > slowest.0 {
            slowest = (timing.millis(), rule);
        }
    }
    bench.row(
        format!("`slic explore --depth 8`, all {} pack rules", rules.len()),
        format!(
            "{total:.1} ms in all; slowest {} {:.1} ms",
            Path::new(&slowest.1).file_stem().unwrap().to_string_lossy(),
            slowest.0
        ),
        "",
        None,
    );
}

fn c_weave(bench: &mut Bench) {
    eprintln!("C weaving");
    require("gcc");
    let c_scale = |bench: &Bench, name: &str, lines: usize, runs: usize| {
        let big = bench.path(&format!("{name}.c"));
        inputs::large_c_driver(Path::new("tests/drivers/queued"), lines, Path::new(&big));
        let woven = bench.path(&format!("{name}.woven.c"));
        let weave = [
            bench.slic,
            "weave",
            "-I",
            "tests/drivers/queued",
            &big,
            "-o",
            &woven,
        ];
        let gcc = [
            "gcc",
            "-fsyntax-only",
            "-Itests/drivers/queued",
            "-Itests/drivers/wdk",
            &big,
        ];
        scale(&big, &weave, &gcc, runs)
    };
    let one = c_scale(bench, "big", 50_000, 10);
    bench.row(
        format!(
            "`slic weave` of a {}-line C driver / `gcc -fsyntax-only`",
            one.lines
        ),
        format!(
            "{:.2} ({:.1} ms / {:.1} ms); peak memory {:.1} MB",
            one.ratio(),
            one.weave,
            one.reference,
            one.memory as f64 / 1e6
        ),
        "≤ 0.5",
        Some(one.ratio() <= 0.5),
    );
    let mut table = Table::new("slic weave", "gcc -fsyntax-only");
    for (label, factor, runs) in SIZES {
        let scale = if factor == 1.0 {
            one.clone()
        } else {
            let name = format!("big-{label}").replace('/', "_");
            c_scale(bench, &name, (50_000.0 * factor) as usize, runs)
        };
        table.add(label, &scale);
    }
    table.finish(bench);
}

/// The sizes of the scaling tables: label, factor, timed runs.
const SIZES: [(&str, f64, usize); 4] = [
    ("1/4x", 0.25, 10),
    ("1x", 1.0, 10),
    ("4x", 4.0, 5),
    ("16x", 16.0, 3),
];

/// A scaling table: a weaver beside the tool it is compared with and the
/// floor of reading the input (`cp` of it, and `wc -l`, a memchr scan).
struct Table(String);

impl Table {
    fn new(weaver: &str, reference: &str) -> Table {
        Table(format!(
            "\n| size | lines | {weaver} (CPU) | {reference} (CPU) | ratio | cp (CPU) | wc -l (CPU) | peak memory / size |\n|---|---|---|---|---|---|---|---|\n"
        ))
    }

    fn add(&mut self, label: &str, scale: &Scale) {
        self.0.push_str(&format!(
            "| {label} | {} | {:.1} ms | {:.1} ms | {:.3} | {:.1} ms | {:.1} ms | {:.2} |\n",
            scale.lines,
            scale.weave,
            scale.reference,
            scale.ratio(),
            scale.copy,
            scale.count,
            scale.memory_ratio()
        ));
    }

    fn finish(self, bench: &mut Bench) {
        eprintln!("{}", self.0);
        bench.tables.push(self.0);
    }
}

fn ir_weave(bench: &mut Bench) {
    eprintln!("IR weaving");
    require(CLANG);
    require(LLVM_AS);
    require("opt-19");
    // clang's IR of a generated driver file: at -O0 -g, about four lines
    // of IR per line of C. 1x is a module of more than 200,000 lines.
    let mut c_lines = 55_000;
    let (module, lines) = loop {
        let module = ir_module(bench, "module", c_lines);
        let lines = measure::lines(Path::new(&module));
        if lines >= 200_000 {
            break (module, lines);
        }
        c_lines = c_lines * 210_000 / lines + 1;
    };
    let roles = bench.path("module-roles.toml");
    run(&[
        bench.slic,
        "roles",
        "-I",
        "tests/drivers/queued",
        &bench.path("module.c"),
        "-o",
        &roles,
    ]);
    let woven = bench.path("module.woven.ll");
    run(&[
        bench.slic, "weave", "--roles", &roles, &module, "-o", &woven,
    ]);
    run(&["opt-19", "-passes=verify", "-disable-output", &woven]);
    let one = ir_scale(bench, &module, &roles, 10);
    bench.row(
        format!("`slic weave` of a {lines}-line module / `llvm-as-19`"),
        format!(
            "{:.3} ({:.1} ms / {:.1} ms)",
            one.ratio(),
            one.weave,
            one.reference
        ),
        "≤ 0.05",
        Some(one.ratio() <= 0.05),
    );
    bench.row(
        "its peak memory / the module's size",
        format!(
            "{:.2} ({:.1} MB / {:.1} MB)",
            one.memory_ratio(),
            one.memory as f64 / 1e6,
            one.size as f64 / 1e6
        ),
        "≤ 2",
        Some(one.memory_ratio() <= 2.0),
    );
    // The same at a quarter, four and sixteen times the size: the time
    // should grow with the size, and stay far from llvm-as.
    let mut table = Table::new("slic weave", "llvm-as-19");
    for (label, factor, runs) in SIZES {
        let scale = if factor == 1.0 {
            one.clone()
        } else {
            let name = format!("module-{label}").replace('/', "_");
            let module = ir_module(bench, &name, (c_lines as f64 * factor) as usize);
            let roles = bench.path(&format!("{name}-roles.toml"));
            run(&[
                bench.slic,
                "roles",
                "-I",
                "tests/drivers/queued",
                &bench.path(&format!("{name}.c")),
                "-o",
                &roles,
            ]);
            ir_scale(bench, &module, &roles, runs)
        };
        table.add(label, &scale);
    }
    table.finish(bench);
}

/// One size of a scaling table.
#[derive(Clone)]
struct Scale {
    lines: usize,
    size: u64,
    weave: f64,
    /// The tool compared with: `llvm-as`, `gcc -fsyntax-only`.
    reference: f64,
    copy: f64,
    count: f64,
    memory: u64,
}

impl Scale {
    fn ratio(&self) -> f64 {
        self.weave / self.reference
    }

    fn memory_ratio(&self) -> f64 {
        self.memory as f64 / self.size as f64
    }
}

/// clang's module (-O0 -g) of a generated driver of `c_lines` lines,
/// `NAME.c` and `NAME.ll` in the bench directory.
fn ir_module(bench: &Bench, name: &str, c_lines: usize) -> String {
    let source = bench.path(&format!("{name}.c"));
    inputs::large_c_driver(
        Path::new("tests/drivers/queued"),
        c_lines,
        Path::new(&source),
    );
    let module = bench.path(&format!("{name}.ll"));
    run(&[
        CLANG,
        "-S",
        "-emit-llvm",
        "-O0",
        "-g",
        "-w",
        "-Itests/drivers/queued",
        "-Itests/drivers/wdk",
        &source,
        "-o",
        &module,
    ]);
    module
}

/// `slic weave` of `module` timed beside `llvm-as-19`.
fn ir_scale(bench: &Bench, module: &str, roles: &str, runs: usize) -> Scale {
    let woven = format!("{module}.scale.woven.ll");
    let weave = [bench.slic, "weave", "--roles", roles, module, "-o", &woven];
    let bitcode = bench.path("module.bc");
    scale(module, &weave, &[LLVM_AS, module, "-o", &bitcode], runs)
}

/// A weave of `input` timed beside `reference` and the floor of reading
/// and writing the file: `cp` of it, and `wc -l` (a memchr scan).
fn scale(input: &str, weave: &[&str], reference: &[&str], runs: usize) -> Scale {
    let copy_target = format!("{input}.copy");
    Scale {
        lines: measure::lines(Path::new(input)),
        size: measure::bytes(Path::new(input)),
        reference: time(reference, runs).millis(),
        weave: time(weave, runs).millis(),
        copy: time(&["cp", input, &copy_target], runs).millis(),
        count: time(&["wc", "-l", input], runs).millis(),
        memory: measure::peak_memory(weave),
    }
}

/// The lock loop (`benches/lockloop`), plain and woven with one rule, or
/// with the whole pack (no rule named).
fn lockloop(
    bench: &Bench,
    compiler: &str,
    via: Option<(&str, Option<&str>)>,
    name: &str,
) -> String {
    let object = bench.path(&format!("{name}.o"));
    let mut compile: Vec<&str> = Vec::new();
    let rule;
    if let Some((via, rule_name)) = via {
        compile.extend([bench.slic, "cc", "--via", via]);
        if let Some(rule_name) = rule_name {
            rule = format!("rules/wdm/{rule_name}.slic");
            compile.extend(["--rule", &rule]);
        }
        compile.push("--");
    }
    compile.extend([
        compiler,
        "-O2",
        "-Itests/drivers/wdk",
        "-Ibenches/lockloop",
        "-c",
        "benches/lockloop/lockloop.c",
        "-o",
        &object,
    ]);
    run(&compile);
    let executable = bench.path(name);
    run(&[
        compiler,
        "-O2",
        "-Itests/drivers/wdk",
        "-Ibenches/lockloop",
        &object,
        "benches/lockloop/main.c",
        "tests/drivers/wdk/wdm_user.c",
        "-o",
        &executable,
        "-lpthread",
    ]);
    executable
}

/// CPU nanoseconds per loop iteration, the best of five rounds.
fn per_iteration(executable: &str, threads: u32) -> f64 {
    let iterations = (20_000_000 / threads).to_string();
    run(&[executable, &threads.to_string(), &iterations, "5"])
        .trim()
        .parse()
        .expect("the lock loop prints its time")
}

fn monitor(bench: &mut Bench) {
    eprintln!("monitor cost");
    require("gcc");
    require(CLANG);
    // QueuedSpinLockRelease keeps its state per thread; QueuedSpinLock
    // has an instance per lock handle (`watch`). The targets of issue 16,
    // in ns per event.
    let rules = [
        ("QueuedSpinLockRelease", "per-thread rule", ("≤ 2 ns", 2.0)),
        ("QueuedSpinLock", "`watch` rule", ("≤ 3 ns", 3.0)),
    ];
    for (back_end, compiler, via) in [
        ("C weaver, gcc -O2", "gcc", "c"),
        ("IR weaver, clang-19 -O2", CLANG, "ir"),
    ] {
        let plain = lockloop(bench, compiler, None, &format!("plain-{via}"));
        for (rule, kind, (target, limit)) in rules {
            let woven = lockloop(
                bench,
                compiler,
                Some((via, Some(rule))),
                &format!("{rule}-{via}"),
            );
            for threads in [1, 4] {
                let base = per_iteration(&plain, threads);
                let with = per_iteration(&woven, threads);
                // Two events per iteration: the acquisition's and the release's exits.
                let cost = (with - base) / 2.0;
                bench.row(
                    format!(
                        "monitor cost per event: {kind} ({rule}), {back_end}, {threads} thread{}",
                        if threads == 1 { "" } else { "s" }
                    ),
                    format!("{cost:.2} ns (loop {base:.2} → {with:.2} ns per iteration)"),
                    target,
                    Some(cost <= limit),
                );
            }
        }
        // Every rule of the pack at once (issue 15), against the
        // per-thread rule alone.
        let one = lockloop(
            bench,
            compiler,
            Some((via, Some("QueuedSpinLockRelease"))),
            &format!("one-{via}"),
        );
        let pack = lockloop(bench, compiler, Some((via, None)), &format!("pack-{via}"));
        for threads in [1, 4] {
            let single = per_iteration(&one, threads);
            let whole = per_iteration(&pack, threads);
            let ratio = whole / single;
            bench.row(
                format!(
                    "the whole pack on the lock loop, {back_end}, {threads} thread{}",
                    if threads == 1 { "" } else { "s" }
                ),
                format!("{ratio:.2} × one rule ({whole:.2} against {single:.2} ns per iteration)"),
                "≤ 2 ×",
                Some(ratio <= 2.0),
            );
        }
    }
}

/// The mock drivers' own sources (not their test programs).
fn driver_sources() -> Vec<(PathBuf, PathBuf)> {
    let mut sources = Vec::new();
    let mut directories: Vec<PathBuf> = std::fs::read_dir("tests/drivers")
        .unwrap()
        .map(|e| e.unwrap().path())
        // Not the stub WDK, nor the drivers of mingw-w64's Windows headers.
        .filter(|p| p.file_name().is_some_and(|n| n != "wdk" && n != "mingw"))
        .collect();
    directories.push(PathBuf::from("examples/driver"));
    directories.sort();
    for directory in directories {
        for entry in std::fs::read_dir(&directory).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "c")
                && path.file_name().is_some_and(|n| n != "main.c")
            {
                sources.push((directory.clone(), path));
            }
        }
    }
    sources.sort();
    sources
}

fn cc(bench: &mut Bench) {
    eprintln!("slic cc");
    let sources = driver_sources();
    let work = bench.work.clone();
    let build = |wrapper: &[&str], compiler: &str| -> f64 {
        let mut total = 0.0;
        for (index, (directory, source)) in sources.iter().enumerate() {
            let include = format!("-I{}", directory.display());
            let object = work.join(format!("cc-{index}.o")).display().to_string();
            let mut words: Vec<&str> = wrapper.to_vec();
            words.extend([
                compiler,
                "-O2",
                "-Itests/drivers/wdk",
                &include,
                "-c",
                source.to_str().unwrap(),
                "-o",
                &object,
            ]);
            total += time(&words, 5).millis();
        }
        total
    };
    for (compiler, via) in [("gcc", "c"), (CLANG, "ir")] {
        let plain = build(&[], compiler);
        let woven = build(
            &[env!("CARGO_BIN_EXE_slic"), "cc", "--via", via, "--"],
            compiler,
        );
        bench.row(
            format!("`slic cc --via {via} -- {compiler} -O2 -c` / `{compiler} -O2 -c`, {} driver sources", sources.len()),
            format!("{:.2} ({woven:.0} ms / {plain:.0} ms)", woven / plain),
            "",
            None,
        );
    }
}

/// `slic verify --format json --jobs 1 ARGUMENTS`: the JSON, and the CPU
/// seconds of slic and the analyzers it ran (GNU time's user and system
/// time, which counts the children a process waited for): the machine is
/// shared, and CPU time says more than wall-clock time there.
fn verify_json(bench: &Bench, arguments: &[&str]) -> (serde_json::Value, f64) {
    let mut words = vec![
        "/usr/bin/time",
        "-f",
        "slic-bench-cpu %U %S",
        bench.slic,
        "verify",
        "--format",
        "json",
        "--jobs",
        "1",
    ];
    words.extend_from_slice(arguments);
    let output = measure::command(&words).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let cpu: f64 = stderr
        .lines()
        .find_map(|line| line.strip_prefix("slic-bench-cpu "))
        .map(|times| {
            times
                .split_whitespace()
                .map(|t| t.parse::<f64>().unwrap())
                .sum()
        })
        .unwrap_or_else(|| panic!("no CPU time in GNU time's output:\n{stderr}"));
    let value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("slic verify wrote no JSON: {e}\n{stderr}"));
    (value, cpu)
}

/// Each driver `slic verify` is measured on: the mock drivers (a directory
/// each, with the mock WDK) and the drivers on mingw-w64's DDK headers (a
/// file each): its name, its sources and its include directories.
fn verify_drivers() -> Vec<(String, Vec<String>, Vec<String>)> {
    let mut drivers = Vec::new();
    let mut directories: Vec<PathBuf> = std::fs::read_dir("tests/drivers")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir() && !p.ends_with("wdk") && !p.ends_with("mingw"))
        .collect();
    directories.sort();
    for directory in directories {
        let mut sources: Vec<String> = std::fs::read_dir(&directory)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "c") && !p.ends_with("main.c"))
            .map(|p| p.display().to_string())
            .collect();
        sources.sort();
        let name = directory.file_name().unwrap().to_string_lossy().to_string();
        let include = vec![
            "tests/drivers/wdk".to_string(),
            directory.display().to_string(),
        ];
        drivers.push((name, sources, include));
    }
    let mingw = "/usr/x86_64-w64-mingw32/include";
    let mut files: Vec<PathBuf> = std::fs::read_dir("tests/drivers/mingw")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "c"))
        .collect();
    files.sort();
    for file in files {
        let name = format!("mingw/{}", file.file_name().unwrap().to_string_lossy());
        let include = vec![format!("{mingw}/ddk"), mingw.to_string()];
        drivers.push((name, vec![file.display().to_string()], include));
    }
    drivers
}

/// The target: QueuedSpinLockRelease with EVA on a driver of 500 lines.
fn verify_target(bench: &mut Bench) {
    eprintln!("verify: the 500-line driver");
    require("frama-c");
    require(CLANG);
    require("/usr/bin/time");
    // QueuedSpinLockRelease with EVA on a driver of 500 lines: the queued
    // driver's routines, copied until the file is that long.
    let driver = bench.path("verify500.c");
    let lines = inputs::large_c_driver(Path::new("tests/drivers/queued"), 500, Path::new(&driver));
    let (result, cpu) = verify_json(
        bench,
        &[
            "--engine",
            "eva",
            "--rule",
            "rules/wdm/QueuedSpinLockRelease.slic",
            "-I",
            "tests/drivers/wdk",
            "-I",
            "tests/drivers/queued",
            &driver,
        ],
    );
    let seconds = result["rules"][0]["seconds"]["eva"].as_f64().unwrap();
    bench.row(
        format!(
            "`slic verify --engine eva`, QueuedSpinLockRelease, a {lines}-line driver (bound 3): EVA's wall clock; CPU of the whole run"
        ),
        format!("{seconds:.1} s; {cpu:.1} s CPU ({})", result["rules"][0]["verdict"]),
        "< 10 s",
        Some(seconds < 10.0),
    );
}

/// Every pack rule on each driver, both engines, one rule at a time.
fn verify_every_driver(bench: &mut Bench) {
    eprintln!("verify: every pack rule on each driver");
    require("frama-c");
    require(CLANG);
    require("/usr/bin/time");
    for (name, sources, include) in verify_drivers() {
        let mut arguments: Vec<&str> = Vec::new();
        for directory in &include {
            arguments.extend(["-I", directory]);
        }
        arguments.extend(sources.iter().map(String::as_str));
        let (result, cpu) = verify_json(bench, &arguments);
        let lines: usize = sources.iter().map(|s| measure::lines(Path::new(s))).sum();
        for rule in result["rules"].as_array().unwrap() {
            let eva = rule["seconds"]["eva"].as_f64().unwrap_or(0.0);
            let clang = rule["seconds"]["clang"].as_f64().unwrap_or(0.0);
            bench.row(
                format!(
                    "`slic verify` {name} ({lines} lines), {}",
                    rule["rule"].as_str().unwrap()
                ),
                format!(
                    "{}: eva {eva:.1} s, clang {clang:.1} s",
                    rule["verdict"].as_str().unwrap()
                ),
                "",
                None,
            );
        }
        bench.row(
            format!("`slic verify` {name}, every pack rule: CPU of the whole run"),
            format!("{cpu:.0} s"),
            "",
            None,
        );
    }
}
