//! The client and its builder.

use std::sync::Arc;
use std::time::Duration;

use url::Url;

use crate::clock::{Clock, TokioClock};
use crate::error::{Error, Result};
use crate::ratelimit::Pacer;
use crate::resources::Plants;
use crate::retry::{Retrier, RetryPolicy};

/// The default timeout for one request, from sending it to reading the whole body.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// The default timeout for establishing a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// The default deadline of one call, covering every attempt and every wait
/// between attempts.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(60);

const SDK_USER_AGENT: &str = concat!("letta-rust/", env!("CARGO_PKG_VERSION"));

/// A client for the Letta API.
///
/// Build one with [`Client::builder`] and share it: cloning is cheap, and
/// clones share one connection pool.
///
/// ```no_run
/// # async fn run() -> letta::Result<()> {
/// let client = letta::Client::builder()
///     .base_url("http://127.0.0.1:4010")
///     .api_key("sk_test_letta")
///     .build()?;
///
/// let page = client.plants().list().limit(10).send().await?;
/// for plant in &page.data {
///     println!("{} {}", plant.id, plant.name);
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<ClientInner>,
}

pub(crate) struct ClientInner {
    pub(crate) http: reqwest::Client,
    pub(crate) base_url: Url,
    pub(crate) api_key: Option<ApiKey>,
    /// The `Authorization: Bearer` value for `api_key`, built once and
    /// marked sensitive so that it is left out of debug output.
    pub(crate) authorization: Option<http::HeaderValue>,
    /// The timeout of one attempt.
    pub(crate) attempt_timeout: Duration,
    /// The time limit of one call, retries and waits included.
    pub(crate) deadline: Duration,
    pub(crate) retrier: Retrier,
    /// Present when pacing is on.
    pub(crate) pacer: Option<Pacer>,
    pub(crate) clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url.as_str())
            .field("api_key", &self.inner.api_key)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Starts building a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// Returns the base URL requests are sent to.
    pub fn base_url(&self) -> &Url {
        &self.inner.base_url
    }

    /// Returns the plants resource: the inventory.
    pub fn plants(&self) -> Plants {
        Plants::new(self.clone())
    }
}

/// An API key, redacted in `Debug` output so it never reaches a log.
#[derive(Clone)]
pub(crate) struct ApiKey(String);

impl ApiKey {
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ApiKey(<redacted>)")
    }
}

/// Settings for a [`Client`].
///
/// Setters never fail; [`ClientBuilder::build`] checks every value.
#[derive(Clone)]
pub struct ClientBuilder {
    base_url: Option<String>,
    api_key: Option<ApiKey>,
    timeout: Duration,
    connect_timeout: Duration,
    user_agent: Option<String>,
    deadline: Duration,
    retry_policy: RetryPolicy,
    pacing: bool,
    clock: Arc<dyn Clock>,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self {
            base_url: None,
            api_key: None,
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            user_agent: None,
            deadline: DEFAULT_DEADLINE,
            retry_policy: RetryPolicy::default(),
            pacing: false,
            clock: Arc::new(TokioClock),
        }
    }
}

impl std::fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url)
            .field("api_key", &self.api_key)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("user_agent", &self.user_agent)
            .field("deadline", &self.deadline)
            .field("retry_policy", &self.retry_policy)
            .field("pacing", &self.pacing)
            .field("clock", &self.clock)
            .finish()
    }
}

impl ClientBuilder {
    /// Sets the URL of the API, such as `http://127.0.0.1:4010`. Required:
    /// there is no default, so a client never talks to a server by accident.
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = Some(base_url.into());
        self
    }

    /// Sets the API key sent as `Authorization: Bearer <key>`. Without one,
    /// only the endpoints that need no key (`/health`) succeed.
    pub fn api_key(mut self, api_key: impl Into<String>) -> Self {
        self.api_key = Some(ApiKey(api_key.into()));
        self
    }

    /// Sets the timeout of one attempt, from sending it to reading the whole
    /// body. The [deadline](Self::deadline) can cut it short. Default: 30
    /// seconds.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets the deadline of one call: the time from its start until the
    /// client gives up, covering every attempt and every wait between
    /// attempts. The timeout of one attempt never extends it. Default: 60
    /// seconds.
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }

    /// Sets how failed requests are retried. Default: [`RetryPolicy::new`],
    /// 2 retries with exponential backoff and full jitter.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry_policy = policy;
        self
    }

    /// Turns pacing on or off. With pacing on, the client reads the
    /// `RateLimit-Policy` and `RateLimit` headers of every response and
    /// spaces the requests of all its clones so that they stay under the
    /// server's quota, instead of collecting `429` responses. Default: off.
    pub fn pacing(mut self, enabled: bool) -> Self {
        self.pacing = enabled;
        self
    }

    /// Replaces the clock behind the deadline, the waits between attempts,
    /// pacing and HTTP-date hints; tests use it to control time. Default:
    /// [`TokioClock`].
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Sets the timeout for establishing a connection. Default: 10 seconds.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Sets a product token, such as `my-app/1.2`, sent in `User-Agent` before
    /// the SDK's own (`letta-rust/<version>`). Default: the SDK's token alone.
    pub fn user_agent(mut self, product: impl Into<String>) -> Self {
        self.user_agent = Some(product.into());
        self
    }

    /// Checks the settings and builds the client.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] when the base URL is missing, is not an
    /// absolute `http` or `https` URL, or carries a query or fragment; when
    /// the API key is empty or holds characters a header cannot carry; when
    /// a timeout or the deadline is zero; when the retry policy's max
    /// backoff is shorter than its initial backoff, or its budget has no
    /// tokens or a ratio that is not positive; or when the user agent is not
    /// a valid header value.
    pub fn build(self) -> Result<Client> {
        let base_url = parse_base_url(self.base_url.as_deref())?;

        if let Some(key) = &self.api_key {
            check_api_key(key.expose())?;
        }
        if self.timeout.is_zero() {
            return Err(Error::invalid("timeout", "must be greater than zero"));
        }
        if self.connect_timeout.is_zero() {
            return Err(Error::invalid(
                "connect timeout",
                "must be greater than zero",
            ));
        }
        if self.deadline.is_zero() {
            return Err(Error::invalid("deadline", "must be greater than zero"));
        }
        self.retry_policy.check()?;

        let user_agent = match &self.user_agent {
            Some(product) => format!("{product} {SDK_USER_AGENT}"),
            None => SDK_USER_AGENT.to_owned(),
        };
        if http::HeaderValue::from_str(&user_agent).is_err() {
            return Err(Error::invalid(
                "user agent",
                format!("`{user_agent}` contains characters not allowed in a header"),
            ));
        }

        let http = reqwest::Client::builder()
            .timeout(self.timeout)
            .connect_timeout(self.connect_timeout)
            .user_agent(user_agent)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|error| Error::invalid("HTTP client settings", error.to_string()))?;

        let authorization = self.api_key.as_ref().map(bearer_value).transpose()?;

        Ok(Client {
            inner: Arc::new(ClientInner {
                http,
                base_url,
                api_key: self.api_key,
                authorization,
                attempt_timeout: self.timeout,
                deadline: self.deadline,
                retrier: Retrier::new(self.retry_policy),
                pacer: self.pacing.then(Pacer::default),
                clock: self.clock,
            }),
        })
    }
}

