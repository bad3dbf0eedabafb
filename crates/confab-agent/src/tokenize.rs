//! Language-aware tokenisation shared by retrieval, intents and sentiment.
//!
//! The pipeline, and why in this order:
//! 1. [`normalize`]: NFKC (full-width forms, ligatures, presentation forms), lowercase,
//!    script-specific spelling variants (Arabic hamza seats, alif maqsura, ta marbuta,
//!    tashkeel and tatweel; the Devanagari nukta), native digits to ASCII. Latin
//!    diacritics are still there: the Snowball stemmers expect them (`envíos`, `größer`).
//! 2. Split into words. Combining marks belong to the word they follow, so Devanagari,
//!    Bengali and Tamil vowel signs and viramas never split a word. A run of Han, Hiragana
//!    or Katakana is a word of its own (no spaces there).
//! 3. Optionally stem (see [`terms`]), then [`fold`] Latin diacritics (é→e, ß→ss), so
//!    `Envio` and `envío` meet.
//! 4. For [`tokens`], CJK runs become overlapping character bigrams, the usual way to
//!    index text without word boundaries.

use rust_stemmers::{Algorithm, Stemmer};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use crate::script::{self, Script};

/// A searchable token: its folded surface form and, when a stemmer applies, its stem.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Term {
    /// Normalised and folded, as [`tokens`] gives it.
    pub surface: String,
    /// The Snowball stem, folded; `None` for scripts and languages without a stemmer.
    pub stem: Option<String>,
}

/// Normalised, folded tokens of `text`, with CJK runs as bigrams; no stemming.
pub fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for word in raw_words(&normalize(text)) {
        push_surface(&word, &mut out);
    }
    out
}

/// Normalised, folded words of `text`, with a CJK run kept as one word (no bigrams).
/// For phrase matching, where a CJK phrase is looked up as a substring.
pub fn words(text: &str) -> Vec<String> {
    raw_words(&normalize(text))
        .iter()
        .map(|w| fold(w))
        .collect()
}

/// Tokens of `text` with stems. `lang` (ISO 639-1) picks the stemmer for Latin-script
/// words; scripts only one of our languages uses with a stemmer (Cyrillic: Russian,
/// Tamil) are stemmed whatever `lang` says, and Arabic-script words are stemmed as
/// Arabic unless `lang` says Urdu. The caller keeps the surface forms too, so a stemmer
/// chosen from a wrong language guess costs recall of variants, never of exact words.
pub fn terms(text: &str, lang: Option<&str>) -> Vec<Term> {
    let mut out = Vec::new();
    for word in raw_words(&normalize(text)) {
        let Some(first) = word.chars().next() else {
            continue;
        };
        if script::is_cjk(first) {
            let mut bigrams = Vec::new();
            push_surface(&word, &mut bigrams);
            out.extend(bigrams.into_iter().map(|surface| Term {
                surface,
                stem: None,
            }));
            continue;
        }
        let stem = stemmer_for(first, lang)
            .filter(|_| !word.chars().all(|c| c.is_ascii_digit()))
            .map(|stemmer| fold(&stemmer.stem(&word)));
        out.push(Term {
            surface: fold(&word),
            stem,
        });
    }
    out
}

/// NFKC, lowercase and per-script spelling normalisation (see the module doc). Latin
/// diacritics are kept; [`fold`] removes them.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    // The script of the last base character, to decide what a following mark is.
    let mut base = Script::Other;
    for c in text.nfkc().flat_map(char::to_lowercase) {
        if is_combining_mark(c) {
            match c {
                // The nukta and chandrabindu are often typed without, or as the anusvara.
                '\u{093C}' => {}
                '\u{0901}' => out.push('\u{0902}'),
                // Marks are letters of Brahmic words; elsewhere (tashkeel, a stray dot
                // left by lowercasing Turkish İ) they are noise for matching.
                _ if base == Script::Indic => out.push(c),
                _ => {}
            }
            continue;
        }
        base = script::of(c);
        match c {
            'أ' | 'إ' | 'آ' | 'ٱ' => out.push('ا'),
            'ؤ' => out.push('و'),
            'ئ' | 'ى' | 'ی' => out.push('ي'),
            'ة' => out.push('ه'),
            'ک' => out.push('ك'),
            'ـ' => {} // tatweel: a stretch for layout, not a letter
            'ё' => out.push('е'),
            _ => out.push(native_digit(c).unwrap_or(c)),
        }
    }
    out
}

