//! A base URL with credentials in it is rejected without echoing them.

use letta::{Client, Error};

#[test]
fn userinfo_in_base_url_is_rejected_without_echo() {
    for url in [
        "http://user:secretpw@127.0.0.1:9",
        "http://user@127.0.0.1:9",
    ] {
        let error = Client::builder()
            .base_url(url)
            .api_key("sk_test_letta")
            .build()
            .expect_err(url);

        assert!(
            matches!(
                error,
                Error::InvalidInput {
                    what: "base URL",
                    ..
                }
            ),
            "{url}: {error:?}"
        );
        let message = error.to_string();
        assert!(message.contains("user name or password"), "{message}");
        assert!(!message.contains("secretpw"), "{message}");
        assert!(!format!("{error:?}").contains("secretpw"));
    }
}
