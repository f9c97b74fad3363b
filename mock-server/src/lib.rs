//! Mock server.
