//! One sort for the whole crate.
//!
//! `slice::sort_by` and friends are monomorphized per element type and
//! comparator, and std's driftsort is several KB of Wasm per instantiation
//! (about 60 KB for hearth's dozen call sites). Here the sorting itself is one
//! non-generic function over indices (a stable bottom-up merge sort behind a
//! `dyn` comparator); the generic parts only wrap the comparator and apply the
//! resulting permutation with swaps. The order is exactly that of std's stable
//! sort: equal elements keep their original order.

use std::cmp::Ordering;

/// Sorts `v` by `cmp`, stably: the same order as [`slice::sort_by`].
pub fn sort_by<T>(v: &mut [T], mut cmp: impl FnMut(&T, &T) -> Ordering) {
    if v.len() < 2 {
        return;
    }
    let perm = {
        let v = &*v;
        order(v.len(), &mut |a, b| cmp(&v[a], &v[b]))
    };
    permute(v, perm);
}

/// Sorts `v` by `key`, stably: the same order as [`slice::sort_by_key`].
pub fn sort_by_key<T, K: Ord>(v: &mut [T], mut key: impl FnMut(&T) -> K) {
    sort_by(v, |a, b| key(a).cmp(&key(b)));
}

/// Sorts `v` stably: the same order as [`slice::sort`].
pub fn sort<T: Ord>(v: &mut [T]) {
    sort_by(v, T::cmp);
}

/// The stable sorting permutation of `0..n` under `cmp`: `out[i]` is the
/// index of the element that belongs at position `i`.
fn order(n: usize, cmp: &mut dyn FnMut(usize, usize) -> Ordering) -> Vec<usize> {
    // Insertion sort into runs of RUN, then merge runs pairwise (taking from
    // the left run on ties keeps it stable), ping-ponging between two buffers.
    const RUN: usize = 8;
    let mut a: Vec<usize> = (0..n).collect();
    for s in (0..n).step_by(RUN) {
        for i in s + 1..(s + RUN).min(n) {
            let mut j = i;
            while j > s && cmp(a[j - 1], a[j]) == Ordering::Greater {
                a.swap(j - 1, j);
                j -= 1;
            }
        }
    }
    let mut b = vec![0; n];
    let mut w = RUN;
    while w < n {
        for s in (0..n).step_by(2 * w) {
            let (m, e) = ((s + w).min(n), (s + 2 * w).min(n));
            let (mut i, mut j) = (s, m);
            for slot in &mut b[s..e] {
                if i < m && (j >= e || cmp(a[i], a[j]) != Ordering::Greater) {
                    *slot = a[i];
                    i += 1;
                } else {
                    *slot = a[j];
                    j += 1;
                }
            }
        }
        std::mem::swap(&mut a, &mut b);
        w *= 2;
    }
    a
}

/// Rearranges `v` so that the new `v[i]` is the old `v[perm[i]]`. Only the
/// swap is per element type; the cycle walk is one shared copy.
fn permute<T>(v: &mut [T], perm: Vec<usize>) {
    follow_cycles(perm, &mut |j, k| v.swap(j, k));
}

/// Walks each cycle of the permutation, calling `swap` for each step.
fn follow_cycles(mut perm: Vec<usize>, swap: &mut dyn FnMut(usize, usize)) {
    for i in 0..perm.len() {
        let mut j = i;
        while perm[j] != i {
            let k = std::mem::replace(&mut perm[j], j);
            swap(j, k);
            j = k;
        }
        perm[j] = j;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn same_order_as_std_stable_sort(v in proptest::collection::vec((0u8..8, any::<u16>()), 0..300)) {
            // Sorting by the first field only: ties must keep their input order.
            let mut ours = v.clone();
            sort_by(&mut ours, |a, b| a.0.cmp(&b.0));
            let mut std = v.clone();
            std.sort_by_key(|a| a.0);
            prop_assert_eq!(ours, std);
        }

        #[test]
        fn sort_and_sort_by_key_match_std(v in proptest::collection::vec(any::<i32>(), 0..100)) {
            let mut ours = v.clone();
            sort(&mut ours);
            let mut std = v.clone();
            std.sort();
            prop_assert_eq!(&ours, &std);
            let mut ours = v.clone();
            sort_by_key(&mut ours, |x| std::cmp::Reverse(x / 7));
            let mut std = v;
            std.sort_by_key(|x| std::cmp::Reverse(x / 7));
            prop_assert_eq!(ours, std);
        }
    }
}
