//! Browser suites (added with the shared harness).
