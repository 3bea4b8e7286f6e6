//! The `silico` command-line tool. See `silico --help`.

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    silico::cli::main()
}

// The tool is native-only; wasm builds of the whole crate still need a `main` here.
#[cfg(target_arch = "wasm32")]
fn main() {}
