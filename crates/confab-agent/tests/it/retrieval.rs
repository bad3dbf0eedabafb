//! Knowledge retrieval over a small multilingual knowledge base.

use confab_agent::retrieval::{CONFIDENT, Document, Hit, Index, SearchOptions};

fn entry(
    id: &str,
    lang: Option<&str>,
    tags: &[&str],
    title: &str,
    questions: &[&str],
    body: &str,
) -> Document {
    Document {
        id: id.into(),
        title: title.into(),
        questions: questions.iter().map(|q| q.to_string()).collect(),
        body: body.into(),
        lang: lang.map(str::to_owned),
        tags: tags.iter().map(|t| t.to_string()).collect(),
    }
}

fn knowledge_base() -> Index {
    Index::new(vec![
        entry(
            "kb_hours_en",
            Some("en"),
            &["store"],
            "Opening hours",
            &[
                "What are your opening hours?",
                "When are you open?",
                "Are you open on weekends?",
            ],
            "Our shop and support team are open Monday to Friday from 9:00 to 18:00 and on \
             Saturday from 10:00 to 14:00. We are closed on Sundays and public holidays.",
        ),
        entry(
            "kb_refund_en",
            Some("en"),
            &["returns"],
            "Refund policy",
            &[
                "How do I get a refund?",
                "Can I get my money back?",
                "How do I return an item?",
            ],
            "You can return any unused item within 30 days of delivery for a full refund. Start \
             a return from your account page; the money reaches your card within 5 business days.",
        ),
        entry(
            "kb_shipping_en",
            Some("en"),
            &["shipping"],
            "Shipping costs and delivery times",
            &[
                "How much does shipping cost?",
                "How long does delivery take?",
                "Do you ship internationally?",
            ],
            "Standard shipping costs 4.99 and takes 3 to 5 business days. Orders over 50 ship \
             free. We ship to 30 countries; international delivery takes 7 to 14 days.",
        ),
        entry(
            "kb_refund_ar",
            Some("ar"),
            &["returns"],
            "سياسة الاسترجاع",
            &[
                "كيف أسترجع أموالي؟",
                "هل يمكنني إرجاع المنتج؟",
                "أريد استرداد المبلغ",
            ],
            "يمكنك إرجاع أي منتج غير مستخدم خلال 30 يوما من الاستلام واسترداد المبلغ كاملا إلى بطاقتك.",
        ),
        entry(
            "kb_shipping_ar",
            Some("ar"),
            &["shipping"],
            "الشحن والتوصيل",
            &[
                "كم تكلفة الشحن؟",
                "متى يصل طلبي؟",
                "هل تشحنون إلى خارج الدولة؟",
            ],
            "تكلفة الشحن 15 درهما ويصل الطلب خلال 3 إلى 5 أيام عمل. الشحن مجاني للطلبات فوق 200 درهم.",
        ),
        entry(
            "kb_hours_es",
            Some("es"),
            &["store"],
            "Horario de atención",
            &[
                "¿Cuál es su horario?",
                "¿A qué hora abren?",
                "¿Abren los domingos?",
            ],
            "Atendemos de lunes a viernes de 9:00 a 18:00 y los sábados de 10:00 a 14:00. \
             Los domingos la tienda permanece cerrada.",
        ),
        entry(
            "kb_shipping_es",
            Some("es"),
            &["shipping"],
            "Envíos y plazos de entrega",
            &[
                "¿Cuánto cuesta el envío?",
                "¿Cuánto tarda en llegar mi pedido?",
            ],
            "El envío estándar cuesta 4,99 € y tarda de 3 a 5 días hábiles. El envío es gratis \
             en pedidos de más de 50 €.",
        ),
        entry(
            "kb_refund_hi",
            Some("hi"),
            &["returns"],
            "रिफंड नीति",
            &[
                "मुझे रिफंड कैसे मिलेगा?",
                "क्या मैं सामान वापस कर सकता हूँ?",
                "पैसे वापस कैसे मिलेंगे?",
            ],
            "आप डिलीवरी के 30 दिनों के भीतर कोई भी अप्रयुक्त सामान वापस कर सकते हैं और पूरा रिफंड पा सकते हैं।",
        ),
        entry(
            "kb_shipping_hi",
            Some("hi"),
            &["shipping"],
            "डिलीवरी और शिपिंग",
            &["डिलीवरी में कितने दिन लगते हैं?", "शिपिंग का खर्च कितना है?"],
            "सामान्य डिलीवरी में 3 से 5 कार्य दिवस लगते हैं। 500 रुपये से ऊपर के ऑर्डर पर शिपिंग मुफ्त है।",
        ),
        entry(
            "kb_contact",
            None,
            &["contact"],
            "Contact us",
            &[
                "How can I contact you?",
                "What is your phone number?",
                "What is your email address?",
            ],
            "Write to support@example.com or call +1 555 0100.",
        ),
    ])
}

