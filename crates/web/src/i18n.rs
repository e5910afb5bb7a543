//! Languages: the four locales, their messages (fluent), digits and numbers.
//!
//! The messages live in `locales/<tag>.ftl`, embedded at build time. English is the reference:
//! every other locale must have every English message, and none may be left in English
//! (tested below). The translations await review by native speakers (`docs/i18n.md`).

use std::collections::BTreeMap;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use unic_langid::LanguageIdentifier;

/// A locale of the pages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Locale {
    /// English.
    En,
    /// Dari (Afghan Persian).
    FaAf,
    /// Pashto.
    Ps,
    /// Afghan Uzbek in Arabic script.
    UzArab,
}

impl Locale {
    /// Every locale, in the order of the language switcher.
    pub const ALL: [Locale; 4] = [Locale::FaAf, Locale::Ps, Locale::UzArab, Locale::En];

    /// The BCP 47 tag (also the first path segment of every page).
    #[must_use]
    pub fn tag(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::FaAf => "fa-AF",
            Locale::Ps => "ps",
            Locale::UzArab => "uz-Arab",
        }
    }

    /// The locale of a tag.
    #[must_use]
    pub fn parse(tag: &str) -> Option<Locale> {
        Locale::ALL.into_iter().find(|l| l.tag() == tag)
    }

    /// The language's own name, for the switcher.
    #[must_use]
    pub fn endonym(self) -> &'static str {
        match self {
            Locale::En => "English",
            Locale::FaAf => "دری",
            Locale::Ps => "پښتو",
            Locale::UzArab => "اوزبیکی",
        }
    }

    /// Whether the script runs right to left.
    #[must_use]
    pub fn is_rtl(self) -> bool {
        !matches!(self, Locale::En)
    }

    /// `rtl` or `ltr`, for the `dir` attribute.
    #[must_use]
    pub fn dir(self) -> &'static str {
        if self.is_rtl() { "rtl" } else { "ltr" }
    }

    fn source(self) -> &'static str {
        match self {
            Locale::En => include_str!("../locales/en.ftl"),
            Locale::FaAf => include_str!("../locales/fa-AF.ftl"),
            Locale::Ps => include_str!("../locales/ps.ftl"),
            Locale::UzArab => include_str!("../locales/uz-Arab.ftl"),
        }
    }
}

/// Replace ASCII digits, the decimal point and the percent sign with the locale's own:
/// Persian/Arabic-Indic digits `۰۱۲۳۴۵۶۷۸۹` (U+06F0…) for Dari, Pashto and Uzbek.
#[must_use]
pub fn localize_digits(s: &str, locale: Locale) -> String {
    if !locale.is_rtl() {
        return s.to_owned();
    }
    s.chars()
        .map(|c| match c {
            '0'..='9' => char::from_u32(0x06F0 + (c as u32 - '0' as u32)).unwrap_or(c),
            _ => c,
        })
        .collect()
}

/// An integer with thousands grouped, in the locale's digits (`12,345`; `۱۲٬۳۴۵`).
#[must_use]
pub fn format_int(n: u64, locale: Locale) -> String {
    let digits = n.to_string();
    let sep = if locale.is_rtl() { '\u{066C}' } else { ',' };
    let mut out = String::new();
    let len = digits.len();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (len - i) % 3 == 0 {
            out.push(sep);
        }
        out.push(c);
    }
    localize_digits(&out, locale)
}

/// `part / whole` as a percentage with one decimal (`45.3%`; `۴۵٫۳٪`), rounded half up;
/// `–` when `whole` is 0.
#[must_use]
pub fn format_percent(part: u64, whole: u64, locale: Locale) -> String {
    if whole == 0 {
        return "–".to_owned();
    }
    let permille = (u128::from(part) * 1000 + u128::from(whole) / 2) / u128::from(whole);
    let (int, frac) = (permille / 10, permille % 10);
    if locale.is_rtl() {
        localize_digits(&format!("{int}\u{066B}{frac}\u{066A}"), locale)
    } else {
        format!("{int}.{frac}%")
    }
}

/// The messages of every locale.
pub struct Messages {
    bundles: BTreeMap<Locale, FluentBundle<FluentResource>>,
}

