//! What every rule's run needs from the driver: its sources, its roles,
//! the WDK header and what it defines, the harness, and the driver woven
//! with each rule.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use slic::catalog::Prototype;
use slic::monitor::hooks::HookSet;
use slic::monitor::{Flavour, Monitor};
use slic::role_table::Role;
use slic::verify::harness::{self, HarnessInput};
use slic::verify::layout;
use slic::weave::Site;
use slic::weave::c::outline::outline;
use slic::weave::c::role_scan::scan_with_headers;
use slic::weave::role_map::RoleMap;

use super::super::io::{FsLoader, read_text};
use super::super::rules::{Compiled, compile};
use super::super::weave::{given_roles, prototypes};
use super::super::{CompileOptions, Failure, diagnostics};
use super::engines::{self, Probe};
use super::{Args, Settings};

pub struct Source {
    pub path: PathBuf,
    /// As reports name it: the path as given.
    pub display: String,
    pub text: String,
}

/// One rule's program, before the analyzers: plain data, for a thread.
pub struct Job {
    pub rule: usize,
    pub name: String,
    /// Each source woven with the rule, isolated, with its shims.
    pub woven: Vec<String>,
    pub sites: Vec<Vec<Site>>,
    pub monitor_header: String,
    pub monitor_source: String,
    pub catalog: Vec<Prototype>,
}

pub struct Prepared {
    pub sources: Vec<Source>,
    pub compiled: Compiled,
    pub wdk_include: String,
    pub harness: String,
    /// Functions the WDK headers declare.
    pub header_declared: BTreeSet<String>,
    pub jobs: Vec<Job>,
}

pub fn prepare(args: &Args, settings: &Settings) -> Result<Prepared, Failure> {
    let mut sources = Vec::new();
    for path in &args.files {
        if path.extension().is_none_or(|e| e != "c") {
            return Err(Failure::usage(format!(
                "cannot verify `{}`: slic verify reads the driver's `.c` files",
                path.display()
            )));
        }
        sources.push(Source {
            path: path.clone(),
            display: path.display().to_string(),
            text: read_text(path)?,
        });
    }
    let options: CompileOptions = args.rule_options.clone().into();
    let compiled = compile(&args.rules, &options)?;
    let roles = roles(args, &sources)?;
    let wdk_include = match &args.wdk_header {
        Some(header) if header.starts_with('<') || header.starts_with('"') => header.clone(),
        Some(header) => format!("<{header}>"),
        None => find_wdk_include(&sources, &settings.include_dirs).ok_or_else(|| {
            Failure::usage(
                "the driver includes no WDK header (wdm.h, ntddk.h, ntifs.h) that slic can find: name it with --wdk-header",
            )
        })?,
    };
    let Probe {
        preprocessed,
        layouts,
    } = engines::probe(settings, &wdk_include)?;
    let header = outline(&preprocessed);
    let records = layout::parse(&layouts);
    // The routines the harness can call: those defined in the sources.
    let mut defined_in: Vec<Vec<String>> = Vec::new();
    let mut driver_defined = BTreeSet::new();
    for source in &sources {
        let names: Vec<String> = outline(&source.text)
            .defined
            .into_iter()
            .map(|d| d.name)
            .collect();
        driver_defined.extend(names.iter().cloned());
        defined_in.push(names);
    }
    let mut callable = RoleMap::default();
    for info in slic::role_table::ROLES {
        for routine in roles.routines(info.role) {
            if driver_defined.contains(routine) {
                callable.add(info.role, routine);
            } else {
                eprintln!(
                    "slic: warning: `{routine}` ({}) is not defined in the files given: the harness cannot call it",
                    info.key
                );
            }
        }
    }
    let harness = harness::harness(&HarnessInput {
        roles: &callable,
        bound: settings.bound,
        wdk_include: &wdk_include,
        records: &records,
        depth: 2,
    })
    .map_err(Failure::Usage)?;
    let shims: Vec<String> = defined_in
        .iter()
        .map(|names| {
            let mut routines: Vec<(String, Role)> = Vec::new();
            for info in slic::role_table::ROLES {
                for routine in callable.routines(info.role) {
                    if names.iter().any(|n| n == routine)
                        && !routines.iter().any(|(r, _)| r == routine)
                    {
                        routines.push((routine.to_string(), info.role));
                    }
                }
            }
            harness::shims(&routines)
        })
        .collect();
    let mut jobs = Vec::new();
    for (index, rule) in compiled.rules.iter().enumerate() {
        jobs.push(job(
            args, &compiled, index, &sources, &roles, &shims, &options,
        )?);
        let _ = rule;
    }
    Ok(Prepared {
        sources,
        compiled,
        wdk_include,
        harness,
        header_declared: header.declared,
        jobs,
    })
}

