//! `silico clogit DATA.csv --choice COL --group COL [--id COL] --vars A,B,...`: conditional logit.
//!
//! Prints two CSV blocks separated by a blank line: the estimates (tidy columns plus every kind of
//! standard error), then the fit statistics (log-likelihood, McFadden R², counts); with --price, a
//! third block with willingness to pay.

use std::fmt::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use super::amce::{fail, level_orders, read_table, InputError};
use crate::analysis::tidy::format_number;
use crate::analysis::{clogit, ClogitFit, ClogitSpec};
use crate::data::csv_cell;

#[derive(clap::Args, Debug, Clone)]
pub struct ClogitArgs {
    /// Long table: one row per alternative of each choice set (CSV; TSV if it ends in .tsv).
    pub data: PathBuf,
    /// 0/1 column marking the chosen alternative (exactly one per choice set).
    #[arg(long, value_name = "COL")]
    pub choice: String,
    /// Choice-set id column.
    #[arg(long, value_name = "COL")]
    pub group: String,
    /// Respondent id column: adds standard errors clustered by respondent (used for z, p, CI).
    #[arg(long, value_name = "COL")]
    pub id: Option<String>,
    /// Comma-separated variables: `x` (numeric: one coefficient; text: a dummy per non-baseline
    /// level), `x=level` (one indicator, e.g. an alternative-specific constant) and products
    /// `a:b`, e.g. `mode=air,mode=train,gc,hinc:mode=air`.
    #[arg(long, value_name = "A,B,...", value_delimiter = ',', required = true)]
    pub vars: Vec<String>,
    /// Level order of text variables (variable,level_index,level; index 1 = baseline).
    #[arg(long, value_name = "LEVELS.csv")]
    pub levels: Option<PathBuf>,
    /// Make LEVEL the baseline of a text variable (repeatable).
    #[arg(long, value_name = "VAR=LEVEL")]
    pub baseline: Vec<String>,
    /// A numeric variable that is the price: adds willingness to pay (−b / b_price) for the others.
    #[arg(long, value_name = "VAR")]
    pub price: Option<String>,
    /// Cell text that means "missing" (repeatable; default NA).
    #[arg(long = "missing", value_name = "CODE")]
    pub missing: Vec<String>,
}

pub fn run(args: &ClogitArgs) -> ExitCode {
    let result = (|| -> Result<ClogitFit, InputError> {
        let table = read_table(&args.data, &args.missing)?;
        let spec = ClogitSpec {
            choice: args.choice.clone(),
            group: args.group.clone(),
            id: args.id.clone(),
            vars: args.vars.clone(),
            levels: level_orders(args.levels.as_deref(), &args.baseline)?,
            price: args.price.clone(),
        };
        Ok(clogit(&table, &spec)?)
    })();
    match result {
        Ok(fit) => {
            if fit.dropped_sets > 0 {
                eprintln!(
                    "warning: {} choice sets with a missing value were left out",
                    fit.dropped_sets
                );
            }
            print!("{}", report(&fit));
            ExitCode::SUCCESS
        }
        Err(error) => fail(&error),
    }
}

fn cell(x: Option<f64>) -> String {
    x.map(format_number).unwrap_or_default()
}

/// The three CSV blocks.
pub fn report(fit: &ClogitFit) -> String {
    let mut out = String::new();
    let tidy = fit.to_tidy();
    // Writing to a String cannot fail.
    let _ = writeln!(
        out,
        "feature,level,estimate,std_error,z,p,lower,upper,model_std_error,robust_std_error,cluster_std_error"
    );
    for (k, row) in tidy.rows.iter().enumerate() {
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{},{},{},{},{}",
            csv_cell(&row.feature),
            csv_cell(&row.level),
            cell(row.estimate),
            cell(row.std_error),
            cell(row.z),
            cell(row.p),
            cell(row.lower),
            cell(row.upper),
            format_number(fit.std_error[k]),
            format_number(fit.robust_std_error[k]),
            cell(fit.cluster_std_error.as_ref().map(|c| c[k])),
        );
    }
    let _ = writeln!(out, "\nstatistic,value");
    let _ = writeln!(out, "loglik,{}", format_number(fit.loglik));
    let _ = writeln!(out, "loglik_null,{}", fit.loglik_null);
    let _ = writeln!(out, "mcfadden_r2,{}", fit.mcfadden_r2);
    let _ = writeln!(out, "n_choice_sets,{}", fit.n_sets);
    let _ = writeln!(out, "n_alternatives,{}", fit.n_alternatives);
    if let Some(g) = fit.n_clusters {
        let _ = writeln!(out, "n_respondents,{g}");
    }
    let _ = writeln!(out, "iterations,{}", fit.iterations);
    if !fit.wtp.is_empty() {
        let _ = writeln!(out, "\nfeature,level,wtp,std_error");
        for w in &fit.wtp {
            let _ = writeln!(
                out,
                "{},{},{},{}",
                csv_cell(&w.feature),
                csv_cell(&w.level),
                format_number(w.estimate),
                format_number(w.std_error)
            );
        }
    }
    out
}
