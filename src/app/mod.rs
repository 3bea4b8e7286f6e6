//! The web app (wasm32 only): Leptos pages over the same engine the command-line tool uses.

mod analyze;
mod analyze_view;
mod browser;
mod compare_large;
mod compare_survey;
mod compare_view;
mod design_check;
mod design_pairs;
mod design_view;
mod field;
mod human_data;
pub mod large_view;
mod library_page;
pub mod local_model;
mod notice;
mod open_study;
pub mod route;
pub mod storage;
mod study_page;
mod survey_editor;
mod table_select;
mod twin_builder;
mod worker;

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use route::Route;

/// Mounts the app in `#app`, replacing the loading message.
pub fn start() {
    console_error_panic_hook::set_once();
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if let Some(boot) = document.get_element_by_id("boot") {
        boot.remove();
    }
    let Some(root) = document
        .get_element_by_id("app")
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    else {
        return;
    };
    leptos::mount::mount_to(root, App).forget();
}

#[component]
fn App() -> impl IntoView {
    let route = RwSignal::new(Route::parse(&browser::current_hash()));
    let listener = window_event_listener(leptos::ev::hashchange, move |_| {
        route.set(Route::parse(&browser::current_hash()));
    });
    on_cleanup(move || listener.remove());

    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header class="topbar">
            <a class="brand" href="#/" aria-label="silico: study library">
                <span class="brand-mark" aria-hidden="true">"◆"</span>
                " silico"
            </a>
            <span class="tagline">"Surveys and conjoints, fielded to LLMs and compared with people — all in your browser"</span>
        </header>
        <main id="main" tabindex="-1">
            {move || match route.get() {
                Route::Library => view! { <library_page::LibraryPage /> }.into_any(),
                Route::Study { id, tab } => view! { <study_page::StudyPage id=id tab=tab /> }.into_any(),
                Route::BenchLargeViews => view! { <large_view::bench::BenchPage /> }.into_any(),
            }}
        </main>
        <footer class="footer">
            "Your studies stay in this browser (IndexedDB). Nothing is sent anywhere unless you field a study to an endpoint you configure. "
            <a href="schema/study-1.json">"Study file schema"</a>
        </footer>
    }
}
