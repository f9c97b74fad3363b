//! Exit codes and the error report printed on stderr.

use std::io;
use std::time::Duration;

use crate::output::Output;

/// The documented exit codes, also listed in `letta --help`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum Exit {
    /// The command did what it was asked.
    Success = 0,
    /// Any failure without a more specific code, such as a response that
    /// could not be decoded.
    Failure = 1,
    /// Invalid flags or arguments, or no server to talk to. clap exits with
    /// the same code for the errors it finds.
    Usage = 2,
    /// The server returned 404.
    NotFound = 3,
    /// The server rejected the request with another 4xx status.
    Rejected = 4,
    /// The server returned 401 or 403.
    Auth = 5,
    /// The server returned 429.
    RateLimited = 6,
    /// The server returned a 5xx status.
    Server = 7,
    /// No connection could be made, it broke, or the request timed out.
    Connection = 8,
    /// The user pressed Ctrl-C.
    Interrupted = 130,
}

impl From<Exit> for std::process::ExitCode {
    fn from(exit: Exit) -> Self {
        std::process::ExitCode::from(exit as u8)
    }
}

/// A mistake in how the CLI was called that clap cannot see, such as a
/// missing base URL or a price with too many decimals.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub(crate) struct UsageError {
    message: String,
    hints: Vec<String>,
}

impl UsageError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            hints: Vec::new(),
        }
    }

    pub(crate) fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hints.push(hint.into());
        self
    }
}

/// Facts about the run that make hints concrete.
#[derive(Debug, Clone, Default)]
pub(crate) struct ErrorContext {
    /// The server the run talked to, when known.
    pub(crate) base_url: Option<String>,
    /// Whether the server was the bundled mock.
    pub(crate) mock: bool,
    /// The request timeout in force.
    pub(crate) timeout: Option<Duration>,
}

/// Returns true when `error` comes from writing to a closed stdout, which
/// ends the run quietly and successfully.
pub(crate) fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
    })
}

/// Chooses the exit code for `error`.
pub(crate) fn exit_code(error: &anyhow::Error) -> Exit {
    for cause in error.chain() {
        if cause.downcast_ref::<UsageError>().is_some() {
            return Exit::Usage;
        }
        if let Some(api) = cause.downcast_ref::<letta::Error>() {
            return sdk_exit_code(api);
        }
    }
    Exit::Failure
}

fn sdk_exit_code(error: &letta::Error) -> Exit {
    match error {
        letta::Error::Api(api) => status_exit_code(api.status.as_u16()),
        letta::Error::RateLimited(_) => Exit::RateLimited,
        letta::Error::Transport { .. } | letta::Error::DeadlineExceeded { .. } => Exit::Connection,
        letta::Error::InvalidInput { .. } => Exit::Usage,
        _ => Exit::Failure,
    }
}

fn status_exit_code(status: u16) -> Exit {
    match status {
        404 => Exit::NotFound,
        401 | 403 => Exit::Auth,
        429 => Exit::RateLimited,
        400..=499 => Exit::Rejected,
        500..=599 => Exit::Server,
        _ => Exit::Failure,
    }
}

/// Prints `error` on stderr: what failed, each cause, the request id and
/// field errors when the server sent them, then hints.
pub(crate) fn report(output: &Output, error: &anyhow::Error, context: &ErrorContext) {
    let mut details = Vec::new();
    let mut hints = Vec::new();
    let mut request_id = None;
    let mut last_line = String::new();

    let headline = error.to_string();
    for cause in error.chain().skip(1) {
        let transport = matches!(
            cause.downcast_ref::<letta::Error>(),
            Some(letta::Error::Transport { .. })
        );
        let mut lines = cause_lines(cause);
        if let Some(first) = lines.first_mut() {
            // Transport errors repeat their cause inside their own message.
            if last_line.contains(first.as_str()) {
                continue;
            }
            last_line = first.clone();
            *first = format!("caused by: {first}");
        }
        details.extend(lines);
        if transport {
            // The HTTP stack's own chain only repeats itself down to the root cause.
            break;
        }
    }

    for cause in error.chain() {
        if let Some(usage) = cause.downcast_ref::<UsageError>() {
            hints.extend(usage.hints.iter().cloned());
        }
        if let Some(sdk) = cause.downcast_ref::<letta::Error>() {
            if error.chain().count() == 1 {
                // The SDK error is the headline, so its details still belong below it.
                details.extend(cause_lines(cause).into_iter().skip(1));
            }
            request_id = request_id.or_else(|| sdk.request_id().map(str::to_owned));
            hints.extend(sdk_hints(sdk, context));
        }
    }

    if let Some(id) = request_id {
        details.push(format!("request id: {id}"));
    }
    output.error(&headline, &details, &hints);
}

