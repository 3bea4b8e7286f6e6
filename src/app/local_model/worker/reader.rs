//! `Read + Seek` over a stored model file, through a synchronous access handle: the engine reads
//! the GGUF header and then each tensor's bytes straight from disk into its own buffers, so the
//! file is never held in memory as a whole.

use std::io::{Read, Seek, SeekFrom};

use web_sys::{FileSystemReadWriteOptions, FileSystemSyncAccessHandle};

pub struct StoredFile {
    handle: FileSystemSyncAccessHandle,
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
        let options = FileSystemReadWriteOptions::new();
        options.set_at(self.position as f64);
        let n = self
            .handle
            .read_with_u8_array_and_options(buf, &options)
            .map_err(|e| std::io::Error::other(format!("{e:?}")))? as u64;
        self.position += n;
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
