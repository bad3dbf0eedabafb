//! Integration tests for confab-agent.
