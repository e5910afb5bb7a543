//! How a subcommand fails, and the exit code each kind of failure maps to.

use std::io::Write;
use std::process::ExitCode;

/// Why a subcommand did not succeed.
#[derive(Debug)]
pub(crate) enum Failure {
    /// A check failed (exit 1). The message names the check and the object.
    CheckFailed(anyhow::Error),
    /// Bad input, usage or I/O (exit 2). The message names the file, field and reason.
    BadInput(anyhow::Error),
}

impl Failure {
    /// Print the message on stderr and return the process exit code.
    pub(crate) fn report(self) -> ExitCode {
        let (code, err) = match self {
            Failure::CheckFailed(e) => (1, e),
            Failure::BadInput(e) => {
                // A closed stdout (e.g. `sanduq ... | head`) is not a failure.
                if is_broken_pipe(&e) {
                    return ExitCode::SUCCESS;
                }
                (2, e)
            }
        };
        let mut stderr = std::io::stderr().lock();
        let _ = writeln!(stderr, "sanduq: {err:#}");
        ExitCode::from(code)
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

impl From<anyhow::Error> for Failure {
    fn from(err: anyhow::Error) -> Self {
        Failure::BadInput(err)
    }
}

impl From<std::io::Error> for Failure {
    fn from(err: std::io::Error) -> Self {
        Failure::BadInput(err.into())
    }
}
