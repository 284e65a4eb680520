//! Work spread over every core with the results kept in order (panes, reports, verify, export).

/// The worker threads to use: one per core, at most eight.
pub fn threads() -> usize {
    std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8)
}

/// `f` over consecutive parts of `items`, one part per core, the results in the parts' order;
/// on this thread alone when there are fewer than `min` items or one core.
pub fn map_parts<T: Sync, R: Send>(
    items: &[T],
    min: usize,
    f: impl Fn(&[T]) -> R + Sync,
) -> Vec<R> {
    let threads = threads();
    if threads < 2 || items.len() < min {
        return vec![f(items)];
    }
    let f = &f;
    std::thread::scope(|s| {
        let workers: Vec<_> = items
            .chunks(items.len().div_ceil(threads))
            .map(|part| s.spawn(move || f(part)))
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().expect("a worker does not panic"))
            .collect()
    })
}
