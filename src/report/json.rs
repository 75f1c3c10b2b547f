//! The JSON report (SPEC §7): the run model as it is, pretty-printed. Its
//! stable core is fixed by the model's field names and order.

use super::model::RunReport;
use std::io::{self, Write};

pub fn write(report: &RunReport, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, report).map_err(io::Error::other)?;
    out.write_all(b"\n")
}
