//! The study being worked on: one signal the tabs read, and edits that are saved as they happen.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::{browser, storage};
use crate::study::Study;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SaveState {
    Saved,
    Saving,
    Failed,
}

#[derive(Clone, Copy)]
pub struct OpenStudy {
    pub study: RwSignal<Study>,
    pub save_state: RwSignal<SaveState>,
    /// The last edit that was refused, in words.
    pub problem: RwSignal<Option<String>>,
}

impl OpenStudy {
    pub fn new(study: Study) -> Self {
        Self {
            study: RwSignal::new(study),
            save_state: RwSignal::new(SaveState::Saved),
            problem: RwSignal::new(None),
        }
    }

    /// Applies an edit; if it is refused nothing changes and the reason is shown. Accepted edits are
    /// stored in the library at once.
    pub fn edit<E: std::fmt::Display>(self, change: impl FnOnce(&mut Study) -> Result<(), E>) {
        let mut study = self.study.get_untracked();
        match change(&mut study) {
            Err(e) => self.problem.set(Some(e.to_string())),
            Ok(()) => {
                self.problem.set(None);
                study.metadata.modified = browser::now();
                self.study.set(study.clone());
                self.save_state.set(SaveState::Saving);
                spawn_local(async move {
                    let saved = async {
                        let db = storage::open().await?;
                        storage::save(&db, &study).await
                    }
                    .await;
                    match saved {
                        Ok(()) => self.save_state.set(SaveState::Saved),
                        Err(e) => {
                            self.save_state.set(SaveState::Failed);
                            self.problem
                                .set(Some(format!("Your last change was not saved: {e}")));
                        }
                    }
                });
            }
        }
    }
}

/// "Saved" / "Saving…" / the refusal, announced politely to screen readers.
#[component]
pub fn SaveStatus(open: OpenStudy) -> impl IntoView {
    view! {
        <div class="save-status" role="status" aria-live="polite" data-testid="save-status">
            {move || match open.save_state.get() {
                SaveState::Saved => "All changes saved",
                SaveState::Saving => "Saving…",
                SaveState::Failed => "Not saved",
            }}
        </div>
        {move || open.problem.get().map(|p| view! {
            <div class="notice notice-error" role="alert" data-testid="edit-problem">{p}</div>
        })}
    }
}
