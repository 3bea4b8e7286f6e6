//! The multinomial-logit information matrix of a design and its D-error, with dummy coding
//! (level 0 of each attribute is the baseline, so K = Σ (levels − 1) parameters).

use super::numeric::{exp, ln};

/// Where each attribute's non-baseline levels sit in the parameter vector.
#[derive(Clone, Debug)]
pub struct Coding {
    offsets: Vec<usize>,
    pub parameters: usize,
}

impl Coding {
    pub fn new(levels: impl IntoIterator<Item = usize>) -> Self {
        let mut offsets = Vec::new();
        let mut parameters = 0;
        for count in levels {
            offsets.push(parameters);
            parameters += count.saturating_sub(1);
        }
        Self {
            offsets,
            parameters,
        }
    }

    /// The parameter index of a level, `None` for a baseline.
    #[cfg(test)]
    fn column(&self, attribute: usize, level: u32) -> Option<usize> {
        (level > 0).then(|| self.offsets[attribute] + level as usize - 1)
    }
}

/// Reusable buffers, so the search allocates nothing per evaluation.
#[derive(Clone, Debug, Default)]
pub struct Scratch {
    /// Parameter columns of each alternative (`counts[j]` used of a row of one per attribute).
    columns: Vec<usize>,
    counts: Vec<usize>,
    probabilities: Vec<f64>,
    mean: Vec<f64>,
    touched: Vec<usize>,
    marked: Vec<bool>,
    matrix: Vec<f64>,
}

/// Adds `sign` × the information of one choice set under `beta` to the lower triangle of `info`
/// (K × K, row-major; the matrix is symmetric and only the lower triangle is ever read):
/// Σ_j p_j x_j x_jᵀ − x̄ x̄ᵀ, using that each x_j has at most one 1 per attribute.
#[allow(clippy::needless_range_loop)] // index loops on purpose, see below
pub fn add_set_information(
    coding: &Coding,
    set: &[&[u32]],
    beta: &[f64],
    sign: f64,
    info: &mut [f64],
    scratch: &mut Scratch,
) {
    // Index loops throughout: this runs millions of times in a D-efficient search and the
    // size-optimised release build does not inline iterator adaptors.
    let k = coding.parameters;
    let alternatives = set.len();
    let offsets = coding.offsets.as_slice();
    let width = offsets.len();
    let Scratch {
        columns,
        counts,
        probabilities,
        mean,
        touched,
        marked,
        ..
    } = scratch;
    columns.clear();
    columns.resize(alternatives * width, 0);
    counts.clear();
    counts.resize(alternatives, 0);
    probabilities.clear();
    probabilities.resize(alternatives, 0.0);
    mean.resize(k, 0.0);
    marked.resize(k, false);
    // Slices, not Vecs, from here on: Vec indexing is a call in the size-optimised build.
    let (columns, counts, probabilities) =
        (&mut columns[..], &mut counts[..], &mut probabilities[..]);
    let (mean, marked) = (&mut mean[..], &mut marked[..]);
    let mut largest = f64::NEG_INFINITY;
    for j in 0..alternatives {
        let profile = set[j];
        let mut utility = 0.0;
        let mut n = 0;
        for a in 0..profile.len().min(width) {
            let level = profile[a];
            if level > 0 {
                let c = offsets[a] + level as usize - 1;
                columns[j * width + n] = c;
                n += 1;
                utility += beta[c];
            }
        }
        counts[j] = n;
        probabilities[j] = utility;
        if utility > largest {
            largest = utility;
        }
    }
    let mut total = 0.0;
    for j in 0..alternatives {
        probabilities[j] = exp(probabilities[j] - largest);
        total += probabilities[j];
    }
    for j in 0..alternatives {
        let p = probabilities[j] / total;
        probabilities[j] = p;
        let weight = sign * p;
        let own = &columns[j * width..j * width + counts[j]];
        for x in 0..own.len() {
            let u = own[x];
            if !marked[u] {
                marked[u] = true;
                touched.push(u);
            }
            mean[u] += p;
            // Columns are ascending, so own[..=x] are the entries left of the diagonal.
            let row = &mut info[u * k..u * k + k];
            for y in 0..x + 1 {
                row[own[y]] += weight;
            }
        }
    }
    touched.sort_unstable();
    let order = &touched[..];
    for x in 0..order.len() {
        let u = order[x];
        let scaled = sign * mean[u];
        let row = &mut info[u * k..u * k + k];
        for y in 0..x + 1 {
            let v = order[y];
            row[v] -= scaled * mean[v];
        }
    }
    for x in 0..order.len() {
        let u = order[x];
        mean[u] = 0.0;
        marked[u] = false;
    }
    touched.clear();
}

/// det(info)^(−1/K), or `None` when the matrix is singular (some parameter is not estimable).
pub fn d_error(info: &[f64], k: usize, scratch: &mut Scratch) -> Option<f64> {
    let mut m = std::mem::take(&mut scratch.matrix);
    m.clear();
    m.extend_from_slice(info);
    let result = d_error_in_place(&mut m, k);
    scratch.matrix = m;
    result
}

