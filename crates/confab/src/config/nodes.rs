//! Settings for running several nodes: how a node learns of the others' commits, and
//! how soon a dead node's idempotency claims are released.

use std::time::Duration;

use anyhow::{Context, bail};
use confab_app::wakeups::WakeupSettings;
use confab_webhooks::RetrySchedule;

use super::Layer;

/// `pg_notify` and `poll_interval`.
pub(super) fn wakeup_settings(layer: &Layer) -> anyhow::Result<WakeupSettings> {
    let defaults = WakeupSettings::default();
    let poll = match layer.poll_interval.as_deref() {
        Some(text) => duration(text, "poll_interval", Duration::from_millis(10))?,
        None => defaults.poll,
    };
    Ok(WakeupSettings {
        listen: layer.pg_notify.unwrap_or(defaults.listen),
        poll,
    })
}

/// `idempotency_lease`, in milliseconds.
pub(super) fn idempotency_lease_ms(layer: &Layer) -> anyhow::Result<i64> {
    let lease = match layer.idempotency_lease.as_deref() {
        Some(text) => duration(text, "idempotency_lease", Duration::from_secs(1))?,
        // Renewed every third of it while a request runs, so a claim left by a dead
        // node blocks its key's retries for at most this long.
        None => return Ok(confab_app::AppConfig::default().idempotency_lease_ms),
    };
    Ok(lease.as_millis() as i64)
}

/// One duration (`500ms`, `5s`, `1m`), at least `min`.
pub(super) fn duration(text: &str, name: &str, min: Duration) -> anyhow::Result<Duration> {
    let parsed = RetrySchedule::parse(text)
        .ok()
        .filter(|s| s.attempts() == 1)
        .and_then(|s| s.offset(0))
        .with_context(|| format!("{name} {text:?} must be one duration, e.g. 30s"))?;
    if parsed < min {
        bail!("{name} must be at least {min:?}");
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::super::{Config, Layer};
    use std::time::Duration;

    #[test]
    fn node_settings_have_defaults_and_are_checked() {
        let config = Config::resolve(Layer::default()).unwrap();
        assert!(config.wakeups.listen);
        assert_eq!(config.wakeups.poll, Duration::from_secs(5));
        assert_eq!(config.idempotency_lease_ms, 10_000);
        let env = Layer::from_env(|k| match k {
            "CONFAB_PG_NOTIFY" => Some("false".into()),
            "CONFAB_POLL_INTERVAL" => Some("250ms".into()),
            "CONFAB_IDEMPOTENCY_LEASE" => Some("3s".into()),
            _ => None,
        })
        .unwrap();
        let config = Config::resolve(env).unwrap();
        assert!(!config.wakeups.listen);
        assert_eq!(config.wakeups.poll, Duration::from_millis(250));
        assert_eq!(config.idempotency_lease_ms, 3_000);
        let bad = Config::resolve(Layer {
            idempotency_lease: Some("0s".into()),
            ..Layer::default()
        })
        .unwrap_err();
        assert!(bad.to_string().contains("idempotency_lease"), "{bad}");
        let bad = Config::resolve(Layer {
            poll_interval: Some("soon".into()),
            ..Layer::default()
        })
        .unwrap_err();
        assert!(bad.to_string().contains("poll_interval"), "{bad}");
    }
}
