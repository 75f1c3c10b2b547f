//! `--report FORMAT[:PATH]` (SPEC §1, repeatable): which reports to write
//! and where. A report without a path goes to standard output, except the
//! file formats (JUnit, HTML), which get a default file name, since CI
//! picks them up from disk. HAR is written by `run` as it goes (see
//! `har.rs`), never made from a JSON report.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReportFormat {
    Terminal,
    Json,
    Junit,
    Html,
    Markdown,
    Har,
}

impl ReportFormat {
    pub const ALL: [ReportFormat; 6] = [
        ReportFormat::Terminal,
        ReportFormat::Json,
        ReportFormat::Junit,
        ReportFormat::Html,
        ReportFormat::Markdown,
        ReportFormat::Har,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReportFormat::Terminal => "terminal",
            ReportFormat::Json => "json",
            ReportFormat::Junit => "junit",
            ReportFormat::Html => "html",
            ReportFormat::Markdown => "markdown",
            ReportFormat::Har => "har",
        }
    }

    /// Where the report goes when `--report` names no path.
    fn default_destination(self) -> Destination {
        match self {
            ReportFormat::Junit => Destination::File(PathBuf::from("scimulate-junit.xml")),
            ReportFormat::Html => Destination::File(PathBuf::from("scimulate-report.html")),
            ReportFormat::Har => Destination::File(PathBuf::from("scimulate-report.har")),
            ReportFormat::Terminal | ReportFormat::Json | ReportFormat::Markdown => {
                Destination::Stdout
            }
        }
    }
}

impl fmt::Display for ReportFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Destination {
    Stdout,
    File(PathBuf),
}

/// One `--report` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportSpec {
    pub format: ReportFormat,
    pub destination: Destination,
}

impl ReportSpec {
    /// The report a run writes when no `--report` is given.
    pub fn default_terminal() -> ReportSpec {
        ReportSpec {
            format: ReportFormat::Terminal,
            destination: Destination::Stdout,
        }
    }
}

fn expected_forms() -> String {
    let names: Vec<&str> = ReportFormat::ALL.iter().map(|f| f.as_str()).collect();
    format!(
        "expected FORMAT or FORMAT:PATH with FORMAT one of {} (e.g. junit:out/junit.xml; PATH - is standard output)",
        names.join(", ")
    )
}

impl FromStr for ReportSpec {
    type Err = String;

    /// The error names the flag value and the expected forms; clap prints
    /// it after `invalid value '…' for '--report'`.
    fn from_str(value: &str) -> Result<Self, Self::Err> {
        let (name, path) = match value.split_once(':') {
            Some((name, path)) => (name, Some(path)),
            None => (value, None),
        };
        let format = ReportFormat::ALL
            .into_iter()
            .find(|f| f.as_str().eq_ignore_ascii_case(name.trim()))
            .ok_or_else(|| {
                let what = if name.trim().is_empty() {
                    "no report format".to_owned()
                } else {
                    format!("unknown report format '{name}'")
                };
                format!("--report '{value}': {what}: {}", expected_forms())
            })?;
        let destination = match path {
            None => format.default_destination(),
            Some("") => {
                return Err(format!(
                    "--report '{value}': empty PATH after ':': {}",
                    expected_forms()
                ));
            }
            Some("-") => Destination::Stdout,
            Some(p) => Destination::File(PathBuf::from(p)),
        };
        Ok(ReportSpec {
            format,
            destination,
        })
    }
}

/// Refuses a set of `--report` values that cannot all be written: two
/// reports into one place (standard output or one file) would be
/// interleaved or overwrite each other. Called
/// before the run starts, so a bad flag costs no run.
pub fn check_specs(specs: &[ReportSpec]) -> Result<(), String> {
    for (i, spec) in specs.iter().enumerate() {
        if let Some(other) = specs[..i]
            .iter()
            .find(|o| o.destination == spec.destination)
        {
            let place = match &spec.destination {
                Destination::Stdout => "standard output".to_owned(),
                Destination::File(p) => p.display().to_string(),
            };
            return Err(format!(
                "--report {} and --report {} both write to {place}: give one of them a PATH (FORMAT:PATH)",
                other.format, spec.format
            ));
        }
    }
    Ok(())
}

/// The `--report har` of a `run`, if any: one at most, since the runner
/// streams it as scenarios end.
pub fn har_spec(specs: &[ReportSpec]) -> Result<Option<&ReportSpec>, String> {
    let mut hars = specs.iter().filter(|s| s.format == ReportFormat::Har);
    let first = hars.next();
    if hars.next().is_some() {
        return Err("--report har is given twice: a run writes one HAR file".to_owned());
    }
    Ok(first)
}

