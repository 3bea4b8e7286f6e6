//! Previews show the attributes in the respondent's randomised order, as a table and as a prompt;
//! the wide export has one row per profile.

use std::path::PathBuf;

use silico::design::{generate, study_from_sdt, task_prompt, task_table, wide_csv};

fn study() -> silico::study::Study {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data/sdt_immigrant_demo.sdt");
    study_from_sdt(&std::fs::read(path).unwrap(), "immigration", "Immigration").unwrap()
}

#[test]
fn table_and_prompt_follow_the_display_order() {
    let study = study();
    let conjoint = study.conjoint.as_ref().unwrap();
    let tasks = generate(conjoint, 2, 4).unwrap();
    let task = &tasks[0];
    let table = task_table(conjoint, task).unwrap();
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines[0], "| | Profile 1 | Profile 2 |");
    assert_eq!(lines.len(), 2 + 9);
    for (row, &a) in lines[2..].iter().zip(&task.attribute_order) {
        let attribute = &conjoint.attributes[a as usize];
        assert!(row.starts_with(&format!("| {} |", attribute.name)), "{row}");
        let level = &attribute.levels[task.profiles[1][a as usize] as usize].name;
        assert!(row.ends_with(&format!(" {level} |")), "{row}");
    }
    // Job, Job Experience and Job Plans form an order group: adjacent, in that order.
    let job = lines.iter().position(|l| l.starts_with("| Job |")).unwrap();
    assert!(lines[job + 1].starts_with("| Job Experience |"));
    assert!(lines[job + 2].starts_with("| Job Plans |"));

    let prompt = task_prompt(&study, task, "").unwrap();
    assert!(
        prompt.starts_with("Please read the descriptions"),
        "{prompt}"
    );
    assert!(prompt.contains("Profile A\n- "), "{prompt}");
    assert!(prompt.contains("Profile B\n- "), "{prompt}");
    assert!(prompt.trim_end().ends_with("Answer:"), "{prompt}");
    let with_persona = task_prompt(&study, task, "You are 44 and live in Ohio.").unwrap();
    assert!(with_persona.starts_with("You are 44 and live in Ohio.\n\n"));
}

#[test]
fn wide_export_has_a_row_per_profile() {
    let study = study();
    let conjoint = study.conjoint.as_ref().unwrap();
    let tasks = generate(conjoint, 3, 4).unwrap();
    let csv = wide_csv(conjoint, &tasks).unwrap();
    let mut lines = csv.lines();
    let header = lines.next().unwrap();
    assert!(
        header.starts_with("respondent,task,profile,repeats,Gender,Education,"),
        "{header}"
    );
    assert!(header.ends_with(",Prior Entry.rowpos"), "{header}");
    assert_eq!(lines.count(), 3 * 5 * 2);
}
