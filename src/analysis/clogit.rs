//! Conditional (McFadden) logit by Newton–Raphson: part-worths with model-based, per-choice-set robust
//! and respondent-clustered standard errors, log-likelihood, McFadden R² and willingness to pay.
//!
//! Alternatives are sparse rows (dummy-coded attributes have few non-zeros), so the gradient and the
//! information matrix cost O(non-zeros²) per alternative rather than O(p²).

use std::collections::HashMap;

use super::levels::{cell_label, encode, LevelOrders};
use super::linalg::{Cholesky, Square, ALIAS_TOLERANCE};
use super::prepare::{cluster_index, column, numbers};
use super::tidy::{TidyRow, TidyTable};
use super::AnalysisError;
use crate::study::number_text;
use crate::study::{Column, ColumnValues, ResponseTable};

/// Choice sets in sparse long form, ready to fit.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ChoiceData {
    /// Parameter names as (feature, level); level is empty for a numeric variable.
    pub names: Vec<(String, String)>,
    /// Alternative `r`'s non-zeros are `index/value[row_start[r]..row_start[r + 1]]`, indices ascending.
    pub row_start: Vec<usize>,
    pub index: Vec<u32>,
    pub value: Vec<f64>,
    /// Choice set `s` holds alternatives `set_start[s]..set_start[s + 1]`.
    pub set_start: Vec<usize>,
    /// The chosen alternative (absolute row) of each set.
    pub chosen: Vec<usize>,
    /// Respondent of each set, for clustered standard errors.
    pub cluster: Option<(Vec<u32>, usize)>,
    /// Choice sets left out because a value was missing.
    pub dropped_sets: usize,
}

impl ChoiceData {
    pub fn n_params(&self) -> usize {
        self.names.len()
    }

    pub fn n_sets(&self) -> usize {
        self.chosen.len()
    }

    fn row(&self, r: usize) -> (&[u32], &[f64]) {
        let range = self.row_start[r]..self.row_start[r + 1];
        (&self.index[range.clone()], &self.value[range])
    }
}

/// Willingness to pay for one parameter: −b / b_price, with a delta-method standard error.
#[derive(Clone, Debug, PartialEq)]
pub struct Wtp {
    pub feature: String,
    pub level: String,
    pub estimate: f64,
    pub std_error: f64,
}

/// A fitted conditional logit.
#[derive(Clone, Debug, PartialEq)]
pub struct ClogitFit {
    pub names: Vec<(String, String)>,
    pub estimate: Vec<f64>,
    /// Inverse of the observed information.
    pub std_error: Vec<f64>,
    /// Sandwich with one score per choice set, no small-sample factor (Biogeme/larch "robust").
    pub robust_std_error: Vec<f64>,
    /// Sandwich clustered by respondent, × G/(G-1).
    pub cluster_std_error: Option<Vec<f64>>,
    pub loglik: f64,
    /// Log-likelihood with all alternatives equally likely.
    pub loglik_null: f64,
    pub mcfadden_r2: f64,
    pub n_sets: usize,
    pub n_alternatives: usize,
    pub n_clusters: Option<usize>,
    /// Choice sets left out because a value was missing.
    pub dropped_sets: usize,
    pub iterations: usize,
    pub wtp: Vec<Wtp>,
    vcov: Square,
}

impl ClogitFit {
    /// The tidy table; z, p and the interval use the clustered SE when there is one.
    pub fn to_tidy(&self) -> TidyTable {
        let rows = self
            .names
            .iter()
            .enumerate()
            .map(|(k, (feature, level))| {
                let se = self
                    .cluster_std_error
                    .as_ref()
                    .map_or(self.std_error[k], |c| c[k]);
                TidyRow::estimated(feature, level, self.estimate[k], se, 0.0)
            })
            .collect();
        TidyTable {
            group_column: None,
            rows,
        }
    }

