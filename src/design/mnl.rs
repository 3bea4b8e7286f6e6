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
    fn column(&self, attribute: usize, level: u32) -> Option<usize> {
        (level > 0).then(|| self.offsets[attribute] + level as usize - 1)
    }
}

/// Reusable buffers, so the search allocates nothing per evaluation.
#[derive(Clone, Debug, Default)]
pub struct Scratch {
    columns: Vec<Vec<usize>>,
    probabilities: Vec<f64>,
    mean: Vec<f64>,
    touched: Vec<usize>,
    marked: Vec<bool>,
    matrix: Vec<f64>,
}

/// Adds `sign` × the information of one choice set under `beta` to `info` (K × K, row-major):
/// Σ_j p_j x_j x_jᵀ − x̄ x̄ᵀ, using that each x_j has at most one 1 per attribute.
pub fn add_set_information(
    coding: &Coding,
    set: &[&[u32]],
    beta: &[f64],
    sign: f64,
    info: &mut [f64],
    scratch: &mut Scratch,
) {
    let k = coding.parameters;
    scratch.columns.resize(set.len(), Vec::new());
    scratch.probabilities.clear();
    let mut largest = f64::NEG_INFINITY;
    for (j, profile) in set.iter().enumerate() {
        let columns = &mut scratch.columns[j];
        columns.clear();
        let mut utility = 0.0;
        for (a, &level) in profile.iter().enumerate() {
            if let Some(c) = coding.column(a, level) {
                columns.push(c);
                utility += beta[c];
            }
        }
        largest = largest.max(utility);
        scratch.probabilities.push(utility);
    }
    let mut total = 0.0;
    for p in scratch.probabilities.iter_mut() {
        *p = exp(*p - largest);
        total += *p;
    }
    scratch.mean.resize(k, 0.0);
    scratch.marked.resize(k, false);
    for (j, p) in scratch.probabilities.iter_mut().enumerate() {
        *p /= total;
        let weight = sign * *p;
        for &u in &scratch.columns[j] {
            if !scratch.marked[u] {
                scratch.marked[u] = true;
                scratch.touched.push(u);
            }
            scratch.mean[u] += *p;
            for &v in &scratch.columns[j] {
                info[u * k + v] += weight;
            }
        }
    }
    for &u in &scratch.touched {
        for &v in &scratch.touched {
            info[u * k + v] -= sign * scratch.mean[u] * scratch.mean[v];
        }
    }
    for &u in &scratch.touched {
        scratch.mean[u] = 0.0;
        scratch.marked[u] = false;
    }
    scratch.touched.clear();
}

/// det(info)^(−1/K), or `None` when the matrix is singular (some parameter is not estimable).
/// Cholesky on a copy; the determinant is accumulated as a product with occasional logarithms so
/// it can neither overflow nor underflow.
pub fn d_error(info: &[f64], k: usize, scratch: &mut Scratch) -> Option<f64> {
    if k == 0 {
        return None;
    }
    let m = &mut scratch.matrix;
    m.clear();
    m.extend_from_slice(info);
    let (mut product, mut log_sum) = (1.0f64, 0.0f64);
    for i in 0..k {
        let original = info[i * k + i];
        let mut pivot = m[i * k + i];
        for p in 0..i {
            pivot -= m[i * k + p] * m[i * k + p];
        }
        let usable = pivot.is_finite() && pivot > 1e-10 * original.max(1e-300);
        if !usable {
            return None;
        }
        let root = pivot.sqrt();
        m[i * k + i] = root;
        for r in i + 1..k {
            let mut value = m[r * k + i];
            for p in 0..i {
                value -= m[r * k + p] * m[i * k + p];
            }
            m[r * k + i] = value / root;
        }
        product *= pivot;
        if !(1e-150..=1e150).contains(&product) {
            log_sum += ln(product);
            product = 1.0;
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
            for w in 0..k {
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