fn search(index: &Index, query: &str, lang: Option<&str>) -> Vec<Hit> {
    index.search(
        query,
        &SearchOptions {
            lang,
            ..SearchOptions::default()
        },
    )
}

/// (query, its language, the entry that answers it): customer wording, not the entry's.
const PARAPHRASES: &[(&str, &str, &str)] = &[
    ("When are you open on Saturday?", "en", "kb_hours_en"),
    ("what time do you open", "en", "kb_hours_en"),
    ("I would like my money back", "en", "kb_refund_en"),
    ("how can I return a product", "en", "kb_refund_en"),
    ("how much does delivery cost?", "en", "kb_shipping_en"),
    ("how long will delivery take", "en", "kb_shipping_en"),
    ("ممكن أسترجع أموالي؟", "ar", "kb_refund_ar"),
    ("ما هي تكلفة الشحن", "ar", "kb_shipping_ar"),
    ("¿A qué hora abren el sábado?", "es", "kb_hours_es"),
    ("cuánto cuesta enviar un paquete", "es", "kb_shipping_es"),
    ("मेरे पैसे वापस कब मिलेंगे", "hi", "kb_refund_hi"),
    ("डिलीवरी कितने दिन में होगी", "hi", "kb_shipping_hi"),
    ("what's your phone number", "en", "kb_contact"),
];

