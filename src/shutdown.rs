//! Stopping on SIGINT or SIGTERM (docs/reports.md "Stopping"). The command
//! line makes one [`Shutdown`] per command and hands clones down; whatever
//! can be stopped (the scenario runner, a connector waiting to be ready,
//! certify's checks) waits on [`Shutdown::requested`] beside its work and,
//! when it fires, cleans up instead of going on.
//!
//! The first signal asks for a stop; a second one asks to hurry it (the
//! connector gets SIGKILL at once instead of its grace), never to abandon
//! it: what scimulate started is still stopped and reports are still
//! written. Only SIGKILL ends scimulate without cleanup.

use crate::exit::Outcome;
use std::sync::Arc;
use tokio::sync::watch;

/// The signal that asked for the stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopSignal {
    /// SIGINT (Ctrl-C): exit status 130.
    Interrupt,
    /// SIGTERM (what CI systems and supervisors send): exit status 143.
    Terminate,
}

impl StopSignal {
    /// `SIGINT` or `SIGTERM`.
    pub fn name(self) -> &'static str {
        match self {
            StopSignal::Interrupt => "SIGINT",
            StopSignal::Terminate => "SIGTERM",
        }
    }

    /// The exit status of a command stopped by this signal.
    pub fn outcome(self) -> Outcome {
        match self {
            StopSignal::Interrupt => Outcome::Interrupted,
            StopSignal::Terminate => Outcome::Terminated,
        }
    }
}

/// What has been asked so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Asked {
    /// The first signal.
    stop: Option<StopSignal>,
    /// How many signals came (a second one hurries the stop).
    signals: u32,
}

/// A stop request shared by every part of one command; clones share it.
/// The default one is never triggered unless [`Shutdown::trigger`] is
/// called (library callers and tests).
#[derive(Debug, Clone)]
pub struct Shutdown {
    asked: Arc<watch::Sender<Asked>>,
}

impl Default for Shutdown {
    fn default() -> Self {
        Shutdown {
            asked: Arc::new(watch::channel(Asked::default()).0),
        }
    }
}

impl Shutdown {
    /// A shutdown that SIGINT and SIGTERM trigger. Must be called inside a
    /// tokio runtime; the handlers are in place when it returns, so a
    /// signal from then on never kills the process outright. On a system
    /// without them only Ctrl-C is caught.
    pub fn on_signals() -> std::io::Result<Shutdown> {
        let shutdown = Shutdown::default();
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let mut int = signal(SignalKind::interrupt())?;
            let mut term = signal(SignalKind::terminate())?;
            let s = shutdown.clone();
            tokio::spawn(async move {
                loop {
                    let which = tokio::select! {
                        Some(()) = int.recv() => StopSignal::Interrupt,
                        Some(()) = term.recv() => StopSignal::Terminate,
                        else => return,
                    };
                    s.signalled(which);
                }
            });
        }
        #[cfg(not(unix))]
        {
            let s = shutdown.clone();
            tokio::spawn(async move {
                while tokio::signal::ctrl_c().await.is_ok() {
                    s.signalled(StopSignal::Interrupt);
                }
            });
        }
        Ok(shutdown)
    }

    /// Asks for a stop as `signal` would, saying so on stderr.
    fn signalled(&self, signal: StopSignal) {
        let signals = self.ask(signal);
        if signals == 1 {
            eprintln!(
                "scimulate: {} received: stopping; cleaning up what this run started, then writing the reports (a second signal hurries this)",
                signal.name()
            );
        } else if signals == 2 {
            eprintln!(
                "scimulate: {} received again: hurrying (a connector gets SIGKILL at once); cleanup still runs",
                signal.name()
            );
        }
    }

    /// Asks for a stop (the first call) or to hurry it (a later one), as
    /// a signal would.
    pub fn trigger(&self, signal: StopSignal) {
        self.ask(signal);
    }

    /// Records one more signal; returns how many came so far.
    fn ask(&self, signal: StopSignal) -> u32 {
        let mut signals = 0;
        self.asked.send_modify(|a| {
            a.stop.get_or_insert(signal);
            a.signals = a.signals.saturating_add(1);
            signals = a.signals;
        });
        signals
    }

    /// The signal that asked for the stop, once one has.
    pub fn signal(&self) -> Option<StopSignal> {
        self.asked.borrow().stop
    }

    /// Whether a stop has been asked for.
    pub fn is_requested(&self) -> bool {
        self.signal().is_some()
    }

    /// Resolves when a stop is asked for (at once if it already was).
    pub fn requested(&self) -> impl Future<Output = StopSignal> + Send + 'static {
        let mut rx = self.asked.subscribe();
        async move {
            let seen = rx.wait_for(|a| a.stop.is_some()).await.map(|a| a.stop);
            match seen {
                Ok(Some(signal)) => signal,
                // The sender lives as long as any clone; unreachable while
                // this future is polled through one.
                _ => std::future::pending().await,
            }
        }
    }

    /// Resolves when a second signal asks to hurry the stop.
    pub fn hurried(&self) -> impl Future<Output = ()> + Send + 'static {
        let mut rx = self.asked.subscribe();
        async move {
            let seen = rx.wait_for(|a| a.signals >= 2).await.is_ok();
            if !seen {
                std::future::pending::<()>().await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exit;
    use std::time::Duration;

    #[tokio::test]
    async fn the_first_signal_names_the_stop_and_a_second_hurries_it() {
        let s = Shutdown::default();
        assert!(!s.is_requested());
        let requested = s.requested();
        let hurried = s.clone().hurried();
        let waiter = tokio::spawn(requested);
        tokio::task::yield_now().await;
        assert!(!waiter.is_finished());
        s.trigger(StopSignal::Terminate);
        let got = tokio::time::timeout(Duration::from_secs(5), waiter)
            .await
            .expect("woken")
            .unwrap();
        assert_eq!(got, StopSignal::Terminate);
        // A later SIGINT does not change which signal stopped the run.
        let hurry = tokio::spawn(hurried);
        tokio::task::yield_now().await;
        assert!(!hurry.is_finished(), "one signal must not hurry");
        s.trigger(StopSignal::Interrupt);
        tokio::time::timeout(Duration::from_secs(5), hurry)
            .await
            .expect("hurried")
            .unwrap();
        assert_eq!(s.signal(), Some(StopSignal::Terminate));
        // Asked after the fact: at once.
        assert_eq!(s.requested().await, StopSignal::Terminate);
    }

    #[test]
    fn exit_statuses_are_128_plus_the_signal_number() {
        assert_eq!(StopSignal::Interrupt.outcome().code(), 128 + 2);
        assert_eq!(StopSignal::Terminate.outcome().code(), 128 + 15);
        assert_eq!(StopSignal::Interrupt.outcome().code(), exit::INTERRUPTED);
        assert_eq!(StopSignal::Terminate.outcome().code(), exit::TERMINATED);
    }
}
