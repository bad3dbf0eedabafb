//! Language detection on short customer-support messages in all 17 languages.

use confab_agent::lang::{SUPPORTED, detect, warm_up};

/// (expected ISO 639-1 code, message): realistic, mostly short, some very short.
const MESSAGES: &[(&str, &str)] = &[
    ("en", "Where is my order?"),
    ("en", "I want to talk to a human"),
    ("en", "How much is shipping to Canada?"),
    ("en", "My package arrived damaged, I need a refund"),
    ("en", "Can I change my delivery address please"),
    ("ar", "أين طلبي؟"),
    ("ar", "أريد التحدث إلى موظف"),
    ("ar", "كم تكلفة الشحن إلى دبي؟"),
    ("ar", "هذا سيء جدا، أنا غاضب"),
    ("ar", "هل يمكنني إرجاع المنتج؟"),
    ("hi", "मुझे किसी इंसान से बात करनी है"),
    ("hi", "मेरा ऑर्डर कहाँ है?"),
    ("hi", "डिलीवरी में कितने दिन लगेंगे?"),
    ("hi", "मुझे रिफंड चाहिए"),
    ("hi", "यह बहुत खराब सेवा है"),
    ("ta", "என் ஆர்டர் எங்கே?"),
    ("ta", "நான் ஒரு மனிதரிடம் பேச வேண்டும்"),
    ("ta", "பணத்தை திருப்பி தர முடியுமா?"),
    ("ta", "டெலிவரிக்கு எவ்வளவு நாள் ஆகும்?"),
    ("es", "hola, ¿cuánto cuesta el envío?"),
    ("es", "¿Dónde está mi pedido?"),
    ("es", "Quiero hablar con una persona"),
    ("es", "El producto llegó roto"),
    ("es", "¿Puedo devolver las zapatillas?"),
    ("fr", "Bonjour, où est ma commande ?"),
    ("fr", "Je voudrais parler à un conseiller"),
    ("fr", "Combien coûte la livraison ?"),
    ("fr", "Le colis est arrivé cassé"),
    ("fr", "Comment puis-je être remboursé ?"),
    ("de", "Wo ist meine Bestellung?"),
    ("de", "Ich möchte mit einem Menschen sprechen"),
    ("de", "Wie lange dauert der Versand?"),
    ("de", "Das Paket ist beschädigt angekommen"),
    ("de", "Kann ich meine Adresse ändern?"),
    ("pt", "Olá, onde está o meu pedido?"),
    ("pt", "Quero falar com um atendente"),
    ("pt", "Quanto custa o frete para São Paulo?"),
    ("pt", "O produto chegou quebrado"),
    ("pt", "Vocês fazem troca de tamanho?"),
    ("it", "Dov'è il mio ordine?"),
    ("it", "Vorrei parlare con un operatore"),
    ("it", "Quanto costa la spedizione?"),
    ("it", "Il pacco è arrivato rotto"),
    ("it", "Posso cambiare l'indirizzo di consegna?"),
    ("nl", "Waar is mijn bestelling?"),
    ("nl", "Ik wil met een medewerker spreken"),
    ("nl", "Hoeveel kost de verzending?"),
    ("nl", "Het pakket is beschadigd aangekomen"),
    ("nl", "Kan ik mijn adres wijzigen?"),
    ("tr", "Siparişim nerede?"),
    ("tr", "Bir müşteri temsilcisiyle görüşmek istiyorum"),
    ("tr", "Kargo ücreti ne kadar?"),
    ("tr", "Ürün kırık geldi"),
    ("tr", "Adresimi değiştirebilir miyim?"),
    ("id", "Pesanan saya di mana?"),
    ("id", "Saya mau bicara dengan petugas"),
    ("id", "Berapa ongkos kirim ke Surabaya?"),
    ("id", "Barangnya rusak waktu sampai"),
    ("id", "Apakah bisa ganti alamat pengiriman?"),
    ("ur", "میرا آرڈر کہاں ہے؟"),
    ("ur", "مجھے کسی انسان سے بات کرنی ہے"),
    ("ur", "ڈیلیوری میں کتنے دن لگیں گے؟"),
    ("ur", "مجھے اپنے پیسے واپس چاہییں"),
    ("bn", "আমার অর্ডার কোথায়?"),
    ("bn", "আমি একজন মানুষের সাথে কথা বলতে চাই"),
    ("bn", "ডেলিভারি চার্জ কত?"),
    ("bn", "পণ্যটি ভাঙা অবস্থায় এসেছে"),
    ("ru", "Где мой заказ?"),
    ("ru", "Хочу поговорить с оператором"),
    ("ru", "Сколько стоит доставка?"),
    ("ru", "Посылка пришла повреждённой"),
    ("ru", "Можно изменить адрес доставки?"),
    ("zh", "我的订单在哪里？"),
    ("zh", "我要转人工客服"),
    ("zh", "运费是多少？"),
    ("zh", "收到的商品坏了，我要退款"),
    ("zh", "可以修改收货地址吗？"),
    ("ja", "注文した商品はどこですか？"),
    ("ja", "担当者と話したいです"),
    ("ja", "送料はいくらですか？"),
    ("ja", "届いた商品が壊れていました"),
    ("ja", "配送先の住所を変更できますか？"),
];

#[test]
fn short_support_messages_in_every_language() {
    warm_up();
    let mut wrong = Vec::new();
    for (expected, text) in MESSAGES {
        let got = detect(text);
        if got != Some(*expected) {
            wrong.push(format!("{text:?}: expected {expected}, got {got:?}"));
        }
    }
    let correct = MESSAGES.len() - wrong.len();
    let accuracy = correct as f64 / MESSAGES.len() as f64;
    println!(
        "language detection: {correct}/{} correct ({:.1}%)",
        MESSAGES.len(),
        accuracy * 100.0
    );
    for line in &wrong {
        println!("  {line}");
    }
    assert!(
        accuracy >= 0.95,
        "accuracy {accuracy:.3} below 0.95:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_test_set_covers_every_supported_language() {
    assert!(MESSAGES.len() >= 60);
    for code in SUPPORTED {
        assert!(
            MESSAGES.iter().any(|(lang, _)| lang == code),
            "no message in {code}"
        );
    }
}

#[test]
fn nothing_to_detect_is_none() {
    for text in [
        "",
        "👍",
        "😡😡😡",
        "12345",
        "??!!",
        "#42 -- 3/4",
        "asdf qwerty zxcv",
    ] {
        assert_eq!(detect(text), None, "{text:?}");
    }
}

#[test]
fn detection_is_fast_enough_per_message() {
    warm_up();
    let started = std::time::Instant::now();
    let rounds = 20;
    for _ in 0..rounds {
        for (_, text) in MESSAGES {
            detect(text);
        }
    }
    let per_message = started.elapsed() / (rounds * MESSAGES.len()) as u32;
    println!("language detection: {per_message:?} per message (debug build)");
    // A debug build is ~10x slower than release; the release figure is ~0.1 ms.
    assert!(
        per_message < std::time::Duration::from_millis(20),
        "{per_message:?}"
    );
}
