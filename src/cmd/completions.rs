//! `posta completions SHELL` and `posta man`: generated from `cli.rs`. The completion
//! scripts are clap_complete's, with profile names completed from the config: after
//! -p/--profile/--account and for `profile show|remove|test` and `password set|delete`
//! they call the hidden `posta profile list --names` (bash, zsh and fish).

use std::path::{Path, PathBuf};

use anyhow::Context;

use super::{Console, Report};
use crate::cli::{CompletionsArgs, ManArgs};
use crate::model::exit_code::{Code, fail};

/// Print a completion script, or install it with `--install`.
pub fn completions(args: CompletionsArgs, console: &mut Console<'_>) -> anyhow::Result<Report> {
    let mut cmd = crate::cli::command();
    // clap_complete panics on a write error; a closed pipe (`| head`) must not.
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "posta", &mut script);
    let script = with_profile_names(args.shell, String::from_utf8(script)?);
    if !args.install {
        console.out.write_all(script.as_bytes())?;
        console.out.flush()?;
        return Ok(Report::default());
    }
    let target = install_path(args.shell)?;
    if let Some(dir) = target.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    std::fs::write(&target, script).with_context(|| format!("writing {}", target.display()))?;
    let mut human = format!(
        "wrote the {} completions to {}",
        args.shell,
        target.display()
    );
    if args.shell == clap_complete::Shell::Zsh {
        let dir = target.parent().unwrap_or(Path::new("."));
        human.push_str(&format!(
            "\n  add `fpath=({} $fpath)` to ~/.zshrc before `compinit`",
            dir.display()
        ));
    } else {
        human.push_str("; a new shell loads them");
    }
    Ok(Report {
        human,
        json: Some(serde_json::json!({ "status": "written", "path": target })),
        ..Report::default()
    })
}

/// Where `--install` puts the script: the directory each shell reads user completions
/// from by itself (zsh has none: the report says which line to add to ~/.zshrc).
fn install_path(shell: clap_complete::Shell) -> anyhow::Result<PathBuf> {
    use clap_complete::Shell::*;
    let env_dir = |var: &str| {
        std::env::var_os(var)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    let home = dirs::home_dir();
    let data = env_dir("XDG_DATA_HOME").or_else(|| home.as_ref().map(|h| h.join(".local/share")));
    let config = env_dir("XDG_CONFIG_HOME").or_else(|| home.as_ref().map(|h| h.join(".config")));
    let path = match shell {
        Bash => env_dir("BASH_COMPLETION_USER_DIR")
            .or_else(|| data.map(|d| d.join("bash-completion")))
            .map(|d| d.join("completions/posta")),
        Zsh => data.map(|d| d.join("zsh/site-functions/_posta")),
        Fish => config.map(|c| c.join("fish/completions/posta.fish")),
        other => {
            return Err(fail(
                Code::Usage,
                format!(
                    "--install knows no completion directory for {other}: print the script \
                     with `posta completions {other}` and load it from your shell's rc file"
                ),
            ));
        }
    };
    path.ok_or_else(|| {
        fail(
            Code::Config,
            "no home directory: set HOME (or XDG_DATA_HOME / XDG_CONFIG_HOME)",
        )
    })
}

/// The command the scripts run for profile names; its errors (no config) are hidden.
const NAMES: &str = "posta profile list --names 2>/dev/null";

/// clap_complete offers file names for a profile; offer the config's profiles instead.
fn with_profile_names(shell: clap_complete::Shell, script: String) -> String {
    use clap_complete::Shell::*;
    match shell {
        Bash => {
            let file_names = "COMPREPLY=($(compgen -f \"${cur}\"))";
            let profiles = format!("COMPREPLY=($(compgen -W \"$({NAMES})\" -- \"${{cur}}\"))");
            let mut out = String::with_capacity(script.len());
            let mut after_profile_flag = false;
            for line in script.split_inclusive('\n') {
                let t = line.trim();
                if after_profile_flag && t == file_names {
                    out.push_str(&line.replace(file_names, &profiles));
                } else {
                    out.push_str(line);
                }
                after_profile_flag = matches!(t, "--profile)" | "--account)" | "-p)");
            }
            out.push_str(BASH_POSITIONAL);
            out
        }
        Zsh => {
            let positional = crate::cli::PROFILE_NAME_HELP.replace('\'', "'\\''");
            let script = script
                .replace(":PROFILE:_default'", ":PROFILE:_posta_profiles'")
                .replace(
                    &format!("{positional}:_default'"),
                    &format!("{positional}:_posta_profiles'"),
                );
            let helper = format!(
                "\n_posta_profiles() {{\n    local -a names\n    \
                 names=(${{(f)\"$({NAMES})\"}})\n    _describe 'profile' names\n}}\n"
            );
            match script.split_once('\n') {
                Some((first, rest)) => format!("{first}\n{helper}{rest}"),
                None => script,
            }
        }
        Fish => {
            let mut out = String::with_capacity(script.len());
            for line in script.split_inclusive('\n') {
                if line.contains(" -s p -l profile ") && line.trim_end().ends_with(" -r") {
                    out.push_str(line.trim_end());
                    out.push_str(&format!(" -f -a \"({NAMES})\"\n"));
                } else {
                    out.push_str(line);
                }
            }
            out.push_str(&format!(
                "complete -c posta -n \"__fish_posta_using_subcommand profile; and \
                 __fish_seen_subcommand_from show remove test\" -f -a \"({NAMES})\"\n\
                 complete -c posta -n \"__fish_posta_using_subcommand password; and \
                 __fish_seen_subcommand_from set delete\" -f -a \"({NAMES})\"\n"
            ));
            out
        }
        _ => script,
    }
}

/// bash: the PROFILE argument of `profile show|remove|test` and `password set|delete`.
/// clap_complete's function runs first; its answer is replaced there (its fallback is
/// the literal "<PROFILE>").
const BASH_POSITIONAL: &str = r#"
_posta_with_profiles() {
    _posta "$@"
    local cur="${COMP_WORDS[COMP_CWORD]}" i words=()
    for ((i = 1; i < COMP_CWORD; i++)); do
        case "${COMP_WORDS[i]}" in
            -c|--config|-p|--profile|--account) ((i++)) ;;
            -*) ;;
            *) words+=("${COMP_WORDS[i]}") ;;
        esac
    done
    case "${words[*]}" in
        "profile show"|"profile remove"|"profile test"|"password set"|"password delete")
            [[ ${cur} == -* ]] || COMPREPLY=($(compgen -W "$(posta profile list --names 2>/dev/null)" -- "${cur}")) ;;
    esac
}
complete -F _posta_with_profiles -o bashdefault -o default posta
"#;

/// Print the top man page, or write every page into a directory.
pub fn man(args: ManArgs, console: &mut Console<'_>) -> anyhow::Result<Report> {
    let cmd = crate::cli::command();
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
