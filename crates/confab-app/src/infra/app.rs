//! The application: the store, the clock and the settings use cases need.

use std::path::PathBuf;

use confab_core::agent::ProviderSettings;
use confab_store::Store;

use crate::Clock;
use crate::ai::ai_providers::Providers;
use crate::budget::Prices;
use crate::erasure_purge::ErasurePurge;
use crate::files::FileStore;
use crate::knowledge_index::KnowledgeIndexes;
use crate::live::EventBus;
use crate::wakeups::{WakeupSettings, Wakeups};
use crate::work_metrics::WorkMetrics;

/// Settings the use cases read (the binary builds it from layered config).
#[derive(Clone, Debug)]
pub struct AppConfig {
    /// Public base URL, used in bootstrap output (console URL, widget snippet).
    pub public_url: String,
    /// How long an idempotency key is kept.
    pub idempotency_ttl_ms: i64,
    /// How long a claimed-but-unfinished key blocks retries unless its request, still
    /// running, renews it (every third of it).
    pub idempotency_lease_ms: i64,
    /// How long a claimed job (an AI reply, a task) is reserved unless its worker, still
    /// running it, renews it (every third of it): a dead worker's job is claimed again
    /// after at most this long.
    pub job_lease_ms: i64,
    /// Where uploaded files are stored.
    pub files_dir: PathBuf,
    /// How long events are kept.
    pub event_retention_ms: i64,
    /// How AI replies are produced.
    pub ai: AiConfig,
    /// How webhooks are sent (schedule, private networks, concurrency).
    pub webhooks: confab_webhooks::WebhookSettings,
    /// How tasks run and what AI work costs.
    pub tasks: TaskSettings,
    /// How this process learns of other nodes' commits.
    pub wakeups: WakeupSettings,
}

/// The task gateway's settings.
#[derive(Clone, Debug)]
pub struct TaskSettings {
    /// The price table every action and model call is charged by.
    pub prices: Prices,
    /// How long a task can be read after it was accepted (then 404).
    pub ttl_ms: i64,
    /// Tasks one process runs at once.
    pub concurrency: usize,
    /// Model requests per task before the model must answer.
    pub max_model_rounds: usize,
}

impl Default for TaskSettings {
    fn default() -> Self {
        TaskSettings {
            prices: Prices::default(),
            ttl_ms: 24 * 3600 * 1000,
            concurrency: 4,
            max_model_rounds: 8,
        }
    }
}

/// The operator's AI settings: the provider agents use unless they name their own,
/// where each kind of provider lives, and which key variables agents may name.
#[derive(Clone, Debug)]
pub struct AiConfig {
    /// The provider of agents that do not choose one (and of conversations without an agent).
    pub provider: ProviderSettings,
    pub openai_base_url: String,
    pub anthropic_base_url: String,
    /// Environment variables an agent may name as `api_key_env` together with its own
    /// `base_url`. Empty by default: a workspace cannot send the operator's key elsewhere.
    pub key_envs: Vec<String>,
    /// Whole-request bound for one provider call, stream included.
    pub timeout_ms: u64,
    /// Longest silence allowed between streamed chunks.
    pub idle_timeout_ms: u64,
    /// Provider attempts per customer message before the AI hands off.
    pub max_attempts: i64,
}

impl Default for AiConfig {
    fn default() -> Self {
        AiConfig {
            provider: ProviderSettings::default(),
            openai_base_url: "https://api.openai.com/v1".into(),
            anthropic_base_url: "https://api.anthropic.com".into(),
            key_envs: Vec::new(),
            timeout_ms: 60_000,
            idle_timeout_ms: 20_000,
            max_attempts: 4,
        }
    }
}

impl Default for AppConfig {
    fn default() -> Self {
        AppConfig {
            public_url: "http://127.0.0.1:8080".into(),
            idempotency_ttl_ms: 24 * 3600 * 1000,
            idempotency_lease_ms: 10 * 1000,
            job_lease_ms: 30 * 1000,
            files_dir: PathBuf::from("confab-data/files"),
            event_retention_ms: 30 * 24 * 3600 * 1000,
            ai: AiConfig::default(),
            webhooks: confab_webhooks::WebhookSettings::default(),
            tasks: TaskSettings::default(),
            wakeups: WakeupSettings::default(),
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
    /// Wakes the pump, the dispatcher and the workers on commits, here and elsewhere.
    pub wakeups: Wakeups,
    /// Job latency per kind, for `/metrics`.
    pub work: WorkMetrics,
    /// Each workspace's knowledge, indexed in memory.
    pub knowledge: KnowledgeIndexes,
    /// LLM adapters, kept with their connection pools.
    pub providers: Providers,
    /// Erased data made unreadable on disk after each erasure, one purge at a time.
    pub erasure_purge: ErasurePurge,
}

impl App {
    pub fn new(store: Store, clock: Clock, config: AppConfig) -> Self {
        App {
            store,
            clock,
            files: FileStore::new(config.files_dir.clone()),
            bus: EventBus::default(),
            wakeups: Wakeups::default(),
            work: WorkMetrics::default(),
            knowledge: KnowledgeIndexes::default(),
            providers: Providers::default(),
            erasure_purge: ErasurePurge::default(),
            config,
        }
    }
}
