//! `Read + Seek` over a stored model file, through a synchronous access handle: the engine reads
//! the GGUF header and then each tensor's bytes straight from disk into its own buffers, so the
//! file is never held in memory as a whole.
//!
//! Reads go through one JavaScript buffer kept for the file's life: passing a Rust slice to the
//! handle would make a JavaScript copy of every read (a whole tensor at a time), and those copies
//! stayed in the worker's heap until a garbage collection, adding about 40 MB to the page's peak
//! when a model was loaded a second time.

use std::io::{Read, Seek, SeekFrom};

use web_sys::{FileSystemReadWriteOptions, FileSystemSyncAccessHandle};

/// Bytes moved per read of the handle.
const CHUNK: u32 = 1 << 20;

pub struct StoredFile {
    handle: FileSystemSyncAccessHandle,
    chunk: js_sys::Uint8Array,
    position: u64,
    len: u64,
    /// Told the position after every read (for the load's progress bar).
    on_read: Box<dyn FnMut(u64, u64)>,
}

impl StoredFile {
    pub fn new(
        handle: FileSystemSyncAccessHandle,
        on_read: Box<dyn FnMut(u64, u64)>,
    ) -> Result<Self, String> {
        let len = handle
            .get_size()
            .map_err(|e| format!("the stored file's size could not be read ({e:?})"))?;
        Ok(Self {
            handle,
            chunk: js_sys::Uint8Array::new_with_length(CHUNK),
            position: 0,
            len: len as u64,
            on_read,
        })
    }

    pub fn len(&self) -> u64 {
        self.len
    }
}

impl Drop for StoredFile {
    fn drop(&mut self) {
        // Releases the file's lock, so the page can delete it.
        self.handle.close();
    }
}

impl Read for StoredFile {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let wanted = buf.len().min(CHUNK as usize) as u32;
        let options = FileSystemReadWriteOptions::new();
        options.set_at(self.position as f64);
        let into = self.chunk.subarray(0, wanted);
        let n = self
            .handle
            .read_with_js_u8_array_and_options(&into, &options)
            .map_err(|e| std::io::Error::other(format!("{e:?}")))? as u32;
        into.subarray(0, n).copy_to(&mut buf[..n as usize]);
        self.position += u64::from(n);
        (self.on_read)(self.position, self.len);
        Ok(n as usize)
    }
}

impl Seek for StoredFile {
    fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
        let target = match to {
            SeekFrom::Start(p) => Some(p),
            SeekFrom::End(d) => self.len.checked_add_signed(d),
            SeekFrom::Current(d) => self.position.checked_add_signed(d),
        };
        self.position = target.ok_or_else(|| {
            std::io::Error::new(std::io::ErrorKind::InvalidInput, "seek before the start")
        })?;
        Ok(self.position)
    }
}
