//! The one place that writes to stdout and stderr.
//!
//! Data goes to stdout in the format the user chose; messages, progress,
//! logs and errors go to stderr. Every stdout write returns an
//! [`io::Result`], so a closed pipe surfaces as `BrokenPipe` and `main`
//! turns it into a quiet exit instead of a panic.

use std::io::{self, BufWriter, Stdout, Write};
use std::marker::PhantomData;

use comfy_table::{
    Attribute, Cell, CellAlignment, Color, ColumnConstraint, ContentArrangement, Table, Width,
    presets,
};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;

use crate::settings::{OutputFormat, OutputSettings};

/// The narrowest a wrapping column gets in a narrow terminal. Below it the
/// table grows wider than the terminal, which wraps lines itself.
const MIN_WRAPPED_WIDTH: u16 = 12;

/// A column of a list table.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Column {
    /// The header, in capitals like `PRICE`.
    pub(crate) title: &'static str,
    /// Whether values line up on the right, as numbers and amounts do.
    pub(crate) numeric: bool,
    /// Whether long values may wrap onto more lines to fit the terminal.
    /// Ids and amounts never wrap, so they can be copied whole.
    pub(crate) wraps: bool,
}

/// A value shown in a table cell, with an optional colour that applies only
/// when colour is on.
#[derive(Debug, Clone)]
pub(crate) struct Styled {
    text: String,
    color: Option<Color>,
}

impl Styled {
    /// Creates a plain value.
    pub(crate) fn plain(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            color: None,
        }
    }

    /// Creates a value shown in `color` when colour is on.
    pub(crate) fn colored(text: impl Into<String>, color: Color) -> Self {
        Self {
            text: text.into(),
            color: Some(color),
        }
    }
}

/// An API object that the CLI can print in every output format.
pub(crate) trait Record: Serialize {
    /// Returns the columns of a list table.
    fn columns() -> &'static [Column];
    /// Returns the cells of one list table row, in the order of [`Record::columns`].
    fn row(&self) -> Vec<Styled>;
    /// Returns the CSV header row.
    fn csv_header() -> &'static [&'static str];
    /// Returns one CSV record, in the order of [`Record::csv_header`].
    fn csv_record(&self) -> Vec<String>;
    /// Returns the label and value pairs for the vertical table of a single object.
    fn details(&self) -> Vec<(&'static str, Styled)>;
}

/// The process's output: data on stdout, everything else on stderr.
#[derive(Debug)]
pub(crate) struct Output {
    settings: OutputSettings,
    stdout: BufWriter<Stdout>,
}

impl Output {
    pub(crate) fn new(settings: OutputSettings) -> Self {
        Self {
            settings,
            stdout: BufWriter::new(io::stdout()),
        }
    }

    /// Returns the format of data on stdout.
    pub(crate) fn format(&self) -> OutputFormat {
        self.settings.format
    }

    /// Writes one line of text to stdout.
    pub(crate) fn line(&mut self, text: &str) -> io::Result<()> {
        writeln!(self.stdout, "{text}")
    }

    /// Writes one object in the chosen format: a vertical table, a pretty
    /// JSON object, one NDJSON line, or a CSV header and record.
    pub(crate) fn record<R: Record>(&mut self, record: &R) -> io::Result<()> {
        match self.settings.format {
            OutputFormat::Table => {
                let mut table = self.new_table();
                for (label, value) in record.details() {
                    let label = self.style(Cell::new(label), None, true);
                    let value = self.styled_cell(value);
                    table.add_row(vec![label, value]);
                }
                writeln!(self.stdout, "{}", render(&mut table))
            }
            OutputFormat::Json => {
                serde_json::to_writer_pretty(&mut self.stdout, record).map_err(io::Error::from)?;
                writeln!(self.stdout)
            }
            OutputFormat::Ndjson => {
                serde_json::to_writer(&mut self.stdout, record).map_err(io::Error::from)?;
                writeln!(self.stdout)
            }
            OutputFormat::Csv => {
                let mut writer = csv_writer(&mut self.stdout);
                writer.write_record(R::csv_header()).map_err(csv_io)?;
                writer.write_record(record.csv_record()).map_err(csv_io)?;
                writer.flush()
            }
        }
    }

