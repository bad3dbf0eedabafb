//! A Python interpreter with a PyPI package, for tests that check Confab against code we
//! did not write (a webhook verifier, the MCP client).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Whether `python` can import `module`.
pub fn can_import(python: &Path, module: &str) -> bool {
    Command::new(python)
        .args(["-c", &format!("import {module}")])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// A Python that imports `module`: the one named by the environment variable `env_var`
/// when it is set (`.ci/run` prepares it), otherwise a virtual environment under `dir`
/// (made once, with `pip install package`). `Err` says why none could be had.
pub fn with_package(
    env_var: &str,
    dir: &Path,
    package: &str,
    module: &str,
) -> Result<PathBuf, String> {
    if let Ok(path) = std::env::var(env_var)
        && !path.is_empty()
    {
        let python = PathBuf::from(path);
        return if can_import(&python, module) {
            Ok(python)
        } else {
            Err(format!(
                "{env_var}={} cannot import {module}",
                python.display()
            ))
        };
    }
    let python = dir.join("bin").join("python");
    if can_import(&python, module) {
        return Ok(python);
    }
    let made = Command::new("python3")
        .arg("-m")
        .arg("venv")
        .arg(dir)
        .status()
        .map_err(|e| format!("python3 is not available ({e})"))?;
    if !made.success() {
        return Err(format!("python3 -m venv {} failed", dir.display()));
    }
    let installed = Command::new(&python)
        .args(["-m", "pip", "install", "--quiet", package])
        .status()
        .map_err(|e| format!("pip did not run ({e})"))?;
    if !installed.success() || !can_import(&python, module) {
        return Err(format!("pip install {package} failed"));
    }
    Ok(python)
}
