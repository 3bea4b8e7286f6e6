//! Guessing the delimiter from the start of a file: the one that splits every sampled record into the
//! same number (> 1) of fields wins. Quoted fields are respected (csv-core does the splitting), so a
//! comma inside a quoted answer does not vote for commas.

/// The delimiters researchers' files use: comma, tab, and semicolon (Excel in locales with decimal commas).
pub const CANDIDATES: [u8; 3] = [b',', b'\t', b';'];

/// Records looked at; enough to see a pattern, few enough to be instant.
const SAMPLE_RECORDS: usize = 200;

/// A delimiter's name for messages.
pub fn delimiter_name(delimiter: u8) -> String {
    match delimiter {
        b',' => "comma".into(),
        b'\t' => "tab".into(),
        b';' => "semicolon".into(),
        b' ' => "space".into(),
        other => format!("{:?}", other as char),
    }
}

/// What the sample says about one delimiter.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Votes {
    delimiter: u8,
    header_fields: usize,
    /// Every sampled record has the header's number of fields.
    consistent: bool,
}

/// Field counts of the first complete records of `sample` (the last record is dropped unless the
/// sample is the whole file, since a slice may cut it short).
fn field_counts(sample: &[u8], delimiter: u8, whole_file: bool) -> Vec<usize> {
    let mut reader = csv_core::ReaderBuilder::new().delimiter(delimiter).build();
    let mut output = vec![0u8; sample.len() + 1];
    let mut ends = vec![0usize; 4096];
    let mut counts = Vec::new();
    let mut input = sample;
    loop {
        let (result, read, _, fields) = reader.read_record(input, &mut output, &mut ends);
        input = &input[read..];
        match result {
            csv_core::ReadRecordResult::Record => {
                counts.push(fields);
                if counts.len() >= SAMPLE_RECORDS {
                    return counts;
                }
            }
            // Out of input inside a record: the record is cut, not complete.
            csv_core::ReadRecordResult::InputEmpty => {
                if whole_file {
                    // An empty slice tells csv-core the file ended; the last record then completes.
                    let (result, _, _, fields) = reader.read_record(&[], &mut output, &mut ends);
                    if result == csv_core::ReadRecordResult::Record {
                        counts.push(fields);
                    }
                }
                return counts;
            }
            // More than 4096 fields in one record: count it as wide and stop sampling.
            csv_core::ReadRecordResult::OutputEndsFull | csv_core::ReadRecordResult::OutputFull => {
                counts.push(usize::MAX);
                return counts;
            }
            csv_core::ReadRecordResult::End => return counts,
        }
    }
}

fn votes(sample: &[u8], delimiter: u8, whole_file: bool) -> Votes {
    let counts = field_counts(sample, delimiter, whole_file);
    let header_fields = counts.first().copied().unwrap_or(0);
    Votes {
        delimiter,
        header_fields,
        consistent: header_fields > 1 && counts.iter().all(|&c| c == header_fields),
    }
}

/// Why no delimiter could be settled on.
#[derive(Clone, Debug, PartialEq)]
pub enum SniffProblem {
    /// Several delimiters split every record evenly.
    Ambiguous(Vec<u8>),
    /// The chosen delimiter leaves the header as one column while another splits it evenly.
    Wrong { used: u8, likely: u8 },
}

/// The delimiter of a file from its start. A file that no candidate splits is one column (comma).
/// When no candidate is consistent, the one splitting the header most is used, so the reader's
/// ragged-row message (with its row number) explains the file better than a guess would.
pub fn sniff_delimiter(sample: &[u8], whole_file: bool) -> Result<u8, SniffProblem> {
    let all: Vec<Votes> = CANDIDATES
        .iter()
        .map(|&d| votes(sample, d, whole_file))
        .collect();
    let consistent: Vec<&Votes> = all.iter().filter(|v| v.consistent).collect();
    match consistent.as_slice() {
        [one] => Ok(one.delimiter),
        [] => Ok(all
            .iter()
            .filter(|v| v.header_fields > 1)
            .max_by_key(|v| v.header_fields)
            .map_or(b',', |v| v.delimiter)),
        many => Err(SniffProblem::Ambiguous(
            many.iter().map(|v| v.delimiter).collect(),
        )),
    }
}

/// With a delimiter given by the user: refuses it when it leaves the header as one column and another
/// delimiter would split the file evenly (a "semicolon file read as comma" mistake).
pub fn check_delimiter(sample: &[u8], delimiter: u8, whole_file: bool) -> Result<(), SniffProblem> {
    if votes(sample, delimiter, whole_file).header_fields > 1 {
        return Ok(());
    }
    match sniff_delimiter(sample, whole_file) {
        Ok(likely) if likely != delimiter && votes(sample, likely, whole_file).consistent => {
            Err(SniffProblem::Wrong {
                used: delimiter,
                likely,
            })
        }
        _ => Ok(()),
    }
}
