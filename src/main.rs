// Under lookup load glibc's malloc took about 18% of a mock target's CPU
// (perf, many small JSON and header allocations across worker threads);
// mimalloc's thread-local free lists make those allocations cheap.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    scimulate::cli::main()
}
