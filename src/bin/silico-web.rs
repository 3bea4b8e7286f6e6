//! The web app's entry point (built by Trunk for wasm32).

#[cfg(target_arch = "wasm32")]
fn main() {
    silico::app::start();
}

// Natively there is no page to start; `cargo build` of the whole crate still needs a `main` here.
#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!(
        "silico-web is the browser app; run it with `scripts/serve.sh`, or use the `silico` tool."
    );
}
