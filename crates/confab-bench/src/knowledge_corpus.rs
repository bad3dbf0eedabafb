//! A generated but realistic knowledge base for `confab-bench knowledge`: shop FAQ
//! entries (a topic about a product) in six languages, each with a title, three question
//! variants and a body of a few sentences, plus customer queries that paraphrase them.
//! Deterministic: the same seed gives the same corpus, so runs compare.

use confab_agent::retrieval::Document;

/// xorshift64*: enough randomness for a corpus, no dependency.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    pub fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) as usize % n.max(1)
    }

    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// One language's material. `{p}` in a template is the product.
struct Language {
    code: &'static str,
    /// Share of entries, in percent.
    share: usize,
    products: &'static [&'static str],
    /// (title, three question variants, body sentences) per topic.
    topics: &'static [(&'static str, [&'static str; 3], &'static [&'static str])],
    /// Words customers wrap questions in.
    fillers: &'static [&'static str],
}

const LANGUAGES: &[Language] = &[
    Language {
        code: "en",
        share: 45,
        products: &[
            "wireless headphones",
            "running shoes",
            "coffee grinder",
            "standing desk",
            "yoga mat",
            "electric kettle",
            "rain jacket",
            "gaming mouse",
            "baby stroller",
            "air purifier",
            "smart watch",
            "camping tent",
            "office chair",
            "blender",
            "winter boots",
            "phone case",
            "backpack",
            "desk lamp",
            "robot vacuum",
            "espresso machine",
            "bike helmet",
            "sofa bed",
            "mechanical keyboard",
            "water bottle",
            "sunglasses",
        ],
        topics: &[
            (
                "Returning a {p}",
                [
                    "How do I return my {p}?",
                    "Can I send the {p} back?",
                    "What is the return window for a {p}?",
                ],
                &[
                    "You can return an unused {p} within 30 days.",
                    "Print the prepaid label from your account.",
                    "Refunds reach your card within 5 business days.",
                ],
            ),
            (
                "Warranty for the {p}",
                [
                    "Is the {p} covered by warranty?",
                    "How long is the {p} warranty?",
                    "My {p} stopped working, is it under guarantee?",
                ],
                &[
                    "Every {p} has a two-year manufacturer warranty.",
                    "Keep your receipt as proof of purchase.",
                    "Repairs take about ten days.",
                ],
            ),
            (
                "Shipping the {p}",
                [
                    "How much is shipping for a {p}?",
                    "When will my {p} arrive?",
                    "Do you ship the {p} abroad?",
                ],
                &[
                    "Standard delivery of a {p} takes 3 to 5 days.",
                    "Express shipping costs 9.99.",
                    "We ship to 30 countries.",
                ],
            ),
            (
                "{p} size and fit",
                [
                    "Which size of {p} should I choose?",
                    "Does the {p} run small?",
                    "Is there a size chart for the {p}?",
                ],
                &[
                    "Check the size chart on the {p} page.",
                    "Most customers take their usual size.",
                    "Exchanges for another size are free.",
                ],
            ),
            (
                "Cleaning your {p}",
                [
                    "How do I clean the {p}?",
                    "Can the {p} go in the washing machine?",
                    "What should I use to clean my {p}?",
                ],
                &[
                    "Wipe the {p} with a damp cloth.",
                    "Do not use bleach or solvents.",
                    "Let it dry completely before use.",
                ],
            ),
            (
                "{p} out of stock",
                [
                    "When is the {p} back in stock?",
                    "Can I preorder the {p}?",
                    "Will you restock the {p}?",
                ],
                &[
                    "New stock of the {p} arrives every month.",
                    "Sign up for a restock alert on the product page.",
                    "Preorders ship first.",
                ],
            ),
            (
                "Paying for a {p} in installments",
                [
                    "Can I pay for the {p} in installments?",
                    "Do you offer financing on the {p}?",
                    "Is buy now pay later available for a {p}?",
                ],
                &[
                    "Orders over 100 can be paid in three installments.",
                    "Financing is approved at checkout in seconds.",
                    "There are no extra fees.",
                ],
            ),
            (
                "Assembling the {p}",
                [
                    "How do I assemble the {p}?",
                    "Are there instructions for the {p}?",
                    "Do you offer assembly of the {p}?",
                ],
                &[
                    "The {p} comes with printed instructions.",
                    "A video guide is on the product page.",
                    "Assembly takes about twenty minutes.",
                ],
            ),
        ],
        fillers: &[
            "hi,",
            "hello,",
            "please",
            "quick question:",
            "thanks",
            "hey",
            "I need to know",
            "can you tell me",
        ],
    },
    Language {
        code: "es",
        share: 15,
        products: &[
            "auriculares",
            "zapatillas",
            "cafetera",
            "mochila",
            "colchón",
            "bicicleta",
            "chaqueta",
            "lámpara",
            "silla de oficina",
            "reloj inteligente",
        ],
        topics: &[
            (
                "Devolución de {p}",
                [
                    "¿Cómo devuelvo mis {p}?",
                    "¿Puedo devolver la {p}?",
                    "¿Cuál es el plazo para devolver {p}?",
                ],
                &[
                    "Puedes devolver {p} sin usar en 30 días.",
                    "El reembolso llega en 5 días hábiles.",
                ],
            ),
            (
                "Envío de {p}",
                [
                    "¿Cuánto cuesta el envío de {p}?",
                    "¿Cuándo llega mi {p}?",
                    "¿Envían {p} al extranjero?",
                ],
                &[
                    "El envío estándar de {p} tarda de 3 a 5 días.",
                    "El envío urgente cuesta 9,99 €.",
                ],
            ),
            (
                "Garantía de {p}",
                [
                    "¿La {p} tiene garantía?",
                    "¿Cuánto dura la garantía de {p}?",
                    "Mi {p} dejó de funcionar",
                ],
                &[
                    "Todos los productos tienen dos años de garantía.",
                    "Guarda el ticket de compra.",
                ],
            ),
        ],
        fillers: &["hola,", "por favor", "buenas,", "gracias", "una pregunta:"],
    },
    Language {
        code: "fr",
        share: 10,
        products: &[
            "casque audio",
            "baskets",
            "cafetière",
            "sac à dos",
            "matelas",
            "vélo",
            "veste",
            "lampe",
            "chaise de bureau",
            "montre connectée",
        ],
        topics: &[
            (
                "Retourner un {p}",
                [
                    "Comment retourner mon {p} ?",
                    "Puis-je renvoyer le {p} ?",
                    "Quel est le délai de retour pour un {p} ?",
                ],
                &[
                    "Vous pouvez retourner un {p} non utilisé sous 30 jours.",
                    "Le remboursement arrive sous 5 jours ouvrés.",
                ],
            ),
            (
                "Livraison du {p}",
                [
                    "Combien coûte la livraison du {p} ?",
                    "Quand vais-je recevoir mon {p} ?",
                    "Livrez-vous le {p} à l'étranger ?",
                ],
                &[
                    "La livraison standard du {p} prend 3 à 5 jours.",
                    "La livraison express coûte 9,99 €.",
                ],
            ),
            (
                "Garantie du {p}",
                [
                    "Le {p} est-il garanti ?",
                    "Quelle est la durée de garantie du {p} ?",
                    "Mon {p} ne marche plus",
                ],
                &[
                    "Chaque produit est garanti deux ans.",
                    "Conservez votre facture.",
                ],
            ),
        ],
        fillers: &["bonjour,", "s'il vous plaît", "merci", "une question :"],
    },
    Language {
        code: "de",
        share: 10,
        products: &[
            "Kopfhörer",
            "Laufschuhe",
            "Kaffeemühle",
            "Rucksack",
            "Matratze",
            "Fahrrad",
            "Regenjacke",
            "Schreibtischlampe",
            "Bürostuhl",
            "Smartwatch",
        ],
        topics: &[
            (
                "Rücksendung: {p}",
                [
                    "Wie schicke ich meine {p} zurück?",
                    "Kann ich den {p} zurückgeben?",
                    "Wie lange habe ich Zeit, {p} zurückzusenden?",
                ],
                &[
                    "Unbenutzte {p} können 30 Tage lang zurückgegeben werden.",
                    "Die Erstattung dauert 5 Werktage.",
                ],
            ),
            (
                "Versand: {p}",
                [
                    "Was kostet der Versand für {p}?",
                    "Wann kommt mein {p} an?",
                    "Versenden Sie {p} ins Ausland?",
                ],
                &[
                    "Der Standardversand für {p} dauert 3 bis 5 Tage.",
                    "Expressversand kostet 9,99 €.",
                ],
            ),
            (
                "Garantie: {p}",
                [
                    "Gibt es Garantie auf {p}?",
                    "Wie lange gilt die Garantie für {p}?",
                    "Mein {p} funktioniert nicht mehr",
                ],
                &[
                    "Alle Produkte haben zwei Jahre Garantie.",
                    "Bewahren Sie den Kaufbeleg auf.",
                ],
            ),
        ],
        fillers: &["hallo,", "bitte", "danke", "kurze Frage:"],
    },
    Language {
        code: "ar",
        share: 10,
        products: &[
            "سماعات",
            "حذاء رياضي",
            "ماكينة قهوة",
            "حقيبة ظهر",
            "مرتبة",
            "دراجة",
            "جاكيت",
            "مصباح",
            "كرسي مكتب",
            "ساعة ذكية",
        ],
        topics: &[
            (
                "إرجاع {p}",
                [
                    "كيف أرجع {p}؟",
                    "هل يمكنني إرجاع {p}؟",
                    "ما هي مدة إرجاع {p}؟",
                ],
                &[
                    "يمكنك إرجاع {p} غير المستخدم خلال 30 يوما.",
                    "يصل المبلغ المسترد خلال 5 أيام عمل.",
                ],
            ),
            (
                "شحن {p}",
                [
                    "كم تكلفة شحن {p}؟",
                    "متى يصل {p}؟",
                    "هل تشحنون {p} إلى الخارج؟",
                ],
                &[
                    "يستغرق الشحن العادي لـ {p} من 3 إلى 5 أيام.",
                    "الشحن السريع بتكلفة 30 درهما.",
                ],
            ),
            (
                "ضمان {p}",
                ["هل {p} عليه ضمان؟", "كم مدة ضمان {p}؟", "{p} توقف عن العمل"],
                &["جميع المنتجات عليها ضمان لمدة سنتين.", "احتفظ بالفاتورة."],
            ),
        ],
        fillers: &["مرحبا،", "من فضلك", "شكرا", "سؤال:"],
    },
    Language {
        code: "hi",
        share: 10,
        products: &[
            "हेडफ़ोन",
            "जूते",
            "कॉफ़ी मशीन",
            "बैग",
            "गद्दा",
            "साइकिल",
            "जैकेट",
            "लैंप",
            "कुर्सी",
            "स्मार्ट घड़ी",
        ],
        topics: &[
            (
                "{p} की वापसी",
                [
                    "मैं {p} कैसे वापस करूँ?",
                    "क्या मैं {p} लौटा सकता हूँ?",
                    "{p} वापस करने की समय सीमा क्या है?",
                ],
                &[
                    "आप 30 दिनों के भीतर बिना इस्तेमाल किया {p} वापस कर सकते हैं।",
                    "रिफंड 5 कार्य दिवसों में मिलता है।",
                ],
            ),
            (
                "{p} की डिलीवरी",
                [
                    "{p} की शिपिंग कितनी है?",
                    "मेरा {p} कब आएगा?",
                    "क्या आप {p} विदेश भेजते हैं?",
                ],
                &[
                    "{p} की सामान्य डिलीवरी में 3 से 5 दिन लगते हैं।",
                    "एक्सप्रेस डिलीवरी 99 रुपये की है।",
                ],
            ),
            (
                "{p} की वारंटी",
                [
                    "क्या {p} पर वारंटी है?",
                    "{p} की वारंटी कितने समय की है?",
                    "मेरा {p} काम नहीं कर रहा",
                ],
                &["सभी उत्पादों पर दो साल की वारंटी है।", "अपना बिल संभाल कर रखें।"],
            ),
        ],
        fillers: &["नमस्ते,", "कृपया", "धन्यवाद", "एक सवाल:"],
    },
];

