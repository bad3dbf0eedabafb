//! Sentiment: angry messages are negative in every lexicon language, negation flips,
//! questions stay neutral, scores stay in [-1, 1].

use confab_agent::sentiment::{analyze, languages};
use confab_core::conversation::Sentiment;

const ANGRY: &[(&str, &str)] = &[
    ("en", "This is terrible, I'm furious, nothing works"),
    ("es", "Esto es horrible, estoy furioso, nada funciona"),
    ("fr", "C'est nul, je suis furieux, rien ne marche"),
    (
        "de",
        "Das ist schrecklich, ich bin wütend, nichts funktioniert",
    ),
    ("pt", "Isso é péssimo, estou furioso, nada funciona"),
    ("it", "È terribile, sono arrabbiato, non funziona niente"),
    ("nl", "Dit is verschrikkelijk, ik ben woedend, niets werkt"),
    ("ar", "هذا سيء جدا، أنا غاضب"),
    ("hi", "यह बहुत बुरा है, मुझे बहुत गुस्सा है, कुछ भी काम नहीं कर रहा"),
    ("tr", "Bu berbat, çok sinirliyim, hiçbir şey çalışmıyor"),
    (
        "id",
        "Ini parah banget, saya marah, tidak berfungsi sama sekali",
    ),
    ("ru", "Это ужасно, я в ярости, ничего не работает"),
];

const HAPPY: &[(&str, &str)] = &[
    ("en", "Thank you so much, that was really helpful!"),
    ("es", "¡Muchas gracias, el servicio fue excelente!"),
    ("fr", "Merci beaucoup, c'était parfait !"),
    ("de", "Vielen Dank, super schnell und sehr freundlich!"),
    ("pt", "Muito obrigado, atendimento ótimo!"),
    ("it", "Grazie mille, servizio eccellente!"),
    ("nl", "Heel erg bedankt, geweldige service!"),
    ("ar", "شكرا جزيلا، خدمة ممتازة"),
    ("hi", "बहुत धन्यवाद, सेवा शानदार थी"),
    ("tr", "Çok teşekkürler, harika bir hizmet!"),
    ("id", "Terima kasih banyak, pelayanannya mantap!"),
    ("ru", "Большое спасибо, всё отлично!"),
];

const QUESTIONS: &[(&str, &str)] = &[
    ("en", "What are your opening hours on Saturday?"),
    ("es", "¿Cuánto cuesta el envío a Madrid?"),
    ("fr", "Quels sont vos horaires d'ouverture ?"),
    ("de", "Wie lange dauert der Versand nach Berlin?"),
    ("pt", "Qual é o prazo de entrega para Lisboa?"),
    ("it", "Quanto costa la spedizione in Italia?"),
    ("nl", "Hoe lang duurt de verzending naar Utrecht?"),
    ("ar", "ما هي ساعات العمل يوم السبت؟"),
    ("hi", "शनिवार को आपका समय क्या है?"),
    ("tr", "Kargo ne zaman gelir?"),
    ("id", "Berapa lama pengiriman ke Bandung?"),
    ("ru", "Сколько стоит доставка в Казань?"),
];

#[test]
fn angry_messages_are_negative_in_every_lexicon_language() {
    for (lang, text) in ANGRY {
        let result = analyze(text, Some(lang));
        assert_eq!(
            result.label,
            Sentiment::Negative,
            "{lang} {text:?}: {result:?}"
        );
        assert!(
            result.score <= -0.5,
            "{lang} {text:?} should be clearly negative: {result:?}"
        );
    }
}

#[test]
fn happy_messages_are_positive() {
    for (lang, text) in HAPPY {
        let result = analyze(text, Some(lang));
        assert_eq!(
            result.label,
            Sentiment::Positive,
            "{lang} {text:?}: {result:?}"
        );
    }
}

#[test]
fn neutral_questions_stay_neutral() {
    for (lang, text) in QUESTIONS {
        let result = analyze(text, Some(lang));
        assert_eq!(
            result.label,
            Sentiment::Neutral,
            "{lang} {text:?}: {result:?}"
        );
    }
}

