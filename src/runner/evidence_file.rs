//! `evidence.json` in each run folder: the judge's whole input for the
//! scenario, secrets masked as the reports mask them, so the run can be
//! judged again (or kept as a corpus case) without running it.

use crate::judge::Evidence;
use crate::report::MaskingWriter;
use std::io::{BufWriter, Write};
use std::path::Path;

pub(crate) const FILE_NAME: &str = "evidence.json";

/// Writes `evidence` into `run_dir`; the error says what could not be
/// written and why.
pub(crate) fn write(run_dir: &Path, evidence: &Evidence, secrets: &[String]) -> Result<(), String> {
    let path = run_dir.join(FILE_NAME);
    let fail = |e: &dyn std::fmt::Display| format!("{}: {e}", path.display());
    let file = std::fs::File::create(&path).map_err(|e| fail(&e))?;
    // Streamed: the evidence of a hundred thousand people is written
    // without a second copy of it, as a value or as text, in memory.
    let mut out = MaskingWriter::new(BufWriter::new(file), secrets);
    serde_json::to_writer_pretty(&mut out, evidence).map_err(|e| fail(&e))?;
    out.write_all(b"\n").map_err(|e| fail(&e))?;
    out.finish().map_err(|e| fail(&e))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_reads_back_with_secrets_masked() {
        let dir = tempfile::tempdir().unwrap();
        let evidence = Evidence {
            scenario: "s".into(),
            targets: vec!["tok-123".into()],
            ..Evidence::default()
        };
        write(dir.path(), &evidence, &["tok-123".into()]).unwrap();
        let text = std::fs::read_to_string(dir.path().join(FILE_NAME)).unwrap();
        let back: Evidence = serde_json::from_str(&text).unwrap();
        assert_eq!(back.targets, ["***"]);
        assert_eq!(back.scenario, "s");
    }

    #[test]
    fn a_folder_that_is_gone_is_an_error_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let gone = dir.path().join("gone");
        let e = write(&gone, &Evidence::default(), &[]).unwrap_err();
        assert!(e.contains("gone/evidence.json"), "{e}");
    }
}
