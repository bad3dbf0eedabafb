//! VADER's rules over a non-English lexicon: each sentiment word's valence is raised by
//! boosters and capitals, flipped by a negator within three words, weighted by a
//! contrast word, summed, lifted by exclamation and question marks, and normalised to
//! a compound in [-1, 1] with `x / sqrt(x² + 15)`. The constants are VADER's published
//! ones (Hutto & Gilbert, 2014), so scores are comparable with the English ones.

use std::collections::HashMap;
use std::sync::LazyLock;

use crate::sentiment::lexicon::{Lexicon, Role, Side};
use crate::tokenize;

/// Added to a word's intensity when it is written in capitals amid lower-case text.
const CAPS_INCREMENT: f64 = 0.733;
/// A negated word keeps 74% of its intensity with the opposite sign.
const NEGATION_SCALAR: f64 = -0.74;
/// Boosters weaken with distance: full next to the word, then 95%, then 90%.
const DISTANCE_DAMPING: [f64; 3] = [1.0, 0.95, 0.9];
/// How far before a word its negators and boosters reach; after it, post-modifiers
/// ("جدا", "नहीं") reach less far.
const WINDOW_BEFORE: usize = 3;
const WINDOW_AFTER: usize = 2;
/// Before a contrast word a sentiment counts half; after it, one and a half times.
const BEFORE_CONTRAST: f64 = 0.5;
const AFTER_CONTRAST: f64 = 1.5;
/// Per exclamation mark (at most four count).
const EXCLAMATION_INCREMENT: f64 = 0.292;
const MAX_EXCLAMATIONS: usize = 4;
/// Per question mark beyond the first (at most three), or a flat amount for more.
const QUESTION_INCREMENT: f64 = 0.18;
const MANY_QUESTIONS: f64 = 0.96;
/// VADER's alpha: how fast the sum approaches ±1.
const ALPHA: f64 = 15.0;

/// Emoji valences shared by every non-English lexicon (English has VADER's).
static EMOJI: LazyLock<HashMap<char, f64>> = LazyLock::new(|| {
    include_str!("../../lexicons/emoji.tsv")
        .lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .map(|line| {
            let (emoji, value) = line
                .split_once('\t')
                .expect("lexicons/emoji.tsv: emoji<TAB>valence");
            let emoji = emoji.chars().next().expect("lexicons/emoji.tsv: an emoji");
            (
                emoji,
                value
                    .trim()
                    .parse()
                    .expect("lexicons/emoji.tsv: a numeric valence"),
            )
        })
        .collect()
});

/// A word as written: its normalised form, and whether it was in capitals.
struct Word {
    text: String,
    shouting: bool,
}

/// A sentiment-bearing span of words and its valence.
struct Item {
    start: usize,
    end: usize,
    valence: f64,
}

/// The compound score of `text` under `lexicon`.
pub fn score(text: &str, lexicon: &Lexicon) -> f64 {
    let words = split(text);
    let shouting = words.iter().filter(|w| w.shouting).count();
    // Capitals are emphasis only against lower-case text; an all-caps message is a style.
    let mixed_case = shouting > 0 && shouting < words.len();
    let (items, consumed) = find_items(&words, lexicon);
    let roles: Vec<Option<Role>> = words
        .iter()
        .zip(&consumed)
        .map(|(word, consumed)| {
            if *consumed {
                None
            } else {
                lexicon.role(&word.text)
            }
        })
        .collect();
    let contrast = roles
        .iter()
        .position(|role| matches!(role, Some(Role::Contrast)));

    let mut sum = 0.0;
    for item in &items {
        let mut valence = item.valence;
        if mixed_case && (item.start..item.end).any(|i| words[i].shouting) {
            valence += CAPS_INCREMENT * valence.signum();
        }
        valence = modify(valence, item, &roles, &words, mixed_case);
        if let Some(at) = contrast {
            if item.end <= at {
                valence *= BEFORE_CONTRAST;
            } else if item.start > at {
                valence *= AFTER_CONTRAST;
            }
        }
        sum += valence;
    }
    sum += punctuation_emphasis(text) * sum.signum();
    (sum / (sum * sum + ALPHA).sqrt()).clamp(-1.0, 1.0)
}