/// The roles found in the sources and their quoted headers, with those
/// given on the command line.
fn roles(args: &Args, sources: &[Source]) -> Result<RoleMap, Failure> {
    let mut map = given_roles(args.roles.as_deref(), &args.role)?;
    for source in sources {
        let (found, _) = scan_with_headers(
            &FsLoader,
            &source.path,
            source.text.as_bytes(),
            &args.include_dirs,
            &[],
        );
        map.merge(&found);
    }
    Ok(map)
}

/// The first WDK header the sources include, directly or through their
/// quoted headers, as spelled.
fn find_wdk_include(sources: &[Source], include_dirs: &[PathBuf]) -> Option<String> {
    let mut queue: Vec<(PathBuf, String)> = sources
        .iter()
        .map(|s| (s.path.clone(), s.text.clone()))
        .collect();
    queue.reverse();
    let mut seen: Vec<PathBuf> = queue.iter().map(|(p, _)| p.clone()).collect();
    while let Some((path, text)) = queue.pop() {
        let includes = harness::includes(&text);
        if let Some(found) = includes.iter().find(|i| harness::is_wdk_header(&i.path)) {
            return Some(found.spelled.clone());
        }
        let directory = path.parent().unwrap_or(Path::new(".")).to_path_buf();
        for include in includes.iter().filter(|i| i.quoted) {
            let candidates = std::iter::once(&directory)
                .chain(include_dirs)
                .map(|d| d.join(&include.path));
            for candidate in candidates {
                if seen.contains(&candidate) {
                    break;
                }
                if let Ok(text) = std::fs::read_to_string(&candidate) {
                    seen.push(candidate.clone());
                    queue.insert(0, (candidate, text));
                    break;
                }
            }
        }
    }
    None
}

/// The sources woven with one rule, and the rule's static monitor.
fn job(
    args: &Args,
    compiled: &Compiled,
    index: usize,
    sources: &[Source],
    roles: &RoleMap,
    shims: &[String],
    options: &CompileOptions,
) -> Result<Job, Failure> {
    let rule = &compiled.rules[index];
    let automata = vec![rule.automaton.clone()];
    let monitor = match Monitor::new(automata.clone(), Flavour::Static) {
        Ok(monitor) => monitor,
        Err(diagnostic) => {
            diagnostics::print(options.message_format, &compiled.sources, &[diagnostic]);
            return Err(Failure::Errors);
        }
    };
    let hooks = HookSet::new(&automata).expect("the monitor's hooks were made");
    let prototypes = prototypes(compiled, &hooks);
    let mut woven = Vec::new();
    let mut sites = Vec::new();
    for (file, source) in sources.iter().enumerate() {
        let result = slic::weave::c::weave(&slic::weave::c::Input {
            text: source.text.as_bytes(),
            path: &source.display,
            file: slic::span::FileId(0),
            hooks: &hooks,
            prototypes: &prototypes,
            roles,
            extra_blank: &[],
            source: Some(slic::weave::c::SourceFile {
                path: &source.path,
                loader: &FsLoader,
                include_dirs: &args.include_dirs,
            }),
        })
        .map_err(|error| {
            Failure::usage(format!(
                "cannot weave `{}`: {}",
                source.display, error.message
            ))
        })?;
        let woven_text = String::from_utf8_lossy(&result.text);
        let mut text = harness::isolate(&woven_text, file);
        text.push_str(&shims[file]);
        woven.push(text);
        sites.push(result.sites);
    }
    let files = monitor.to_c();
    Ok(Job {
        rule: index,
        name: rule.automaton.name.clone(),
        woven,
        sites,
        monitor_header: files.header,
        monitor_source: files.source,
        catalog: rule.catalog.functions.values().cloned().collect(),
    })
}
