//! `[prices]`: what the task gateway charges a key, in cents.

use confab_app::TaskSettings;
use confab_app::budget::{Prices, TokenPrices};
use confab_app::core::money::Microcents;
use serde::{Deserialize, Serialize};

use super::setting;

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct PricesSection {
    /// Cents charged to a key for each action the task agent takes (default 0.1).
    pub action_cents: Option<Amount>,
    /// Cents per million tokens to and from OpenAI-compatible providers (15 / 60).
    pub openai_input_cents_per_mtok: Option<Amount>,
    pub openai_output_cents_per_mtok: Option<Amount>,
    /// Cents per million tokens to and from Anthropic (100 / 500).
    pub anthropic_input_cents_per_mtok: Option<Amount>,
    pub anthropic_output_cents_per_mtok: Option<Amount>,
}

/// A decimal amount, written as a TOML number or string (`0.1`, `"0.000015"`).
#[derive(Clone, Debug, Deserialize, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Amount {
    Whole(u64),
    Fraction(f64),
    Text(String),
}

impl Amount {
    fn text(&self) -> String {
        match self {
            Amount::Whole(n) => n.to_string(),
            Amount::Fraction(f) => f.to_string(),
            Amount::Text(t) => t.clone(),
        }
    }
}

fn price(value: Option<Amount>, default: Microcents, path: &str) -> anyhow::Result<Microcents> {
    match value {
        None => Ok(default),
        Some(amount) => Microcents::parse_cents(&amount.text())
            .map_err(|e| anyhow::anyhow!("{}: {e}", setting(path))),
    }
}

impl PricesSection {
    pub fn validate(self) -> anyhow::Result<Prices> {
        let p = TaskSettings::default().prices;
        Ok(Prices {
            action: price(self.action_cents, p.action, "prices.action_cents")?,
            openai: TokenPrices {
                input_per_million: price(
                    self.openai_input_cents_per_mtok,
                    p.openai.input_per_million,
                    "prices.openai_input_cents_per_mtok",
                )?,
                output_per_million: price(
                    self.openai_output_cents_per_mtok,
                    p.openai.output_per_million,
                    "prices.openai_output_cents_per_mtok",
                )?,
            },
            anthropic: TokenPrices {
                input_per_million: price(
                    self.anthropic_input_cents_per_mtok,
                    p.anthropic.input_per_million,
                    "prices.anthropic_input_cents_per_mtok",
                )?,
                output_per_million: price(
                    self.anthropic_output_cents_per_mtok,
                    p.anthropic.output_per_million,
                    "prices.anthropic_output_cents_per_mtok",
                )?,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use confab_app::TaskSettings;
    use confab_app::core::money::Microcents;

    use super::super::{Config, Layer};

    #[test]
    fn prices_come_from_the_environment_or_the_file_and_are_checked() {
        let env = Layer::env(&[
            ("CONFAB_PRICE_ACTION_CENTS", "0.25"),
            ("CONFAB_PRICE_OPENAI_INPUT_CENTS_PER_MTOK", "7.5"),
            ("CONFAB_TASKS_CONCURRENCY", "2"),
        ]);
        let config = Config::resolve([env]).unwrap();
        assert_eq!(config.tasks.prices.action, Microcents(250_000));
        assert_eq!(
            config.tasks.prices.openai.input_per_million,
            Microcents(7_500_000)
        );
        assert_eq!(
            config.tasks.prices.openai.output_per_million,
            TaskSettings::default().prices.openai.output_per_million
        );
        assert_eq!(config.tasks.concurrency, 2);
        let file =
            Layer::toml("price_action_cents = 1\nprice_anthropic_output_cents_per_mtok = 0.5");
        let config = Config::resolve([file]).unwrap();
        assert_eq!(config.tasks.prices.action, Microcents::from_cents(1));
        assert_eq!(
            config.tasks.prices.anthropic.output_per_million,
            Microcents(500_000)
        );
        let bad = Config::resolve([Layer::toml("price_action_cents = \"-1\"")])
            .unwrap_err()
            .to_string();
        assert!(bad.contains("price_action_cents"), "{bad}");
    }

    #[test]
    fn the_prices_section_takes_numbers_and_text() {
        let file =
            Layer::toml("[prices]\naction_cents = \"0.000015\"\nopenai_input_cents_per_mtok = 20");
        let config = Config::resolve([file]).unwrap();
        assert_eq!(config.tasks.prices.action, Microcents(15));
        assert_eq!(
            config.tasks.prices.openai.input_per_million,
            Microcents::from_cents(20)
        );
        let env = Layer::env(&[("CONFAB_PRICES__ANTHROPIC_INPUT_CENTS_PER_MTOK", "0.5")]);
        let config = Config::resolve([env]).unwrap();
        assert_eq!(
            config.tasks.prices.anthropic.input_per_million,
            Microcents(500_000)
        );
    }
}
