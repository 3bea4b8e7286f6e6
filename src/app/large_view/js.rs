//! Small helpers for the plain JS objects the page and the renderer's worker exchange.

use wasm_bindgen::JsValue;

pub fn get(object: &JsValue, name: &str) -> JsValue {
    js_sys::Reflect::get(object, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

pub fn num(object: &JsValue, name: &str) -> f64 {
    get(object, name).as_f64().unwrap_or(f64::NAN)
}

pub fn text(object: &JsValue, name: &str) -> String {
    get(object, name).as_string().unwrap_or_default()
}

/// A fresh object with the given fields (setting fields on a new plain object cannot fail).
pub fn object(fields: &[(&str, JsValue)]) -> js_sys::Object {
    let o = js_sys::Object::new();
    for (name, value) in fields {
        let _ = js_sys::Reflect::set(&o, &JsValue::from_str(name), value);
    }
    o
}

pub fn message(e: &JsValue) -> String {
    e.as_string()
        .or_else(|| get(e, "message").as_string())
        .unwrap_or_else(|| format!("{e:?}"))
}
