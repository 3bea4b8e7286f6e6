//! The model matrix of level dummies, kept implicit: a row's non-zero columns are computed from its
//! level codes, so a million rows never become a dense million × p matrix.
//!
//! Column order follows R's `model.matrix` with treatment contrasts: the intercept, then the terms
//! ordered by degree (main effects in formula order, then two-way, …), and inside an interaction
//! term the first factor's levels vary fastest. The order matters because aliased columns are
//! dropped in this order, as R does.

use super::levels::Factor;

/// A treatment-coded design over some factors.
#[derive(Clone, Debug, PartialEq)]
pub struct Design {
    /// Each term lists factor indices; sorted by degree (stable), as R orders terms.
    pub terms: Vec<Vec<usize>>,
    term_offset: Vec<usize>,
    /// Level count per factor.
    n_levels: Vec<usize>,
    n_columns: usize,
}

impl Design {
    /// `terms` may come in any order; they are stably sorted by degree. Column 0 is the intercept.
    pub fn new(n_levels: Vec<usize>, mut terms: Vec<Vec<usize>>) -> Self {
        terms.sort_by_key(Vec::len);
        let mut term_offset = Vec::with_capacity(terms.len());
        let mut next = 1;
        for term in &terms {
            term_offset.push(next);
            next += term
                .iter()
                .map(|&f| n_levels[f].saturating_sub(1))
                .product::<usize>();
        }
        Self {
            terms,
            term_offset,
            n_levels,
            n_columns: next,
        }
    }

    pub fn n_columns(&self) -> usize {
        self.n_columns
    }

    /// The column of `term` at the given (non-baseline, 1-based) level codes of its factors.
    pub fn column(&self, term: usize, codes: &[u32]) -> usize {
        let mut index = 0;
        let mut stride = 1;
        for (&f, &code) in self.terms[term].iter().zip(codes) {
            index += (code as usize - 1) * stride;
            stride *= self.n_levels[f] - 1;
        }
        self.term_offset[term] + index
    }

    /// Appends the non-zero columns of `row` (all equal to 1), in increasing order.
    pub fn row_columns(&self, factors: &[Factor], row: usize, out: &mut Vec<usize>) {
        out.clear();
        out.push(0);
        'terms: for (t, term) in self.terms.iter().enumerate() {
            let mut index = 0;
            let mut stride = 1;
            for &f in term {
                let code = factors[f].codes[row] as usize;
                if code == 0 {
                    continue 'terms;
                }
                index += (code - 1) * stride;
                stride *= self.n_levels[f] - 1;
            }
            out.push(self.term_offset[t] + index);
        }
    }

    /// The factor levels a column stands for: `(factor, level code)` pairs; empty for the intercept.
    pub fn column_levels(&self, column: usize) -> Vec<(usize, u32)> {
        if column == 0 {
            return Vec::new();
        }
        let t = self.term_offset.partition_point(|&o| o <= column) - 1;
        let mut rest = column - self.term_offset[t];
        self.terms[t]
            .iter()
            .map(|&f| {
                let base = self.n_levels[f] - 1;
                let code = rest % base + 1;
                rest /= base;
                (f, code as u32)
            })
            .collect()
    }

    /// A readable name such as `Job = Doctor` or `Education = High School × Job = Nurse`.
    pub fn column_name(&self, column: usize, factors: &[Factor]) -> String {
        if column == 0 {
            return "the intercept".into();
        }
        self.column_levels(column)
            .iter()
            .map(|&(f, code)| format!("{} = {}", factors[f].name, factors[f].levels[code as usize]))
            .collect::<Vec<_>>()
            .join(" × ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_follow_r_order() {
        // Factors with 3, 2 and 3 levels; terms A, B, C, A:C.
        let design = Design::new(vec![3, 2, 3], vec![vec![0, 2], vec![0], vec![1], vec![2]]);
        assert_eq!(design.terms, [vec![0], vec![1], vec![2], vec![0, 2]]);
        // 1 + 2 + 1 + 2 + 4 columns.
        assert_eq!(design.n_columns(), 10);
        // A:C with A = level 2, C = level 1 → first factor varies fastest.
        assert_eq!(design.column(3, &[2, 1]), 7);
        assert_eq!(design.column(3, &[1, 2]), 8);
        assert_eq!(design.column_levels(8), [(0, 1), (2, 2)]);
    }
}
