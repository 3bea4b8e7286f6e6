//! The page's Web Worker (built by Trunk as a no-modules worker with a loader shim). It receives
//! `{id, job}` messages whose `job` is a JSON [`silico::jobs::Job`], runs them with the same engine the
//! command-line tool uses, and posts `{id, reply}` back. It announces itself with `{ready: true}` once loaded.

#[cfg(target_arch = "wasm32")]
fn main() {
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;

    console_error_panic_hook::set_once();
    let scope: web_sys::DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let replies = scope.clone();
    let on_message =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
            let data = event.data();
            let field = |name: &str| {
                js_sys::Reflect::get(&data, &JsValue::from_str(name)).unwrap_or(JsValue::NULL)
            };
            let job = field("job").as_string().unwrap_or_default();
            let reply = silico::jobs::run_json(&job);
            let message = js_sys::Object::new();
            // Setting fields on a fresh plain object cannot fail.
            let _ = js_sys::Reflect::set(&message, &JsValue::from_str("id"), &field("id"));
            let _ = js_sys::Reflect::set(
                &message,
                &JsValue::from_str("reply"),
                &JsValue::from_str(&reply),
            );
            if let Err(e) = replies.post_message(&message) {
                web_sys::console::error_1(&e);
            }
        });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The worker lives as long as the page; so does its handler.
    on_message.forget();
    // Messages posted before the wasm finished loading had no handler to receive them, so the page
    // holds its jobs until it hears this.
    let ready = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&ready, &JsValue::from_str("ready"), &JsValue::TRUE);
    if let Err(e) = scope.post_message(&ready) {
        web_sys::console::error_1(&e);
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("silico-worker runs inside the web app; natively, use the `silico` tool.");
}