    /// Sets `wtp` from the parameter called `price` (a numeric variable), using the clustered
    /// variance when there is one.
    pub fn with_wtp(mut self, price: &str) -> Result<Self, AnalysisError> {
        let k = self
            .names
            .iter()
            .position(|(f, l)| f == price && l.is_empty())
            .ok_or_else(|| AnalysisError::MissingColumn {
                column: price.to_string(),
            })?;
        let bp = self.estimate[k];
        self.wtp = (0..self.names.len())
            .filter(|&j| j != k)
            .map(|j| {
                let bj = self.estimate[j];
                // d(-bj/bp)/dbj = -1/bp, d/dbp = bj/bp².
                let (gj, gp) = (-1.0 / bp, bj / (bp * bp));
                let var = gj * gj * self.vcov.get(j, j)
                    + 2.0 * gj * gp * self.vcov.get(j, k)
                    + gp * gp * self.vcov.get(k, k);
                Wtp {
                    feature: self.names[j].0.clone(),
                    level: self.names[j].1.clone(),
                    estimate: -bj / bp,
                    std_error: var.sqrt(),
                }
            })
            .collect();
        Ok(self)
    }
}

/// Log-likelihood, gradient and information (negative Hessian, upper triangle) at `beta`.
struct Evaluation {
    loglik: f64,
    gradient: Vec<f64>,
    information: Square,
}

fn evaluate(data: &ChoiceData, beta: &[f64], with_information: bool) -> Evaluation {
    let p = data.n_params();
    let mut loglik = 0.0;
    let mut gradient = vec![0.0; p];
    let mut information = Square::zeros(if with_information { p } else { 0 });
    let mut utility: Vec<f64> = Vec::new();
    let mut xbar = vec![0.0; p];
    let mut touched: Vec<usize> = Vec::new();
    for s in 0..data.n_sets() {
        let (start, end) = (data.set_start[s], data.set_start[s + 1]);
        utility.clear();
        for r in start..end {
            let (idx, val) = data.row(r);
            utility.push(
                idx.iter()
                    .zip(val)
                    .map(|(&i, &v)| v * beta[i as usize])
                    .sum(),
            );
        }
        let max = utility.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let mut total = 0.0;
        for u in utility.iter_mut() {
            *u = (*u - max).exp();
            total += *u;
        }
        let chosen = data.chosen[s];
        loglik += (utility[chosen - start]).ln() - total.ln();
        let (idx, val) = data.row(chosen);
        for (&i, &v) in idx.iter().zip(val) {
            gradient[i as usize] += v;
        }
        for r in start..end {
            let prob = utility[r - start] / total;
            let (idx, val) = data.row(r);
            for (a, (&i, &v)) in idx.iter().zip(val).enumerate() {
                let i = i as usize;
                if xbar[i] == 0.0 {
                    touched.push(i);
                }
                xbar[i] += prob * v;
                if with_information {
                    let base = i * p;
                    let pv = prob * v;
                    for (&j, &w) in idx[a..].iter().zip(&val[a..]) {
                        information.data[base + j as usize] += pv * w;
                    }
                }
            }
        }
        for (a, &i) in touched.iter().enumerate() {
            gradient[i] -= xbar[i];
            if with_information {
                for &j in &touched[a..] {
                    let (lo, hi) = (i.min(j), i.max(j));
                    information.data[lo * p + hi] -= xbar[i] * xbar[j];
                }
            }
        }
        for &i in &touched {
            xbar[i] = 0.0;
        }
        touched.clear();
    }
    Evaluation {
        loglik,
        gradient,
        information,
    }
}

/// Largest utility difference a unit of each parameter can make inside one choice set.
fn within_set_range(data: &ChoiceData) -> Vec<f64> {
    let p = data.n_params();
    let mut range = vec![0.0f64; p];
    let mut low = vec![f64::INFINITY; p];
    let mut high = vec![f64::NEG_INFINITY; p];
    for s in 0..data.n_sets() {
        let (start, end) = (data.set_start[s], data.set_start[s + 1]);
        let mut seen: Vec<usize> = Vec::new();
        for r in start..end {
            let (idx, val) = data.row(r);
            for (&i, &v) in idx.iter().zip(val) {
                let i = i as usize;
                if low[i] == f64::INFINITY {
                    seen.push(i);
                }
                low[i] = low[i].min(v);
                high[i] = high[i].max(v);
            }
        }
        for &i in &seen {
            // Alternatives without a non-zero have value 0.
            let zeros_present = (start..end).any(|r| !data.row(r).0.contains(&(i as u32)));
            let (lo, hi) = if zeros_present {
                (low[i].min(0.0), high[i].max(0.0))
            } else {
                (low[i], high[i])
            };
            range[i] = range[i].max(hi - lo);
            low[i] = f64::INFINITY;
            high[i] = f64::NEG_INFINITY;
        }
    }
    range
}

