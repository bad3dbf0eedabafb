//! Tokenisation per script: Latin folding, Arabic normalisation, Brahmic words kept
//! whole with their marks, CJK bigrams, digits, stems.

use confab_agent::tokenize::{Term, fold, normalize, terms, tokens, words};

#[test]
fn latin_is_lowercased_and_folded() {
    assert_eq!(
        tokens("Crème Brûlée, São Paulo"),
        ["creme", "brulee", "sao", "paulo"]
    );
    assert_eq!(tokens("Straße GRÖSSE Æsop"), ["strasse", "grosse", "aesop"]);
    assert_eq!(
        tokens("İstanbul'a kargo ücreti"),
        ["istanbul", "a", "kargo", "ucreti"]
    );
    assert_eq!(fold("ølsen łódź"), "olsen lodz");
}

#[test]
fn nfkc_handles_full_width_and_ligatures() {
    assert_eq!(tokens("ＯＲＤＥＲ １２３ ﬁle"), ["order", "123", "file"]);
}

#[test]
fn digits_are_kept_and_native_digits_become_ascii() {
    assert_eq!(
        tokens("Order #4521 costs 9.99"),
        ["order", "4521", "costs", "9", "99"]
    );
    assert_eq!(tokens("طلب رقم ٤٥٢١"), ["طلب", "رقم", "4521"]);
    assert_eq!(tokens("ऑर्डर २५"), ["ऑर्डर", "25"]);
}

#[test]
fn arabic_is_normalised() {
    // Tashkeel and tatweel go; hamza seats, alif maqsura and ta marbuta are unified.
    assert_eq!(tokens("مَرْحَبًا"), tokens("مرحبا"));
    assert_eq!(tokens("شكـــرا"), ["شكرا"]);
    assert_eq!(tokens("أريد إرجاع آلة"), ["اريد", "ارجاع", "اله"]);
    assert_eq!(tokens("إلى مستشفى"), ["الي", "مستشفي"]);
    assert_eq!(normalize("السياسة"), "السياسه");
}

#[test]
fn brahmic_words_keep_vowel_signs_and_viramas() {
    // Devanagari: the vowel signs (ु, ि, ी) and the virama in "न्स" stay in the word.
    assert_eq!(
        tokens("मुझे किसी इंसान से बात करनी है"),
        ["मुझे", "किसी", "इंसान", "से", "बात", "करनी", "है"]
    );
    assert_eq!(
        tokens("रिफ़ंड पॉलिसी"),
        ["रिफंड", "पॉलिसी"],
        "the nukta is normalised away"
    );
    // Tamil: pulli (virama) and vowel signs stay.
    assert_eq!(tokens("என் ஆர்டர் எங்கே?"), ["என்", "ஆர்டர்", "எங்கே"]);
    // Bengali: hasanta, vowel signs and the ya-phala conjunct stay.
    assert_eq!(tokens("আমার অর্ডার কোথায়?"), ["আমার", "অর্ডার", "কোথায়"]);
    let token = &tokens("ஆர்டர்")[0];
    assert_eq!(
        token.chars().count(),
        6,
        "no mark may be dropped: {token:?}"
    );
}

#[test]
fn cjk_becomes_overlapping_bigrams() {
    assert_eq!(tokens("退款政策"), ["退款", "款政", "政策"]);
    assert_eq!(tokens("返品したい"), ["返品", "品し", "した", "たい"]);
    assert_eq!(tokens("カード"), ["カー", "ード"]);
    assert_eq!(tokens("书"), ["书"]);
    // A script change ends a word: Latin and CJK are tokenised separately.
    assert_eq!(tokens("iPhone15の画面"), ["iphone15", "の画", "画面"]);
    // `words` keeps a CJK run whole for phrase matching.
    assert_eq!(words("我要退款"), ["我要退款"]);
}

#[test]
fn stems_follow_the_language_and_surfaces_are_always_there() {
    let english = terms("refunds shipping", Some("en"));
    assert_eq!(
        english,
        [
            Term {
                surface: "refunds".into(),
                stem: Some("refund".into())
            },
            Term {
                surface: "shipping".into(),
                stem: Some("ship".into())
            },
        ]
    );
    // Stemmed before folding: the Spanish stemmer sees the accent it expects.
    let spanish = terms("envíos devoluciones", Some("es"));
    assert_eq!(spanish[0].surface, "envios");
    assert_eq!(spanish[0].stem, terms("envío", Some("es"))[0].stem);
    assert_eq!(spanish[1].stem, terms("devolución", Some("es"))[0].stem);
    // No language, Latin script: no stem, surface only.
    assert_eq!(
        terms("refunds", None),
        [Term {
            surface: "refunds".into(),
            stem: None
        }]
    );
    // Russian and Tamil scripts are stemmed whatever the hint; Hindi has no stemmer.
    assert_eq!(
        terms("доставки", None)[0].stem,
        terms("доставка", None)[0].stem
    );
    assert!(terms("ஆர்டர்களை", None)[0].stem.is_some());
    assert_eq!(terms("रिफंड", Some("hi"))[0].stem, None);
    // Arabic: the stemmer strips the article, so "الشحن" and "شحن" meet.
    assert_eq!(terms("الشحن", None)[0].stem, terms("شحن", None)[0].stem);
    assert_eq!(
        terms("الشحن", Some("ur"))[0].stem,
        None,
        "Urdu is not stemmed as Arabic"
    );
    // Digits are not stemmed.
    assert_eq!(terms("2024", Some("en"))[0].stem, None);
}

#[test]
fn empty_and_symbol_only_text_has_no_tokens() {
    assert!(tokens("").is_empty());
    assert!(tokens("  ¿¡!?… — 👍 ").is_empty());
}
