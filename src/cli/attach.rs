//! What only the order of the flags says, which clap's derive cannot see: each
//! `--attach-name`/`--attach-type` belongs to the `-a` before it (clap gives every
//! value's index on the command line).

use super::{Cli, Command, SendArgs};

/// `--attach-name` and `--attach-type` of one `-a`.
pub type AttachOptions = (Option<String>, Option<String>);

/// The [`Cli`] that `matches` describe, with what only the order of the flags says:
/// each `--attach-name`/`--attach-type` belongs to the `-a` before it.
pub fn from_matches(matches: &clap::ArgMatches) -> Result<Cli, clap::Error> {
    use clap::FromArgMatches;
    let mut cli = Cli::from_arg_matches(matches)?;
    if let (Command::Send(args), Some(("send", m))) = (&mut cli.command, matches.subcommand()) {
        args.attach_options = attach_options(m, args)?;
    }
    Ok(cli)
}

fn attach_options(
    m: &clap::ArgMatches,
    args: &SendArgs,
) -> Result<Vec<AttachOptions>, clap::Error> {
    let at: Vec<usize> = m.indices_of("attach").into_iter().flatten().collect();
    let mut options = vec![(None, None); args.attach.len()];
    for (flag, id, values) in [
        ("--attach-name", "attach_name", &args.attach_name),
        ("--attach-type", "attach_type", &args.attach_type),
    ] {
        for (index, value) in m.indices_of(id).into_iter().flatten().zip(values) {
            let error = |why: &str| {
                clap::Error::raw(
                    clap::error::ErrorKind::ArgumentConflict,
                    format!("{flag} {value:?}: {why}\n"),
                )
            };
            let Some(n) = at.iter().rposition(|&a| a < index) else {
                return Err(error(
                    "it names the -a before it, and there is none: put it after -a PATH",
                ));
            };
            let slot = if id == "attach_name" {
                &mut options[n].0
            } else {
                &mut options[n].1
            };
            if slot.is_some() {
                return Err(error(&format!(
                    "given twice for -a {}",
                    args.attach[n].display()
                )));
            }
            *slot = Some(value.clone());
        }
    }
    Ok(options)
}
