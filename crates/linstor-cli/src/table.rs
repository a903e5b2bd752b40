//! Tables as 0.7.3 draws them: rounded box drawing with dotted column lines and a double
//! header line, plain ASCII with `--no-utf8`, no borders with `--pastable`; colours only
//! when enabled (a terminal and no `--no-color`). Rows are sorted by the group-by columns
//! (by default the first), as 0.7.3's `set_groupby` does.

use comfy_table::{Cell, CellAlignment, Color, ContentArrangement, Table as Comfy};

/// Box characters in comfy-table's preset order: borders, header line, column lines, no row
/// lines, corners.
const UTF8: &str = "┊┊──╞══╡┊    ──╭╮╰╯";
const ASCII: &str = "||--|--||    --++++";

/// How tables are drawn.
#[derive(Debug, Clone, Copy, Default)]
pub struct Style {
    /// Box drawing characters instead of ASCII.
    pub utf8: bool,
    /// Colour states.
    pub colors: bool,
    /// No borders (`-p`).
    pub pastable: bool,
}

/// The colours 0.7.3 used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tint {
    /// Good states.
    Green,
    /// Problems.
    Red,
    /// Unknown or transitional states.
    Yellow,
    /// Column headers of states.
    DarkGreen,
    /// Incomplete snapshots.
    Blue,
}

impl Tint {
    fn color(self) -> Color {
        match self {
            Tint::Green => Color::Green,
            Tint::Red => Color::Red,
            Tint::Yellow => Color::Yellow,
            Tint::DarkGreen => Color::DarkGreen,
            Tint::Blue => Color::Blue,
        }
    }
}

/// One cell: text and an optional colour.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    /// The text.
    pub text: String,
    /// Its colour when colours are on.
    pub tint: Option<Tint>,
}

impl Text {
    /// A coloured cell.
    pub fn tinted(text: impl Into<String>, tint: Tint) -> Text {
        Text {
            text: text.into(),
            tint: Some(tint),
        }
    }
}

impl<T: Into<String>> From<T> for Text {
    fn from(text: T) -> Text {
        Text {
            text: text.into(),
            tint: None,
        }
    }
}

/// A column header.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    /// Header text.
    pub name: &'static str,
    /// Right-aligned values.
    pub right: bool,
    /// Header colour.
    pub tint: Option<Tint>,
}

/// A plain left-aligned column.
pub const fn col(name: &'static str) -> Column {
    Column {
        name,
        right: false,
        tint: None,
    }
}

/// A right-aligned column.
pub const fn right(name: &'static str) -> Column {
    Column {
        name,
        right: true,
        tint: None,
    }
}

/// A state column (dark green header).
pub const fn state(name: &'static str, right: bool) -> Column {
    Column {
        name,
        right,
        tint: Some(Tint::DarkGreen),
    }
}

/// A table being filled.
#[derive(Debug)]
pub struct Table {
    columns: Vec<Column>,
    rows: Vec<Vec<Text>>,
    group_by: Vec<usize>,
}

impl Table {
    /// A table with these columns.
    pub fn new(columns: &[Column]) -> Table {
        Table {
            columns: columns.to_vec(),
            rows: Vec::new(),
            group_by: Vec::new(),
        }
    }

    /// Sorts rows by these column names (unknown names are ignored; clap checks them).
    pub fn group_by(&mut self, names: &[String]) {
        self.group_by = names
            .iter()
            .filter_map(|n| {
                self.columns
                    .iter()
                    .position(|c| c.name.eq_ignore_ascii_case(n))
            })
            .collect();
    }

    /// Sorts rows by the first column.
    pub fn group_by_first(&mut self) {
        self.group_by = vec![0];
    }

    /// Appends a row (missing cells are empty).
    pub fn row(&mut self, cells: Vec<Text>) {
        self.rows.push(cells);
    }

    /// Renders the table.
    pub fn render(&self, style: Style) -> String {
        let mut rows = self.rows.clone();
        if !self.group_by.is_empty() {
            let keys = self.group_by.clone();
            rows.sort_by(|a, b| {
                keys.iter()
                    .map(|&k| {
                        let x = a.get(k).map(|t| t.text.as_str()).unwrap_or("");
                        let y = b.get(k).map(|t| t.text.as_str()).unwrap_or("");
                        x.cmp(y)
                    })
                    .find(|o| o.is_ne())
                    .unwrap_or(std::cmp::Ordering::Equal)
            });
        }
        let mut table = Comfy::new();
        if style.pastable {
            table.load_preset(comfy_table::presets::NOTHING);
        } else if style.utf8 {
            table.load_preset(UTF8);
        } else {
            table.load_preset(ASCII);
        }
        table.set_content_arrangement(ContentArrangement::Disabled);
        if style.colors {
            table.enforce_styling();
        } else {
            table.force_no_tty();
        }
        let cell = |t: &Text, right: bool| {
            let mut c = Cell::new(&t.text);
            if right {
                c = c.set_alignment(CellAlignment::Right);
            }
            match t.tint {
                Some(tint) if style.colors => c.fg(tint.color()),
                _ => c,
            }
        };
        table.set_header(
            self.columns
                .iter()
                .map(|c| {
                    cell(
                        &Text {
                            text: c.name.to_owned(),
                            tint: c.tint,
                        },
                        false,
                    )
                })
                .collect::<Vec<_>>(),
        );
        for row in &rows {
            table.add_row(
                self.columns
                    .iter()
                    .enumerate()
                    .map(|(i, c)| cell(row.get(i).unwrap_or(&Text::from("")), c.right))
                    .collect::<Vec<_>>(),
            );
        }
        table.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_ascii_and_sorting() {
        let mut t = Table::new(&[col("Node"), right("Size")]);
        t.row(vec!["beta".into(), "1 GiB".into()]);
        t.row(vec!["alpha".into(), "10 MiB".into()]);
        t.group_by_first();
        let utf8 = t.render(Style {
            utf8: true,
            ..Style::default()
        });
        let lines: Vec<&str> = utf8.lines().collect();
        assert_eq!(lines[0], "╭────────────────╮");
        assert_eq!(lines[1], "┊ Node  ┊ Size   ┊");
        assert_eq!(lines[2], "╞════════════════╡");
        assert_eq!(lines[3], "┊ alpha ┊ 10 MiB ┊");
        assert_eq!(lines[4], "┊ beta  ┊  1 GiB ┊");
        assert_eq!(lines[5], "╰────────────────╯");
        let ascii = t.render(Style::default());
        assert!(
            ascii.starts_with("+----------------+\n| Node  | Size   |\n|----------------|"),
            "{ascii}"
        );
        assert!(!ascii.contains('\u{1b}'));
    }
}
