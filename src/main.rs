fn main() -> std::process::ExitCode {
    infracheck::cli::run()
}