/// As [`d_error`], destroying `m` (its lower triangle becomes the Cholesky factor). Only the
/// lower triangle is read. The determinant is accumulated as a product with occasional
/// logarithms so it can neither overflow nor underflow.
#[allow(clippy::needless_range_loop)] // index loops on purpose, see below
pub fn d_error_in_place(m: &mut [f64], k: usize) -> Option<f64> {
    if k == 0 || m.len() < k * k {
        return None;
    }
    let (mut product, mut log_sum) = (1.0f64, 0.0f64);
    // 1/L_jj is kept in the unused upper triangle (row j, last column) so each entry below the
    // diagonal costs a multiplication instead of a division.
    for i in 0..k {
        for j in 0..i + 1 {
            // Plain index loops: the release profile optimises for size and leaves iterator
            // adaptors un-inlined, which made this the search's bottleneck.
            let mut dot = 0.0;
            let (ri, rj) = (&m[i * k..i * k + j], &m[j * k..j * k + j]);
            for p in 0..j {
                dot += ri[p] * rj[p];
            }
            let value = m[i * k + j] - dot;
            if i == j {
                let usable = value.is_finite() && value > 1e-10 * m[i * k + i].abs().max(1e-300);
                if !usable {
                    return None;
                }
                let root = value.sqrt();
                m[i * k + i] = root;
                if i + 1 < k {
                    m[i * k + k - 1] = 1.0 / root;
                }
                product *= value;
                if !(1e-150..=1e150).contains(&product) {
                    log_sum += ln(product);
                    product = 1.0;
                }
            } else {
                m[i * k + j] = value * m[j * k + k - 1];
            }
        }
    }
    log_sum += ln(product);
    Some(exp(-log_sum / k as f64))
}

/// The D-error of a set of choice sets under one parameter vector.
pub fn design_d_error<'a>(
    coding: &Coding,
    sets: impl IntoIterator<Item = &'a [Vec<u32>]>,
    beta: &[f64],
) -> Option<f64> {
    let k = coding.parameters;
    let mut info = vec![0.0; k * k];
    let mut scratch = Scratch::default();
    let mut refs: Vec<&[u32]> = Vec::new();
    for set in sets {
        refs.clear();
        refs.extend(set.iter().map(Vec::as_slice));
        add_set_information(coding, &refs, beta, 1.0, &mut info, &mut scratch);
    }
    d_error(&info, k, &mut scratch)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_level_pair_has_the_textbook_information() {
        // One attribute with two levels, a set {level 0, level 1}, β = 0: p = ½ each, info = ¼.
        let coding = Coding::new([2]);
        let set = vec![vec![0u32], vec![1u32]];
        let d = design_d_error(&coding, [set.as_slice()], &[0.0]).unwrap();
        assert!((d - 4.0).abs() < 1e-12);
        // A set where both profiles are equal carries no information.
        let same = vec![vec![1u32], vec![1u32]];
        assert!(design_d_error(&coding, [same.as_slice()], &[0.0]).is_none());
    }

    #[test]
    fn information_matches_a_dense_computation() {
        let coding = Coding::new([3, 2, 4]);
        let beta = [0.3, -0.2, 0.5, 0.1, -0.4, 0.7];
        let set = [vec![0u32, 1, 3], vec![2, 0, 1], vec![1, 1, 0]];
        let refs: Vec<&[u32]> = set.iter().map(Vec::as_slice).collect();
        let k = coding.parameters;
        let mut info = vec![0.0; k * k];
        add_set_information(
            &coding,
            &refs,
            &beta,
            1.0,
            &mut info,
            &mut Scratch::default(),
        );
        // Dense: Σ p (x − x̄)(x − x̄)ᵀ.
        let xs: Vec<Vec<f64>> = set
            .iter()
            .map(|p| {
                let mut x = vec![0.0; k];
                for (a, &l) in p.iter().enumerate() {
                    if let Some(c) = coding.column(a, l) {
                        x[c] = 1.0;
                    }
                }
                x
            })
            .collect();
        let v: Vec<f64> = xs
            .iter()
            .map(|x| x.iter().zip(&beta).map(|(a, b)| a * b).sum())
            .collect();
        let z: f64 = v.iter().map(|u| u.exp()).sum();
        let p: Vec<f64> = v.iter().map(|u| u.exp() / z).collect();
        let mean: Vec<f64> = (0..k)
            .map(|c| xs.iter().zip(&p).map(|(x, q)| q * x[c]).sum())
            .collect();
        for u in 0..k {
            for w in 0..=u {
                let dense: f64 = xs
                    .iter()
                    .zip(&p)
                    .map(|(x, q)| q * (x[u] - mean[u]) * (x[w] - mean[w]))
                    .sum();
                assert!((dense - info[u * k + w]).abs() < 1e-12, "{u},{w}");
            }
        }
    }
}
