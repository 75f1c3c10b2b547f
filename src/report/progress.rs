//! Progress while a run goes on: the runner calls the hooks around each
//! scenario; on a terminal the scenario running now shows on a line the
//! next one overwrites, and each scenario's line of the terminal report
//! is printed as it finishes.

use super::escape;
use super::model::ScenarioReport;
use super::terminal::{Style, scenario_line};
use std::io::Write;

/// The hooks a runner calls around each scenario.
pub trait Progress {
    fn scenario_started(&mut self, name: &str, position: usize, total: usize);
    fn scenario_finished(&mut self, scenario: &ScenarioReport);
}

/// Progress that prints nothing.
pub struct NoProgress;

impl Progress for NoProgress {
    fn scenario_started(&mut self, _: &str, _: usize, _: usize) {}
    fn scenario_finished(&mut self, _: &ScenarioReport) {}
}

/// Prints each scenario's line as it finishes; on a terminal it also shows
/// the scenario running now, on a line the next one overwrites. Write
/// errors are ignored: progress must never stop a run.
pub struct TerminalProgress<W: Write> {
    out: W,
    style: Style,
    live: bool,
}

impl<W: Write> TerminalProgress<W> {
    pub fn new(out: W, style: Style, is_terminal: bool) -> Self {
        TerminalProgress {
            out,
            style,
            live: is_terminal,
        }
    }

    pub fn into_inner(self) -> W {
        self.out
    }
}

impl<W: Write> Progress for TerminalProgress<W> {
    fn scenario_started(&mut self, name: &str, position: usize, total: usize) {
        if self.live {
            let _ = write!(
                self.out,
                "\r\u{1b}[2K{} {} ({position}/{total})",
                self.style.dim("…"),
                escape::terminal(name)
            );
            let _ = self.out.flush();
        }
    }

    fn scenario_finished(&mut self, scenario: &ScenarioReport) {
        if self.live {
            let _ = write!(self.out, "\r\u{1b}[2K");
        }
        let _ = scenario_line(scenario, &mut self.out, self.style);
        let _ = self.out.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_on_a_terminal_overwrites_the_running_line() {
        let mut p = TerminalProgress::new(Vec::new(), Style::default(), true);
        p.scenario_started("a", 1, 2);
        p.scenario_finished(&ScenarioReport::new("a", "a.yaml", vec![]));
        assert_eq!(
            String::from_utf8(p.into_inner()).unwrap(),
            "\r\u{1b}[2K… a (1/2)\r\u{1b}[2K✓ a  0 passed\n"
        );
    }

    #[test]
    fn progress_off_a_terminal_prints_the_scenario_lines_only() {
        let mut p = TerminalProgress::new(Vec::new(), Style::default(), false);
        p.scenario_started("a", 1, 1);
        p.scenario_finished(&ScenarioReport::new("a", "a.yaml", vec![]));
        assert_eq!(
            String::from_utf8(p.into_inner()).unwrap(),
            "✓ a  0 passed\n"
        );
    }
}