impl std::fmt::Debug for Messages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Messages")
            .field("locales", &self.bundles.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// A message file that does not parse.
#[derive(Debug, thiserror::Error)]
#[error("locales/{locale}.ftl: {problem}")]
pub struct MessageError {
    /// The locale's tag.
    pub locale: &'static str,
    /// What is wrong.
    pub problem: String,
}

impl Messages {
    /// Parse the embedded message files.
    pub fn load() -> Result<Messages, MessageError> {
        let mut bundles = BTreeMap::new();
        for locale in Locale::ALL {
            let err = |problem: String| MessageError {
                locale: locale.tag(),
                problem,
            };
            let resource = FluentResource::try_new(locale.source().to_owned())
                .map_err(|(_, e)| err(format!("{e:?}")))?;
            let lang: LanguageIdentifier =
                locale.tag().parse().map_err(|e| err(format!("tag: {e}")))?;
            let mut bundle = FluentBundle::new_concurrent(vec![lang]);
            // No Unicode isolation marks around arguments: arguments are numbers and names
            // whose direction the page's markup already isolates.
            bundle.set_use_isolating(false);
            bundle
                .add_resource(resource)
                .map_err(|e| err(format!("{e:?}")))?;
            bundles.insert(locale, bundle);
        }
        Ok(Messages { bundles })
    }

    /// The message `id` in `locale` with string arguments; the identifier itself when the
    /// message is missing (which the completeness test forbids).
    #[must_use]
    pub fn get(&self, locale: Locale, id: &str, args: &[(&str, String)]) -> String {
        let Some(bundle) = self.bundles.get(&locale) else {
            return id.to_owned();
        };
        let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) else {
            return id.to_owned();
        };
        let mut fargs = FluentArgs::new();
        for (k, v) in args {
            fargs.set(*k, FluentValue::from(v.clone()));
        }
        let mut errors = Vec::new();
        bundle
            .format_pattern(pattern, Some(&fargs), &mut errors)
            .into_owned()
    }

    /// The identifiers of every message of a locale's file.
    #[must_use]
    pub fn ids(locale: Locale) -> Vec<String> {
        locale
            .source()
            .lines()
            .filter_map(|l| l.split_once(" = ").map(|(k, _)| k.trim().to_owned()))
            .filter(|k| !k.is_empty() && !k.starts_with('#'))
            .collect()
    }

    /// The raw (unformatted) text of a message, for the completeness test.
    #[must_use]
    pub fn raw(locale: Locale, id: &str) -> Option<String> {
        locale.source().lines().find_map(|l| {
            l.split_once(" = ")
                .filter(|(k, _)| k.trim() == id)
                .map(|(_, v)| v.to_owned())
        })
    }
}

/// Arabic-script month names of the Solar Hijri calendar as used in Afghanistan
/// (Hamal … Hut), and their English transcriptions.
#[must_use]
pub fn solar_month(month: u32, locale: Locale) -> &'static str {
    const EN: [&str; 12] = [
        "Hamal", "Sawr", "Jawza", "Saratan", "Asad", "Sunbula", "Mizan", "Aqrab", "Qaws", "Jadi",
        "Dalw", "Hut",
    ];
    const DARI: [&str; 12] = [
        "حمل",
        "ثور",
        "جوزا",
        "سرطان",
        "اسد",
        "سنبله",
        "میزان",
        "عقرب",
        "قوس",
        "جدی",
        "دلو",
        "حوت",
    ];
    const PASHTO: [&str; 12] = [
        "وری",
        "غویی",
        "غبرګولی",
        "چنګاښ",
        "زمری",
        "وږی",
        "تله",
        "لړم",
        "لیندۍ",
        "مرغومی",
        "سلواغه",
        "کب",
    ];
    let table = match locale {
        Locale::En => &EN,
        Locale::Ps => &PASHTO,
        Locale::FaAf | Locale::UzArab => &DARI,
    };
    usize::try_from(month)
        .ok()
        .and_then(|m| m.checked_sub(1))
        .and_then(|i| table.get(i))
        .copied()
        .unwrap_or("?")
}

/// Gregorian month names.
#[must_use]
pub fn gregorian_month(month: u32, locale: Locale) -> &'static str {
    const EN: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    // The transcriptions used in Afghan Dari, Pashto and Uzbek alike.
    const AR: [&str; 12] = [
        "جنوری",
        "فبروری",
        "مارچ",
        "اپریل",
        "می",
        "جون",
        "جولای",
        "اګست",
        "سپتمبر",
        "اکتوبر",
        "نومبر",
        "دسمبر",
    ];
    let table = if locale.is_rtl() { &AR } else { &EN };
    usize::try_from(month)
        .ok()
        .and_then(|m| m.checked_sub(1))
        .and_then(|i| table.get(i))
        .copied()
        .unwrap_or("?")
}

