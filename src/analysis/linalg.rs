//! Small dense symmetric algebra for normal equations (a few hundred columns at most).
//!
//! Hand-written rather than taken from a crate because the factorisation must reproduce R's aliasing
//! rule: columns are taken in model-matrix order and a column that is (numerically) a linear
//! combination of the columns kept before it is dropped, as `lm`/`glm` (LINPACK dqrdc2) do.

/// A square matrix stored row-major.
#[derive(Clone, Debug, PartialEq)]
pub struct Square {
    pub n: usize,
    pub data: Vec<f64>,
}

impl Square {
    pub fn zeros(n: usize) -> Self {
        Self {
            n,
            data: vec![0.0; n * n],
        }
    }

    pub fn get(&self, i: usize, j: usize) -> f64 {
        self.data[i * self.n + j]
    }

    pub fn set(&mut self, i: usize, j: usize, value: f64) {
        self.data[i * self.n + j] = value;
    }

    pub fn add(&mut self, i: usize, j: usize, value: f64) {
        self.data[i * self.n + j] += value;
    }

    /// Copies the upper triangle onto the lower one.
    pub fn symmetrise_from_upper(&mut self) {
        for i in 0..self.n {
            for j in 0..i {
                self.data[i * self.n + j] = self.data[j * self.n + i];
            }
        }
    }

    /// The submatrix on the given rows and columns (same set for both).
    pub fn select(&self, keep: &[usize]) -> Self {
        let mut out = Self::zeros(keep.len());
        for (a, &i) in keep.iter().enumerate() {
            for (b, &j) in keep.iter().enumerate() {
                out.set(a, b, self.get(i, j));
            }
        }
        out
    }

    /// `self * other`.
    pub fn mul(&self, other: &Self) -> Self {
        let n = self.n;
        let mut out = Self::zeros(n);
        for i in 0..n {
            for k in 0..n {
                let a = self.get(i, k);
                if a == 0.0 {
                    continue;
                }
                let row = &other.data[k * n..(k + 1) * n];
                let dst = &mut out.data[i * n..(i + 1) * n];
                for (d, &b) in dst.iter_mut().zip(row) {
                    *d += a * b;
                }
            }
        }
        out
    }

    /// `bread * meat * bread` for symmetric `bread`, scaled by `factor`.
    pub fn sandwich(bread: &Self, meat: &Self, factor: f64) -> Self {
        let mut out = bread.mul(meat).mul(bread);
        for x in &mut out.data {
            *x *= factor;
        }
        out
    }

    /// `w' self w`.
    pub fn quad(&self, w: &[f64]) -> f64 {
        let mut total = 0.0;
        for (i, &wi) in w.iter().enumerate() {
            if wi == 0.0 {
                continue;
            }
            for (j, &wj) in w.iter().enumerate() {
                total += wi * self.get(i, j) * wj;
            }
        }
        total
    }
}

/// Relative squared residual below which a column counts as aliased. R's dqrdc2 uses 1e-7 on the
/// residual norm (1e-14 squared); forming X'X squares the rounding error, so the cut-off here is
/// looser (1e-5 on the norm). Dummy columns are either exactly dependent or far from it.
pub const ALIAS_TOLERANCE: f64 = 1e-10;

/// Cholesky factor of the columns of a symmetric positive semi-definite matrix that are not aliased.
#[derive(Clone, Debug)]
pub struct Cholesky {
    /// Original column indices kept, in order.
    pub kept: Vec<usize>,
    /// Lower-triangular factor of the kept submatrix, row-major `k × k`.
    l: Vec<f64>,
}

