//! `slic roles FILE...`: the role routines found in C sources, as TOML.

use std::path::PathBuf;

use slic::weave::c::role_scan::scan_with_headers;
use slic::weave::role_map::RoleMap;

use super::Failure;
use super::io::{FsLoader, read_bytes, write_output};

/// List the driver routines of each role (dispatch, cancel, ...) found in C sources, as a roles file
#[derive(clap::Args)]
#[command(
    after_help = "Roles are found from role-type declarations (`DRIVER_DISPATCH Foo;`), `_Dispatch_type_` and\n`__drv_dispatchType` annotations, registrations (`DriverObject->MajorFunction[...] = Foo`,\n`IoSetCancelRoutine(Irp, Foo)`, ...) and `DriverEntry`, in the files and the headers they include\nwith quotes.\n\nExamples:\n  slic roles driver.c dispatch.c -I include > roles.toml\n  slic weave --roles roles.toml driver.ll -o driver.woven.ll"
)]
pub struct Args {
    /// C source files of the driver
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Where quoted #includes are looked for, after the including file's directory
    #[arg(short = 'I', long = "include-dir", value_name = "DIR")]
    include_dirs: Vec<PathBuf>,
    /// Another attribute-like macro to hide from the C parser
    #[arg(long = "blank", value_name = "NAME")]
    blank: Vec<String>,
    /// Write here instead of standard output
    #[arg(short, long, value_name = "FILE", default_value = "-")]
    output: PathBuf,
}

pub fn run(args: Args) -> Result<(), Failure> {
    let texts = args
        .files
        .iter()
        .map(|path| read_bytes(path))
        .collect::<Result<Vec<_>, _>>()?;
    let mut map = RoleMap::default();
    let mut evidence = Vec::new();
    for (path, text) in args.files.iter().zip(&texts) {
        let (found, items) =
            scan_with_headers(&FsLoader, path, text, &args.include_dirs, &args.blank);
        map.merge(&found);
        evidence.extend(items);
    }
    let sources: Vec<String> = args.files.iter().map(|p| p.display().to_string()).collect();
    let mut text = map.to_toml(&sources);
    if !evidence.is_empty() {
        text.push_str("\n# How each was found:\n");
        for item in &evidence {
            text.push_str(&format!(
                "#   {} {}: {}, {}:{}\n",
                item.role.key(),
                item.routine,
                item.evidence,
                item.file,
                item.line
            ));
        }
    }
    write_output(&args.output, text.as_bytes())
}
