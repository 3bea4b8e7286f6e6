//! Messages to the user: what went wrong, where, and that nothing was lost.

use leptos::prelude::*;

#[derive(Clone, Debug, PartialEq)]
pub enum Level {
    Error,
    Success,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Notice {
    pub level: Level,
    pub title: String,
    /// `path: problem` lines, shown as a list (as text, never as HTML).
    pub details: Vec<String>,
}

impl Notice {
    pub fn error(title: impl Into<String>, details: Vec<String>) -> Self {
        Self {
            level: Level::Error,
            title: title.into(),
            details,
        }
    }

    pub fn success(title: impl Into<String>) -> Self {
        Self {
            level: Level::Success,
            title: title.into(),
            details: Vec::new(),
        }
    }
}

/// Shows the current notice, if any, with a button to dismiss it.
#[component]
pub fn NoticeView(notice: RwSignal<Option<Notice>>) -> impl IntoView {
    move || {
        notice.get().map(|n| {
            let (class, role) = match n.level {
                Level::Error => ("notice notice-error", "alert"),
                Level::Success => ("notice notice-success", "status"),
            };
            view! {
                <div class=class role=role data-testid="notice">
                    <div class="notice-head">
                        <strong>{n.title}</strong>
                        <button class="link" aria-label="Dismiss message" on:click=move |_| notice.set(None)>"×"</button>
                    </div>
                    <ul class="problems">
                        {n.details.into_iter().map(|d| view! { <li><code>{d}</code></li> }).collect_view()}
                    </ul>
                </div>
            }
        })
    }
}
