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
/// the file never changes.
#[derive(Debug)]
pub(crate) struct Overlay {
    file: File,
    file_len: u64,
    state: Mutex<OverlayState>,
}

#[derive(Debug)]
struct OverlayState {
    len: u64,
    /// Writes in order (later ones win).
    writes: Vec<(u64, Vec<u8>)>,
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
                writes: Vec::new(),
            }),
        })
    }

    fn state(&self) -> std::sync::MutexGuard<'_, OverlayState> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
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
                format!("read of {len} bytes at {offset} past the end ({})", state.len),
            ));
        }
        let mut buf = vec![0; len];
        let from_file = self.file_len.saturating_sub(offset).min(len as u64) as usize;
        if from_file > 0 {
            self.file.read_exact_at(&mut buf[..from_file], offset)?;
        }
        for (at, data) in &state.writes {
            let w_end = at + data.len() as u64;
            if *at >= end || w_end <= offset {
                continue;
            }
            let lo = (*at).max(offset);
            let hi = w_end.min(end);
            buf[(lo - offset) as usize..(hi - offset) as usize]
                .copy_from_slice(&data[(lo - at) as usize..(hi - at) as usize]);
        }
        Ok(buf)
    }

    fn set_len(&self, len: u64) -> Result<(), io::Error> {
        let mut state = self.state();
        if len < state.len {
            // Bytes past the new end read as zeros if the file grows again.
            let cut = len;
            state.writes.retain(|(at, _)| *at < cut);
            for (at, data) in &mut state.writes {
                data.truncate((cut - *at) as usize);
            }
            let hole = (cut, vec![0; (self.file_len.saturating_sub(cut)) as usize]);
            if !hole.1.is_empty() {
                state.writes.push(hole);
            }
        }
        state.len = len;
        Ok(())
    }

    fn sync_data(&self, _eventual: bool) -> Result<(), io::Error> {
        Ok(())
    }

    fn write(&self, offset: u64, data: &[u8]) -> Result<(), io::Error> {
        let mut state = self.state();
        state.len = state.len.max(offset + data.len() as u64);
        state.writes.push((offset, data.to_vec()));
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
