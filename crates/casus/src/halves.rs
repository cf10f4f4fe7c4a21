//! Work done in two halves at once, the second on a thread of its own: for what is done to each
//! of a large evaluation's norms at its end (millions in a cascade) — their two sorts and their
//! statuses — which the walk, using one processor, leaves the other for; and what the walk no
//! longer needs, given back on the other while this one goes on.

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

/// Runs `here` and returns what it gives, dropping `value` first, or, when `aside`, on a second
/// thread meanwhile: for what a large evaluation no longer needs, which takes a while to give
/// back (millions of entries, each freed in turn).
pub(crate) fn dropping<T: Send, R>(value: T, aside: bool, here: impl FnOnce() -> R) -> R {
    if !aside {
        drop(value);
        return here();
    }
    std::thread::scope(|scope| {
        scope.spawn(move || drop(value));
        here()
    })
}
