//! Storage backends of the database besides the plain file: [`Overlay`], which reads a file
//! and keeps every write in memory, so that a file can be checked (format version, snapshot,
//! replay of the log; redb's crash repair included) before anything is written to it, and,
//! for tests, [`Faulty`], a file whose writes fail on demand (a full disk).

use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt as _;
use std::sync::Mutex;

use redb::StorageBackend;

/// A file opened read-only whose writes stay in memory: the database sees its own writes,
/// the file never changes. Written bytes are kept in 4 KiB blocks (copy on write).
#[derive(Debug)]
pub(crate) struct Overlay {
    file: File,
    file_len: u64,
    state: Mutex<OverlayState>,
}

const BLOCK: u64 = 4096;

#[derive(Debug)]
struct OverlayState {
    len: u64,
    /// Blocks written (by block number), each `BLOCK` bytes.
    blocks: std::collections::BTreeMap<u64, Vec<u8>>,
    /// Bytes at or past this offset that are not in `blocks` read as zeros (the file was
    /// truncated below its real length).
    zero_from: u64,
}

impl Overlay {
    /// An overlay of `file` (opened for reading).
    pub(crate) fn new(file: File) -> io::Result<Overlay> {
        let file_len = file.metadata()?.len();
        Ok(Overlay {
            file,
            file_len,
            state: Mutex::new(OverlayState {
                len: file_len,
                blocks: std::collections::BTreeMap::new(),
                zero_from: file_len,
            }),
        })
    }

    fn state(&self) -> std::sync::MutexGuard<'_, OverlayState> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Reads the unwritten bytes at `offset` into `buf` from the file (zeros past it).
    fn read_base(&self, state: &OverlayState, offset: u64, buf: &mut [u8]) -> io::Result<()> {
        buf.fill(0);
        let limit = self.file_len.min(state.zero_from);
        let n = limit.saturating_sub(offset).min(buf.len() as u64) as usize;
        if n > 0 {
            self.file.read_exact_at(&mut buf[..n], offset)?;
        }
        Ok(())
    }

    fn block(&self, state: &mut OverlayState, number: u64) -> io::Result<()> {
        if !state.blocks.contains_key(&number) {
            let mut data = vec![0; BLOCK as usize];
            self.read_base(state, number * BLOCK, &mut data)?;
            state.blocks.insert(number, data);
        }
        Ok(())
    }
}

impl StorageBackend for Overlay {
    fn len(&self) -> Result<u64, io::Error> {
        Ok(self.state().len)
    }

    fn read(&self, offset: u64, len: usize) -> Result<Vec<u8>, io::Error> {
        let state = self.state();
        let end = offset.saturating_add(len as u64);
        if end > state.len {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!(
                    "read of {len} bytes at {offset} past the end ({})",
                    state.len
                ),
            ));
        }
        let mut buf = vec![0; len];
        let mut at = offset;
        while at < end {
            let number = at / BLOCK;
            let in_block = (at % BLOCK) as usize;
            let n = ((BLOCK as usize) - in_block).min((end - at) as usize);
            let dst = &mut buf[(at - offset) as usize..(at - offset) as usize + n];
            match state.blocks.get(&number) {
                Some(data) => dst.copy_from_slice(&data[in_block..in_block + n]),
                None => self.read_base(&state, at, dst)?,
            }
            at += n as u64;
        }
        Ok(buf)
    }

    fn set_len(&self, len: u64) -> Result<(), io::Error> {
        let mut state = self.state();
        if len < state.len {
            // Bytes past the new end read as zeros if the file grows again.
            let first_gone = len.div_ceil(BLOCK);
            state.blocks.retain(|n, _| *n < first_gone);
            if !len.is_multiple_of(BLOCK)
                && let Some(data) = state.blocks.get_mut(&(len / BLOCK))
            {
                data[(len % BLOCK) as usize..].fill(0);
            } else if !len.is_multiple_of(BLOCK) {
                let number = len / BLOCK;
                self.block(&mut state, number)?;
                if let Some(data) = state.blocks.get_mut(&number) {
                    data[(len % BLOCK) as usize..].fill(0);
                }
            }
            state.zero_from = state.zero_from.min(len);
        }
        state.len = len;
        Ok(())
    }

    fn sync_data(&self, _eventual: bool) -> Result<(), io::Error> {
        Ok(())
    }

    fn write(&self, offset: u64, data: &[u8]) -> Result<(), io::Error> {
        let mut state = self.state();
        let end = offset + data.len() as u64;
        state.len = state.len.max(end);
        let mut at = offset;
        while at < end {
            let number = at / BLOCK;
            let in_block = (at % BLOCK) as usize;
            let n = ((BLOCK as usize) - in_block).min((end - at) as usize);
            self.block(&mut state, number)?;
            if let Some(block) = state.blocks.get_mut(&number) {
                block[in_block..in_block + n]
                    .copy_from_slice(&data[(at - offset) as usize..(at - offset) as usize + n]);
            }
            at += n as u64;
        }
        Ok(())
    }
}

/// A database file whose writes and syncs fail while `fail` is set (an injected full disk).
#[cfg(test)]
#[derive(Debug)]
pub(crate) struct Faulty {
    pub(crate) inner: redb::backends::FileBackend,
    pub(crate) fail: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

#[cfg(test)]
impl Faulty {
    fn check(&self) -> Result<(), io::Error> {
        if self.fail.load(std::sync::atomic::Ordering::SeqCst) {
            Err(io::Error::new(
                io::ErrorKind::StorageFull,
                "no space left on device (injected)",
            ))
        } else {
            Ok(())
        }
    }
}

#[cfg(test)]
impl StorageBackend for Faulty {
    fn len(&self) -> Result<u64, io::Error> {
        self.inner.len()
    }
    fn read(&self, offset: u64, len: usize) -> Result<Vec<u8>, io::Error> {
        self.inner.read(offset, len)
    }
    fn set_len(&self, len: u64) -> Result<(), io::Error> {
        self.check()?;
        self.inner.set_len(len)
    }
    fn sync_data(&self, eventual: bool) -> Result<(), io::Error> {
        self.check()?;
        self.inner.sync_data(eventual)
    }
    fn write(&self, offset: u64, data: &[u8]) -> Result<(), io::Error> {
        self.check()?;
        self.inner.write(offset, data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_overlay_sees_its_writes_and_the_file_does_not_change() {
        let dir = std::env::temp_dir().join(format!("linstor-mock-overlay-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("f");
        std::fs::write(&path, b"0123456789").unwrap();
        let o = Overlay::new(File::open(&path).unwrap()).unwrap();
        o.write(2, b"ab").unwrap();
        o.write(8, b"XYZ").unwrap();
        assert_eq!(o.len().unwrap(), 11);
        assert_eq!(o.read(0, 11).unwrap(), b"01ab4567XYZ");
        o.set_len(4).unwrap();
        o.set_len(6).unwrap();
        assert_eq!(o.read(0, 6).unwrap(), b"01ab\0\0");
        assert!(o.read(5, 2).is_err());
        assert_eq!(std::fs::read(&path).unwrap(), b"0123456789");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
