//! Level order of each feature (the first level is the baseline), read from a `variable,level_index,level`
//! CSV or set by hand, and the encoding of a column into level codes.

use std::collections::{BTreeMap, HashMap};

use super::AnalysisError;
use crate::study::{Column, ColumnValues};

/// The chosen order of levels per variable. Variables not listed get their levels sorted (numbers
/// numerically, text by character code), which is R's `factor()` order in the C locale.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LevelOrders {
    orders: BTreeMap<String, Order>,
    /// Variables in the order they were first given (the file order of a levels CSV).
    variables: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
struct Order {
    levels: Vec<String>,
    /// A complete order lists every level; otherwise only the first levels are fixed and the rest of the
    /// data's levels follow, sorted.
    complete: bool,
}

impl LevelOrders {
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads the `*_levels.csv` format: columns `variable`, `level_index` (1 = baseline) and `level`;
    /// other columns (such as `n_rows`) are ignored.
    pub fn from_csv(text: &str) -> Result<Self, AnalysisError> {
        let fail = |message: String| AnalysisError::LevelOrder { message };
        let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
        let headers = reader
            .headers()
            .map_err(|e| fail(format!("cannot read the header: {e}")))?
            .clone();
        let find = |name: &str| {
            headers
                .iter()
                .position(|h| h.trim() == name)
                .ok_or_else(|| fail(format!("the file has no {name:?} column")))
        };
        let (variable, index, level) = (find("variable")?, find("level_index")?, find("level")?);
        let mut indexed: BTreeMap<String, Vec<(u32, String)>> = BTreeMap::new();
        let mut file_order: Vec<String> = Vec::new();
        for (line, record) in reader.records().enumerate() {
            let record = record.map_err(|e| fail(format!("line {}: {e}", line + 2)))?;
            let get = |i: usize| record.get(i).unwrap_or("").to_string();
            let position: u32 = get(index).trim().parse().map_err(|_| {
                fail(format!(
                    "line {}: level_index {:?} is not a whole number",
                    line + 2,
                    get(index)
                ))
            })?;
            let name = get(variable);
            if !indexed.contains_key(&name) {
                file_order.push(name.clone());
            }
            indexed
                .entry(name)
                .or_default()
                .push((position, get(level)));
        }
        let mut orders = Self::new();
        for name in file_order {
            let mut levels = indexed.remove(&name).unwrap_or_default();
            levels.sort_by_key(|(position, _)| *position);
            let levels: Vec<String> = levels.into_iter().map(|(_, level)| level).collect();
            orders.set(&name, levels)?;
        }
        Ok(orders)
    }

    /// Sets the full level order of a variable (first = baseline).
    pub fn set(&mut self, variable: &str, levels: Vec<String>) -> Result<(), AnalysisError> {
        let mut seen = std::collections::HashSet::new();
        if let Some(duplicate) = levels.iter().find(|l| !seen.insert(l.as_str())) {
            return Err(AnalysisError::LevelOrder {
                message: format!("variable {variable:?} lists the level {duplicate:?} twice"),
            });
        }
        self.remember(variable);
        self.orders.insert(
            variable.to_string(),
            Order {
                levels,
                complete: true,
            },
        );
        Ok(())
    }

    /// Makes `level` the baseline of `variable`, keeping the order of the other levels.
    pub fn set_baseline(&mut self, variable: &str, level: &str) {
        self.remember(variable);
        let order = self
            .orders
            .entry(variable.to_string())
            .or_insert_with(|| Order {
                levels: Vec::new(),
                complete: false,
            });
        order.levels.retain(|l| l != level);
        order.levels.insert(0, level.to_string());
    }

    fn remember(&mut self, variable: &str) {
        if !self.variables.iter().any(|v| v == variable) {
            self.variables.push(variable.to_string());
        }
    }

    /// The variables with a level order, in the order they were given.
    pub fn variables(&self) -> &[String] {
        &self.variables
    }

    /// The listed levels of a variable (for a baseline-only order, just the baseline).
    pub fn get(&self, variable: &str) -> Option<&[String]> {
        self.orders.get(variable).map(|o| o.levels.as_slice())
    }
}

/// A categorical variable over the rows a model uses: level labels in order and one code per row.
#[derive(Clone, Debug, PartialEq)]
pub struct Factor {
    pub name: String,
    pub levels: Vec<String>,
    pub codes: Vec<u32>,
}

impl Factor {
    /// Number of rows per level.
    pub fn counts(&self) -> Vec<usize> {
        let mut counts = vec![0; self.levels.len()];
        for &code in &self.codes {
            counts[code as usize] += 1;
        }
        counts
    }

    /// The factor restricted to some rows (levels kept, so codes stay comparable).
    pub fn subset(&self, rows: &[usize]) -> Self {
        Self {
            name: self.name.clone(),
            levels: self.levels.clone(),
            codes: rows.iter().map(|&r| self.codes[r]).collect(),
        }
    }
}

/// The text of a cell as a level label; numbers are written the way a CSV shows them (`3`, `2.5`).
pub fn cell_label(values: &ColumnValues, row: usize) -> Option<String> {
    values.text(row)
}