#[test]
fn negation_flips() {
    let pairs = [
        ("en", "The service was good", "The service was not good"),
        ("es", "El servicio es bueno", "El servicio no es bueno"),
        ("es", "Está mal", "No está mal"),
        ("fr", "C'est bon", "Ce n'est pas bon"),
        ("de", "Das ist gut", "Das ist nicht gut"),
        ("pt", "Gostei do produto", "Não gostei do produto"),
        ("it", "Il servizio è buono", "Il servizio non è buono"),
        ("nl", "Het is goed", "Het is niet goed"),
        ("ar", "الخدمة جيدة", "الخدمة ليست جيدة"),
        ("hi", "सेवा अच्छी है", "सेवा अच्छी नहीं है"),
        ("tr", "Hizmet iyi", "Hizmet iyi değil"),
        ("id", "Pelayanannya bagus", "Pelayanannya tidak bagus"),
        ("ru", "Это хорошо", "Это не хорошо"),
    ];
    for (lang, plain, negated) in pairs {
        let plain_score = analyze(plain, Some(lang)).score;
        let negated_score = analyze(negated, Some(lang)).score;
        assert!(
            plain_score.signum() != negated_score.signum()
                && plain_score != 0.0
                && negated_score != 0.0,
            "{lang}: {plain:?} = {plain_score}, {negated:?} = {negated_score}"
        );
    }
    assert_eq!(analyze("not good", Some("en")).label, Sentiment::Negative);
    assert_eq!(
        analyze("no está mal", Some("es")).label,
        Sentiment::Positive
    );
}

#[test]
fn boosters_capitals_exclamations_and_but_shape_intensity() {
    let es = |text| analyze(text, Some("es")).score;
    assert!(es("muy malo") < es("malo"), "a booster intensifies");
    assert!(es("un poco malo") > es("malo"), "a dampener softens");
    assert!(
        es("es MALO de verdad") < es("es malo de verdad"),
        "capitals emphasise"
    );
    assert!(es("malo!!!") < es("malo"), "exclamations emphasise");
    // After "pero" the second clause dominates.
    assert!(es("el producto es bueno pero el envío fue horrible") < 0.0);
    assert!(es("el envío fue horrible pero el producto es excelente") > 0.0);
    // Arabic boosters follow the adjective.
    let ar = |text| analyze(text, Some("ar")).score;
    assert!(ar("سيء جدا") < ar("سيء"));
}

#[test]
fn languages_without_a_lexicon_and_unknown_are_neutral() {
    for (lang, text) in [
        (Some("ja"), "最悪です"),
        (Some("zh"), "太差了"),
        (None, "This is terrible"),
        (Some("xx"), "malo"),
    ] {
        let result = analyze(text, lang);
        assert_eq!(
            (result.label, result.score),
            (Sentiment::Neutral, 0.0),
            "{lang:?} {text:?}"
        );
    }
    assert_eq!(
        analyze("ESTO ES HORRIBLE", Some("es-MX")).label,
        Sentiment::Negative,
        "region subtags are ignored"
    );
}

#[test]
fn scores_stay_in_range_and_labels_follow_thresholds() {
    let samples = ANGRY.iter().chain(HAPPY).chain(QUESTIONS).copied().chain([
        ("es", "malo malo malo pésimo horrible terrible!!!!! 😡😡😡"),
        ("fr", "génial génial parfait excellent merci merci !!!!"),
        ("de", ""),
        ("ar", "!!!"),
    ]);
    for (lang, text) in samples {
        let result = analyze(text, Some(lang));
        assert!(
            (-1.0..=1.0).contains(&result.score),
            "{lang} {text:?}: {result:?}"
        );
        let expected = if result.score >= 0.05 {
            Sentiment::Positive
        } else if result.score <= -0.05 {
            Sentiment::Negative
        } else {
            Sentiment::Neutral
        };
        assert_eq!(result.label, expected);
    }
}

#[test]
fn lexicon_languages_are_listed() {
    let listed = languages();
    for lang in [
        "en", "es", "fr", "de", "pt", "it", "nl", "ar", "hi", "tr", "id", "ru",
    ] {
        assert!(listed.contains(&lang), "{lang}");
    }
}
