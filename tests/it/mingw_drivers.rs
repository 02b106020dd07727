//! Drivers written against real WDK-style headers nobody here wrote:
//! mingw-w64's DDK (`<wdm.h>`, `<ntddk.h>`, Debian's `mingw-w64-x86-64-dev`).
//! Each file of `tests/drivers/mingw/` is a driver; adding one is adding a
//! file. They cannot run (there is no Windows kernel here), so the bar is
//! compiling and verifying:
//!
//! - the driver compiles as it is, and woven by the C weaver against the
//!   kernel flavour of the monitor (`-DSLIC_KERNEL`, which includes the
//!   header's `<ntddk.h>`), with `x86_64-w64-mingw32-gcc`, and with clang-19
//!   for `x86_64-w64-mingw32` and `x86_64-pc-windows-msvc`;
//! - its IR (clang-19 for both targets, `-O0 -g`), woven by the IR weaver,
//!   passes `opt-19 -passes=verify` and compiles with `llc-19`;
//! - both weavers bind the same sites (`slic weave --report`), site by site:
//!   position, routine, event. The C weaver sees the header's macros by the
//!   names the driver writes (`IoCompleteRequest`), the IR weaver the
//!   functions they call (`IofCompleteRequest`): that correspondence is read
//!   from the header itself (the preprocessor's `-dM`), per target. Any
//!   other difference is written on the line of the site, with its reason:
//!   `// c-only EVENT: why` (only the C weaver binds it there) or
//!   `// ir-only EVENT: why`.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::driver_support::{check_output, require_tool};
use crate::support::root;

const DRIVERS: &str = "tests/drivers/mingw";
const TARGETS: [&str; 2] = ["x86_64-w64-mingw32", "x86_64-pc-windows-msvc"];

/// The mingw-w64 headers (with `ddk/`), or a failure naming the package.
fn mingw_include() -> PathBuf {
    let include = PathBuf::from("/usr/x86_64-w64-mingw32/include");
    assert!(
        include.join("ddk/wdm.h").is_file(),
        "mingw-w64's DDK headers are needed by this test: run scripts/install-tools (Debian package mingw-w64-x86-64-dev)"
    );
    include
}

fn require_mingw_gcc() {
    let found = Command::new("x86_64-w64-mingw32-gcc")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        found,
        "`x86_64-w64-mingw32-gcc` is needed by this test: run scripts/install-tools (Debian package gcc-mingw-w64-x86-64)"
    );
}

/// The drivers, as paths relative to the repository.
fn drivers() -> Vec<PathBuf> {
    let mut drivers: Vec<PathBuf> = std::fs::read_dir(root().join(DRIVERS))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "c"))
        .map(|path| path.strip_prefix(root()).unwrap().to_path_buf())
        .collect();
    drivers.sort();
    assert!(drivers.len() >= 2, "the drivers are missing: {drivers:?}");
    drivers
}

/// A compiler as the tests run it, with what it needs to find the
/// headers: clang for Windows targets is told where mingw-w64's are, and
/// that they may use GNU C (for the MSVC target, clang is no GNU compiler
/// by default, and the headers then define `__attribute__` away).
fn compiler(name: &str) -> Command {
    let include = mingw_include();
    let ddk = include.join("ddk");
    let mut command = match name {
        "gcc" => {
            require_mingw_gcc();
            Command::new("x86_64-w64-mingw32-gcc")
        }
        target => {
            require_tool("clang-19");
            let mut clang = Command::new("clang-19");
            clang
                .arg(format!("--target={target}"))
                .args(["-fgnuc-version=4.2.1", "-Wno-#warnings", "-isystem"])
                .arg(&include);
            clang
        }
    };
    command
        .current_dir(root())
        .args(["-std=c11", "-Wall", "-Wextra", "-Werror", "-isystem"])
        .arg(ddk);
    command
}

const COMPILERS: [&str; 3] = ["gcc", TARGETS[0], TARGETS[1]];

fn slic(arguments: &[&str]) -> std::process::Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_slic"));
    command.args(arguments).current_dir(root());
    check_output(command, &format!("slic {}", arguments.join(" ")))
}

fn path(path: &Path) -> String {
    path.display().to_string()
}

