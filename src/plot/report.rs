//! The comparison as one self-contained HTML file: inline CSS, the plots as inline SVG, every table,
//! the method and the provenance. No scripts and no external resources, so it opens offline and can
//! be mailed or archived as is. Every piece of text that came from data (question names, column
//! names, group labels, file names) is HTML-escaped: model output must never become markup.

use crate::compare::{Comparison, EstimateComparison, QuestionResult};
use crate::plot::{self, Chart, ComparePlot, EstimateKind, PlotError};

/// Where the comparison came from, printed in the report's provenance section.
#[derive(serde::Serialize, serde::Deserialize, Clone, Debug, Default, PartialEq)]
pub struct ReportInfo {
    /// The report's heading (e.g. the study's name); a default is used when empty.
    #[serde(default)]
    pub title: String,
    /// The paired-answers file.
    #[serde(default)]
    pub source_file: String,
    /// When the report was made, as the caller wants it shown (the engine has no clock).
    #[serde(default)]
    pub date: String,
    /// The columns used, e.g. `person=TWIN_ID, human=human, twin=twin`.
    #[serde(default)]
    pub columns: String,
}

/// Questions with the largest Jensen–Shannon divergence get a distribution overlay in the report.
const OVERLAYS: usize = 6;
/// Above this many questions the accuracy plot shows only the highest and lowest.
const ACCURACY_ALL_UP_TO: usize = 60;
const ACCURACY_LIMIT: usize = 20;

/// `text` safe inside HTML elements and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn num(x: f64) -> String {
    if x.is_finite() {
        format!("{x:.3}")
    } else {
        "–".into()
    }
}

fn p_value(x: f64) -> String {
    if !x.is_finite() {
        "–".into()
    } else if x < 0.001 {
        format!("{x:.1e}")
    } else {
        format!("{x:.3}")
    }
}

