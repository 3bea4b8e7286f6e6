//! cregg's `cj_anova`: does any feature's effect differ across groups? A nested-model F test of
//! `y ~ features` against `y ~ (features) * by` (R's `anova(reduced, full, test = "F")`).

use statrs::distribution::{ContinuousCDF, FisherSnedecor};

use super::amce::{check_features, formula_design, ConjointSpec};
use super::design_matrix::Design;
use super::ols;
use super::prepare::prepare;
use super::AnalysisError;
use crate::study::ResponseTable;

/// The omnibus test. Residual degrees of freedom are rows minus the rank of each model.
#[derive(Clone, Debug, PartialEq)]
pub struct AnovaResult {
    pub resid_df_reduced: usize,
    pub rss_reduced: f64,
    pub resid_df_full: usize,
    pub rss_full: f64,
    /// Extra parameters in the full model.
    pub df: usize,
    pub sum_sq: f64,
    pub f: f64,
    pub p: f64,
}

impl AnovaResult {
    /// CSV in the layout of R's anova table.
    pub fn to_csv(&self) -> String {
        format!(
            "model,resid_df,rss,df,sum_sq,f,p\nreduced,{},{},,,,\nfull,{},{},{},{},{},{}\n",
            self.resid_df_reduced,
            self.rss_reduced,
            self.resid_df_full,
            self.rss_full,
            self.df,
            self.sum_sq,
            self.f,
            self.p
        )
    }
}

/// Tests all feature × `by` interactions at once. The residual variance of the full model is the
/// usual (not clustered) one, as in cregg; weights, if given, make it a weighted least-squares test.
pub fn cj_anova(
    table: &ResponseTable,
    spec: &ConjointSpec,
    by: &str,
) -> Result<AnovaResult, AnalysisError> {
    let (data, _) = prepare(table, &spec.columns(Some(by)), &spec.levels)?;
    let features = spec.formula.features.len();
    check_features(&data.factors[..features])?;
    let reduced = formula_design(&data, &spec.formula);
    // Full model: every term of the reduced model, the group main effect, and each term × group.
    let by_index = features;
    let mut terms: Vec<Vec<usize>> = reduced.terms.clone();
    terms.push(vec![by_index]);
    for term in &reduced.terms {
        let mut with_by = term.clone();
        with_by.push(by_index);
        terms.push(with_by);
    }
    let n_levels = data.factors.iter().map(|f| f.levels.len()).collect();
    let full = Design::new(n_levels, terms);
    let fit_reduced = ols::fit(&data, &reduced, None)?;
    let fit_full = ols::fit(&data, &full, None)?;
    let n = data.len();
    let resid_df_reduced = n - fit_reduced.rank;
    let resid_df_full = n.saturating_sub(fit_full.rank);
    let df = fit_full.rank - fit_reduced.rank;
    if df == 0 || resid_df_full == 0 {
        return Err(AnalysisError::Unsupported {
            message: format!(
                "the F test needs extra parameters and residual degrees of freedom (got {df} and {resid_df_full})"
            ),
        });
    }
    let sum_sq = fit_reduced.rss - fit_full.rss;
    let f = (sum_sq / df as f64) / (fit_full.rss / resid_df_full as f64);
    let p = FisherSnedecor::new(df as f64, resid_df_full as f64)
        .map(|d| d.sf(f))
        .unwrap_or(f64::NAN);
    Ok(AnovaResult {
        resid_df_reduced,
        rss_reduced: fit_reduced.rss,
        resid_df_full,
        rss_full: fit_full.rss,
        df,
        sum_sq,
        f,
        p,
    })
}
