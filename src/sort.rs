//! A stable sort that is small in wasm. std's `sort_by` instantiates its
//! driftsort (about 3.5 KB of wasm) once per element type and comparator; the
//! merge sort here works on indices behind a `dyn` comparator, so it exists
//! once and each call site adds only a few dozen bytes. A stable sort's
//! result is fully determined by the order, so this returns exactly what
//! `sort_by` does (tested against it).

/// Sorts `v` stably, `less(a, b)` meaning "a goes before b" (a strict weak
/// order, such as `a.key < b.key` or `a.x.total_cmp(&b.x).is_lt()`).
pub(crate) fn sort_by<T>(v: &mut [T], less: impl Fn(&T, &T) -> bool) {
    let mut order = stable_order(v.len(), &mut |i, j| less(&v[i], &v[j]));
    // Position k takes the element at order[k]: follow each cycle with
    // swaps, marking placed positions with usize::MAX.
    for start in 0..order.len() {
        let mut at = start;
        while order[at] != usize::MAX {
            let next = std::mem::replace(&mut order[at], usize::MAX);
            if next == start {
                break;
            }
            v.swap(at, next);
            at = next;
        }
    }
}

/// Bottom-up merge sort of the indices `0..n`.
fn stable_order(n: usize, less: &mut dyn FnMut(usize, usize) -> bool) -> Vec<usize> {
    let mut from: Vec<usize> = (0..n).collect();
    let mut to = vec![0; n];
    let mut width = 1;
    while width < n {
        let mut start = 0;
        while start < n {
            let mid = n.min(start + width);
            let end = n.min(mid + width);
            let (mut i, mut j) = (start, mid);
            for slot in &mut to[start..end] {
                // From the right run only when strictly before: stable.
                if j < end && (i == mid || less(from[j], from[i])) {
                    *slot = from[j];
                    j += 1;
                } else {
                    *slot = from[i];
                    i += 1;
                }
            }
            start = end;
        }
        std::mem::swap(&mut from, &mut to);
        width *= 2;
    }
    from
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn same_as_std_stable_sort(keys in proptest::collection::vec(0u8..6, 0..200)) {
            // Equal keys keep their input order: the index tells them apart.
            let items: Vec<(u8, usize)> = keys.into_iter().enumerate().map(|(i, k)| (k, i)).collect();
            let mut ours = items.clone();
            super::sort_by(&mut ours, |a, b| a.0 < b.0);
            let mut std = items;
            std.sort_by_key(|a| a.0);
            prop_assert_eq!(ours, std);
        }

        #[test]
        fn same_as_std_on_floats(xs in proptest::collection::vec(proptest::num::f64::ANY, 0..100)) {
            let mut ours = xs.clone();
            super::sort_by(&mut ours, |a, b| a.total_cmp(b).is_lt());
            let mut std = xs;
            std.sort_by(f64::total_cmp);
            prop_assert_eq!(ours.iter().map(|x| x.to_bits()).collect::<Vec<_>>(), std.iter().map(|x| x.to_bits()).collect::<Vec<_>>());
        }
    }
}