/// `count` entries, languages in their shares, with a model number so titles differ.
pub fn documents(count: usize, rng: &mut Rng) -> Vec<Document> {
    (0..count)
        .map(|n| {
            let language = language_for(n);
            let product = rng.pick(language.products);
            let (title, questions, body) = language.topics[rng.below(language.topics.len())];
            let model = format!(
                "{product} {}{}",
                rng.pick(&["X", "Pro ", "Lite ", "S"]),
                100 + rng.below(900)
            );
            let fill = |text: &str| text.replace("{p}", &model);
            let mut sentences: Vec<String> = body.iter().map(|s| fill(s)).collect();
            sentences.push(format!("Ref. {}-{}.", language.code.to_uppercase(), n));
            Document {
                id: format!("kb_{n:05}"),
                title: fill(title),
                questions: questions.iter().map(|q| fill(q)).collect(),
                body: sentences.join(" "),
                lang: Some(language.code.to_owned()),
                tags: vec![["store", "shipping", "returns", "billing"][n % 4].to_owned()],
            }
        })
        .collect()
}

/// A customer's version of one of `documents`' questions: some words dropped, a
/// greeting or politeness word added, or a generic question about a product.
pub fn query(documents: &[Document], rng: &mut Rng) -> (String, Option<&'static str>) {
    let document = &documents[rng.below(documents.len())];
    let language = LANGUAGES
        .iter()
        .find(|l| Some(l.code) == document.lang.as_deref())
        .unwrap_or(&LANGUAGES[0]);
    let question = &document.questions[rng.below(document.questions.len())];
    let mut words: Vec<&str> = question.split_whitespace().collect();
    match rng.below(4) {
        0 => {} // verbatim
        1 if words.len() > 3 => {
            words.remove(rng.below(words.len()));
        }
        2 => words.insert(0, rng.pick(language.fillers)),
        _ => {
            // Generic: the product without the model number, and a topic word.
            words = vec![
                rng.pick(language.fillers),
                rng.pick(language.products),
                words[words.len() - 1],
            ];
        }
    }
    (words.join(" "), Some(language.code))
}

fn language_for(n: usize) -> &'static Language {
    let mut slot = n % 100;
    for language in LANGUAGES {
        if slot < language.share {
            return language;
        }
        slot -= language.share;
    }
    &LANGUAGES[0]
}
