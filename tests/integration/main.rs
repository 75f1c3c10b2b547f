//! The integration tests: one test binary, one module per subject.
//!
//! One binary instead of one per file: each binary links the whole crate,
//! and some thirty of them made `cargo test` spend most of its build time
//! linking. Shared helpers are the modules below the test modules.

// Helpers shared by several test modules.
mod common;
mod faulty;
mod refconn_support;
mod report_support;

mod architecture;
mod behaviour_knobs;
mod certify_cli;
mod certify_faults;
mod certify_oauth;
mod certify_quirks;
mod certify_safety;
mod certify_strict;
mod ci_gate;
mod cli_check;
mod connector_alerts;
mod connector_file;
mod connector_floods;
mod connector_lifecycle;
mod docs;
mod filter_rfc;
mod gameday;
mod judge_evidence;
mod netproxy_api;
mod netproxy_e2e;
mod netproxy_local;
mod netproxy_toxics;
mod parser_fuzz;
mod partition;
mod patch_rfc;
mod refconn_alerts;
mod refconn_lifecycle;
mod refconn_outage;
mod refconn_process;
mod refconn_repair;
mod refconn_restart;
mod report_har;
mod report_html;
mod report_reporters;
mod run_defects;
mod run_existing;
mod run_scenarios;
mod run_upstream;
mod scenario_load;
mod schema_cli;
mod schema_generated;
mod schema_validate;
mod stopping;
mod target_behaviour;
mod target_errors;
mod target_faults;
mod target_fuzz;
mod target_scim_faults;
mod target_scim_faults_state;
mod target_transport;
mod upstream;
mod upstream_faults;
mod upstream_scenario;
mod vendor_profiles;
