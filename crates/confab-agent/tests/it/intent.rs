//! Built-in intents in all 17 languages, with and without a language hint.

use confab_agent::intent::{BuiltinIntent, detect_builtin};
use confab_agent::lang::SUPPORTED;

use BuiltinIntent::{Complaint, Goodbye, Greeting, HumanRequest, Thanks, Unknown};

/// (language, intent, message) in every supported language.
const CASES: &[(&str, BuiltinIntent, &str)] = &[
    ("en", HumanRequest, "I want to talk to a human"),
    ("en", HumanRequest, "Can I speak to a real person please"),
    ("en", Greeting, "Hello there!"),
    ("en", Thanks, "Thanks a lot"),
    ("en", Goodbye, "ok bye, have a nice day"),
    (
        "en",
        Complaint,
        "My order never arrived and the app is broken",
    ),
    ("ar", HumanRequest, "أريد التحدث إلى موظف"),
    ("ar", HumanRequest, "ممكن اكلم شخص حقيقي؟"),
    ("ar", Greeting, "السلام عليكم"),
    ("ar", Thanks, "شكراً جزيلاً"),
    ("ar", Goodbye, "مع السلامة"),
    ("ar", Complaint, "الطلب لم يصل والخدمة سيئة"),
    ("hi", HumanRequest, "मुझे किसी इंसान से बात करनी है"),
    ("hi", Greeting, "नमस्ते"),
    ("hi", Thanks, "बहुत धन्यवाद"),
    ("hi", Complaint, "मेरा फोन काम नहीं कर रहा"),
    ("ta", HumanRequest, "நான் ஒரு மனிதரிடம் பேச வேண்டும்"),
    ("ta", Greeting, "வணக்கம்"),
    ("ta", Thanks, "மிக்க நன்றி"),
    ("es", HumanRequest, "Quiero hablar con una persona real"),
    ("es", HumanRequest, "¿Me pasas con un agente, por favor?"),
    ("es", Greeting, "Hola, buenos días"),
    ("es", Thanks, "¡Muchas gracias!"),
    ("es", Goodbye, "Adiós, hasta luego"),
    ("es", Complaint, "El producto llegó roto, quiero mi dinero"),
    ("fr", HumanRequest, "Je voudrais parler à un conseiller"),
    ("fr", Greeting, "Bonjour"),
    ("fr", Thanks, "Merci beaucoup"),
    ("fr", Complaint, "Ça ne marche pas, c'est nul"),
    ("de", HumanRequest, "Ich möchte mit einem Menschen sprechen"),
    ("de", Greeting, "Guten Tag"),
    ("de", Thanks, "Vielen Dank!"),
    ("de", Complaint, "Das Gerät ist kaputt"),
    ("pt", HumanRequest, "Quero falar com um atendente"),
    ("pt", Greeting, "Oi, bom dia"),
    ("pt", Thanks, "Muito obrigada"),
    ("it", HumanRequest, "Vorrei parlare con un operatore"),
    ("it", Greeting, "Buongiorno"),
    ("it", Thanks, "Grazie mille"),
    ("nl", HumanRequest, "Ik wil met een medewerker spreken"),
    ("nl", Greeting, "Goedemorgen"),
    ("nl", Thanks, "Dank je wel"),
    (
        "tr",
        HumanRequest,
        "Müşteri temsilcisi ile görüşmek istiyorum",
    ),
    ("tr", Greeting, "Merhaba"),
    ("tr", Thanks, "Çok teşekkür ederim"),
    ("id", HumanRequest, "Saya mau bicara dengan petugas"),
    ("id", Greeting, "Halo kak"),
    ("id", Thanks, "Terima kasih banyak"),
    ("ur", HumanRequest, "مجھے کسی انسان سے بات کرنی ہے"),
    ("ur", Greeting, "السلام علیکم"),
    ("ur", Thanks, "بہت شکریہ"),
    ("bn", HumanRequest, "আমি একজন মানুষের সাথে কথা বলতে চাই"),
    ("bn", Greeting, "নমস্কার"),
    ("bn", Thanks, "অনেক ধন্যবাদ"),
    ("ru", HumanRequest, "Хочу поговорить с живым человеком"),
    ("ru", HumanRequest, "Соедините с оператором"),
    ("ru", Greeting, "Здравствуйте"),
    ("ru", Thanks, "Большое спасибо"),
    ("zh", HumanRequest, "我要转人工客服"),
    ("zh", Greeting, "你好"),
    ("zh", Thanks, "谢谢你"),
    ("ja", HumanRequest, "担当者と話したいです"),
    ("ja", Greeting, "こんにちは"),
    ("ja", Thanks, "ありがとうございます"),
];

