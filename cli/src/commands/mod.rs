//! One module per command group. Commands read resolved settings, call the
//! SDK and print through [`Output`](crate::output::Output).

pub(crate) mod admin;
pub(crate) mod customers;
pub(crate) mod events;
pub(crate) mod list;
pub(crate) mod mock;
pub(crate) mod orders;
pub(crate) mod payments;
pub(crate) mod plants;
pub(crate) mod watch;
pub(crate) mod webhooks;
