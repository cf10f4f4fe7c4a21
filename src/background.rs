//! A writer that hands what it is given, in large blocks, to a thread of its own, so that the
//! bytes of a report are written out while the next ones are being formatted.
//!
//! A report of hundreds of megabytes costs about as much to write into the page cache as to
//! format; the writes are the kernel's work, on the thread that makes them. With the writing on a
//! second thread the two overlap, the blocks are written in the order they were given, and at
//! most [`BLOCKS`] of [`BLOCK`] bytes wait at a time: the memory held stays bounded, and the
//! formatting waits when the writing falls behind.

use std::io::{self, Write};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

/// The size of a block handed to the writing thread.
const BLOCK: usize = 1 << 20;

/// How many blocks may wait for the writing thread, besides the one being filled and the one
/// being written.
const BLOCKS: usize = 2;

/// What the writing thread is asked to do.
enum Job {
    /// Write a block, then hand the emptied buffer back.
    Write(Vec<u8>),
    /// Flush the stream, and answer when every block before has been written.
    Flush(SyncSender<io::Result<()>>),
}

/// A stream written by a thread of its own. Writes fill a block; a full block goes to the
/// thread, which writes it while the next is filled. The first error the thread meets is the
/// error of the write, flush or block after it; the thread stops writing there.
pub(crate) struct Background {
    block: Vec<u8>,
    jobs: Option<SyncSender<Job>>,
    /// Emptied buffers coming back, so that a long report allocates a few blocks in all.
    spare: Receiver<Vec<u8>>,
    thread: Option<JoinHandle<io::Result<()>>>,
}

impl Background {
    /// Starts a thread that writes to `inner`.
    pub(crate) fn new<W: Write + Send + 'static>(mut inner: W) -> Background {
        let (jobs, todo) = sync_channel::<Job>(BLOCKS);
        let (give_back, spare) = sync_channel::<Vec<u8>>(BLOCKS + 2);
        let thread = std::thread::spawn(move || -> io::Result<()> {
            for job in todo {
                match job {
                    Job::Write(mut block) => {
                        inner.write_all(&block)?;
                        block.clear();
                        // Nobody waiting for it: the buffer is dropped.
                        let _ = give_back.try_send(block);
                    }
                    Job::Flush(answer) => {
                        let _ = answer.send(inner.flush());
                    }
                }
            }
            inner.flush()
        });
        Background { block: Vec::with_capacity(BLOCK), jobs: Some(jobs), spare, thread: Some(thread) }
    }

    /// Hands the block filled so far to the thread, if it holds anything.
    fn hand_over(&mut self) -> io::Result<()> {
        if self.block.is_empty() {
            return Ok(());
        }
        let next = self.spare.try_recv().unwrap_or_else(|_| Vec::with_capacity(BLOCK));
        let block = std::mem::replace(&mut self.block, next);
        self.send(Job::Write(block))
    }

    /// Sends the thread a job; if it has stopped, its error.
    fn send(&mut self, job: Job) -> io::Result<()> {
        let sent = self.jobs.as_ref().map(|jobs| jobs.send(job));
        match sent {
            Some(Ok(())) => Ok(()),
            _ => Err(self.stop().err().unwrap_or_else(|| io::Error::other("the writing thread has stopped"))),
        }
    }

    /// Ends the thread, once every block handed to it is written; its error, if it met one.
    fn stop(&mut self) -> io::Result<()> {
        self.jobs = None;
        match self.thread.take().map(JoinHandle::join) {
            None | Some(Ok(Ok(()))) => Ok(()),
            Some(Ok(Err(e))) => Err(e),
            Some(Err(_)) => Err(io::Error::other("the writing thread panicked")),
        }
    }
}

impl Write for Background {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.write_all(buf)?;
        Ok(buf.len())
    }

    fn write_all(&mut self, mut buf: &[u8]) -> io::Result<()> {
        // A block is handed over as soon as it is full, and replaced by an empty one even when
        // the hand-over fails, so there is room in it here.
        while !buf.is_empty() {
            let room = BLOCK.saturating_sub(self.block.len());
            let (now, rest) = buf.split_at(room.min(buf.len()));
            self.block.extend_from_slice(now);
            buf = rest;
            if self.block.len() >= BLOCK {
                self.hand_over()?;
            }
        }
        Ok(())
    }

    /// Returns once every byte written before has reached the stream, and it has been flushed.
    fn flush(&mut self) -> io::Result<()> {
        self.hand_over()?;
        let (answer, answered) = sync_channel(1);
        self.send(Job::Flush(answer))?;
        match answered.recv() {
            Ok(result) => result,
            Err(_) => self.stop(),
        }
    }
}

impl Drop for Background {
    /// What is left is written, as a `BufWriter` writes it when dropped; errors are dropped too.
    fn drop(&mut self) {
        let _ = self.hand_over();
        let _ = self.stop();
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::sync::{Arc, Mutex};

    use super::*;

    /// A stream that keeps what it is given, and fails once it holds `fail_after` bytes.
    #[derive(Clone)]
    struct Kept {
        bytes: Arc<Mutex<Vec<u8>>>,
        fail_after: usize,
        flushes: Arc<Mutex<usize>>,
    }

    impl Write for Kept {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            let mut bytes = self.bytes.lock().unwrap();
            if bytes.len() >= self.fail_after {
                return Err(io::Error::new(io::ErrorKind::BrokenPipe, "gone"));
            }
            bytes.extend_from_slice(buf);
            Ok(buf.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            *self.flushes.lock().unwrap() += 1;
            Ok(())
        }
    }

    fn kept(fail_after: usize) -> Kept {
        Kept { bytes: Arc::default(), fail_after, flushes: Arc::default() }
    }

    /// Writes of every size, across block boundaries, arrive whole and in order, and a flush
    /// returns only once they have.
    #[test]
    fn what_is_written_arrives_in_order() {
        let stream = kept(usize::MAX);
        let mut out = Background::new(stream.clone());
        let mut expected = Vec::new();
        for n in 0..3000usize {
            let piece: Vec<u8> = (0..(n * 7) % 2900).map(|i| ((i + n) % 251) as u8).collect();
            out.write_all(&piece).unwrap();
            expected.extend_from_slice(&piece);
        }
        out.flush().unwrap();
        assert!(expected.len() > 3 * BLOCK, "the test crosses several blocks");
        assert_eq!(*stream.bytes.lock().unwrap(), expected);
        assert_eq!(*stream.flushes.lock().unwrap(), 1);
        out.write_all(b"tail").unwrap();
        drop(out);
        expected.extend_from_slice(b"tail");
        assert_eq!(*stream.bytes.lock().unwrap(), expected, "dropping writes what is left");
    }

    /// The stream's error comes back to the writer, as the error of a later write or flush, and
    /// nothing is written after it.
    #[test]
    fn the_streams_error_comes_back() {
        let stream = kept(BLOCK);
        let mut out = Background::new(stream.clone());
        let block = vec![b'x'; BLOCK];
        let mut failed = None;
        for _ in 0..(BLOCKS + 4) {
            if let Err(e) = out.write_all(&block) {
                failed = Some(e);
                break;
            }
        }
        let failed = failed.or_else(|| out.flush().err()).unwrap();
        assert_eq!(failed.kind(), io::ErrorKind::BrokenPipe);
        assert_eq!(stream.bytes.lock().unwrap().len(), BLOCK, "one block was written, then none");
    }
}