#[test]
fn every_language_with_its_hint() {
    let failures: Vec<String> = CASES
        .iter()
        .filter_map(|(lang, expected, text)| {
            let got = detect_builtin(text, Some(lang));
            (got != *expected)
                .then(|| format!("{lang} {text:?}: expected {expected:?}, got {got:?}"))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_language_without_a_hint() {
    let failures: Vec<String> = CASES
        .iter()
        .filter_map(|(lang, expected, text)| {
            let got = detect_builtin(text, None);
            (got != *expected)
                .then(|| format!("{lang} {text:?}: expected {expected:?}, got {got:?}"))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_wrong_hint_still_finds_the_intent() {
    assert_eq!(
        detect_builtin("أريد التحدث إلى موظف", Some("fr")),
        HumanRequest
    );
    assert_eq!(
        detect_builtin("Quiero hablar con una persona", Some("pt")),
        HumanRequest
    );
}

#[test]
fn each_language_is_covered_for_human_request_greeting_and_thanks() {
    for code in SUPPORTED {
        for intent in [HumanRequest, Greeting, Thanks] {
            assert!(
                CASES
                    .iter()
                    .any(|(lang, i, _)| lang == code && *i == intent),
                "no {intent:?} case for {code}"
            );
        }
    }
}

#[test]
fn precedence_human_request_then_complaint_then_thanks_goodbye_greeting() {
    assert_eq!(
        detect_builtin("Hi, can I talk to a person?", Some("en")),
        HumanRequest
    );
    assert_eq!(
        detect_builtin("This is useless, I want a real person", Some("en")),
        HumanRequest
    );
    assert_eq!(
        detect_builtin("thanks for nothing, this is useless", Some("en")),
        Complaint
    );
    assert_eq!(detect_builtin("Hello, thanks!", Some("en")), Thanks);
    assert_eq!(detect_builtin("thanks, bye", Some("en")), Thanks);
    assert_eq!(detect_builtin("hello and goodbye", Some("en")), Goodbye);
}

#[test]
fn no_false_human_requests() {
    for text in [
        "the human resources page is broken",
        "Is this product safe for human consumption?",
        "Do you sell person-sized umbrellas?",
        "What is your agent commission rate?",
    ] {
        assert_ne!(detect_builtin(text, Some("en")), HumanRequest, "{text:?}");
    }
    assert_eq!(
        detect_builtin("the human resources page is broken", Some("en")),
        Complaint
    );
}

#[test]
fn normalisation_makes_case_diacritics_and_letter_variants_irrelevant() {
    assert_eq!(
        detect_builtin("QUIERO HABLAR CON UNA PERSONA", None),
        HumanRequest
    );
    assert_eq!(detect_builtin("adios", Some("es")), Goodbye);
    assert_eq!(detect_builtin("tesekkurler", Some("tr")), Thanks);
    // Tashkeel, a different alif and an attached article do not matter.
    assert_eq!(
        detect_builtin("اُرِيدُ التَّحَدُّثَ اِلَى المُوَظَّف", Some("ar")),
        HumanRequest
    );
}

#[test]
fn strongly_negative_messages_without_a_phrase_are_complaints() {
    // No complaint phrase in these; their sentiment is what makes them complaints.
    assert_eq!(
        detect_builtin(
            "You people are liars and thieves, I hate this company",
            Some("en")
        ),
        Complaint
    );
    assert_eq!(
        detect_builtin(
            "Son unos mentirosos y ladrones, odio esta empresa",
            Some("es")
        ),
        Complaint
    );
    // Without a language there is no sentiment to go on, and no phrase: unknown.
    assert_eq!(
        detect_builtin("Son unos mentirosos y ladrones, odio esta empresa", None),
        Unknown
    );
}

#[test]
fn ordinary_questions_are_unknown() {
    for (lang, text) in [
        ("en", "What are your opening hours?"),
        ("es", "¿Cuánto cuesta el envío a Madrid?"),
        ("ar", "كم تكلفة الشحن؟"),
        ("hi", "डिलीवरी में कितने दिन लगेंगे?"),
        ("ja", "送料はいくらですか？"),
    ] {
        assert_eq!(detect_builtin(text, Some(lang)), Unknown, "{lang} {text:?}");
        assert_eq!(
            detect_builtin(text, None),
            Unknown,
            "{text:?} without a hint"
        );
    }
}

#[test]
fn wire_names() {
    let names: Vec<&str> = [Greeting, Thanks, Goodbye, HumanRequest, Complaint, Unknown]
        .into_iter()
        .map(BuiltinIntent::as_str)
        .collect();
    assert_eq!(
        names,
        [
            "greeting",
            "thanks",
            "goodbye",
            "human_request",
            "complaint",
            "unknown"
        ]
    );
}
