//! One module per subcommand.

pub(crate) mod bench;
pub(crate) mod board;
pub(crate) mod ceremony;
pub(crate) mod count;
pub(crate) mod credentials;
pub(crate) mod decrypt;
pub(crate) mod demo;
pub(crate) mod election;
pub(crate) mod encrypt;
pub(crate) mod fetch;
pub(crate) mod mirror;
pub(crate) mod portal;
pub(crate) mod publish;
pub(crate) mod receipt;
pub(crate) mod remote;
pub(crate) mod serve;
pub(crate) mod tally;
pub(crate) mod verify;
pub(crate) mod witness;
