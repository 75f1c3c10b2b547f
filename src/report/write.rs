//! Writing every requested report: each is rendered whole into memory,
//! then written to standard output or, through a temporary file and a
//! rename in the same folder, to its file, so CI never reads half a report.

use super::model::RunReport;
use super::spec::{Destination, ReportFormat, ReportSpec};
use super::terminal::Style;
use super::{html, json, junit, markdown, terminal};
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};

/// Renders one report. `terminal_style` is used by the terminal report only.
pub fn render(
    report: &RunReport,
    format: ReportFormat,
    terminal_style: Style,
) -> io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    match format {
        ReportFormat::Terminal => terminal::write(report, &mut buf, terminal_style)?,
        ReportFormat::Json => json::write(report, &mut buf)?,
        ReportFormat::Junit => junit::write(report, &mut buf)?,
        ReportFormat::Markdown => markdown::write(report, &mut buf)?,
        ReportFormat::Html => html::write(report, &mut buf)?,
        ReportFormat::Har => {
            return Err(io::Error::new(
                io::ErrorKind::Unsupported,
                "the HAR report is written by `run` while it runs, not made from a report",
            ));
        }
    }
    Ok(buf)
}

/// Writes every report to its destination; standard output is the
/// process's, coloured for the terminal report when it is a terminal.
/// Returns the files written.
pub fn write_reports(report: &RunReport, specs: &[ReportSpec]) -> io::Result<Vec<PathBuf>> {
    let stdout = io::stdout();
    let is_terminal = stdout.is_terminal();
    write_reports_to(
        report,
        specs,
        &mut stdout.lock(),
        Style::detect(is_terminal),
    )
}

/// [`write_reports`] with standard output and its style given.
pub fn write_reports_to(
    report: &RunReport,
    specs: &[ReportSpec],
    stdout: &mut dyn Write,
    stdout_style: Style,
) -> io::Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    // The runner streamed the HAR file as the scenarios ended.
    for spec in specs.iter().filter(|s| s.format != ReportFormat::Har) {
        match &spec.destination {
            Destination::Stdout => {
                stdout.write_all(&render(report, spec.format, stdout_style)?)?;
                stdout.flush()?;
            }
            Destination::File(path) => {
                // A file never gets colour codes.
                let bytes = render(report, spec.format, Style::default())?;
                write_atomically(path, &bytes).map_err(|e| {
                    io::Error::new(
                        e.kind(),
                        format!(
                            "could not write the {} report to {}: {e}",
                            spec.format,
                            path.display()
                        ),
                    )
                })?;
                written.push(path.clone());
            }
        }
    }
    Ok(written)
}

/// Creates the parent folders, writes a temporary file beside `path` and
/// renames it over `path`.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let tmp = temporary_beside(path)?;
    let result = (|| {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// The name of a temporary file beside `path`, its folders created.
pub(crate) fn temporary_beside(path: &Path) -> io::Result<PathBuf> {
    let file_name = path
        .file_name()
        .ok_or_else(|| io::Error::other("not a file path"))?;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    Ok(dir.join(format!(
        ".{}.{}.tmp",
        file_name.to_string_lossy(),
        std::process::id()
    )))
}