    /// Starts a list in the chosen format. JSON, NDJSON and CSV items are
    /// written as they arrive; a table is printed by [`ListWriter::finish`],
    /// because its column widths depend on every row.
    pub(crate) fn list<R: Record>(&mut self) -> ListWriter<'_, R> {
        let state = match self.settings.format {
            OutputFormat::Table => {
                let mut table = self.new_table();
                let header: Vec<Cell> = R::columns()
                    .iter()
                    .map(|column| self.style(Cell::new(column.title), None, true))
                    .collect();
                table.set_header(header);
                for (index, column) in R::columns().iter().enumerate() {
                    let Some(table_column) = table.column_mut(index) else {
                        continue;
                    };
                    if column.numeric {
                        table_column.set_cell_alignment(CellAlignment::Right);
                    }
                    let constraint = if column.wraps {
                        ColumnConstraint::LowerBoundary(Width::Fixed(MIN_WRAPPED_WIDTH))
                    } else {
                        ColumnConstraint::ContentWidth
                    };
                    table_column.set_constraint(constraint);
                }
                ListState::Table(Box::new(table))
            }
            OutputFormat::Json => ListState::Json { count: 0 },
            OutputFormat::Ndjson => ListState::Ndjson,
            OutputFormat::Csv => ListState::Csv {
                header_written: false,
            },
        };
        ListWriter {
            output: self,
            state,
            items: PhantomData,
        }
    }

    /// Writes buffered stdout data.
    pub(crate) fn flush(&mut self) -> io::Result<()> {
        self.stdout.flush()
    }

    /// Writes a message for the user to stderr.
    pub(crate) fn status(&self, message: &str) {
        write_stderr(&format!("{message}\n"));
    }

    /// Writes an error report to stderr: `error: <what failed>`, indented
    /// details, then `hint:` lines.
    pub(crate) fn error(&self, headline: &str, details: &[String], hints: &[String]) {
        let mut text = format!("{} {}\n", self.stderr_label("error:", "31"), headline);
        for detail in details {
            text.push_str(&format!("  {detail}\n"));
        }
        for hint in hints {
            text.push_str(&format!("{} {hint}\n", self.stderr_label("hint:", "36")));
        }
        write_stderr(&text);
    }

    /// Returns a progress bar on stderr for `total` items, or a hidden one
    /// unless stderr is a terminal. It also stays hidden while data streams
    /// to a terminal on stdout, where the two would garble each other.
    pub(crate) fn progress(&self, total: Option<u64>, noun: &'static str) -> ProgressBar {
        let streams_to_terminal =
            self.settings.stdout_is_terminal && self.settings.format != OutputFormat::Table;
        if !self.settings.stderr_is_terminal || streams_to_terminal {
            return ProgressBar::hidden();
        }

        let template = format!("{{bar:30}} {{pos}}/{{len}} {noun} ({{eta}} left)");
        let style = ProgressStyle::with_template(&template)
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
        ProgressBar::with_draw_target(total, ProgressDrawTarget::stderr()).with_style(style)
    }

    fn stderr_label(&self, label: &str, ansi_color: &str) -> String {
        if self.settings.color_stderr {
            format!("\x1b[1;{ansi_color}m{label}\x1b[0m")
        } else {
            label.to_owned()
        }
    }

    fn new_table(&self) -> Table {
        let mut table = Table::new();
        table
            .load_preset(presets::NOTHING)
            .set_content_arrangement(ContentArrangement::Dynamic);
        // `COLUMNS` overrides the detected width, as `ls` and other tools
        // allow, so piped output can be fitted to a known width too.
        if let Some(width) = columns_from_env() {
            table.set_width(width);
        }
        if self.settings.color_stdout {
            table.enforce_styling();
        }
        table
    }

    fn styled_cell(&self, value: Styled) -> Cell {
        self.style(Cell::new(escape_controls(&value.text)), value.color, false)
    }

    /// Applies colour and boldness to a cell, but only when colour is on.
    fn style(&self, cell: Cell, color: Option<Color>, bold: bool) -> Cell {
        if !self.settings.color_stdout {
            return cell;
        }
        let cell = match color {
            Some(color) => cell.fg(color),
            None => cell,
        };
        if bold {
            cell.add_attribute(Attribute::Bold)
        } else {
            cell
        }
    }
}

/// A list being written, from [`Output::list`].
#[derive(Debug)]
pub(crate) struct ListWriter<'a, R> {
    output: &'a mut Output,
    state: ListState,
    items: PhantomData<fn(&R)>,
}

#[derive(Debug)]
enum ListState {
    Table(Box<Table>),
    Json { count: u64 },
    Ndjson,
    Csv { header_written: bool },
}

