//! API keys in the page: held in memory for the session, and in `localStorage` only when the user
//! ticks "remember on this device". Never in the study, the URL, the run store or any export.

use std::cell::RefCell;
use std::collections::HashMap;

use crate::providers::ApiKey;
use crate::study::ProviderKind;

thread_local! {
    static SESSION: RefCell<HashMap<String, String>> = RefCell::new(HashMap::new());
}

/// One key per provider and endpoint, so a key is never sent to a host it was not given for.
fn slot(provider: ProviderKind, base_url: &str) -> String {
    format!("silico.key.{provider:?}.{}", base_url.trim())
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// The key for this endpoint: the session's, else a remembered one.
pub fn get(provider: ProviderKind, base_url: &str) -> Option<String> {
    let slot = slot(provider, base_url);
    SESSION
        .with(|s| s.borrow().get(&slot).cloned())
        .or_else(|| local_storage()?.get_item(&slot).ok()?)
}

/// Whether the key for this endpoint is remembered on this device.
pub fn is_remembered(provider: ProviderKind, base_url: &str) -> bool {
    local_storage()
        .and_then(|s| s.get_item(&slot(provider, base_url)).ok()?)
        .is_some()
}

/// Keeps the key for the session, and on this device when `remember`; an empty key forgets it.
pub fn set(provider: ProviderKind, base_url: &str, key: &str, remember: bool) {
    let slot = slot(provider, base_url);
    let key = key.trim();
    SESSION.with(|s| {
        let mut s = s.borrow_mut();
        if key.is_empty() {
            s.remove(&slot);
        } else {
            s.insert(slot.clone(), key.to_string());
        }
    });
    if let Some(storage) = local_storage() {
        if remember && !key.is_empty() {
            let _ = storage.set_item(&slot, key);
        } else {
            let _ = storage.remove_item(&slot);
        }
    }
}

pub fn api_key(provider: ProviderKind, base_url: &str) -> Option<ApiKey> {
    ApiKey::new(&get(provider, base_url)?)
}
