//! `posta send`: compose from flags, then show (--dry-run) or submit.

use super::{Console, Report};
use crate::cli::{GlobalArgs, SendArgs};
use crate::exit::{Code, fail};

pub fn run(_global: &GlobalArgs, _args: SendArgs, _console: &mut Console<'_>) -> anyhow::Result<Report> {
    Err(fail(Code::Software, "`posta send` is not implemented yet"))
}
