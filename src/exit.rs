//! The old home of exit codes and error reporting, now split between the leaf
//! [`crate::model::exit_code`] (codes, `Failure`, `Hint`, `io_text`) and the top
//! [`crate::report`] (`code_of`, `message_and_hints`). Re-exports only, so that the
//! commands keep their `crate::exit::…` paths until they are rewritten on `submit`;
//! new code imports from the two modules.

pub use crate::model::exit_code::{Code, Failure, Hint, fail, io_text};
pub use crate::report::{code_of, message_and_hints};
