//! The integration tests that need nothing but this machine: one test binary (one link
//! of posta and its dependencies, not one per file), a module per former test file.
//! The suite against the real mail server is the other binary, tests/e2e.

#[path = "../support/mod.rs"]
mod support;

mod account_rules;
mod addresses;
mod argv;
mod batch_cli;
mod batch_reconnect;
mod cli_usage;
mod compose;
mod credentials_sweep;
mod debian_package;
mod editor;
mod error_text;
mod everyday;
mod fuzz_regressions;
mod generated;
mod hostile_input;
mod hostile_local;
mod hostile_proxy;
mod hostile_server;
mod hostile_terminal;
mod install_sendmail;
mod long_lines;
mod markdown_attach;
mod oauth_endpoint;
mod pipelined_stream;
mod profiles;
mod progress;
mod properties;
mod protocol_cli;
mod queue;
mod readme;
mod scram;
mod sender_policy;
mod sent_copy_config;
mod serve_activation;
mod serve_warm;
mod smtp_transport;
mod system_config;
mod unix_socket;
