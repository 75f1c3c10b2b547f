fn main() -> std::process::ExitCode {
    scimulate::cli::main()
}