#[test]
fn real_header_drivers_compile_and_compile_woven_with_the_kernel_monitor() {
    let work = tempfile::tempdir().unwrap();
    let monitor = work.path().join("monitor");
    slic(&["monitor", "-o", &path(&monitor)]);
    for name in COMPILERS {
        let mut command = compiler(name);
        command
            .arg("-DSLIC_KERNEL")
            .arg("-c")
            .arg(monitor.join("slic_monitor.c"))
            .arg("-o")
            .arg(work.path().join("monitor.o"));
        check_output(command, &format!("the kernel monitor with {name}"));
    }
    for driver in drivers() {
        let woven = work.path().join(driver.file_name().unwrap());
        slic(&["weave", &path(&driver), "-o", &path(&woven)]);
        for name in COMPILERS {
            for (source, kernel) in [(&driver, false), (&woven, true)] {
                let mut command = compiler(name);
                if kernel {
                    command
                        .arg("-DSLIC_KERNEL")
                        .arg(format!("-I{}", path(&monitor)));
                }
                command
                    .arg("-c")
                    .arg(source)
                    .arg("-o")
                    .arg(work.path().join("driver.o"));
                check_output(command, &format!("{name} on {}", source.display()));
            }
        }
    }
}

/// A site as the binding report gives it: (file name, line, column,
/// routine, event).
type BoundSite = (String, u64, u64, String, String);

fn bound_sites(report: &Path) -> BTreeSet<BoundSite> {
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(report).unwrap()).unwrap();
    let mut sites = BTreeSet::new();
    for rule in report["rules"].as_array().unwrap() {
        for event in rule["events"].as_array().unwrap() {
            for site in event["sites"].as_array().unwrap() {
                let file = site["file"].as_str().unwrap_or_default();
                sites.insert((
                    file.rsplit('/').next().unwrap().to_string(),
                    site["line"].as_u64().unwrap_or(0),
                    site["column"].as_u64().unwrap_or(0),
                    site["function"].as_str().unwrap().to_string(),
                    event["event"].as_str().unwrap().to_string(),
                ));
            }
        }
    }
    sites
}

/// The macros a compiler defines for a driver, after its headers:
/// name to (parameters, body).
fn macros(target: &str, driver: &Path) -> HashMap<String, (Vec<String>, String)> {
    let mut command = compiler(target);
    command.args(["-E", "-dM"]).arg(driver);
    let output = check_output(command, &format!("clang-19 -dM for {target}"));
    let mut macros = HashMap::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let Some(definition) = line.strip_prefix("#define ") else {
            continue;
        };
        let name_end = definition
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(definition.len());
        let (name, rest) = definition.split_at(name_end);
        let (parameters, body) = match rest.strip_prefix('(') {
            Some(rest) => {
                let (list, body) = rest.split_once(')').unwrap_or((rest, ""));
                (
                    list.split(',').map(|p| p.trim().to_string()).collect(),
                    body,
                )
            }
            None => (Vec::new(), rest),
        };
        macros.insert(name.to_string(), (parameters, body.trim().to_string()));
    }
    macros
}

/// The function a call of `name` ends up calling: `name` itself, or, for a
/// macro of the header, the function its body calls (through other
/// macros): `IoCompleteRequest` is `IofCompleteRequest`, `KeAcquireSpinLock`
/// calls `KeAcquireSpinLockRaiseToDpc` on x64.
fn called(name: &str, macros: &HashMap<String, (Vec<String>, String)>) -> String {
    let mut name = name.to_string();
    for _ in 0..8 {
        let Some((parameters, body)) = macros.get(&name) else {
            break;
        };
        let bytes = body.as_bytes();
        let mut words: Vec<(usize, &str)> = Vec::new();
        let mut at = 0;
        while at < bytes.len() {
            let start = at;
            while at < bytes.len() && (bytes[at].is_ascii_alphanumeric() || bytes[at] == b'_') {
                at += 1;
            }
            if at > start {
                words.push((start, &body[start..at]));
            } else {
                at += 1;
            }
        }
        let callee = words.iter().find(|(at, word)| {
            !word.starts_with(|c: char| c.is_ascii_digit())
                && !parameters.iter().any(|p| p == word)
                && (body[at + word.len()..].trim_start().starts_with('(') || words.len() == 1)
        });
        match callee {
            Some((_, callee)) if *callee != name => name = callee.to_string(),
            _ => break,
        }
    }
    name
}