/// `--report har` for a command that has no targets' journals to archive
/// (`certify`, `report`): refused, saying where a HAR file comes from.
pub fn refuse_har(specs: &[ReportSpec], why: &str) -> Result<(), String> {
    if specs.iter().any(|s| s.format == ReportFormat::Har) {
        return Err(format!(
            "--report har: {why}; the HAR file is written by `scimulate run --report har[:PATH]` while it runs, from every request the targets receive"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn file(p: &str) -> Destination {
        Destination::File(PathBuf::from(p))
    }

    #[rstest]
    #[case("terminal", ReportFormat::Terminal, Destination::Stdout)]
    #[case("json", ReportFormat::Json, Destination::Stdout)]
    #[case("markdown", ReportFormat::Markdown, Destination::Stdout)]
    #[case("junit", ReportFormat::Junit, file("scimulate-junit.xml"))]
    #[case("html", ReportFormat::Html, file("scimulate-report.html"))]
    #[case("har", ReportFormat::Har, file("scimulate-report.har"))]
    #[case("har:-", ReportFormat::Har, Destination::Stdout)]
    #[case("json:out/report.json", ReportFormat::Json, file("out/report.json"))]
    #[case("junit:-", ReportFormat::Junit, Destination::Stdout)]
    #[case("JUnit:a:b.xml", ReportFormat::Junit, file("a:b.xml"))]
    #[case("markdown:/tmp/x y.md", ReportFormat::Markdown, file("/tmp/x y.md"))]
    fn parses(#[case] value: &str, #[case] format: ReportFormat, #[case] destination: Destination) {
        assert_eq!(
            value.parse::<ReportSpec>(),
            Ok(ReportSpec {
                format,
                destination
            })
        );
    }

    #[rstest]
    #[case(
        "xml",
        "--report 'xml': unknown report format 'xml': expected FORMAT or FORMAT:PATH with FORMAT one of terminal, json, junit, html, markdown, har (e.g. junit:out/junit.xml; PATH - is standard output)"
    )]
    #[case(
        "",
        "--report '': no report format: expected FORMAT or FORMAT:PATH with FORMAT one of terminal, json, junit, html, markdown, har (e.g. junit:out/junit.xml; PATH - is standard output)"
    )]
    #[case(
        ":out.json",
        "--report ':out.json': no report format: expected FORMAT or FORMAT:PATH with FORMAT one of terminal, json, junit, html, markdown, har (e.g. junit:out/junit.xml; PATH - is standard output)"
    )]
    #[case(
        "json:",
        "--report 'json:': empty PATH after ':': expected FORMAT or FORMAT:PATH with FORMAT one of terminal, json, junit, html, markdown, har (e.g. junit:out/junit.xml; PATH - is standard output)"
    )]
    #[case(
        "out.json",
        "--report 'out.json': unknown report format 'out.json': expected FORMAT or FORMAT:PATH with FORMAT one of terminal, json, junit, html, markdown, har (e.g. junit:out/junit.xml; PATH - is standard output)"
    )]
    fn refuses(#[case] value: &str, #[case] message: &str) {
        assert_eq!(value.parse::<ReportSpec>().unwrap_err(), message);
    }

    fn specs(values: &[&str]) -> Vec<ReportSpec> {
        values.iter().map(|v| v.parse().unwrap()).collect()
    }

    #[rstest]
    #[case(&["terminal", "json:r.json", "junit"], None)]
    #[case(&["terminal", "json"], Some("--report terminal and --report json both write to standard output: give one of them a PATH (FORMAT:PATH)"))]
    #[case(&["json:r", "markdown:r"], Some("--report json and --report markdown both write to r: give one of them a PATH (FORMAT:PATH)"))]
    #[case(&["html:r.html", "json"], None)]
    fn sets_of_reports(#[case] values: &[&str], #[case] error: Option<&str>) {
        assert_eq!(check_specs(&specs(values)).err().as_deref(), error);
    }

    #[test]
    fn a_run_writes_one_har_file_and_other_commands_none() {
        let one = specs(&["har", "json:r.json"]);
        assert_eq!(
            har_spec(&one).unwrap().map(|s| s.format),
            Some(ReportFormat::Har)
        );
        assert_eq!(har_spec(&specs(&["json"])), Ok(None));
        assert_eq!(
            har_spec(&specs(&["har:a.har", "har:b.har"])).unwrap_err(),
            "--report har is given twice: a run writes one HAR file"
        );
        assert_eq!(refuse_har(&specs(&["json"]), "x"), Ok(()));
        assert_eq!(
            refuse_har(&one, "a JSON report does not hold every request").unwrap_err(),
            "--report har: a JSON report does not hold every request; the HAR file is written by `scimulate run --report har[:PATH]` while it runs, from every request the targets receive"
        );
    }

    /// How `run` and `certify` will take the flag: repeatable, parsed by
    /// clap through `FromStr`, its error shown after clap's own words.
    #[derive(Debug, clap::Parser)]
    struct Flags {
        #[arg(long = "report", value_name = "FORMAT[:PATH]")]
        reports: Vec<ReportSpec>,
    }

    #[test]
    fn clap_takes_the_flag_repeated() {
        use clap::Parser;
        let flags = Flags::try_parse_from(["x", "--report", "json:r.json", "--report", "junit"])
            .expect("parses");
        assert_eq!(flags.reports, specs(&["json:r.json", "junit"]));
        let err = Flags::try_parse_from(["x", "--report", "xml"])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("invalid value 'xml' for '--report <FORMAT[:PATH]>': --report 'xml': unknown report format 'xml'"),
            "{err}"
        );
    }
}