/// Latin (and Greek) diacritics removed, ß→ss and the other letters NFD cannot split
/// mapped to their plain spelling. Other scripts pass through untouched.
pub fn fold(word: &str) -> String {
    if word.is_ascii() {
        return word.to_owned();
    }
    let mut out = String::with_capacity(word.len());
    for c in word.chars() {
        match c {
            'ß' => out.push_str("ss"),
            'æ' => out.push_str("ae"),
            'œ' => out.push_str("oe"),
            'ø' => out.push('o'),
            'ł' => out.push('l'),
            'đ' | 'ð' => out.push('d'),
            'þ' => out.push_str("th"),
            'ı' => out.push('i'),
            _ if matches!(script::of(c), Script::Latin | Script::Greek) => {
                out.extend(std::iter::once(c).nfd().filter(|m| !is_combining_mark(*m)));
            }
            _ => out.push(c),
        }
    }
    out
}

/// Words of already normalised text: runs of letters, digits and the marks that follow
/// them; a change between CJK and other scripts also ends a word.
fn raw_words(normalized: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut current_cjk = false;
    for c in normalized.chars() {
        let word_char = c.is_alphanumeric() || (is_combining_mark(c) && !current.is_empty());
        if !word_char {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            continue;
        }
        let cjk = script::is_cjk(c) || (c == 'ー' && current_cjk);
        if cjk != current_cjk && !current.is_empty() && !is_combining_mark(c) {
            words.push(std::mem::take(&mut current));
        }
        if current.is_empty() {
            current_cjk = cjk;
        }
        current.push(c);
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// Pushes the folded word, or a CJK run's overlapping bigrams (a lone character as is).
fn push_surface(word: &str, out: &mut Vec<String>) {
    let chars: Vec<char> = word.chars().collect();
    if chars.first().is_some_and(|c| script::is_cjk(*c)) && chars.len() > 1 {
        out.extend(chars.windows(2).map(|pair| pair.iter().collect::<String>()));
    } else {
        out.push(fold(word));
    }
}

/// The Snowball stemmer for a word starting with `first`.
fn stemmer_for(first: char, lang: Option<&str>) -> Option<Stemmer> {
    let algorithm = match (script::of(first), lang) {
        (Script::Cyrillic, _) => Algorithm::Russian,
        (Script::Indic, _) if ('\u{0B80}'..='\u{0BFF}').contains(&first) => Algorithm::Tamil,
        (Script::Arabic, Some("ur")) => return None,
        (Script::Arabic, _) => Algorithm::Arabic,
        (Script::Latin, Some(lang)) => latin_algorithm(lang)?,
        _ => return None,
    };
    Some(Stemmer::create(algorithm))
}

fn latin_algorithm(lang: &str) -> Option<Algorithm> {
    Some(match lang {
        "en" => Algorithm::English,
        "es" => Algorithm::Spanish,
        "fr" => Algorithm::French,
        "de" => Algorithm::German,
        "pt" => Algorithm::Portuguese,
        "it" => Algorithm::Italian,
        "nl" => Algorithm::Dutch,
        "tr" => Algorithm::Turkish,
        _ => return None,
    })
}

/// ASCII for the native decimal digits of our scripts, so "٣" finds "3".
fn native_digit(c: char) -> Option<char> {
    let zero = match c {
        '\u{0660}'..='\u{0669}' => 0x0660, // Arabic-Indic
        '\u{06F0}'..='\u{06F9}' => 0x06F0, // Extended Arabic-Indic (Urdu, Persian)
        '\u{0966}'..='\u{096F}' => 0x0966, // Devanagari
        '\u{09E6}'..='\u{09EF}' => 0x09E6, // Bengali
        '\u{0BE6}'..='\u{0BEF}' => 0x0BE6, // Tamil
        _ => return None,
    };
    char::from_digit(c as u32 - zero, 10)
}

/// Stems `word` as `lang` would at index time; `None` when no stemmer applies.
pub(crate) fn stem_word(word: &str, lang: Option<&str>) -> Option<String> {
    stemmer_for(word.chars().next()?, lang).map(|stemmer| fold(&stemmer.stem(word)))
}

/// An Arabic-script word without its attached conjunction (و, ف), preposition (ب, ل, ك)
/// and article (ال), longest first: "والموظف" → "الموظف", "موظف". For matching words
/// against lists; at least two letters are always left.
pub(crate) fn arabic_bases(word: &str) -> impl Iterator<Item = &str> {
    let without_conjunction = word.strip_prefix('و').or_else(|| word.strip_prefix('ف'));
    let rest = without_conjunction.unwrap_or(word);
    let without_article = ["ال", "بال", "لل", "كال", "ب", "ل"]
        .iter()
        .find_map(|prefix| rest.strip_prefix(prefix))
        .filter(|base| base.chars().count() >= 2);
    without_conjunction
        .filter(|base| base.chars().count() >= 2)
        .into_iter()
        .chain(without_article)
}