/// The differences a driver declares: (weaver, line, event) to why.
fn declared_differences(driver: &Path) -> HashMap<(&'static str, u64, String), String> {
    let text = String::from_utf8_lossy(&std::fs::read(root().join(driver)).unwrap()).into_owned();
    let mut declared = HashMap::new();
    for (index, line) in text.lines().enumerate() {
        for part in line.split("// ").skip(1) {
            for weaver in ["c-only", "ir-only"] {
                let Some(rest) = part.strip_prefix(weaver).and_then(|r| r.strip_prefix(' ')) else {
                    continue;
                };
                let (event, why) = rest.split_once(": ").unwrap_or_else(|| {
                    panic!(
                        "{}:{}: write `// {weaver} EVENT: why`",
                        driver.display(),
                        index + 1
                    )
                });
                declared.insert(
                    (weaver, index as u64 + 1, event.to_string()),
                    why.to_string(),
                );
            }
        }
    }
    declared
}

/// The header's macros the weavers see differently, for both targets: the
/// correspondence the comparison below relies on, as the header has it.
#[test]
fn the_header_macros_call_what_the_ir_weaver_binds() {
    let driver = &drivers()[0];
    for target in TARGETS {
        let macros = macros(target, driver);
        for (written, compiled) in [
            ("IoCompleteRequest", "IofCompleteRequest"),
            ("KeAcquireSpinLock", "KeAcquireSpinLockRaiseToDpc"),
            ("KeRaiseIrql", "KfRaiseIrql"),
            ("ExAcquireSpinLock", "KeAcquireSpinLockRaiseToDpc"),
            ("KeReleaseSpinLock", "KeReleaseSpinLock"),
        ] {
            assert_eq!(called(written, &macros), compiled, "{target}: {written}");
        }
    }
}

#[test]
fn real_header_drivers_woven_ir_verifies_compiles_and_binds_the_c_weavers_sites() {
    require_tool("opt-19");
    require_tool("llc-19");
    let include = mingw_include();
    for driver in drivers() {
        let work = tempfile::tempdir().unwrap();
        let file = |name: &str| work.path().join(name);
        let c_report = file("c.json");
        slic(&[
            "weave",
            "--report",
            &path(&c_report),
            &path(&driver),
            "-o",
            &path(&file("woven.c")),
        ]);
        let c_sites = bound_sites(&c_report);
        assert!(!c_sites.is_empty(), "{}: no site", driver.display());
        let roles = file("roles.toml");
        slic(&["roles", &path(&driver), "-o", &path(&roles)]);
        let declared = declared_differences(&driver);
        let mut used = BTreeSet::new();
        for target in TARGETS {
            let what = format!("{} for {target}", driver.display());
            let module = file(&format!("{target}.ll"));
            let mut clang = Command::new("clang-19");
            clang
                .current_dir(root())
                .arg(format!("--target={target}"))
                .args(["-fgnuc-version=4.2.1", "-std=c11", "-w", "-isystem"])
                .arg(&include)
                .arg("-isystem")
                .arg(include.join("ddk"))
                .args(["-S", "-emit-llvm", "-O0", "-Xclang", "-disable-O0-optnone"])
                // CodeView, the MSVC target's default, has no columns.
                .args(["-g", "-gcolumn-info"])
                .arg(&driver)
                .arg("-o")
                .arg(&module);
            check_output(clang, &format!("clang-19 -emit-llvm, {what}"));
            let woven = file(&format!("{target}.woven.ll"));
            let ir_report = file(&format!("{target}.json"));
            slic(&[
                "weave",
                "--roles",
                &path(&roles),
                "--report",
                &path(&ir_report),
                &path(&module),
                "-o",
                &path(&woven),
            ]);
            let mut verify = Command::new("opt-19");
            verify
                .args(["-passes=verify", "-disable-output"])
                .arg(&woven);
            check_output(verify, &format!("opt-19 -passes=verify, {what}"));
            let mut llc = Command::new("llc-19");
            llc.args(["-filetype=obj", "-o"])
                .arg(file("woven.o"))
                .arg(&woven);
            check_output(llc, &format!("llc-19, {what}"));

            // Site by site: the C weaver's events named as the IR weaver
            // names them, then the differences the driver declares.
            let macros = macros(target, &driver);
            let name = driver.file_name().unwrap().to_string_lossy().into_owned();
            let mut c_side = BTreeSet::new();
            for (file, line, column, function, event) in &c_sites {
                if file == &name && declared.contains_key(&("c-only", *line, event.clone())) {
                    used.insert(("c-only", *line, event.clone()));
                    continue;
                }
                let (api, kind) = event.rsplit_once('.').unwrap();
                let event = format!("{}.{kind}", called(api, &macros));
                c_side.insert((file.clone(), *line, *column, function.clone(), event));
            }
            let mut ir_side = BTreeSet::new();
            for site in bound_sites(&ir_report) {
                let key = ("ir-only", site.1, site.4.clone());
                if site.0 == name && declared.contains_key(&key) {
                    used.insert(key);
                    continue;
                }
                ir_side.insert(site);
            }
            let only_c: Vec<_> = c_side.difference(&ir_side).collect();
            let only_ir: Vec<_> = ir_side.difference(&c_side).collect();
            assert!(
                only_c.is_empty() && only_ir.is_empty(),
                "{what}: sites bound by one weaver only (declare each with its reason):\n  C only: {only_c:?}\n  IR only: {only_ir:?}"
            );
        }
        let stale: Vec<_> = declared.keys().filter(|key| !used.contains(*key)).collect();
        assert!(
            stale.is_empty(),
            "{}: declared differences no weaver shows: {stale:?}",
            driver.display()
        );
    }
}

