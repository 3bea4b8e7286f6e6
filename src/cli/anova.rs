//! `silico anova DATA.csv --outcome COL --id COL --formula ... --by COL`: cregg's `cj_anova`
//! omnibus F test of all feature × group interactions, as CSV on stdout.

use std::process::ExitCode;

use super::amce::{fail, ConjointArgs, InputError};
use crate::analysis::cj_anova;

pub fn run(args: &ConjointArgs) -> ExitCode {
    let Some(by) = &args.by else {
        eprintln!(
            "error: anova needs --by COL (the grouping variable whose interactions are tested)"
        );
        return ExitCode::from(super::EXIT_BAD_INPUT);
    };
    let result = args
        .load()
        .and_then(|(table, spec)| cj_anova(&table, &spec, by).map_err(InputError::from));
    match result {
        Ok(result) => {
            print!("{}", result.to_csv());
            ExitCode::SUCCESS
        }
        Err(error) => fail(&error),
    }
}