/// Encodes a column on the given rows (none of them missing) as a factor in the chosen level order.
pub fn encode(
    column: &Column,
    rows: &[usize],
    orders: &LevelOrders,
) -> Result<Factor, AnalysisError> {
    // Intern the row values first (cheap), then order the distinct values and remap the codes.
    let mut provisional: Vec<u32> = Vec::with_capacity(rows.len());
    let distinct: Vec<String>;
    let numeric_keys: Option<Vec<f64>>;
    match &column.values {
        ColumnValues::Text(values) => {
            let mut ids: HashMap<&str, u32> = HashMap::new();
            let mut labels: Vec<&str> = Vec::new();
            for &row in rows {
                let text = values[row].as_deref().unwrap_or("");
                let id = *ids.entry(text).or_insert_with(|| {
                    labels.push(text);
                    (labels.len() - 1) as u32
                });
                provisional.push(id);
            }
            distinct = labels.iter().map(|s| s.to_string()).collect();
            numeric_keys = None;
        }
        ColumnValues::Number(values) => {
            let mut ids: HashMap<u64, u32> = HashMap::new();
            let mut keys: Vec<f64> = Vec::new();
            for &row in rows {
                let x = values[row].unwrap_or(f64::NAN);
                let id = *ids.entry(x.to_bits()).or_insert_with(|| {
                    keys.push(x);
                    (keys.len() - 1) as u32
                });
                provisional.push(id);
            }
            distinct = keys.iter().map(|&x| crate::study::number_text(x)).collect();
            numeric_keys = Some(keys);
        }
    }
    // Sorted order of the distinct values, used for unlisted variables and unlisted levels.
    let mut sorted: Vec<usize> = (0..distinct.len()).collect();
    match &numeric_keys {
        Some(keys) => sorted.sort_by(|&a, &b| keys[a].total_cmp(&keys[b])),
        None => sorted.sort_by(|&a, &b| distinct[a].cmp(&distinct[b])),
    }
    let mut levels: Vec<String> = Vec::new();
    if let Some(order) = orders.orders.get(&column.name) {
        levels.extend(order.levels.iter().cloned());
        let listed: std::collections::HashSet<&str> =
            order.levels.iter().map(String::as_str).collect();
        let unlisted: Vec<String> = sorted
            .iter()
            .map(|&i| distinct[i].clone())
            .filter(|l| !listed.contains(l.as_str()))
            .collect();
        if order.complete {
            if let Some(level) = unlisted.into_iter().next() {
                return Err(AnalysisError::UnknownLevel {
                    feature: column.name.clone(),
                    level,
                });
            }
        } else {
            levels.extend(unlisted);
        }
    } else {
        levels.extend(sorted.iter().map(|&i| distinct[i].clone()));
    }
    let position: HashMap<&str, u32> = levels
        .iter()
        .enumerate()
        .map(|(i, l)| (l.as_str(), i as u32))
        .collect();
    let remap: Vec<u32> = distinct.iter().map(|d| position[d.as_str()]).collect();
    let codes = provisional.iter().map(|&p| remap[p as usize]).collect();
    Ok(Factor {
        name: column.name.clone(),
        levels,
        codes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::study::ColumnRole;

    fn text_column(values: &[&str]) -> Column {
        Column {
            name: "x".into(),
            role: ColumnRole::default(),
            values: ColumnValues::Text(values.iter().map(|v| Some(v.to_string())).collect()),
        }
    }

    #[test]
    fn reads_levels_csv_in_index_order() {
        let orders =
            LevelOrders::from_csv("variable,level_index,level,n_rows\nx,2,b,1\nx,1,None,3\n")
                .unwrap();
        assert_eq!(orders.get("x").unwrap(), ["None", "b"]);
    }

    #[test]
    fn encodes_sorted_listed_and_baseline_orders() {
        let column = text_column(&["b", "a", "c", "a"]);
        let rows = [0, 1, 2, 3];
        let f = encode(&column, &rows, &LevelOrders::new()).unwrap();
        assert_eq!(f.levels, ["a", "b", "c"]);
        assert_eq!(f.codes, [1, 0, 2, 0]);
        let mut orders = LevelOrders::new();
        orders.set_baseline("x", "c");
        assert_eq!(
            encode(&column, &rows, &orders).unwrap().levels,
            ["c", "a", "b"]
        );
        orders.set("x", vec!["a".into(), "b".into()]).unwrap();
        assert!(matches!(
            encode(&column, &rows, &orders),
            Err(AnalysisError::UnknownLevel { .. })
        ));
    }

    #[test]
    fn numbers_sort_numerically() {
        let column = Column {
            name: "n".into(),
            role: ColumnRole::default(),
            values: ColumnValues::Number(vec![Some(10.0), Some(2.0), Some(2.5)]),
        };
        let f = encode(&column, &[0, 1, 2], &LevelOrders::new()).unwrap();
        assert_eq!(f.levels, ["2", "2.5", "10"]);
    }
}
