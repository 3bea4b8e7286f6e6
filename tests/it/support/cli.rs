//! The `silico` binary run as a user runs it: from the repository root, with no API key inherited
//! from the environment (a key in the developer's shell must not decide a test).

use std::process::{Command, Output};

/// The command, ready for arguments.
pub fn silico_command() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_silico"));
    command
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("SILICO_API_KEY")
        .env_remove("OPENAI_API_KEY");
    command
}

/// Runs `silico ARGS` and returns its whole output.
pub fn silico_output(args: &[&str]) -> Output {
    silico_command().args(args).output().expect("silico runs")
}

/// Runs `silico ARGS`: exit code (-1 when killed by a signal), stdout, stderr.
pub fn silico_text(args: &[&str]) -> (i32, String, String) {
    let output = silico_output(args);
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Runs `silico ARGS` with extra environment variables: success, stdout, stderr.
pub fn silico_with_env(args: &[&str], env: &[(&str, &str)]) -> (bool, String, String) {
    let output = silico_command()
        .args(args)
        .envs(env.iter().copied())
        .output()
        .expect("silico runs");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}