const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;color:#1f2328;\
max-width:1000px;margin:2rem auto;padding:0 1rem;line-height:1.45}h1{font-size:1.6rem}\
h2{font-size:1.25rem;margin-top:2.2rem;border-bottom:1px solid #e3e6ea;padding-bottom:.2rem}\
table{border-collapse:collapse;font-size:.85rem;margin:.6rem 0}th,td{padding:.2rem .5rem;\
border-bottom:1px solid #e3e6ea;text-align:right}th{background:#f5f6f8}td.l,th.l{text-align:left}\
.plot svg{max-width:100%;height:auto}.note{color:#5b636e;font-size:.9rem}\
.scroll{max-height:32rem;overflow:auto}dl{display:grid;grid-template-columns:max-content auto;gap:.2rem 1rem}\
dt{font-weight:600}dd{margin:0}";

/// The report. `amce` adds the conjoint comparison (and `amce_kind` says whether those are AMCEs or
/// marginal means).
pub fn html(
    comparison: &Comparison,
    info: &ReportInfo,
    amce: Option<(&EstimateComparison, EstimateKind)>,
) -> String {
    let mut out = String::new();
    let title = if info.title.is_empty() {
        "Digital twins vs people"
    } else {
        info.title.as_str()
    };
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    out.push_str(&format!("<title>{}</title>\n", escape(title)));
    out.push_str(&format!("<style>{STYLE}</style>\n</head>\n<body>\n"));
    out.push_str(&format!("<h1>{}</h1>\n", escape(title)));
    provenance(&mut out, comparison, info);
    overall(&mut out, comparison);
    out.push_str("<h2>Plots</h2>\n");
    plot_block(
        &mut out,
        plot::compare_chart(comparison, &ComparePlot::Means),
    );
    let limit = (comparison.questions.len() > ACCURACY_ALL_UP_TO).then_some(ACCURACY_LIMIT);
    plot_block(
        &mut out,
        plot::compare_chart(comparison, &ComparePlot::Accuracy { limit }),
    );
    plot_block(
        &mut out,
        plot::compare_chart(comparison, &ComparePlot::Heatmap),
    );
    for index in most_divergent(comparison) {
        plot_block(
            &mut out,
            plot::compare_chart(comparison, &ComparePlot::Distribution { question: index }),
        );
    }
    if let Some((estimates, kind)) = amce {
        amce_section(&mut out, estimates, kind);
    }
    groups_section(&mut out, comparison);
    respondents_section(&mut out, comparison);
    questions_table(&mut out, comparison);
    method(&mut out);
    out.push_str("</body>\n</html>\n");
    out
}

fn provenance(out: &mut String, c: &Comparison, info: &ReportInfo) {
    out.push_str("<h2>Provenance</h2>\n<dl>\n");
    let mut item = |name: &str, value: String| {
        out.push_str(&format!("<dt>{}</dt><dd>{}</dd>\n", name, escape(&value)));
    };
    if !info.source_file.is_empty() {
        item("File", info.source_file.clone());
    }
    if !info.columns.is_empty() {
        item("Columns", info.columns.clone());
    }
    item("Question key", c.key_columns.join(", "));
    item("Rows read", c.n_rows.to_string());
    item("Complete pairs", c.overall.n.to_string());
    item("Questions", c.questions.len().to_string());
    item("Respondents", c.respondents.len().to_string());
    if !info.date.is_empty() {
        item("Made", info.date.clone());
    }
    item("Software", format!("silico {}", env!("CARGO_PKG_VERSION")));
    out.push_str("</dl>\n");
}

fn overall(out: &mut String, c: &Comparison) {
    let o = &c.overall;
    out.push_str("<h2>Overall</h2>\n<table>\n");
    let mut row = |name: &str, value: String| {
        out.push_str(&format!(
            "<tr><th class=\"l\">{name}</th><td>{value}</td></tr>\n"
        ));
    };
    row("Accuracy (mean over questions)", num(o.accuracy));
    row("Exact match", num(o.exact_match));
    row("Correlation across respondents", num(o.correlation));
    row("SD ratio (twin / human)", num(o.sd_ratio));
    row("Glass's Δ", num(o.glass_delta));
    row(
        "Representativeness (1 − W/W<sub>max</sub>)",
        num(o.distances.representativeness),
    );
    row(
        "Jensen–Shannon divergence (bits)",
        num(o.distances.js_divergence),
    );
    if let Some(r) = &c.overall_retest {
        row(
            "Human test–retest accuracy (ceiling)",
            num(r.human_accuracy),
        );
        row("Twin accuracy on the retested", num(r.twin_accuracy));
        row("Twin accuracy as a share of the ceiling", num(r.share));
    }
    out.push_str("</table>\n");
}

fn plot_block(out: &mut String, chart: Result<Chart, PlotError>) {
    match chart.and_then(|chart| plot::chart_to_svg(&chart, plot::DEFAULT_WIDTH)) {
        // plotters escapes every text it writes into the SVG.
        Ok(svg) => out.push_str(&format!("<div class=\"plot\">{svg}</div>\n")),
        Err(e) => out.push_str(&format!(
            "<p class=\"note\">{}</p>\n",
            escape(&e.to_string())
        )),
    }
}

/// The questions whose answer distributions differ most (largest JSD), at most [`OVERLAYS`].
fn most_divergent(c: &Comparison) -> Vec<usize> {
    let mut order: Vec<usize> = (0..c.questions.len())
        .filter(|&i| {
            c.questions[i].shares.is_some()
                && c.questions[i].metrics.distances.js_divergence.is_finite()
        })
        .collect();
    order.sort_by(|&a, &b| {
        let js = |i: usize| c.questions[i].metrics.distances.js_divergence;
        js(b).total_cmp(&js(a))
    });
    order.truncate(OVERLAYS);
    order
}

fn amce_section(out: &mut String, e: &EstimateComparison, kind: EstimateKind) {
    out.push_str("<h2>Conjoint: humans vs twins</h2>\n");
    let s = &e.summary;
    out.push_str(&format!(
        "<p>{} levels compared (baselines excluded): correlation of the estimates {}, same sign {}, \
         significant difference (5%) {}, mean |difference| {}.</p>\n",
        s.compared,
        num(s.correlation),
        num(s.sign_agreement),
        num(s.significant_share),
        num(s.mean_abs_difference)
    ));
    plot_block(
        out,
        plot::estimate_comparison_figure(
            e,
            kind,
            "95% intervals; difference tested as independent samples",
        )
        .map(Chart::Rows),
    );
    out.push_str(
        "<div class=\"scroll\"><table>\n<tr><th class=\"l\">Feature</th><th class=\"l\">Level</th>\
<th>Humans</th><th>SE</th><th>Twins</th><th>SE</th><th>Difference</th><th>z</th><th>p</th></tr>\n",
    );
    let opt = |x: Option<f64>| num(x.unwrap_or(f64::NAN));
    for r in &e.rows {
        let feature = match &r.group {
            Some(g) => format!("{} ({})", r.feature, g),
            None => r.feature.clone(),
        };
        out.push_str(&format!(
            "<tr><td class=\"l\">{}</td><td class=\"l\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            escape(&feature),
            escape(&r.level),
            opt(r.human),
            opt(r.human_se),
            opt(r.twin),
            opt(r.twin_se),
            opt(r.difference),
            opt(r.z),
            p_value(r.p.unwrap_or(f64::NAN))
        ));
    }
    out.push_str("</table></div>\n");
}

fn groups_section(out: &mut String, c: &Comparison) {
    let Some(s) = &c.subgroups else {
        return;
    };
    out.push_str(&format!(
        "<h2>Subgroups by {}</h2>\n<p>Do the twins reproduce the differences between groups? Each \
         group is compared with {} (the first in the data); differences are standardised by the \
         question's human SD.</p>\n",
        escape(&s.column),
        escape(&s.reference)
    ));
    out.push_str("<table>\n<tr><th class=\"l\">Group</th><th>Respondents</th><th>Pairs</th><th>Accuracy</th><th>Exact match</th></tr>\n");
    for g in &c.groups {
        out.push_str(&format!(
            "<tr><td class=\"l\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            escape(&g.group),
            g.persons,
            g.pairs,
            num(g.accuracy),
            num(g.exact_match)
        ));
    }
    out.push_str("</table>\n<table>\n<tr><th class=\"l\">Contrast</th><th>Questions</th><th>Correlation</th><th>Same sign</th><th>Mean |error| (SD units)</th></tr>\n");
    for a in &s.summary {
        out.push_str(&format!(
            "<tr><td class=\"l\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            escape(&a.contrast),
            a.questions,
            num(a.correlation),
            num(a.sign_agreement),
            num(a.mean_abs_error)
        ));
    }
    out.push_str("</table>\n<div class=\"scroll\"><table>\n<tr><th class=\"l\">Question</th><th class=\"l\">Contrast</th><th>Human difference</th><th>Twin difference</th><th>Human (SD)</th><th>Twin (SD)</th></tr>\n");
    for d in &s.differences {
        out.push_str(&format!(
            "<tr><td class=\"l\">{}</td><td class=\"l\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            escape(&d.question),
            escape(&d.contrast),
            num(d.human),
            num(d.twin),
            num(d.human_std),
            num(d.twin_std)
        ));
    }
    out.push_str("</table></div>\n");
}

fn respondents_section(out: &mut String, c: &Comparison) {
    let mut accuracy: Vec<f64> = c
        .respondents
        .iter()
        .map(|r| r.accuracy)
        .filter(|x| x.is_finite())
        .collect();
    if accuracy.is_empty() {
        return;
    }
    accuracy.sort_by(f64::total_cmp);
    let q = |p: f64| accuracy[((accuracy.len() - 1) as f64 * p).round() as usize];
    out.push_str(&format!(
        "<h2>Respondents</h2>\n<p>Accuracy of each person's twin over their questions: minimum {}, \
         lower quartile {}, median {}, upper quartile {}, maximum {} ({} respondents). The CSV export \
         lists every respondent.</p>\n",
        num(q(0.0)),
        num(q(0.25)),
        num(q(0.5)),
        num(q(0.75)),
        num(q(1.0)),
        accuracy.len()
    ));
}

fn questions_table(out: &mut String, c: &Comparison) {
    let retest = c.overall_retest.is_some();
    out.push_str("<h2>Per question</h2>\n<div class=\"scroll\"><table>\n<tr><th class=\"l\">Question</th><th class=\"l\">Kind</th><th>n</th><th>Accuracy</th><th>Exact</th><th>r</th><th>SD ratio</th><th>Glass's Δ</th><th>t</th><th>p</th><th>Human mean</th><th>Twin mean</th><th>Repr.</th><th>JSD</th>");
    if retest {
        out.push_str("<th>Retest ceiling</th><th>Share</th>");
    }
    out.push_str("</tr>\n");
    for q in &c.questions {
        question_row(out, q, retest);
    }
    out.push_str("</table></div>\n");
}

fn question_row(out: &mut String, q: &QuestionResult, retest: bool) {
    let m = &q.metrics;
    out.push_str(&format!(
        "<tr><td class=\"l\">{}</td><td class=\"l\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>",
        escape(&q.label()),
        m.kind.name(),
        m.n,
        num(m.accuracy),
        num(m.exact_match),
        num(m.correlation),
        num(m.sd_ratio),
        num(m.glass_delta),
        num(m.paired_t),
        p_value(m.paired_p),
        num(m.mean_human),
        num(m.mean_twin),
        num(m.distances.representativeness),
        num(m.distances.js_divergence)
    ));
    if retest {
        let (ceiling, share) = q
            .retest
            .map_or((f64::NAN, f64::NAN), |r| (r.human_accuracy, r.share));
        out.push_str(&format!("<td>{}</td><td>{}</td>", num(ceiling), num(share)));
    }
    out.push_str("</tr>\n");
}

fn method(out: &mut String) {
    out.push_str(
        "<h2>Method</h2>\n<ul>\n\
<li>A pair is one person's answer and their twin's answer to the same question; only complete pairs count.</li>\n\
<li><b>Accuracy</b> = 1 − mean|human − twin| / (max − min), with the question's scale range; for nominal \
questions (unordered codes) it is the share of exact matches. The overall row averages questions, \
unweighted, because scales differ.</li>\n\
<li><b>Correlation</b>: Pearson r across respondents (0 when a side is constant). <b>SD ratio</b> = \
sd(twin) / sd(human) and <b>Glass's Δ</b> = |mean(twin) − mean(human)| / sd(human), population SDs; \
below 1 the twins are under-dispersed. <b>t</b>, <b>p</b>: paired t test of human vs twin answers.</li>\n\
<li><b>Representativeness</b> = 1 − W / W<sub>max</sub>, where W is the 1-Wasserstein distance between the \
human and twin answer distributions on ordinal positions (the distinct answers, sorted, 0 … K−1) and \
W<sub>max</sub> = K − 1, the distance between point masses on the two extreme positions. \
<b>JSD</b>: Jensen–Shannon divergence in bits (0 = same distribution, 1 = disjoint). Both only for \
ordinal questions (JSD also for nominal).</li>\n\
<li><b>Test–retest ceiling</b>: people do not answer the same question identically twice. The accuracy of a \
person's retest answer against their first answer is the most a twin can be expected to reach; the twin's \
accuracy (on the same people) as a share of it says how much of the attainable agreement it reaches.</li>\n\
<li><b>Subgroups</b>: per question, each group's mean minus the reference group's, for humans and for their \
twins, divided by the question's human SD; correlation and sign agreement of those differences across \
questions.</li>\n\
<li><b>Conjoint</b>: each level's twin − human difference is tested as independent samples, \
z = d / √(se<sub>h</sub>² + se<sub>t</sub>²); baselines (0 by construction) are left out of the summary.</li>\n\
</ul>\n",
    );
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escaping_leaves_no_markup() {
        assert_eq!(
            escape("<img src=x onerror=alert(1)> & \"'"),
            "&lt;img src=x onerror=alert(1)&gt; &amp; &quot;&#39;"
        );
    }
}
