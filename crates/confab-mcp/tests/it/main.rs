//! The MCP suite: the tool registry called directly, `/mcp` over raw HTTP, and the
//! official Python MCP client against a real server, on SQLite and PostgreSQL.

mod client;
mod registry;
mod transport;
