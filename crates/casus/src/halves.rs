//! Work done in two halves at once, the second on a thread of its own: for the sorts of a large
//! evaluation's norms (millions in a cascade), which the walk, using one processor, leaves the
//! other for.

/// How many norms it takes for a sort of them to be split over two threads: fewer are sorted in
/// less time than a thread takes to start, and `casus sweep` evaluates on every processor.
pub(crate) const SORT_ON_TWO_THREADS: usize = 1 << 16;

/// Runs `here` on this thread and `there` on a second one, and returns both results. A panic on
/// the second thread goes on here.
pub(crate) fn join<A, B: Send>(here: impl FnOnce() -> A, there: impl FnOnce() -> B + Send) -> (A, B) {
    std::thread::scope(|scope| {
        let there = scope.spawn(there);
        let here = here();
        (here, there.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
    })
}
