//! Which writing system a character belongs to, as far as tokenisation cares. Plain
//! code-point ranges: the handful of scripts our languages use, nothing more.

/// A script family with its own tokenisation rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Script {
    Latin,
    Cyrillic,
    Greek,
    Arabic,
    /// Devanagari, Bengali, Tamil and their Brahmic siblings: words keep their vowel
    /// signs and viramas.
    Indic,
    /// Han, Hiragana and Katakana: no spaces between words, so they become bigrams.
    Cjk,
    Other,
}

/// The script of `c`.
pub(crate) fn of(c: char) -> Script {
    match c as u32 {
        0x0041..=0x024F | 0x1E00..=0x1EFF | 0x2C60..=0x2C7F | 0xA720..=0xA7FF => Script::Latin,
        0x0370..=0x03FF | 0x1F00..=0x1FFF => Script::Greek,
        0x0400..=0x052F | 0x1C80..=0x1C8F | 0x2DE0..=0x2DFF | 0xA640..=0xA69F => Script::Cyrillic,
        0x0600..=0x06FF | 0x0750..=0x077F | 0x08A0..=0x08FF | 0xFB50..=0xFDFF | 0xFE70..=0xFEFF => {
            Script::Arabic
        }
        // Devanagari through Malayalam, then Sinhala.
        0x0900..=0x0D7F | 0x0D80..=0x0DFF | 0xA8E0..=0xA8FF => Script::Indic,
        0x3040..=0x30FF
        | 0x31F0..=0x31FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xF900..=0xFAFF
        | 0x20000..=0x2FA1F => Script::Cjk,
        _ => Script::Other,
    }
}

/// Whether `c` is Han, Hiragana or Katakana.
pub(crate) fn is_cjk(c: char) -> bool {
    of(c) == Script::Cjk
}
