//! One module per command group. Commands read resolved settings, call the
//! SDK and print through [`Output`](crate::output::Output).

pub(crate) mod mock;
pub(crate) mod plants;
