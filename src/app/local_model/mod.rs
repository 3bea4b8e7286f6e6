//! The model in the page: a GGUF model run by the engine's `local_model` in a Web Worker of its
//! own (`worker`, the `silico-model-worker` bin), started only when the local model is first used.
//! `client` is the page's side of it (load, chat, stop), `stored` the models kept in this
//! browser's storage, `panel` the Field tab's section for it, `protocol` the messages between.

pub mod client;
pub mod panel;
pub mod protocol;
pub mod stored;
pub mod worker;
