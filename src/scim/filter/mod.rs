//! The SCIM filter language (RFC 7644 §3.4.2.2): AST, parser, printer,
//! semantic checks and evaluator.

mod ast;
mod check;
mod eval;
mod parser;
mod print;

pub use ast::{CompValue, CompareOp, Filter};
pub use check::check;
pub use eval::{matches, matches_value};
pub use parser::{FilterError, MAX_FILTER_DEPTH, MAX_FILTER_LEN, parse};