impl Cholesky {
    /// Factorises `a` (only its upper triangle is read), dropping aliased columns in column order.
    pub fn in_order(a: &Square, tolerance: f64) -> Self {
        let n = a.n;
        let mut kept: Vec<usize> = Vec::new();
        let mut l: Vec<f64> = Vec::new(); // k × k, grown as columns are kept
        let mut row = vec![0.0; n];
        for j in 0..n {
            let ajj = a.get(j, j);
            let k = kept.len();
            for t in 0..k {
                let col = kept[t];
                let mut s = a.get(col.min(j), col.max(j));
                for (u, &r) in row.iter().enumerate().take(t) {
                    s -= r * l[t * n + u];
                }
                row[t] = s / l[t * n + t];
            }
            let d = ajj - row[..k].iter().map(|x| x * x).sum::<f64>();
            // `ajj <= 0` also catches an all-zero column; NaN never passes `d > …`.
            if ajj <= 0.0 || d.is_nan() || d <= tolerance * ajj {
                continue;
            }
            // Store the new row at index k, with room for n columns so earlier rows never move.
            if l.len() < (k + 1) * n {
                l.resize((k + 1) * n, 0.0);
            }
            l[k * n..k * n + k].copy_from_slice(&row[..k]);
            l[k * n + k] = d.sqrt();
            kept.push(j);
        }
        let k = kept.len();
        // Compact to k × k.
        let mut compact = vec![0.0; k * k];
        for i in 0..k {
            compact[i * k..i * k + i + 1].copy_from_slice(&l[i * n..i * n + i + 1]);
        }
        Self { kept, l: compact }
    }

    pub fn rank(&self) -> usize {
        self.kept.len()
    }

    /// Solves `A x = b` on the kept columns (`b` indexed like `kept`).
    pub fn solve(&self, b: &[f64]) -> Vec<f64> {
        let k = self.kept.len();
        let mut z = b.to_vec();
        for i in 0..k {
            let mut s = z[i];
            for (u, zu) in z.iter().enumerate().take(i) {
                s -= self.l[i * k + u] * zu;
            }
            z[i] = s / self.l[i * k + i];
        }
        for i in (0..k).rev() {
            let mut s = z[i];
            for (u, zu) in z.iter().enumerate().skip(i + 1) {
                s -= self.l[u * k + i] * zu;
            }
            z[i] = s / self.l[i * k + i];
        }
        z
    }

    /// The inverse of the kept submatrix.
    pub fn inverse(&self) -> Square {
        let k = self.kept.len();
        // L^{-1} by forward substitution, column by column.
        let mut linv = vec![0.0; k * k];
        for c in 0..k {
            linv[c * k + c] = 1.0 / self.l[c * k + c];
            for i in c + 1..k {
                let mut s = 0.0;
                for u in c..i {
                    s -= self.l[i * k + u] * linv[u * k + c];
                }
                linv[i * k + c] = s / self.l[i * k + i];
            }
        }
        // A^{-1} = L^{-T} L^{-1}.
        let mut out = Square::zeros(k);
        for i in 0..k {
            for j in i..k {
                let mut s = 0.0;
                for u in j..k {
                    s += linv[u * k + i] * linv[u * k + j];
                }
                out.set(i, j, s);
                out.set(j, i, s);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_dependent_column_and_solves() {
        // Columns: x0, x1, x0 + x1 (aliased), x3.
        let x = [
            [1.0, 0.0, 1.0, 2.0],
            [1.0, 1.0, 2.0, 0.0],
            [0.0, 1.0, 1.0, 1.0],
            [1.0, 2.0, 3.0, 5.0],
        ];
        let mut a = Square::zeros(4);
        for r in &x {
            for i in 0..4 {
                for j in 0..4 {
                    a.add(i, j, r[i] * r[j]);
                }
            }
        }
        let chol = Cholesky::in_order(&a, ALIAS_TOLERANCE);
        assert_eq!(chol.kept, [0, 1, 3]);
        let sub = a.select(&chol.kept);
        let inv = chol.inverse();
        let id = sub.mul(&inv);
        for i in 0..3 {
            for j in 0..3 {
                let want = if i == j { 1.0 } else { 0.0 };
                assert!((id.get(i, j) - want).abs() < 1e-12);
            }
        }
        let b = [1.0, 2.0, 3.0];
        let x = chol.solve(&b);
        for (i, bi) in b.iter().enumerate() {
            let ax: f64 = (0..3).map(|j| sub.get(i, j) * x[j]).sum();
            assert!((ax - bi).abs() < 1e-12);
        }
    }
}