/// Sentiment phrases and words, longest phrase first; the words a phrase covers are
/// consumed (they neither score again nor act as modifiers).
fn find_items(words: &[Word], lexicon: &Lexicon) -> (Vec<Item>, Vec<bool>) {
    let mut items = Vec::new();
    let mut consumed = vec![false; words.len()];
    let mut i = 0;
    while i < words.len() {
        let longest = lexicon.max_phrase.min(words.len() - i);
        let phrase = (2..=longest).rev().find_map(|len| {
            let key: Vec<&str> = words[i..i + len].iter().map(|w| w.text.as_str()).collect();
            lexicon.phrase(&key.join(" ")).map(|valence| (len, valence))
        });
        let (len, valence) = match phrase {
            Some(found) => found,
            None => {
                let word = &words[i].text;
                let single = (lexicon.role(word).is_none())
                    .then(|| lexicon.word(word).or_else(|| emoji_valence(word)))
                    .flatten();
                match single {
                    Some(valence) => (1, valence),
                    None => {
                        i += 1;
                        continue;
                    }
                }
            }
        };
        items.push(Item {
            start: i,
            end: i + len,
            valence,
        });
        consumed[i..i + len].iter_mut().for_each(|c| *c = true);
        i += len;
    }
    (items, consumed)
}

/// Boosters and dampeners first (they scale the word's own intensity), then negators
/// (which flip the boosted intensity), each within its window.
fn modify(
    mut valence: f64,
    item: &Item,
    roles: &[Option<Role>],
    words: &[Word],
    mixed_case: bool,
) -> f64 {
    let before = (1..=WINDOW_BEFORE)
        .filter_map(|d| item.start.checked_sub(d).map(|at| (d, at, Side::Before)))
        .take_while(|(_, at, _)| !matches!(roles[*at], Some(Role::Contrast)));
    let after = (1..=WINDOW_AFTER)
        .map(|d| (d, item.end + d - 1, Side::After))
        .take_while(|(_, at, _)| *at < roles.len() && !matches!(roles[*at], Some(Role::Contrast)));
    let window: Vec<(usize, usize, Side)> = before.chain(after).collect();
    for &(distance, at, side) in &window {
        if let Some(Role::Scale(role_side, amount)) = roles[at]
            && role_side == side
        {
            let mut amount = amount * DISTANCE_DAMPING[distance - 1];
            if mixed_case && words[at].shouting {
                amount += CAPS_INCREMENT * amount.signum();
            }
            valence += amount * valence.signum();
        }
    }
    for &(_, at, side) in &window {
        if roles[at] == Some(Role::Negate(side)) {
            valence *= NEGATION_SCALAR;
        }
    }
    valence
}

/// Exclamation marks add intensity; so do repeated question marks ("why???").
fn punctuation_emphasis(text: &str) -> f64 {
    let exclamations = text.chars().filter(|c| matches!(c, '!' | '！')).count();
    let questions = text
        .chars()
        .filter(|c| matches!(c, '?' | '？' | '؟'))
        .count();
    let exclamation = exclamations.min(MAX_EXCLAMATIONS) as f64 * EXCLAMATION_INCREMENT;
    let question = match questions {
        0 | 1 => 0.0,
        2 | 3 => questions as f64 * QUESTION_INCREMENT,
        _ => MANY_QUESTIONS,
    };
    exclamation + question
}

/// Words of the original text, each normalised on its own so its capitals are known;
/// emoji with a valence are words of their own.
fn split(text: &str) -> Vec<Word> {
    let mut words = Vec::new();
    let mut current = String::new();
    let flush = |current: &mut String, words: &mut Vec<Word>| {
        if current.is_empty() {
            return;
        }
        let letters: Vec<char> = current.chars().filter(|c| c.is_alphabetic()).collect();
        let shouting = letters.len() >= 2 && letters.iter().all(|c| c.is_uppercase());
        for text in tokenize::words(current) {
            words.push(Word { text, shouting });
        }
        current.clear();
    };
    for c in text.chars() {
        if c.is_alphanumeric()
            || (unicode_normalization::char::is_combining_mark(c) && !current.is_empty())
        {
            current.push(c);
        } else {
            flush(&mut current, &mut words);
            if EMOJI.contains_key(&c) {
                words.push(Word {
                    text: c.to_string(),
                    shouting: false,
                });
            }
        }
    }
    flush(&mut current, &mut words);
    words
}

fn emoji_valence(word: &str) -> Option<f64> {
    let mut chars = word.chars();
    let first = chars.next()?;
    chars
        .next()
        .is_none()
        .then(|| EMOJI.get(&first).copied())
        .flatten()
}