/// Built by `slic cc` as a mingw-w64 build builds them, the woven objects
/// link: as a kernel driver (`-DSLIC_KERNEL`, against mingw-w64's
/// `libntoskrnl`) and as a user-mode DLL (the user-mode monitor), with gcc
/// and with clang for the mingw target (through C for the kernel, whose
/// monitor is C; through IR for user mode). The monitor goes into each
/// object: GNU ld's relocatable link of PE/COFF objects left every hook
/// undefined, and then crashed.
#[test]
fn drivers_built_by_slic_cc_link_as_a_kernel_driver_and_as_a_dll() {
    require_mingw_gcc();
    require_tool("clang-19");
    let ddk = mingw_include().join("ddk");
    let work = tempfile::tempdir().unwrap();
    let object = work.path().join("driver.o");
    let slic_cc = |compiler: &[&str], arguments: &[&str]| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_slic"));
        command
            .current_dir(root())
            .arg("cc")
            .arg("--")
            .args(compiler)
            .args(arguments);
        command
    };
    let compilers: [&[&str]; 2] = [
        &["x86_64-w64-mingw32-gcc"],
        &["clang-19", "--target=x86_64-w64-mingw32"],
    ];
    for driver in drivers() {
        for compiler in compilers {
            for kernel in [true, false] {
                let mut compile = slic_cc(compiler, &["-isystem", &path(&ddk)]);
                if kernel {
                    compile.arg("-DSLIC_KERNEL");
                }
                compile.arg("-c").arg(&driver).arg("-o").arg(&object);
                let what = format!("{compiler:?} on {}, kernel: {kernel}", driver.display());
                check_output(compile, &what);
                let mut nm = Command::new("x86_64-w64-mingw32-nm");
                nm.arg(&object);
                let symbols = String::from_utf8_lossy(&check_output(nm, "nm").stdout).into_owned();
                assert!(
                    symbols.contains("slic_driver_enter"),
                    "{what}: not woven\n{symbols}"
                );
                let (linked, options): (_, &[&str]) = if kernel {
                    (
                        work.path().join("driver.sys"),
                        &[
                            "-shared",
                            "-nostdlib",
                            "-Wl,--subsystem,native",
                            "-Wl,--entry,DriverEntry",
                        ],
                    )
                } else {
                    (work.path().join("driver.dll"), &["-shared"])
                };
                let mut link = slic_cc(compiler, options);
                link.arg(&object).arg("-o").arg(&linked).arg("-lntoskrnl");
                check_output(link, &format!("the link of {what}"));
                let mut imports = Command::new("x86_64-w64-mingw32-objdump");
                imports.arg("-p").arg(&linked);
                let imports =
                    String::from_utf8_lossy(&check_output(imports, "objdump").stdout).into_owned();
                assert!(imports.contains("DLL Name: ntoskrnl.exe"), "{what}");
                // The kernel driver imports nothing of user mode.
                assert_eq!(kernel, !imports.contains("msvcrt"), "{what}");
            }
        }
    }
    // The IR monitor has no kernel flavour: said, not a link that fails.
    let refused = Command::new(env!("CARGO_BIN_EXE_slic"))
        .current_dir(root())
        .args([
            "cc",
            "--via",
            "ir",
            "--",
            "clang-19",
            "--target=x86_64-w64-mingw32",
        ])
        .args(["-DSLIC_KERNEL", "-isystem", &path(&ddk), "-c"])
        .arg(&drivers()[0])
        .arg("-o")
        .arg(&object)
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("`--via ir` cannot weave a kernel build")
    );
}