/// Describes one cause: its message, then any lines the SDK adds.
fn cause_lines(cause: &(dyn std::error::Error + 'static)) -> Vec<String> {
    let Some(sdk) = cause.downcast_ref::<letta::Error>() else {
        return vec![cause.to_string()];
    };
    match sdk {
        letta::Error::Api(api) => {
            let mut lines = vec![api_summary(api)];
            for field in &api.errors {
                lines.push(format!("{}: {}", field_name(&field.pointer), field.detail));
            }
            lines
        }
        letta::Error::Decode(decode) => vec![
            sdk.to_string(),
            format!(
                "response body starts with: {}",
                crate::output::escape_controls(&decode.excerpt)
            ),
        ],
        letta::Error::Transport { .. } => vec![format!("{sdk}: {}", root_cause(sdk))],
        // `rate limited: retry after N s`, then the server's own message.
        letta::Error::RateLimited(limited) => {
            vec![sdk.to_string(), api_summary(&limited.response)]
        }
        other => vec![other.to_string()],
    }
}

/// Returns the innermost source of `error`, such as `Connection refused`.
fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut current = error;
    while let Some(source) = current.source() {
        current = source;
    }
    current.to_string()
}

/// Summarises an API error without its field errors, which get a line each.
fn api_summary(api: &letta::ApiError) -> String {
    let mut summary = format!("server returned {}", api.status);
    if let Some(code) = &api.code {
        summary.push_str(&format!(" ({code})"));
    }
    if api.attempts > 1 {
        summary.push_str(&format!(" after {} attempts", api.attempts));
    }
    if !api.detail.is_empty() {
        summary.push_str(&format!(": {}", api.detail));
    }
    summary
}

/// Turns a JSON Pointer such as `/items/0/quantity` into `items.0.quantity`;
/// a query parameter name stays as it is.
fn field_name(pointer: &str) -> String {
    match pointer.strip_prefix('/') {
        Some(path) => path.replace('/', "."),
        None => pointer.to_owned(),
    }
}

fn sdk_hints(error: &letta::Error, context: &ErrorContext) -> Vec<String> {
    let server = context.base_url.as_deref().unwrap_or("the base URL");
    if error.is_timeout() {
        let seconds = context
            .timeout
            .unwrap_or(letta::DEFAULT_TIMEOUT)
            .as_secs_f64();
        return vec![format!(
            "the server did not answer within {seconds} seconds; allow longer with --timeout SECONDS"
        )];
    }
    if error.is_connect() {
        let mut hints = vec![format!("is the server running at {server}?")];
        if !context.mock {
            hints.push("to try the CLI without a server, add --mock".to_owned());
        }
        return hints;
    }

    let Some(api) = error.as_api() else {
        return Vec::new();
    };
    match api.status.as_u16() {
        401 => vec!["check the API key given with --api-key or set in LETTA_API_KEY".to_owned()],
        403 => vec!["the API key is valid but lacks permission for this request".to_owned()],
        402 => {
            let payment = error
                .as_api()
                .and_then(|api| api.payment_id.as_deref())
                .map_or_else(
                    || "the failed payment".to_owned(),
                    |id| format!("the failed payment {id}"),
                );
            vec![format!(
                "{payment} is recorded and the order stays pending; pay again with another method"
            )]
        }
        429 => vec![
            "the server limits how often this API key may send requests; run the command again after the wait".to_owned(),
        ],
        500..=599 => vec![
            "the server failed; retry later, and quote the request id if you report it".to_owned(),
        ],
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_codes_map_to_documented_exits() {
        let cases = [
            (404, Exit::NotFound),
            (401, Exit::Auth),
            (403, Exit::Auth),
            (429, Exit::RateLimited),
            (400, Exit::Rejected),
            (402, Exit::Rejected),
            (409, Exit::Rejected),
            (422, Exit::Rejected),
            (500, Exit::Server),
            (503, Exit::Server),
        ];
        for (status, exit) in cases {
            assert_eq!(status_exit_code(status), exit, "{status}");
        }
    }

    #[test]
    fn usage_error_exits_two() {
        let error = anyhow::Error::new(UsageError::new("no base URL"));
        assert_eq!(exit_code(&error), Exit::Usage);
    }

    #[test]
    fn broken_pipe_is_found_under_context() {
        let error = anyhow::Error::new(io::Error::from(io::ErrorKind::BrokenPipe))
            .context("failed to write");
        assert!(is_broken_pipe(&error));
    }

    #[test]
    fn field_names_drop_pointer_syntax() {
        assert_eq!(field_name("/items/0/quantity"), "items.0.quantity");
        assert_eq!(field_name("limit"), "limit");
    }
}