const MAX_ITERATIONS: usize = 100;
/// A utility difference this large means choice probabilities of 1 − 1e-13: the estimate is running
/// off to infinity (perfect or quasi-complete separation).
const SEPARATION_UTILITY: f64 = 30.0;

fn names_of(data: &ChoiceData, columns: &[usize]) -> String {
    columns
        .iter()
        .map(|&k| {
            let (f, l) = &data.names[k];
            if l.is_empty() {
                format!("{f:?}")
            } else {
                format!("{f:?} = {l:?}")
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Names the variables that drive the separation: those whose coefficient already moves utilities by
/// a third of the separation threshold, or else the ones the factorisation could not keep.
fn separation(data: &ChoiceData, beta: &[f64], fallback: &[usize]) -> AnalysisError {
    let range = within_set_range(data);
    let large: Vec<usize> = (0..beta.len())
        .filter(|&k| (beta[k] * range[k]).abs() > SEPARATION_UTILITY / 3.0)
        .collect();
    AnalysisError::Separation {
        variables: names_of(data, if large.is_empty() { fallback } else { &large }),
    }
}

/// Fits the conditional logit on prepared choice sets.
pub fn clogit_fit(data: &ChoiceData) -> Result<ClogitFit, AnalysisError> {
    let p = data.n_params();
    let mut beta = vec![0.0; p];
    let mut current = evaluate(data, &beta, true);
    let mut iterations = 0;
    let mut converged = false;
    let mut last_step = f64::INFINITY;
    while iterations < MAX_ITERATIONS {
        let chol = Cholesky::in_order(&current.information, ALIAS_TOLERANCE);
        if chol.rank() < p {
            let dropped: Vec<usize> = (0..p).filter(|k| !chol.kept.contains(k)).collect();
            return Err(if iterations == 0 {
                AnalysisError::Singular {
                    term: format!(
                        "{} (constant within every choice set, or a combination of other variables)",
                        names_of(data, &dropped)
                    ),
                }
            } else {
                separation(data, &beta, &dropped)
            });
        }
        let step = chol.solve(&current.gradient);
        let decrement: f64 = step.iter().zip(&current.gradient).map(|(a, b)| a * b).sum();
        iterations += 1;
        // Halve the step until the log-likelihood does not fall (Newton is usually accepted at once).
        let mut t = 1.0;
        let mut candidate: Vec<f64>;
        let mut next;
        loop {
            candidate = beta.iter().zip(&step).map(|(b, s)| b + t * s).collect();
            next = evaluate(data, &candidate, true);
            if next.loglik >= current.loglik - 1e-12 * current.loglik.abs() || t < 1e-8 {
                break;
            }
            t *= 0.5;
        }
        last_step = step.iter().map(|s| (t * s).abs()).fold(0.0, f64::max);
        beta = candidate;
        current = next;
        if decrement.abs() < 1e-20 || last_step < 1e-11 {
            converged = true;
            break;
        }
    }
    let range = within_set_range(data);
    if (0..p).any(|k| (beta[k] * range[k]).abs() > SEPARATION_UTILITY) {
        return Err(separation(data, &beta, &[]));
    }
    if !converged {
        return Err(AnalysisError::NotConverged {
            iterations,
            step: last_step,
        });
    }
    let chol = Cholesky::in_order(&current.information, ALIAS_TOLERANCE);
    if chol.rank() < p {
        let dropped: Vec<usize> = (0..p).filter(|k| !chol.kept.contains(k)).collect();
        return Err(separation(data, &beta, &dropped));
    }
    let bread = chol.inverse();
    let (robust_meat, cluster_meat) = score_meats(data, &beta);
    let robust = Square::sandwich(&bread, &robust_meat, 1.0);
    let diag = |m: &Square| (0..p).map(|k| m.get(k, k).sqrt()).collect::<Vec<_>>();
    let (cluster_std_error, n_clusters, vcov) = match (&data.cluster, cluster_meat) {
        (Some((_, count)), Some(meat)) if *count >= 2 => {
            let g = *count as f64;
            let v = Square::sandwich(&bread, &meat, g / (g - 1.0));
            (Some(diag(&v)), Some(*count), v)
        }
        _ => (None, None, bread.clone()),
    };
    let loglik_null: f64 = (0..data.n_sets())
        .map(|s| -((data.set_start[s + 1] - data.set_start[s]) as f64).ln())
        .sum();
    Ok(ClogitFit {
        names: data.names.clone(),
        estimate: beta,
        std_error: diag(&bread),
        robust_std_error: diag(&robust),
        cluster_std_error,
        loglik: current.loglik,
        loglik_null,
        mcfadden_r2: 1.0 - current.loglik / loglik_null,
        n_sets: data.n_sets(),
        n_alternatives: data.set_start.last().copied().unwrap_or(0),
        n_clusters,
        dropped_sets: data.dropped_sets,
        iterations,
        wtp: Vec::new(),
        vcov,
    })
}

/// Outer products of the score (x_chosen − x̄) per choice set, and of their totals per respondent.
fn score_meats(data: &ChoiceData, beta: &[f64]) -> (Square, Option<Square>) {
    let p = data.n_params();
    let mut meat = Square::zeros(p);
    let mut totals = data.cluster.as_ref().map(|(_, g)| vec![0.0; g * p]);
    let mut score = vec![0.0; p];
    let mut touched: Vec<usize> = Vec::new();
    let mut utility: Vec<f64> = Vec::new();
    let touch = |i: usize, score: &mut [f64], touched: &mut Vec<usize>, x: f64| {
        if !touched.contains(&i) {
            touched.push(i);
        }
        score[i] += x;
    };
    for s in 0..data.n_sets() {
        let (start, end) = (data.set_start[s], data.set_start[s + 1]);
        utility.clear();
        for r in start..end {
            let (idx, val) = data.row(r);
            utility.push(
                idx.iter()
                    .zip(val)
                    .map(|(&i, &v)| v * beta[i as usize])
                    .sum(),
            );
        }
        let max = utility.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let total: f64 = utility.iter().map(|u| (u - max).exp()).sum();
        for r in start..end {
            let prob = (utility[r - start] - max).exp() / total;
            let chosen = if r == data.chosen[s] { 1.0 } else { 0.0 };
            let (idx, val) = data.row(r);
            for (&i, &v) in idx.iter().zip(val) {
                touch(i as usize, &mut score, &mut touched, (chosen - prob) * v);
            }
        }
        for (a, &i) in touched.iter().enumerate() {
            for &j in &touched[a..] {
                let (lo, hi) = (i.min(j), i.max(j));
                meat.data[lo * p + hi] += score[i] * score[j];
            }
        }
        if let (Some(totals), Some((cluster, _))) = (totals.as_mut(), data.cluster.as_ref()) {
            let base = cluster[s] as usize * p;
            for &i in &touched {
                totals[base + i] += score[i];
            }
        }
        for &i in &touched {
            score[i] = 0.0;
        }
        touched.clear();
    }
    // Only the upper triangle was filled; a diagonal pair (i == j) was added once, as it should be.
    meat.symmetrise_from_upper();
    let cluster_meat = totals.map(|totals| {
        let mut m = Square::zeros(p);
        for t in totals.chunks_exact(p) {
            for (a, &ta) in t.iter().enumerate() {
                if ta == 0.0 {
                    continue;
                }
                let row = &mut m.data[a * p..(a + 1) * p];
                for (dst, &tb) in row[a..].iter_mut().zip(&t[a..]) {
                    *dst += ta * tb;
                }
            }
        }
        m.symmetrise_from_upper();
        m
    });
    (meat, cluster_meat)
}

/// A conditional logit on a long table: one row per alternative.
#[derive(Clone, Debug, Default)]
pub struct ClogitSpec {
    /// 0/1 column; exactly one 1 per choice set.
    pub choice: String,
    /// Choice-set id.
    pub group: String,
    /// Respondent id, for clustered standard errors.
    pub id: Option<String>,
    /// Variables: `x` (numeric: one parameter; text: a dummy per non-baseline level), `factor(x)` (a
    /// numeric column as levels), `x=level` (one indicator), and products `a:b` of those, e.g.
    /// `hinc:mode=air`.
    pub vars: Vec<String>,
    pub levels: LevelOrders,
    /// A numeric variable whose coefficient is the price, for willingness to pay.
    pub price: Option<String>,
}

/// One factor of a variable term, resolved per row (`None` = missing).
enum Part<'t> {
    Number(&'t [Option<f64>]),
    /// Whether the row has the named level.
    Indicator(Vec<Option<bool>>),
    /// A categorical column expanded into its levels; code 0 is the baseline (no parameter).
    Levels {
        codes: Vec<Option<u32>>,
        names: Vec<String>,
    },
}

impl Part<'_> {
    fn indicator(values: &ColumnValues, level: &str) -> Self {
        Self::Indicator(match values {
            ColumnValues::Text(v) => v.iter().map(|c| c.as_deref().map(|c| c == level)).collect(),
            ColumnValues::Number(v) => {
                let target = level.parse::<f64>().ok();
                v.iter()
                    .map(|c| c.map(|x| Some(x) == target || number_text(x) == level))
                    .collect()
            }
        })
    }

    fn levels(column: &Column, orders: &LevelOrders) -> Result<Self, AnalysisError> {
        let n = column.values.len();
        let present: Vec<usize> = (0..n)
            .filter(|&r| match &column.values {
                ColumnValues::Text(v) => v[r].is_some(),
                ColumnValues::Number(v) => v[r].is_some(),
            })
            .collect();
        let factor = encode(column, &present, orders)?;
        let mut codes = vec![None; n];
        for (&r, &code) in present.iter().zip(&factor.codes) {
            codes[r] = Some(code);
        }
        Ok(Self::Levels {
            codes,
            names: factor.levels.into_iter().skip(1).collect(),
        })
    }
}

/// Dense ids (by first appearance) of a column's values; `None` where missing.
fn dense_ids(values: &ColumnValues) -> (Vec<Option<u32>>, usize) {
    match values {
        ColumnValues::Number(v) => {
            let mut ids: HashMap<u64, u32> = HashMap::new();
            let out = v
                .iter()
                .map(|x| {
                    x.map(|x| {
                        let next = ids.len() as u32;
                        *ids.entry(x.to_bits()).or_insert(next)
                    })
                })
                .collect();
            (out, ids.len())
        }
        ColumnValues::Text(v) => {
            let mut ids: HashMap<&str, u32> = HashMap::new();
            let out = v
                .iter()
                .map(|x| {
                    x.as_deref().map(|x| {
                        let next = ids.len() as u32;
                        *ids.entry(x).or_insert(next)
                    })
                })
                .collect();
            (out, ids.len())
        }
    }
}

/// Appends the non-zero values of row `r` (ascending parameter index); false if a value is missing.
fn alternative(terms: &[(usize, Vec<Part>)], r: usize, out: &mut Vec<(u32, f64)>) -> bool {
    for (offset, parts) in terms {
        let mut value = 1.0;
        let mut position = 0;
        for part in parts {
            match part {
                Part::Number(v) => match v[r] {
                    Some(x) => value *= x,
                    None => return false,
                },
                Part::Indicator(v) => match v[r] {
                    Some(true) => {}
                    Some(false) => value = 0.0,
                    None => return false,
                },
                Part::Levels { codes, .. } => match codes[r] {
                    Some(0) => value = 0.0,
                    Some(code) => position = code as usize - 1,
                    None => return false,
                },
            }
        }
        if value != 0.0 {
            out.push(((offset + position) as u32, value));
        }
    }
    true
}

/// Fits a conditional logit from a long table. Choice sets with a missing value are left out.
pub fn clogit(table: &ResponseTable, spec: &ClogitSpec) -> Result<ClogitFit, AnalysisError> {
    let data = choice_data(table, spec)?;
    let fit = clogit_fit(&data)?;
    match &spec.price {
        Some(price) => fit.with_wtp(price),
        None => Ok(fit),
    }
}

/// Builds sparse choice sets from a long table. Choice sets with a missing value are left out and
/// counted in `dropped_sets`.
pub fn choice_data(table: &ResponseTable, spec: &ClogitSpec) -> Result<ChoiceData, AnalysisError> {
    let choice = numbers(column(table, &spec.choice)?)?;
    let group_column = column(table, &spec.group)?;
    let n = table.row_count();

    // The choice must be 0/1 everywhere (checked first, so the message names the column).
    for (r, c) in choice.iter().enumerate() {
        if let Some(c) = c {
            if *c != 0.0 && *c != 1.0 {
                return Err(AnalysisError::NotBinary {
                    column: spec.choice.clone(),
                    row: r + 1,
                    value: format!("{c}"),
                });
            }
        }
    }

    // Resolve the variable terms to per-row values once.
    let mut names: Vec<(String, String)> = Vec::new();
    let mut terms: Vec<(usize, Vec<Part>)> = Vec::new();
    for var in &spec.vars {
        let mut parts = Vec::new();
        for piece in var.split(':') {
            let piece = piece.trim();
            let (name, level) = match piece.split_once('=') {
                Some((name, level)) => (name.trim(), Some(level.trim())),
                None => (piece, None),
            };
            // `factor(x)` treats a numeric column (level codes) as categorical.
            let (name, as_factor) = match name
                .strip_prefix("factor(")
                .and_then(|n| n.strip_suffix(')'))
            {
                Some(inner) => (inner.trim(), true),
                None => (name, false),
            };
            let col = column(table, name)?;
            parts.push(match (level, &col.values) {
                (Some(level), values) => Part::indicator(values, level),
                (None, ColumnValues::Number(v)) if !as_factor => Part::Number(v),
                (None, _) => Part::levels(col, &spec.levels)?,
            });
        }
        let mut expanded = parts.iter().filter_map(|p| match p {
            Part::Levels { names, .. } => Some(names),
            _ => None,
        });
        let offset = names.len();
        match (expanded.next(), expanded.next()) {
            (Some(_), Some(_)) => {
                return Err(AnalysisError::Unsupported {
                    message: format!(
                    "variable {var:?}: at most one categorical column without `=level` per product"
                ),
                })
            }
            (Some(levels), None) => {
                names.extend(levels.iter().map(|l| (var.clone(), l.clone())));
            }
            (None, _) => match var.split_once('=') {
                // A single indicator reads better as feature / level.
                Some((f, l)) if !var.contains(':') => {
                    names.push((f.trim().into(), l.trim().into()))
                }
                _ => names.push((var.clone(), String::new())),
            },
        }
        terms.push((offset, parts));
    }

    // Rows grouped by choice set, sets in order of first appearance.
    let (set_id, n_sets) = dense_ids(&group_column.values);
    let mut counts = vec![0usize; n_sets + 1];
    for (r, id) in set_id.iter().enumerate() {
        match id {
            Some(id) => counts[*id as usize + 1] += 1,
            None => {
                return Err(AnalysisError::MissingChoiceSet {
                    column: spec.group.clone(),
                    row: r + 1,
                })
            }
        }
    }
    for s in 0..n_sets {
        counts[s + 1] += counts[s];
    }
    let mut next = counts.clone();
    let mut order = vec![0usize; n];
    for (r, id) in set_id.iter().enumerate() {
        let s = id.unwrap_or_default() as usize;
        order[next[s]] = r;
        next[s] += 1;
    }

    let mut data = ChoiceData {
        names,
        row_start: vec![0],
        set_start: vec![0],
        ..ChoiceData::default()
    };
    let mut first_rows = Vec::with_capacity(n_sets);
    let mut entries: Vec<(u32, f64)> = Vec::new();
    'sets: for s in 0..n_sets {
        let rows = &order[counts[s]..counts[s + 1]];
        let mut chosen = Vec::new();
        for &r in rows {
            match choice[r] {
                None => {
                    data.dropped_sets += 1;
                    continue 'sets;
                }
                Some(1.0) => chosen.push(r),
                Some(_) => {}
            }
        }
        if chosen.len() != 1 {
            return Err(AnalysisError::ChoiceCount {
                column: spec.group.clone(),
                group: cell_label(&group_column.values, rows[0]).unwrap_or_default(),
                chosen: chosen.len(),
            });
        }
        let (mark_values, mark_rows) = (data.index.len(), data.row_start.len());
        let mut chosen_alternative = 0;
        for &r in rows {
            entries.clear();
            if !alternative(&terms, r, &mut entries) {
                // A missing value drops the whole set.
                data.index.truncate(mark_values);
                data.value.truncate(mark_values);
                data.row_start.truncate(mark_rows);
                data.dropped_sets += 1;
                continue 'sets;
            }
            if r == chosen[0] {
                chosen_alternative = data.row_start.len() - 1;
            }
            data.index.extend(entries.iter().map(|e| e.0));
            data.value.extend(entries.iter().map(|e| e.1));
            data.row_start.push(data.index.len());
        }
        data.chosen.push(chosen_alternative);
        data.set_start.push(data.row_start.len() - 1);
        first_rows.push(rows[0]);
    }
    if data.chosen.is_empty() {
        return Err(AnalysisError::NoRows {
            columns: format!("{:?} and the variables", spec.choice),
        });
    }
    if let Some(id) = &spec.id {
        let clusters = cluster_index(column(table, id)?, &first_rows)?;
        data.cluster = Some((clusters.index, clusters.count));
    }
    Ok(data)
}
