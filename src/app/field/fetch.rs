//! Sends the engine's [`HttpRequest`]s with the browser's fetch and hands back plain
//! [`HttpResponse`]s, with a time limit (an abort after `timeout_ms`).

use gloo_net::http::{Method, RequestBuilder};
use wasm_bindgen::JsCast;
use web_sys::{AbortController, ReferrerPolicy, RequestCredentials};

use crate::app::local_model;
use crate::field::{HttpRequest, HttpResponse, TransportError};

/// Cancels the timer when the attempt ends first.
struct Deadline {
    handle: i32,
    _callback: wasm_bindgen::closure::Closure<dyn FnMut()>,
}

impl Drop for Deadline {
    fn drop(&mut self) {
        if let Some(window) = web_sys::window() {
            window.clear_timeout_with_handle(self.handle);
        }
    }
}

fn deadline(controller: &AbortController, timeout_ms: f64) -> Option<Deadline> {
    let controller = controller.clone();
    let callback = wasm_bindgen::closure::Closure::<dyn FnMut()>::new(move || controller.abort());
    let handle = web_sys::window()?
        .set_timeout_with_callback_and_timeout_and_arguments_0(
            callback.as_ref().unchecked_ref(),
            timeout_ms.clamp(1.0, f64::from(i32::MAX)) as i32,
        )
        .ok()?;
    Some(Deadline {
        handle,
        _callback: callback,
    })
}

/// A controller to abort a request with (`None` if the browser has none).
pub fn abort_controller() -> Option<AbortController> {
    AbortController::new().ok()
}

/// One POST, aborted by `controller` or after `timeout_ms`. Sends no cookies and no referrer:
/// only what the request holds leaves the page. A `local:` request goes to the model in this
/// page's worker instead, and never leaves the browser.
pub async fn send(
    request: &HttpRequest,
    timeout_ms: f64,
    controller: Option<AbortController>,
) -> Result<HttpResponse, TransportError> {
    if request.url.starts_with(local_model::client::SCHEME) {
        return local_model::client::send(request, timeout_ms, controller).await;
    }
    let started = js_sys::Date::now();
    let controller = controller
        .ok_or_else(|| TransportError::Connection("this browser cannot abort requests".into()))?;
    let _deadline = deadline(&controller, timeout_ms);
    let signal = controller.signal();
    let mut builder = RequestBuilder::new(&request.url)
        .method(Method::POST)
        .credentials(RequestCredentials::Omit)
        .referrer_policy(ReferrerPolicy::NoReferrer)
        .abort_signal(Some(&signal));
    for (name, value) in &request.headers {
        builder = builder.header(name, value);
    }
    let built = builder
        .body(request.body.as_str())
        .map_err(|e| TransportError::Connection(e.to_string()))?;
    let response = built.send().await.map_err(|e| {
        if signal.aborted() {
            TransportError::Timeout
        } else {
            // The browser hides the reason (CORS, refused connection, DNS) from scripts.
            TransportError::Connection(format!(
                "{e} (is the server running, and does it allow requests from this page (CORS)?)"
            ))
        }
    })?;
    let status = response.status();
    let headers: Vec<(String, String)> = response
        .headers()
        .entries()
        .map(|(n, v)| (n.to_ascii_lowercase(), v))
        .collect();
    let body = response.text().await.map_err(|e| {
        if signal.aborted() {
            TransportError::Timeout
        } else {
            TransportError::Body(e.to_string())
        }
    })?;
    Ok(HttpResponse {
        status,
        headers,
        body,
        latency_ms: js_sys::Date::now() - started,
    })
}

/// Resolves after `ms` milliseconds (0: on the next turn of the event loop).
pub async fn sleep_ms(ms: f64) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(
                &resolve,
                ms.clamp(0.0, f64::from(i32::MAX)) as i32,
            );
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}
