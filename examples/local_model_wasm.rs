//! The local model's WebAssembly build, timed outside the browser: `scripts/bench-local-model-wasm.mjs`
//! builds this example for wasm32, runs it under Node (the same V8 as Chromium) and prints prefill
//! and decode tokens/s; with `--profile` it also writes a CPU profile whose wasm functions keep
//! their names, to see where the time goes. Natively its main is empty.

#[cfg(target_arch = "wasm32")]
mod wasm {
    use std::io::Cursor;

    use serde_json::{json, Value};
    use silico::local_model::LocalModel;
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen]
    extern "C" {
        #[wasm_bindgen(js_namespace = performance)]
        fn now() -> f64;
    }

    thread_local! {
        static MODEL: std::cell::RefCell<Option<LocalModel>> = const { std::cell::RefCell::new(None) };
    }

    /// Loads the model from the file's bytes; returns the milliseconds it took.
    #[wasm_bindgen]
    pub fn load(bytes: Vec<u8>) -> Result<f64, String> {
        let t0 = now();
        let model = LocalModel::load(&mut Cursor::new(bytes)).map_err(|e| e.to_string())?;
        MODEL.with(|m| *m.borrow_mut() = Some(model));
        Ok(now() - t0)
    }

    /// Bytes of this module's linear memory (it only grows: the peak).
    #[wasm_bindgen]
    pub fn memory_bytes() -> f64 {
        (core::arch::wasm32::memory_size(0) * 65536) as f64
    }

    /// Answers one chat-completions body (JSON); returns `{ms, usage}` as JSON.
    #[wasm_bindgen]
    pub fn chat(body: &str) -> Result<String, String> {
        let body: Value = serde_json::from_str(body).map_err(|e| e.to_string())?;
        MODEL.with(|m| {
            let mut m = m.borrow_mut();
            let model = m.as_mut().ok_or("no model loaded")?;
            let t0 = now();
            let reply = model
                .chat_completion(&body, &mut || false)
                .map_err(|e| e.to_string())?;
            let ms = now() - t0;
            Ok(json!({"ms": ms, "usage": reply["usage"], "reply": reply}).to_string())
        })
    }
}

fn main() {}
