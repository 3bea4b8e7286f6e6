//! The envelope of the large views' messages, `{text, <buffer>…}`: the JSON text of a
//! [`ToRenderer`](crate::large_view::ToRenderer) or [`FromRenderer`](crate::large_view::FromRenderer)
//! and, under their [`Buffer`] names, the typed arrays (or the canvas) the message says travel with
//! it. Those are transferred, not copied: a million points move to the worker without a clone.

use wasm_bindgen::{JsCast, JsValue};

use super::js::get;
use crate::large_view::protocol::{self, Buffer, Message, ProtocolError};

/// What may travel beside the text, and what of it the browser transfers.
pub trait Payload: AsRef<JsValue> {
    fn transferable(&self) -> JsValue;
}

macro_rules! typed_arrays {
    ($($array:ty),*) => {
        $(impl Payload for $array {
            // A typed array moves by its ArrayBuffer.
            fn transferable(&self) -> JsValue {
                self.buffer().into()
            }
        })*
    };
}
typed_arrays!(
    js_sys::Float64Array,
    js_sys::Float32Array,
    js_sys::Uint16Array,
    js_sys::Uint32Array,
    js_sys::Uint8ClampedArray
);

impl Payload for web_sys::OffscreenCanvas {
    fn transferable(&self) -> JsValue {
        self.clone().into()
    }
}

/// A message to post: its text, the buffers put beside it so far, and what to transfer.
pub struct Envelope {
    data: js_sys::Object,
    transfer: js_sys::Array,
    kind: String,
    reader: &'static str,
    /// Buffers the message names that are not in yet.
    missing: Vec<Buffer>,
}

impl Envelope {
    pub fn new<M: Message>(message: &M) -> Result<Self, ProtocolError> {
        let text = protocol::encode(message)?;
        let data = js_sys::Object::new();
        set(&data, "text", &JsValue::from_str(&text));
        Ok(Self {
            data,
            transfer: js_sys::Array::new(),
            kind: protocol::kind_of(&text).unwrap_or_default(),
            reader: M::READER,
            missing: message.buffers(),
        })
    }

    /// Puts `payload` beside the text as `buffer`, to be transferred.
    pub fn with(mut self, buffer: Buffer, payload: &impl Payload) -> Self {
        set(&self.data, buffer.name(), payload.as_ref());
        self.transfer.push(&payload.transferable());
        self.missing.retain(|b| *b != buffer);
        self
    }

    /// The object to post and its transfer list, once every buffer the message names is in.
    pub fn sealed(&self) -> Result<(&JsValue, &js_sys::Array), ProtocolError> {
        match self.missing.first() {
            Some(&buffer) => Err(ProtocolError::MissingBuffer {
                reader: self.reader,
                kind: self.kind.clone(),
                buffer,
            }),
            None => Ok((self.data.as_ref(), &self.transfer)),
        }
    }
}

/// A message read from an envelope, with the buffers that came beside it.
pub struct Received<M> {
    pub message: M,
    data: JsValue,
    kind: String,
}

impl<M: Message> Received<M> {
    /// The message in `data`, whose named buffers are all there; else an error that names it.
    pub fn read(data: JsValue) -> Result<Self, ProtocolError> {
        let text = get(&data, "text").as_string().unwrap_or_default();
        let message: M = protocol::decode(&text)?;
        let kind = protocol::kind_of(&text).unwrap_or_default();
        let received = Self {
            message,
            data,
            kind,
        };
        for buffer in received.message.buffers() {
            let value = get(&received.data, buffer.name());
            if value.is_undefined() || value.is_null() {
                return Err(received.missing(buffer));
            }
        }
        Ok(received)
    }

    /// The buffer as the typed array (or canvas) it should be.
    pub fn buffer<T: JsCast>(&self, buffer: Buffer) -> Result<T, ProtocolError> {
        get(&self.data, buffer.name())
            .dyn_into::<T>()
            .map_err(|_| self.missing(buffer))
    }

    /// The error for a message its reader knows but did not ask for.
    pub fn unexpected(&self) -> ProtocolError {
        ProtocolError::Unexpected {
            reader: M::READER,
            kind: self.kind.clone(),
        }
    }

    fn missing(&self, buffer: Buffer) -> ProtocolError {
        ProtocolError::MissingBuffer {
            reader: M::READER,
            kind: self.kind.clone(),
            buffer,
        }
    }
}

/// Setting a field on a fresh plain object cannot fail.
fn set(object: &js_sys::Object, name: &str, value: &JsValue) {
    let _ = js_sys::Reflect::set(object, &JsValue::from_str(name), value);
}
