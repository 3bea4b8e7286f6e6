//! The large views' renderer, a Web Worker built by Trunk (no-modules, with a loader shim) and
//! started only when a large view opens; see `silico::app::large_view`.

#[cfg(target_arch = "wasm32")]
fn main() {
    silico::app::large_view::worker_side::serve();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("silico-gpu runs inside the web app; natively, use the `silico` tool.");
}
