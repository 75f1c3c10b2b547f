//! Progress on stderr while the checks run: on a terminal, the check
//! running now on a line the next one overwrites; each group's line (✓/✗
//! and counts) as the group ends, so a long run is never silent until its
//! summary.

use super::check::Check;
use crate::report::{CertifyCheck, FailOn, Style, certify_group_line};
use std::io::{IsTerminal, Write};

pub struct Progress {
    on: bool,
    live: bool,
    style: Style,
    total: usize,
    fail_on: FailOn,
    /// Where the group now running starts in the results.
    group_from: usize,
}

impl Progress {
    pub fn new(on: bool, total: usize, fail_on: FailOn) -> Progress {
        let live = on && std::io::stderr().is_terminal();
        Progress {
            on,
            live,
            style: Style::detect(live),
            total,
            fail_on,
            group_from: 0,
        }
    }

    pub fn started(&mut self, i: usize, check: &Check) {
        if self.live {
            let mut err = std::io::stderr().lock();
            let _ = write!(
                err,
                "\r\u{1b}[2K{} [{}/{}] {} {}",
                self.style.dim("…"),
                i + 1,
                self.total,
                check.id,
                check.title
            );
            let _ = err.flush();
        }
    }

    /// After each check: when the next one belongs to another group (or
    /// none is left), the group's line.
    pub fn finished(&mut self, done: &[CertifyCheck], next_group: Option<&str>) {
        let Some(last) = done.last() else { return };
        if !self.on || next_group == Some(last.group.as_str()) {
            return;
        }
        let group: Vec<&CertifyCheck> = done[self.group_from..].iter().collect();
        self.group_from = done.len();
        let mut err = std::io::stderr().lock();
        if self.live {
            let _ = write!(err, "\r\u{1b}[2K");
        }
        let _ = certify_group_line(&last.group, &group, self.fail_on, &mut err, self.style);
    }

    pub fn done(&mut self) {
        if self.live {
            let _ = write!(std::io::stderr().lock(), "\r\u{1b}[2K");
        }
    }
}
