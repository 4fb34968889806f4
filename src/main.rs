// `--features system-allocator` leaves the system's malloc in place, for heap profilers
// (heaptrack, valgrind) that see only malloc; see BENCHMARKS.md.
#[cfg(not(feature = "system-allocator"))]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    // A run lives for milliseconds: transparent huge pages would make the kernel zero 2 MiB for
    // every fresh allocator page, which costs more than the work itself.
    #[cfg(target_os = "linux")]
    // SAFETY: prctl(PR_SET_THP_DISABLE) only sets a flag on this process.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
    // The command runs on a thread whose stack is as large as rayon's workers' (the main thread's
    // is whatever the system gives, often 8 MiB): see `cli::STACK_SIZE`.
    let run = std::thread::Builder::new()
        .name("infracheck".into())
        .stack_size(infracheck::cli::STACK_SIZE)
        .spawn(infracheck::cli::run);
    match run.map(|t| t.join()) {
        Ok(Ok(code)) => code,
        // The thread could not start or panicked (the panic message is already printed).
        _ => std::process::ExitCode::from(infracheck::exit::BAD_INPUT),
    }
}
