//! Name parts for synthetic candidates: (English transliteration, Dari, Pashto).
//!
//! Common Afghan given names and family names. Pashto spellings differ from Dari mainly in the
//! letters ګ (gāf, U+06AB), ړ and final ۍ/ي; the Pashto column spells those where they apply.
//! The combinations are synthetic and refer to no real person.

pub(crate) type Part = (&'static str, &'static str, &'static str);

pub(crate) const MALE_GIVEN: &[Part] = &[
    ("Ahmad", "احمد", "احمد"),
    ("Mohammad", "محمد", "محمد"),
    ("Abdul Rahman", "عبدالرحمن", "عبدالرحمن"),
    ("Abdullah", "عبدالله", "عبدالله"),
    ("Ali", "علی", "علي"),
    ("Hamid", "حمید", "حمید"),
    ("Karim", "کریم", "کریم"),
    ("Rahim", "رحیم", "رحیم"),
    ("Nasir", "ناصر", "ناصر"),
    ("Zalmai", "زلمی", "زلمی"),
    ("Wahid", "وحید", "وحید"),
    ("Farid", "فرید", "فرید"),
    ("Jawad", "جواد", "جواد"),
    ("Habib", "حبیب", "حبیب"),
    ("Qadir", "قادر", "قادر"),
    ("Mirwais", "میرویس", "میرویس"),
    ("Naveed", "نوید", "نوید"),
    ("Samiullah", "سمیع‌الله", "سمیع الله"),
    ("Haroon", "هارون", "هارون"),
    ("Yousuf", "یوسف", "یوسف"),
    ("Daud", "داوود", "داوود"),
    ("Bashir", "بشیر", "بشیر"),
    ("Rashid", "رشید", "رشید"),
    ("Sharif", "شریف", "شریف"),
    ("Najib", "نجیب", "نجیب"),
    ("Aziz", "عزیز", "عزیز"),
    ("Latif", "لطیف", "لطیف"),
    ("Shafiq", "شفیق", "شفیق"),
    ("Khalid", "خالد", "خالد"),
    ("Omid", "امید", "امید"),
    ("Gul Agha", "گل آغا", "ګل آغا"),
    ("Sher Khan", "شیر خان", "شیر خان"),
];

pub(crate) const FEMALE_GIVEN: &[Part] = &[
    ("Fatima", "فاطمه", "فاطمه"),
    ("Zahra", "زهرا", "زهرا"),
    ("Maryam", "مریم", "مریم"),
    ("Shukria", "شکریه", "شکریه"),
    ("Fawzia", "فوزیه", "فوزیه"),
    ("Habiba", "حبیبه", "حبیبه"),
    ("Malalai", "ملالی", "ملالۍ"),
    ("Roya", "رویا", "رویا"),
    ("Nilofar", "نیلوفر", "نیلوفر"),
    ("Farida", "فریده", "فریده"),
    ("Sima", "سیما", "سیما"),
    ("Laila", "لیلا", "لیلا"),
    ("Masooda", "مسعوده", "مسعوده"),
    ("Nargis", "نرگس", "نرګس"),
    ("Parwin", "پروین", "پروین"),
    ("Zarghuna", "زرغونه", "زرغونه"),
    ("Hasina", "حسینه", "حسینه"),
    ("Shabnam", "شبنم", "شبنم"),
    ("Sadia", "سعدیه", "سعدیه"),
    ("Anisa", "انیسه", "انیسه"),
    ("Rahima", "رحیمه", "رحیمه"),
    ("Gulalai", "گلالی", "ګلالۍ"),
    ("Khadija", "خدیجه", "خدیجه"),
    ("Soraya", "ثریا", "ثریا"),
    ("Marzia", "مرضیه", "مرضیه"),
    ("Najiba", "نجیبه", "نجیبه"),
    ("Homa", "هما", "هما"),
    ("Frozan", "فروزان", "فروزان"),
    ("Mina", "مینا", "مینا"),
    ("Tahmina", "تهمینه", "تهمینه"),
];

pub(crate) const FAMILY: &[Part] = &[
    ("Ahmadzai", "احمدزی", "احمدزی"),
    ("Popalzai", "پوپلزی", "پوپلزی"),
    ("Barakzai", "بارکزی", "بارکزی"),
    ("Stanekzai", "ستانکزی", "ستانکزی"),
    ("Karimi", "کریمی", "کریمي"),
    ("Rahimi", "رحیمی", "رحیمي"),
    ("Hashimi", "هاشمی", "هاشمي"),
    ("Noori", "نوری", "نوري"),
    ("Sultani", "سلطانی", "سلطاني"),
    ("Amiri", "امیری", "امیري"),
    ("Haidari", "حیدری", "حیدري"),
    ("Sadat", "سادات", "سادات"),
    ("Wardak", "وردک", "وردګ"),
    ("Safi", "صافی", "صافي"),
    ("Mohmand", "مومند", "مومند"),
    ("Shinwari", "شینواری", "شینواري"),
    ("Yousufzai", "یوسفزی", "یوسفزی"),
    ("Hotak", "هوتک", "هوتک"),
    ("Durrani", "درانی", "دراني"),
    ("Naderi", "نادری", "نادري"),
    ("Jalali", "جلالی", "جلالي"),
    ("Rahmani", "رحمانی", "رحماني"),
    ("Akbari", "اکبری", "اکبري"),
    ("Qaderi", "قادری", "قادري"),
    ("Mohseni", "محسنی", "محسني"),
    ("Azizi", "عزیزی", "عزیزي"),
    ("Faizi", "فیضی", "فیضي"),
    ("Samadi", "صمدی", "صمدي"),
    ("Habibi", "حبیبی", "حبیبي"),
    ("Kakar", "کاکر", "کاکړ"),
    ("Ghaznawi", "غزنوی", "غزنوي"),
    ("Balkhi", "بلخی", "بلخي"),
    ("Herawi", "هروی", "هروي"),
    ("Andarabi", "اندرابی", "اندرابي"),
    ("Panjshiri", "پنجشیری", "پنجشیري"),
    ("Mujaddidi", "مجددی", "مجددي"),
    ("Gilani", "گیلانی", "ګیلاني"),
    ("Sarwari", "سروری", "سروري"),
    ("Nazari", "نظری", "نظري"),
    ("Zazai", "زازی", "ځاځی"),
];

/// Ballot symbols: short identifiers of pictures easy to tell apart.
pub(crate) const SYMBOLS: &[&str] = &[
    "book", "tree", "lamp", "horse", "key", "pen", "scales", "star", "sun", "moon", "mountain",
    "river", "flower", "wheat", "eagle", "dove", "boat", "bicycle", "clock", "cup", "door",
    "flag", "hand", "house", "kite", "ladder", "leaf", "lion", "pomegranate", "rose", "ship",
    "tent", "tulip", "umbrella", "wheel", "window", "apple", "bell", "bridge", "camel", "candle",
    "car", "chair", "compass", "crescent", "drum", "eye", "fish", "grapes", "hat",
];

/// Persian (Extended Arabic-Indic) digits, used for numbers in Dari and Pashto names.
pub(crate) fn persian_digits(n: u32) -> String {
    n.to_string()
        .chars()
        .map(|c| match c.to_digit(10) {
            Some(d) => char::from_u32(0x06F0 + d).unwrap_or(c),
            None => c,
        })
        .collect()
}