impl<R: Record> ListWriter<'_, R> {
    /// Writes one item, or adds it to the table.
    pub(crate) fn item(&mut self, item: &R) -> io::Result<()> {
        let stdout = &mut self.output.stdout;
        match &mut self.state {
            ListState::Table(table) => {
                let cells: Vec<Cell> = item
                    .row()
                    .into_iter()
                    .map(|value| self.output.styled_cell(value))
                    .collect();
                table.add_row(cells);
                Ok(())
            }
            ListState::Json { count } => {
                stdout.write_all(if *count == 0 { b"[\n  " } else { b",\n  " })?;
                *count += 1;
                serde_json::to_writer(stdout, item).map_err(io::Error::from)
            }
            ListState::Ndjson => {
                serde_json::to_writer(&mut *stdout, item).map_err(io::Error::from)?;
                writeln!(stdout)
            }
            ListState::Csv { header_written } => {
                let mut writer = csv_writer(stdout);
                if !*header_written {
                    writer.write_record(R::csv_header()).map_err(csv_io)?;
                    *header_written = true;
                }
                writer.write_record(item.csv_record()).map_err(csv_io)?;
                writer.flush()
            }
        }
    }

    /// Ends the list: closes the JSON array, prints the table, or writes the
    /// CSV header of an empty list.
    pub(crate) fn finish(self) -> io::Result<()> {
        let stdout = &mut self.output.stdout;
        match self.state {
            ListState::Table(table) => {
                let mut table = table;
                if table.row_count() > 0 {
                    hide_columns_that_do_not_fit(&mut table, R::columns());
                    writeln!(stdout, "{}", render(&mut table))?;
                }
                Ok(())
            }
            ListState::Json { count: 0 } => writeln!(stdout, "[]"),
            ListState::Json { .. } => writeln!(stdout, "\n]"),
            ListState::Ndjson => Ok(()),
            ListState::Csv { header_written } => {
                if !header_written {
                    let mut writer = csv_writer(stdout);
                    writer.write_record(R::csv_header()).map_err(csv_io)?;
                    writer.flush()?;
                }
                Ok(())
            }
        }
    }
}

/// Installs the log subscriber: debug-level events to stderr with `-v`,
/// nothing otherwise, so that libraries stay silent by default. `RUST_LOG`
/// replaces the default filter when set.
pub(crate) fn init_logging(verbose: bool, settings: OutputSettings) {
    if !verbose {
        return;
    }
    // The binary's crate is also named `letta`, so this target covers the
    // CLI and the SDK.
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,letta=debug,letta_mock=info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(io::stderr)
        .with_ansi(settings.color_stderr)
        .init();
}

/// Renders a borderless table whose columns are two spaces apart, with no
/// space at the start or end of a line.
/// Hides wrapping columns, rightmost first, until the rest fit the table's
/// width at their minimum sizes. Ids, amounts and statuses never wrap, so
/// squeezing them would break them mid-word; dropping a wrapping column such
/// as a species keeps every shown value whole. The first column always stays.
fn hide_columns_that_do_not_fit(table: &mut Table, columns: &[Column]) {
    let Some(available) = table.width() else {
        return;
    };
    let content = table.column_max_content_widths();
    let mut hidden = vec![false; content.len()];
    let needed = |hidden: &[bool]| -> u32 {
        let mut total = 0u32;
        for (index, width) in content.iter().enumerate() {
            if hidden[index] {
                continue;
            }
            let wraps = columns.get(index).is_some_and(|column| column.wraps);
            let width = if wraps {
                (*width).min(MIN_WRAPPED_WIDTH)
            } else {
                *width
            };
            // Every column but the last carries two spaces of padding.
            total += u32::from(width) + COLUMN_GAP;
        }
        total.saturating_sub(COLUMN_GAP)
    };

    for index in (1..content.len()).rev() {
        if needed(&hidden) <= u32::from(available) {
            break;
        }
        if columns.get(index).is_some_and(|column| column.wraps) {
            hidden[index] = true;
        }
    }
    for (index, is_hidden) in hidden.into_iter().enumerate() {
        if let (true, Some(column)) = (is_hidden, table.column_mut(index)) {
            column.set_constraint(ColumnConstraint::Hidden);
        }
    }
}

/// Returns the width in `COLUMNS` when it is a positive number.
fn columns_from_env() -> Option<u16> {
    std::env::var("COLUMNS")
        .ok()?
        .trim()
        .parse::<u16>()
        .ok()
        .filter(|width| *width > 0)
}

/// Spaces between two table columns.
const COLUMN_GAP: u32 = 2;

fn render(table: &mut Table) -> String {
    for column in table.column_iter_mut() {
        column.set_padding((0, COLUMN_GAP as u16));
    }
    table.trim_fmt()
}

/// Writes text to stderr in one call. A failure is ignored, because there is
/// nowhere left to report it.
fn write_stderr(text: &str) {
    let _ = io::stderr().lock().write_all(text.as_bytes());
}

fn csv_writer<W: Write>(writer: W) -> csv::Writer<W> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(writer)
}

fn csv_io(error: csv::Error) -> io::Error {
    match error.into_kind() {
        csv::ErrorKind::Io(error) => error,
        other => io::Error::other(format!("failed to write CSV: {other:?}")),
    }
}

/// Replaces control characters, which could move the cursor or recolour the
/// terminal, with their escaped form. Used for table cells and error text,
/// while JSON and CSV output keep data as the server sent it.
pub(crate) fn escape_controls(text: &str) -> String {
    if !text.chars().any(char::is_control) {
        return text.to_owned();
    }
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_controls_escapes_control_characters() {
        assert_eq!(escape_controls("Fern\x1b[31m"), "Fern\\u{1b}[31m");
        assert_eq!(escape_controls("a\nb"), "a\\nb");
        assert_eq!(escape_controls("Monstera"), "Monstera");
    }
}