#[test]
fn paraphrases_rank_their_entry_first_with_confidence() {
    let index = knowledge_base();
    let mut failures = Vec::new();
    for (query, lang, expected) in PARAPHRASES {
        // With the detected language as the app passes it, and with no language at all.
        for lang in [Some(*lang), None] {
            let hits = search(&index, query, lang);
            let top = hits.first();
            println!(
                "{query:?} ({lang:?}): {:?}",
                top.map(|h| (&h.id, h.confidence))
            );
            match top {
                Some(hit) if hit.id == *expected && hit.confidence >= CONFIDENT => {}
                _ => failures.push(format!(
                    "{query:?} ({lang:?}): expected {expected}, got {top:?}"
                )),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn unrelated_questions_and_pleasantries_are_not_confident() {
    let index = knowledge_base();
    for query in [
        "hello",
        "hi there!",
        "thanks",
        "thank you so much",
        "مرحبا",
        "شكرا",
        "hola, buenos días",
        "नमस्ते",
        "Do you sell gift cards?",
        "Can I pay with PayPal?",
        "How long is the warranty on the headphones?",
        "Is the blue jacket available in size M?",
        "¿Tienen tarjetas de regalo?",
        "هل لديكم بطاقات هدايا؟",
        "क्या आपके पास गिफ्ट कार्ड है?",
    ] {
        let hits = search(&index, query, None);
        let best = hits.iter().map(|h| h.confidence).fold(0.0, f64::max);
        println!(
            "{query:?}: {:?}",
            hits.first().map(|h| (&h.id, h.confidence))
        );
        assert!(best < CONFIDENT, "{query:?} must not be answered: {hits:?}");
    }
}

#[test]
fn results_are_best_first_positive_and_limited() {
    let index = knowledge_base();
    // "shipping" and "delivery" are in the shipping entry's title and questions; the
    // refund entry only mentions "delivery" once in its body.
    let all = search(&index, "shipping delivery", None);
    let ids: Vec<&str> = all.iter().map(|h| h.id.as_str()).collect();
    assert_eq!(ids, ["kb_shipping_en", "kb_refund_en"]);
    assert!(all[0].score > all[1].score && all[1].score > 0.0);
    assert!(
        all[0].confidence >= CONFIDENT && all[1].confidence < CONFIDENT,
        "{all:?}"
    );
    assert!(all.iter().all(|h| (0.0..=1.0).contains(&h.confidence)));
    let one = index.search(
        "shipping delivery",
        &SearchOptions {
            limit: 1,
            ..SearchOptions::default()
        },
    );
    assert_eq!(one.len(), 1);
    assert_eq!(one[0].id, "kb_shipping_en");
    assert!(
        search(&index, "zzzz qqqq", None).is_empty(),
        "no match, no hit"
    );
}

#[test]
fn the_language_filter_keeps_that_language_and_language_less_entries() {
    let index = knowledge_base();
    let arabic = search(&index, "الشحن refund contact", Some("ar"));
    assert!(!arabic.is_empty());
    assert!(
        arabic
            .iter()
            .all(|h| h.id.ends_with("_ar") || h.id == "kb_contact"),
        "{arabic:?}"
    );
    assert!(
        arabic.iter().any(|h| h.id == "kb_contact"),
        "language-less entries qualify"
    );
    let english = search(&index, "refund", Some("en-GB"));
    assert_eq!(english.first().map(|h| h.id.as_str()), Some("kb_refund_en"));
    assert!(english.iter().all(|h| !h.id.ends_with("_hi")));
    // The same query without a filter finds the Hindi entry too (the word "रिफंड").
    assert!(
        search(&index, "रिफंड", None)
            .iter()
            .any(|h| h.id == "kb_refund_hi")
    );
    assert!(search(&index, "रिफंड", Some("en")).is_empty());
}

#[test]
fn the_tag_filter_needs_any_of_the_tags() {
    let index = knowledge_base();
    let tags = vec!["shipping".to_string(), "contact".to_string()];
    let hits = index.search(
        "how much does it cost, phone number",
        &SearchOptions {
            tags: &tags,
            ..SearchOptions::default()
        },
    );
    assert!(!hits.is_empty());
    assert!(
        hits.iter()
            .all(|h| h.id.starts_with("kb_shipping") || h.id == "kb_contact"),
        "{hits:?}"
    );
    let none = vec!["billing".to_string()];
    assert!(
        index
            .search(
                "refund",
                &SearchOptions {
                    tags: &none,
                    ..SearchOptions::default()
                }
            )
            .is_empty()
    );
}

#[test]
fn an_empty_index_finds_nothing() {
    let index = Index::new(Vec::new());
    assert!(index.is_empty());
    assert_eq!(index.len(), 0);
    assert!(index.search("refund", &SearchOptions::default()).is_empty());
    assert_eq!(knowledge_base().len(), 10);
}

#[test]
fn ties_are_ordered_by_id() {
    let twin = |id: &str| {
        entry(
            id,
            Some("en"),
            &[],
            "Gift wrapping",
            &["Do you gift wrap?"],
            "Yes, for 2.",
        )
    };
    let index = Index::new(vec![twin("kb_c"), twin("kb_a"), twin("kb_b")]);
    let ids: Vec<String> = search(&index, "gift wrapping", None)
        .into_iter()
        .map(|h| h.id)
        .collect();
    assert_eq!(ids, ["kb_a", "kb_b", "kb_c"]);
}

#[test]
fn questions_and_title_outweigh_the_body() {
    let index = Index::new(vec![
        entry(
            "kb_body",
            Some("en"),
            &[],
            "Store news",
            &[],
            "We now accept gift cards in every store and online.",
        ),
        entry(
            "kb_question",
            Some("en"),
            &[],
            "Payments",
            &["Do you accept gift cards?"],
            "Yes, in every store.",
        ),
    ]);
    let hits = search(&index, "gift cards", None);
    assert_eq!(hits[0].id, "kb_question", "{hits:?}");
    assert!(
        hits[0].confidence >= CONFIDENT && hits[1].confidence < CONFIDENT,
        "{hits:?}"
    );
}

#[test]
fn a_stemmer_mismatch_cannot_lose_an_exact_match() {
    // Indexed as German, searched as if English: the surface forms still meet.
    let index = Index::new(vec![entry(
        "kb_de",
        Some("de"),
        &[],
        "Rücksendungen",
        &["Wie funktionieren Rücksendungen?"],
        "Rücksendungen sind 30 Tage kostenlos.",
    )]);
    let hits = index.search(
        "Rücksendungen",
        &SearchOptions {
            lang: None,
            ..SearchOptions::default()
        },
    );
    assert_eq!(hits.first().map(|h| h.id.as_str()), Some("kb_de"));
    let mislabelled = Index::new(vec![entry(
        "kb_x",
        Some("en"),
        &[],
        "Envíos",
        &["¿Hacen envíos?"],
        "Sí.",
    )]);
    assert_eq!(search(&mislabelled, "envíos", None).len(), 1);
}

#[test]
fn the_index_can_be_shared_between_threads() {
    fn shareable<T: Send + Sync + 'static>(_: &T) {}
    let index = std::sync::Arc::new(knowledge_base());
    shareable(&index);
    let worker = {
        let index = index.clone();
        std::thread::spawn(move || index.search("refund", &SearchOptions::default()).len())
    };
    assert_eq!(
        worker.join().unwrap(),
        index.search("refund", &SearchOptions::default()).len()
    );
}
