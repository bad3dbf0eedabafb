//! The application: the store, the clock and the settings use cases need.

use std::path::PathBuf;

use confab_store::Store;

use crate::Clock;
use crate::files::FileStore;
use crate::live::EventBus;

/// Settings the use cases read (the binary builds it from layered config).
#[derive(Clone, Debug)]
pub struct AppConfig {
    /// Public base URL, used in bootstrap output (console URL, widget snippet).
    pub public_url: String,
    /// How long an idempotency key is kept.
    pub idempotency_ttl_ms: i64,
    /// How long a claimed-but-unfinished key blocks retries before it may be taken over.
    pub idempotency_lease_ms: i64,
    /// Where uploaded files are stored.
    pub files_dir: PathBuf,
    /// How long events are kept.
    pub event_retention_ms: i64,
    /// How webhooks are sent (schedule, private networks, concurrency).
    pub webhooks: confab_webhooks::WebhookSettings,
}

impl Default for AppConfig {
    fn default() -> Self {
        AppConfig {
            public_url: "http://127.0.0.1:8080".into(),
            idempotency_ttl_ms: 24 * 3600 * 1000,
            idempotency_lease_ms: 60 * 1000,
            files_dir: PathBuf::from("confab-data/files"),
            event_retention_ms: 30 * 24 * 3600 * 1000,
            webhooks: confab_webhooks::WebhookSettings::default(),
        }
    }
}

#[derive(Clone, Debug)]
pub struct App {
    pub store: Store,
    pub clock: Clock,
    pub config: AppConfig,
    pub files: FileStore,
    /// Fans committed events out to live streams.
    pub bus: EventBus,
}

impl App {
    pub fn new(store: Store, clock: Clock, config: AppConfig) -> Self {
        App {
            store,
            clock,
            files: FileStore::new(config.files_dir.clone()),
            bus: EventBus::default(),
            config,
        }
    }
}
