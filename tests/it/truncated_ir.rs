//! Modules cut short, judged by the producer's own `llvm-as`: wherever a
//! real clang module (14, 16, 19; with debug information; for Linux at
//! -O0 and for 32-bit Windows at -O2, decorated names) is cut, slic
//! either refuses it (exit 1, E0036, no output) or weaves a module that
//! `llvm-as` accepts; and whenever `llvm-as` rejects the cut module, slic
//! refuses it too. Cuts fall at evenly spaced bytes and at line breaks,
//! through functions, attribute groups and metadata.

use std::path::Path;
use std::process::Command;

use crate::ir_support::tool;
use crate::support::{root, run_slic};

fn assembles(version: u32, module: &Path) -> bool {
    Command::new(tool("llvm-as", version))
        .arg(module)
        .args(["-o", "/dev/null"])
        .output()
        .unwrap_or_else(|e| panic!("llvm-as-{version}: {e}"))
        .status
        .success()
}

#[test]
fn slic_refuses_every_cut_that_llvm_as_refuses() {
    let work = tempfile::tempdir().unwrap();
    let (mut refused, mut woven) = (0, 0);
    let shapes = ["x86_64-linux-gnu.O0.g", "i686-pc-windows-msvc.O2.g"];
    for (version, shape) in [14, 16, 19]
        .into_iter()
        .flat_map(|v| shapes.map(|s| (v, s)))
    {
        let fixture = root().join(format!(
            "tests/fixtures/ir/queued/driver.{version}.{shape}.ll"
        ));
        let text = std::fs::read_to_string(&fixture).unwrap();
        let breaks: Vec<usize> = text.match_indices('\n').map(|(i, _)| i + 1).collect();
        let mut cuts: Vec<usize> = (1..30).map(|i| text.len() * i / 30).collect();
        cuts.extend((1..30).map(|i| breaks[breaks.len() * i / 30]));
        // The last lines: metadata only the bodies name.
        cuts.extend(breaks.iter().rev().skip(1).take(5));
        for cut in cuts {
            let input = work.path().join(format!("cut-{version}-{shape}-{cut}.ll"));
            std::fs::write(&input, &text[..cut]).unwrap();
            let output_path = work
                .path()
                .join(format!("cut-{version}-{shape}-{cut}.woven.ll"));
            let output = run_slic(&[
                "weave",
                input.to_str().unwrap(),
                "-o",
                output_path.to_str().unwrap(),
            ]);
            let stderr = String::from_utf8_lossy(&output.stderr);
            let place = format!("cut {cut} of {}", fixture.display());
            match output.status.code() {
                Some(0) => {
                    woven += 1;
                    assert!(
                        assembles(version, &input),
                        "{place}: llvm-as-{version} rejects the input, slic wove it"
                    );
                    assert!(
                        assembles(version, &output_path),
                        "{place}: llvm-as-{version} rejects the woven module"
                    );
                }
                Some(1) => {
                    refused += 1;
                    assert!(stderr.contains("error[E0036]"), "{place}: {stderr}");
                    assert!(!output_path.exists(), "{place}: no partial output");
                }
                other => panic!("{place}: exit {other:?}: {stderr}"),
            }
        }
    }
    // Most cuts lose a definition something names; cuts before the first
    // metadata use leave a module that is whole.
    assert!(refused > 300, "{refused} refused, {woven} woven");
}
