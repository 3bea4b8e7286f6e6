//! The right-hand side of a conjoint model: `A + B*C + D`, where `B*C` declares a constrained pair
//! (cregg's convention: the two features are interacted and their AMCEs averaged over the other's levels).

use super::AnalysisError;

/// A parsed formula: features in order of first appearance and the declared two-way constraints.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Formula {
    /// Every feature, in the order it first appears (R's `all.vars` order).
    pub features: Vec<String>,
    /// Pairs written `A*B`, as indices into `features`.
    pub constraints: Vec<(usize, usize)>,
}

impl Formula {
    /// An additive formula over the given features.
    pub fn additive<S: AsRef<str>>(features: &[S]) -> Self {
        Self {
            features: features.iter().map(|f| f.as_ref().to_string()).collect(),
            constraints: Vec::new(),
        }
    }

    /// Parses `A + B*C + D` (an optional `y ~` on the left is accepted and must name `outcome`).
    /// Column names may contain spaces; backticks around a name are removed.
    pub fn parse(text: &str, outcome: Option<&str>) -> Result<Self, AnalysisError> {
        let fail = |message: String| AnalysisError::Formula {
            formula: text.to_string(),
            message,
        };
        let rhs = match text.split_once('~') {
            Some((lhs, rhs)) => {
                let lhs = clean(lhs);
                if let Some(outcome) = outcome {
                    if !lhs.is_empty() && lhs != outcome {
                        return Err(fail(format!(
                            "the left side {lhs:?} is not the outcome column {outcome:?}"
                        )));
                    }
                }
                rhs
            }
            None => text,
        };
        let mut formula = Formula {
            features: Vec::new(),
            constraints: Vec::new(),
        };
        let mut constrained: Vec<usize> = Vec::new();
        for term in rhs.split('+') {
            let names: Vec<String> = term.split('*').map(clean).collect();
            if names.iter().any(String::is_empty) {
                return Err(fail(
                    "a term is empty (two `+` in a row, or a trailing `+`?)".into(),
                ));
            }
            if names.iter().any(|n| n.contains(':')) {
                return Err(fail(
                    "write constrained pairs as `A*B`; `A:B` without main effects is not supported"
                        .into(),
                ));
            }
            let indices: Vec<usize> = names.iter().map(|n| formula.index_or_add(n)).collect();
            match indices.as_slice() {
                [_] => {}
                [a, b] => {
                    if a == b {
                        return Err(fail(format!("{:?} is interacted with itself", names[0])));
                    }
                    if constrained.contains(a) || constrained.contains(b) {
                        return Err(fail(
                            "a feature may appear in one constraint only (as in cregg)".into(),
                        ));
                    }
                    constrained.extend([*a, *b]);
                    formula.constraints.push((*a, *b));
                }
                _ => return Err(fail("only two-way constraints `A*B` are supported".into())),
            }
        }
        if formula.features.is_empty() {
            return Err(fail("no features".into()));
        }
        Ok(formula)
    }

    fn index_or_add(&mut self, name: &str) -> usize {
        match self.features.iter().position(|f| f == name) {
            Some(i) => i,
            None => {
                self.features.push(name.to_string());
                self.features.len() - 1
            }
        }
    }

    /// The partner of a constrained feature, if it has one.
    pub fn partner(&self, feature: usize) -> Option<usize> {
        self.constraints.iter().find_map(|&(a, b)| {
            if a == feature {
                Some(b)
            } else if b == feature {
                Some(a)
            } else {
                None
            }
        })
    }
}

fn clean(name: &str) -> String {
    name.trim().trim_matches('`').trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_constraints_in_order() {
        let f = Formula::parse("y ~ A + B*C + D", Some("y")).unwrap();
        assert_eq!(f.features, ["A", "B", "C", "D"]);
        assert_eq!(f.constraints, [(1, 2)]);
        assert_eq!(f.partner(2), Some(1));
    }

    #[test]
    fn rejects_bad_terms() {
        assert!(Formula::parse("A + + B", None).is_err());
        assert!(Formula::parse("A*B*C", None).is_err());
        assert!(Formula::parse("A*B + B*C", None).is_err());
        assert!(Formula::parse("z ~ A", Some("y")).is_err());
    }
}
