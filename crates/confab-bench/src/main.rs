//! `confab-bench`: load benchmarks run by hand, e.g.
//! `cargo run --release -p confab-bench -- messages`. Not a test: the numbers depend on
//! the machine, so nothing here asserts on them. Each workload is a subcommand; the
//! shared pieces (client loop, statistics, server control) live in their own modules.

mod baseline;
mod knowledge;
mod knowledge_corpus;
mod load;
mod messages;
mod nodes;
mod report;
mod server;
mod stats;
mod streams;
mod webhooks;
mod widget;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "confab-bench", about = "Load benchmarks for the confab server")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Post customer messages to Confab and to a bare axum + SQLite insert; compare.
    Messages(messages::MessagesArgs),
    /// Hold many idle live event streams open; report server memory, threads and fan-out.
    Streams(streams::StreamsArgs),
    /// Build a knowledge index of generated entries in process and time searches.
    Knowledge(knowledge::KnowledgeArgs),
    /// Emit events to one webhook endpoint on a local receiver; report delivered
    /// events per second and event-to-receipt latency.
    Webhooks(webhooks::WebhooksArgs),
    /// Two API nodes on one PostgreSQL database: latency from a commit on one to the
    /// event on the other's live stream, with LISTEN/NOTIFY and with the poll fallback.
    Nodes(nodes::NodesArgs),
    /// The chat widget: its gzipped size, and the time from navigation to an
    /// interactive launcher in headless Chromium (cold and warm).
    Widget(widget::WidgetArgs),
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let work = async {
        match cli.command {
            Command::Messages(args) => messages::run(args).await,
            Command::Streams(args) => streams::run(args).await,
            Command::Knowledge(args) => knowledge::run(args),
            Command::Webhooks(args) => webhooks::run(args).await,
            Command::Widget(args) => widget::run(args).await,
            Command::Nodes(args) => nodes::run(args).await,
        }
    };
    // On Ctrl-C the work future is dropped, which kills a running confab child.
    let result = tokio::select! {
        result = work => result,
        _ = tokio::signal::ctrl_c() => Err(anyhow::anyhow!("interrupted")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("confab-bench: {err:#}");
            ExitCode::FAILURE
        }
    }
}
