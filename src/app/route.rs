//! Where the user is, kept in the URL fragment so reload and the back button work.

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    Library,
    Study {
        id: String,
        tab: Tab,
    },
    /// The large views' benchmark page (scripts/bench-gpu-views.mjs opens it).
    BenchLargeViews,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tab {
    Design,
    Field,
    Analyze,
    Compare,
}

impl Tab {
    pub const ALL: [Tab; 4] = [Tab::Design, Tab::Field, Tab::Analyze, Tab::Compare];

    pub fn slug(self) -> &'static str {
        match self {
            Tab::Design => "design",
            Tab::Field => "field",
            Tab::Analyze => "analyze",
            Tab::Compare => "compare",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Tab::Design => "Design",
            Tab::Field => "Field",
            Tab::Analyze => "Analyze",
            Tab::Compare => "Compare",
        }
    }
}

impl Route {
    /// Parses `/study/ID/TAB`; anything else is the library.
    pub fn parse(fragment: &str) -> Self {
        let parts: Vec<&str> = fragment.trim_matches('/').split('/').collect();
        match parts.as_slice() {
            ["study", id, rest @ ..] if !id.is_empty() => {
                let tab = rest
                    .first()
                    .and_then(|slug| Tab::ALL.into_iter().find(|t| t.slug() == *slug))
                    .unwrap_or(Tab::Design);
                Route::Study {
                    id: (*id).to_string(),
                    tab,
                }
            }
            ["bench", "large-views"] => Route::BenchLargeViews,
            _ => Route::Library,
        }
    }

    pub fn href(&self) -> String {
        match self {
            Route::Library => "#/".into(),
            Route::BenchLargeViews => "#/bench/large-views".into(),
            Route::Study { id, tab } => format!("#/study/{id}/{}", tab.slug()),
        }
    }
}
