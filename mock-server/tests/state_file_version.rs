//! A state file from another format version is refused with that reason.

use letta_mock::{Error, MockConfig, MockServer};

#[tokio::test]
async fn newer_format_version_is_named() {
    let folder = tempfile::tempdir().expect("temporary folder");
    let path = folder.path().join("state.json");
    let contents = r#"{"format":2,"state":{"something":"new"}}"#;
    std::fs::write(&path, contents).expect("write state file");

    let error = MockServer::start(MockConfig::new().state_file(&path))
        .await
        .expect_err("version 2 is refused");

    assert!(matches!(error, Error::InvalidStateFile { .. }), "{error:?}");
    let message = error.to_string();
    assert!(message.contains("format version 2"), "{message}");
    assert_eq!(
        std::fs::read_to_string(&path).expect("read state file"),
        contents,
        "the file is left untouched"
    );
}
