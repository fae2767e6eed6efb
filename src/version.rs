//! The version string, with the TLS backends compiled in.

#[cfg(not(any(feature = "rustls", feature = "native-tls")))]
compile_error!("posta needs a TLS backend: enable the `rustls` or `native-tls` feature");

const TLS: &str = match (cfg!(feature = "rustls"), cfg!(feature = "native-tls")) {
    (true, true) => "rustls, native-tls",
    (true, false) => "rustls",
    (false, true) => "native-tls",
    (false, false) => "none",
};

/// Shown by `posta --version`.
pub const LONG: &str = const_format_version();

const fn const_format_version() -> &'static str {
    // A `concat!` cannot take a const, so the combinations are spelled out.
    match (cfg!(feature = "rustls"), cfg!(feature = "native-tls")) {
        (true, true) => concat!(env!("CARGO_PKG_VERSION"), " (TLS: rustls, native-tls)"),
        (true, false) => concat!(env!("CARGO_PKG_VERSION"), " (TLS: rustls)"),
        (false, true) => concat!(env!("CARGO_PKG_VERSION"), " (TLS: native-tls)"),
        (false, false) => concat!(env!("CARGO_PKG_VERSION"), " (TLS: none)"),
    }
}

/// The TLS backends compiled in, for `--json` and diagnostics.
pub fn tls_backends() -> &'static str {
    TLS
}
