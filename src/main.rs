// glibc's malloc spends a large share of a mock target's time under load
// (many small JSON allocations across worker threads); mimalloc halves it.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    scimulate::cli::main()
}
