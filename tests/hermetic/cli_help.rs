//! Every command's `--help` is pinned, and shell completions work.

use std::process::Command;

fn slic(arguments: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_slic"))
        .args(arguments)
        .output()
        .unwrap();
    assert!(output.status.success(), "{arguments:?}");
    String::from_utf8(output.stdout).unwrap()
}

const COMMANDS: &[&str] = &[
    "check",
    "graph",
    "test",
    "explore",
    "monitor",
    "weave",
    "roles",
    "rules",
    "cc",
    "verify",
    "completions",
];

#[test]
fn help_of_every_command() {
    insta::assert_snapshot!("help", slic(&["--help"]));
    for command in COMMANDS {
        let help = slic(&[command, "--help"]);
        assert!(
            help.contains("Example"),
            "`slic {command} --help` has no examples:\n{help}"
        );
        insta::assert_snapshot!(format!("help_{command}"), help);
    }
}

#[test]
fn completions_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let script = slic(&["completions", shell]);
        for command in COMMANDS {
            assert!(
                script.contains(command),
                "{shell} completions lack `{command}`"
            );
        }
    }
}
