//! `cognito-auth emulator`: serves the Cognito emulator until Ctrl-C.

use clap::Args;

use crate::exit::{self, CliError};
use crate::ui;

/// `emulator`.
#[derive(Debug, Args)]
pub struct EmulatorArgs {
    #[command(flatten)]
    serve: cognito_auth_emulator::serve::ServeArgs,
}

/// Serves the emulator, warning when it is reachable beyond loopback.
pub async fn serve(args: EmulatorArgs) -> Result<u8, CliError> {
    cognito_auth_emulator::serve::init_logging();
    if !args.serve.bind.is_loopback() {
        ui::warn(&format!(
            "binding {}: the emulator has no authentication; anyone who can reach it can sign in as any user",
            args.serve.bind
        ));
    }
    let config = args.serve.into_config();
    let emulator = cognito_auth_emulator::Emulator::start(config)
        .await
        .map_err(|e| CliError::config(format!("emulator: {e}")))?;
    ui::out(&format!("listening on {}\n", emulator.endpoint_url()));
    let _ = tokio::signal::ctrl_c().await;
    emulator.shutdown().await;
    Ok(exit::code::OK)
}
