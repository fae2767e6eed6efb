//! `posta completions SHELL` and `posta man`: generated from `cli.rs`.

use std::path::Path;

use anyhow::Context;
use clap::CommandFactory;

use super::{Console, Report};
use crate::cli::{Cli, CompletionsArgs, ManArgs};

/// Print a completion script.
pub fn completions(args: CompletionsArgs, console: &mut Console<'_>) -> anyhow::Result<Report> {
    let mut cmd = Cli::command();
    // clap_complete panics on a write error; a closed pipe (`| head`) must not.
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "posta", &mut script);
    console.out.write_all(&script)?;
    console.out.flush()?;
    Ok(Report::default())
}

/// Print the top man page, or write every page into a directory.
pub fn man(args: ManArgs, console: &mut Console<'_>) -> anyhow::Result<Report> {
    let cmd = Cli::command();
    let Some(dir) = args.dir else {
        clap_mangen::Man::new(cmd).render(console.out)?;
        return Ok(Report::default());
    };
    write_man_pages(cmd, &dir)?;
    Ok(Report {
        human: format!("wrote the man pages to {}", dir.display()),
        json: Some(serde_json::json!({ "status": "written", "dir": dir })),
        ..Report::default()
    })
}

fn write_man_pages(cmd: clap::Command, dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    clap_mangen::generate_to(cmd, dir).with_context(|| format!("writing into {}", dir.display()))
}

/// File name of the committed completion script for each shell.
pub fn completion_file_name(shell: clap_complete::Shell) -> &'static str {
    use clap_complete::Shell::*;
    match shell {
        Bash => "posta.bash",
        Zsh => "_posta",
        Fish => "posta.fish",
        Elvish => "posta.elv",
        PowerShell => "_posta.ps1",
        _ => "posta.unknown",
    }
}
