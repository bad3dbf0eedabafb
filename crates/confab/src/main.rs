//! The `confab` binary: command line, configuration and wiring.

mod config;
mod serve;

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use config::{Config, Layer};

#[derive(Parser)]
#[command(
    name = "confab",
    version,
    about = "Self-hostable, API-first AI customer chat"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Role {
    /// The HTTP API and the live-event pump.
    Api,
    /// Background work (AI replies, tasks, webhook deliveries, the cleaner); its listen
    /// address serves only `/healthz`, `/readyz` and `/metrics`.
    Worker,
    /// Everything in one process (the default).
    All,
}

#[derive(clap::Args, Debug, Default)]
struct CommonFlags {
    /// Directory for the SQLite database and files.
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// `sqlite://…` or `postgres://…` (overrides CONFAB_DATABASE_URL).
    #[arg(long)]
    database_url: Option<String>,
    /// A TOML config file (default: ./confab.toml when present).
    #[arg(long)]
    config: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (HTTP and background work).
    Serve {
        /// Address to listen on, e.g. 127.0.0.1:8080 (port 0 picks a free port).
        #[arg(long)]
        listen: Option<String>,
        #[arg(long, value_enum, default_value = "all")]
        role: Role,
        #[command(flatten)]
        common: CommonFlags,
    },
    /// Create the database and the "Default" workspace without serving.
    Init {
        /// Print the credentials as one JSON object.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        common: CommonFlags,
    },
    /// Issue a new owner access token for an existing database (when the one printed at
    /// the first start is lost). Earlier tokens keep working.
    OwnerToken {
        /// The workspace (`ws_…`); needed only when the database holds several.
        #[arg(long)]
        workspace: Option<String>,
        /// Print the result as one JSON object.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        common: CommonFlags,
    },
}

fn flags(common: &CommonFlags, listen: Option<String>) -> Layer {
    Layer::named("the command line")
        .set("listen", listen)
        .set(
            "data_dir",
            common.data_dir.as_ref().map(|d| d.display().to_string()),
        )
        .set("database.url", common.database_url.clone())
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(err) => {
            eprintln!("confab: cannot start the async runtime: {err}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Serve {
                listen,
                role,
                common,
            } => {
                let config = Config::load(common.config.as_deref(), flags(&common, listen))?;
                serve::serve(config, role).await
            }
            Command::Init { json, common } => {
                let config = Config::load(common.config.as_deref(), flags(&common, None))?;
                serve::init(config, json).await
            }
            Command::OwnerToken {
                workspace,
                json,
                common,
            } => {
                let config = Config::load(common.config.as_deref(), flags(&common, None))?;
                serve::owner_token(config, workspace.as_deref(), json).await
            }
        }
    });
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("confab: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
