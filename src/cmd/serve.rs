//! `posta serve --listen ADDR…`: glue between the flags and [`crate::listen::server`]:
//! the listeners bound, SIGTERM and SIGINT turned into a stop, the queue flushed in the
//! background on its retry schedule, and what happens said on stderr (the journal).

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use super::{Console, Report};
use crate::cli::{GlobalArgs, ServeArgs};
use crate::config;
use crate::envelope::Dsn;
use crate::listen::Limits;
use crate::listen::server::{self, Listener, Options};
use crate::model::exit_code::{Code, fail};
use crate::submit::finished::Finished;

pub fn run(
    global: &GlobalArgs,
    args: ServeArgs,
    console: &mut Console<'_>,
) -> anyhow::Result<Report> {
    // First, before any thread: the sockets systemd passes (contrib/systemd/posta.socket).
    let mut listeners = crate::listen::inherited::take().map_err(|e| {
        let code = if e.kind() == std::io::ErrorKind::InvalidInput {
            Code::Usage
        } else {
            Code::Unavailable
        };
        fail(code, format!("posta serve: {e}"))
    })?;
    if listeners.is_empty() && args.listen.is_empty() {
        return Err(fail(
            Code::Usage,
            "posta serve: nothing to listen on: give --listen ADDR, or start it from \
             a systemd socket unit (contrib/systemd/posta.socket)",
        ));
    }
    for addr in &args.listen {
        let bound = Listener::bind(addr)
            .map_err(|e| fail(Code::Unavailable, format!("cannot listen on {addr}: {e}")))?;
        listeners.push(bound);
    }
    let stop = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGINT] {
        signal_hook::flag::register(signal, stop.clone())?;
    }
    // Every message goes the way `sendmail` sends one with these options.
    let base = Finished {
        request: config::Request {
            config_path: global.config.clone(),
            profile: global.profile.clone(),
            from_hint: None,
            overrides: (&args.connection).into(),
        },
        extract_recipients: false,
        envelope_from: None,
        full_name: None,
        recipients: Vec::new(),
        dsn: Dsn::default(),
        queue: args.queue,
        local_user: None,
        // The service is where messages are handed off to, never from.
        hand_off: None,
        trace_copy: false,
    };
    let client_time = Duration::from_secs(args.client_timeout);
    let options = Options {
        max_clients: args.max_clients as usize,
        limits: Limits {
            command_time: client_time,
            data_time: client_time,
            ..Limits::default()
        },
        hostname: gethostname::gethostname().to_string_lossy().into_owned(),
    };
    let flusher = (args.flush_interval > 0).then(|| {
        let interval = Duration::from_secs(args.flush_interval);
        let (stop, config) = (stop.clone(), global.config.clone());
        std::thread::spawn(move || flush_on_schedule(interval, &stop, config))
    });
    let err = &mut *console.err;
    let served = server::run(listeners, &options, &base, &stop, &mut |line| {
        let _ = writeln!(err, "posta serve: {line}");
        let _ = err.flush();
    });
    stop.store(true, Ordering::SeqCst);
    if let Some(f) = flusher {
        let _ = f.join();
    }
    served.map_err(|e| fail(Code::IoErr, format!("posta serve: {e}")))?;
    Ok(Report {
        human: "stopped".into(),
        ..Report::default()
    })
}

/// `posta queue flush` (what is due) every `interval`, as its own process: the queue
/// keeps its retry schedule per message, and a flush that hangs on a password command
/// cannot hold up the service.
fn flush_on_schedule(interval: Duration, stop: &AtomicBool, config: Option<PathBuf>) {
    let Ok(me) = std::env::current_exe() else {
        return;
    };
    loop {
        let mut waited = Duration::ZERO;
        while waited < interval {
            if stop.load(Ordering::SeqCst) {
                return;
            }
            std::thread::sleep(Duration::from_millis(250));
            waited += Duration::from_millis(250);
        }
        let mut cmd = std::process::Command::new(&me);
        if let Some(c) = &config {
            cmd.arg("--config").arg(c);
        }
        // Its own words go to the same stderr (the journal); silent unless it failed.
        // The service's own flush never hands a message to itself.
        let _ = cmd
            .args(["--quiet", "queue", "flush"])
            .env("POSTA_SERVE_SOCKET", "")
            .stdin(std::process::Stdio::null())
            .status();
    }
}
