//! Work done in two halves at once, the second on a thread of its own: for what is done to each
//! of a large evaluation's norms at its end (millions in a cascade) — their two sorts and their
//! statuses — which the walk, using one processor, leaves the other for.

/// How many norms it takes for work on each of them to be split over two threads: fewer are done
/// in less time than a thread takes to start, and `casus sweep` evaluates on every processor.
pub(crate) const NORMS_ON_TWO_THREADS: usize = 1 << 16;

/// Runs `here` on this thread and `there` on a second one, and returns both results. A panic on
/// the second thread goes on here.
pub(crate) fn join<A, B: Send>(here: impl FnOnce() -> A, there: impl FnOnce() -> B + Send) -> (A, B) {
    std::thread::scope(|scope| {
        let there = scope.spawn(there);
        let here = here();
        (here, there.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
    })
}
