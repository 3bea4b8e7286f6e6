//! The local model's Web Worker (built by Trunk as a no-modules worker with a loader shim): loads a
//! GGUF model into memory and answers chat-completions requests with it. The page starts it only
//! when the local model is first used. See `silico::app::local_model`.

#[cfg(target_arch = "wasm32")]
fn main() {
    silico::app::local_model::worker::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("silico-model-worker runs inside the web app; natively, use `silico field --model local:PATH.gguf`.");
}