fn parse_base_url(raw: Option<&str>) -> Result<Url> {
    let Some(raw) = raw else {
        return Err(Error::invalid(
            "base URL",
            "not set; call `ClientBuilder::base_url`, for example with `http://127.0.0.1:4010`",
        ));
    };
    let mut url = Url::parse(raw.trim())
        .map_err(|error| Error::invalid("base URL", format!("`{raw}` is not a URL: {error}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Error::invalid(
            "base URL",
            format!("`{raw}` must start with http:// or https://"),
        ));
    }
    if url.cannot_be_a_base() || url.host().is_none() {
        return Err(Error::invalid("base URL", format!("`{raw}` has no host")));
    }
    if !url.username().is_empty() || url.password().is_some() {
        // The URL is not echoed: its password is a secret.
        return Err(Error::invalid(
            "base URL",
            "must not contain a user name or password; pass the API key with `api_key`",
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::invalid(
            "base URL",
            format!("`{raw}` must not contain a query or fragment"),
        ));
    }
    // Paths are appended segment by segment, so drop a trailing slash.
    if url.path().ends_with('/') {
        let trimmed = url.path().trim_end_matches('/').to_owned();
        url.set_path(&trimmed);
    }
    Ok(url)
}

/// Builds the `Authorization` value for `key`, marked sensitive.
fn bearer_value(key: &ApiKey) -> Result<http::HeaderValue> {
    let mut value = http::HeaderValue::try_from(format!("Bearer {}", key.expose()))
        .map_err(|_| Error::invalid("API key", "contains characters not allowed in a header"))?;
    value.set_sensitive(true);
    Ok(value)
}

fn check_api_key(key: &str) -> Result<()> {
    if key.is_empty() {
        return Err(Error::invalid("API key", "is empty"));
    }
    if key.bytes().any(|b| !b.is_ascii_graphic()) {
        // The key itself is never echoed, even in an error.
        return Err(Error::invalid(
            "API key",
            "contains whitespace or non-ASCII characters; check for a stray newline or quote",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts_the_api_key() {
        let builder = Client::builder()
            .base_url("http://127.0.0.1:1")
            .api_key("sk_test_secret");
        assert!(!format!("{builder:?}").contains("sk_test_secret"));

        let client = builder.build().expect("valid settings");
        let debug = format!("{client:?}");
        assert!(!debug.contains("sk_test_secret"), "{debug}");
        assert!(debug.contains("<redacted>"), "{debug}");
    }

    #[test]
    fn base_url_is_required_and_checked() {
        let missing = Client::builder().build().expect_err("no base URL");
        assert!(missing.to_string().contains("base URL"), "{missing}");

        for bad in [
            "127.0.0.1:4010",
            "ftp://h",
            "http://h/?x=1",
            "not a url",
            "http://h/#f",
        ] {
            let error = Client::builder().base_url(bad).build().expect_err(bad);
            assert!(
                matches!(
                    error,
                    Error::InvalidInput {
                        what: "base URL",
                        ..
                    }
                ),
                "{bad}: {error}"
            );
        }
    }

    #[test]
    fn base_url_trailing_slash_is_dropped() {
        let client = Client::builder()
            .base_url("http://127.0.0.1:4010/api/")
            .build()
            .expect("valid");
        assert_eq!(client.base_url().as_str(), "http://127.0.0.1:4010/api");
    }

    #[test]
    fn api_key_with_newline_is_rejected_without_echo() {
        let error = Client::builder()
            .base_url("http://127.0.0.1:1")
            .api_key("sk_test_abc\n")
            .build()
            .expect_err("newline in key");
        let message = error.to_string();
        assert!(message.contains("API key"), "{message}");
        assert!(!message.contains("sk_test_abc"), "{message}");
    }

    #[test]
    fn zero_timeout_is_rejected() {
        let error = Client::builder()
            .base_url("http://127.0.0.1:1")
            .timeout(Duration::ZERO)
            .build()
            .expect_err("zero timeout");
        assert!(error.to_string().contains("timeout"), "{error}");
    }
}