/// A day (days since 1970-01-01) written in Solar Hijri and in Gregorian, in the locale.
#[must_use]
pub fn format_dates(days: i64, locale: Locale) -> (String, String) {
    let (gy, gm, gd) = crate::solar_hijri::civil_from_days(days);
    let gregorian = localize_digits(
        &format!("{gd} {} {gy}", gregorian_month(gm, locale)),
        locale,
    );
    let solar = crate::solar_hijri::from_days(days).map_or_else(
        || "–".to_owned(),
        |s| {
            localize_digits(
                &format!("{} {} {}", s.day, solar_month(s.month, locale), s.year),
                locale,
            )
        },
    );
    (solar, gregorian)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    /// Messages that may equal the English text: none at present. An entry here must be a
    /// proper name or a number only.
    const SAME_AS_ENGLISH: &[&str] = &[];

    #[test]
    fn every_locale_is_complete_and_translated() {
        let en = Messages::ids(Locale::En);
        assert!(en.len() > 50, "English messages not found");
        let mut problems = Vec::new();
        for locale in Locale::ALL {
            if locale == Locale::En {
                continue;
            }
            let ids = Messages::ids(locale);
            for id in &en {
                match Messages::raw(locale, id) {
                    None => problems.push(format!("{}: {id} missing", locale.tag())),
                    Some(text) => {
                        let english = Messages::raw(Locale::En, id).unwrap();
                        if text.trim() == english.trim() && !SAME_AS_ENGLISH.contains(&id.as_str())
                        {
                            problems.push(format!("{}: {id} is the English text", locale.tag()));
                        }
                        // Arabic-script locales: a translated message contains Arabic letters.
                        if !text.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c)) {
                            problems.push(format!("{}: {id} has no Arabic script", locale.tag()));
                        }
                    }
                }
            }
            for id in &ids {
                if !en.contains(id) {
                    problems.push(format!("{}: {id} is not an English message", locale.tag()));
                }
            }
        }
        assert!(problems.is_empty(), "{problems:#?}");
    }

    #[test]
    fn messages_parse_and_format_arguments() {
        let m = Messages::load().unwrap();
        let args = [("reported", "3".to_owned()), ("expected", "10".to_owned())];
        assert_eq!(
            m.get(Locale::En, "progress", &args),
            "3 of 10 polling stations reported"
        );
        let fa = m.get(Locale::FaAf, "progress", &args);
        assert!(fa.starts_with("3 از 10 "), "{fa}");
    }

    #[test]
    fn digits() {
        assert_eq!(localize_digits("2024", Locale::FaAf), "۲۰۲۴");
        assert_eq!(localize_digits("0-9", Locale::Ps), "۰-۹");
        assert_eq!(localize_digits("2024", Locale::En), "2024");
        assert_eq!(format_int(1_234_567, Locale::En), "1,234,567");
        assert_eq!(format_int(1_234_567, Locale::UzArab), "۱٬۲۳۴٬۵۶۷");
        assert_eq!(format_int(999, Locale::En), "999");
        assert_eq!(format_int(0, Locale::FaAf), "۰");
    }

    #[test]
    fn percentages() {
        // 1/3 = 33.333… % → 33.3 %; 2/3 = 66.666… → 66.7 %.
        assert_eq!(format_percent(1, 3, Locale::En), "33.3%");
        assert_eq!(format_percent(2, 3, Locale::En), "66.7%");
        assert_eq!(format_percent(2, 3, Locale::FaAf), "۶۶٫۷٪");
        assert_eq!(format_percent(5, 0, Locale::En), "–");
        assert_eq!(format_percent(401, 400, Locale::En), "100.3%");
    }

    #[test]
    fn dates_in_both_calendars() {
        // 14 April 2018 = 25 Hamal 1397 (domain §4.10).
        let day = crate::solar_hijri::days_from_civil(2018, 4, 14);
        assert_eq!(
            format_dates(day, Locale::En),
            ("25 Hamal 1397".to_owned(), "14 April 2018".to_owned())
        );
        assert_eq!(
            format_dates(day, Locale::FaAf),
            ("۲۵ حمل ۱۳۹۷".to_owned(), "۱۴ اپریل ۲۰۱۸".to_owned())
        );
        assert_eq!(format_dates(day, Locale::Ps).0, "۲۵ وری ۱۳۹۷");
    }

    #[test]
    fn tags_round_trip() {
        for l in Locale::ALL {
            assert_eq!(Locale::parse(l.tag()), Some(l));
        }
        assert_eq!(Locale::parse("fr"), None);
        assert_eq!(Locale::UzArab.dir(), "rtl");
        assert_eq!(Locale::En.dir(), "ltr");
    }
}
