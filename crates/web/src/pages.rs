//! The pages: view models, askama templates and the axum handlers.

use std::sync::Arc;

use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use sanduq_election::Names;
use sanduq_record::hierarchy::Level;
use sanduq_record::verify::Status;

use crate::i18n::{Locale, format_dates, format_int, format_percent, localize_digits};
use crate::portal::Portal;
use crate::svg;

type Shared = Arc<Portal>;

/// The router of the pages (mount it anywhere; every link is absolute from `/`).
pub fn router(portal: Arc<Portal>) -> Router {
    Router::new()
        .route("/", get(root))
        .route("/static/style.css", get(style))
        .route("/download/record.tar", get(download_record))
        .route("/download/results.csv", get(download_results))
        .route("/download/stations.csv", get(download_stations))
        .route("/{lang}/", get(nation))
        .route("/{lang}", get(nation))
        .route("/{lang}/unit/{id}", get(unit))
        .route("/{lang}/contest/{id}", get(contest))
        .route("/{lang}/verification", get(verification))
        .route("/{lang}/anomalies", get(anomalies))
        .route("/{lang}/downloads", get(downloads))
        .route("/{lang}/receipt", get(receipt))
        .route("/{lang}/booth", get(booth))
        .route("/booth/setup.json", get(booth_setup))
        .route("/booth/pkg/{file}", get(booth_pkg))
        .route("/static/booth.js", get(booth_js))
        .route("/static/receipt.js", get(receipt_js))
        .route("/receipt-data/{code}", get(receipt_data))
        .route("/{lang}/booth/style", get(booth_style))
        .route("/cast", post(cast))
        .route("/board/proof/{code}", get(board_proof))
        .fallback(not_found)
        .with_state(portal)
}

/// The stylesheet (logical properties only: it serves both directions).
pub const STYLE: &str = include_str!("../static/style.css");

async fn root() -> Redirect {
    Redirect::to("/fa-AF/")
}

async fn style() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], STYLE).into_response()
}

async fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "not found").into_response()
}

/// A name in the locale (Uzbek falls back to Dari, the manifest's Uzbek being optional).
#[must_use]
pub fn name_in(n: &Names, l: Locale) -> String {
    match l {
        Locale::En => n.en.clone(),
        Locale::FaAf => n.fa_af.clone(),
        Locale::Ps => n.ps.clone(),
        Locale::UzArab => n.uz_arab.clone().unwrap_or_else(|| n.fa_af.clone()),
    }
}

/// Translation helper handed to templates.
#[derive(Debug)]
pub struct Tr<'a> {
    portal: &'a Portal,
    locale: Locale,
}

impl Tr<'_> {
    /// A message without arguments.
    #[must_use]
    pub fn get(&self, id: &str) -> String {
        self.portal.messages.get(self.locale, id, &[])
    }

    /// The locale's tag.
    #[must_use]
    pub fn tag(&self) -> &'static str {
        self.locale.tag()
    }

    fn with(&self, id: &str, args: &[(&str, String)]) -> String {
        self.portal.messages.get(self.locale, id, args)
    }

    fn int(&self, n: u64) -> String {
        format_int(n, self.locale)
    }

    fn pct(&self, a: u64, b: u64) -> String {
        format_percent(a, b, self.locale)
    }
}

/// A link.
#[derive(Debug)]
pub struct Link {
    /// Target.
    pub href: String,
    /// Text.
    pub text: String,
    /// Marks the current page.
    pub current: bool,
}

/// A language of the switcher.
#[derive(Debug)]
pub struct LangLink {
    /// Target.
    pub href: String,
    /// The language's own name.
    pub name: &'static str,
    /// BCP 47 tag.
    pub tag: &'static str,
    /// Its direction.
    pub dir: &'static str,
    /// Current language.
    pub current: bool,
}

#[derive(Template)]
#[template(path = "page.html")]
struct PageTpl<'a> {
    t: Tr<'a>,
    lang: &'static str,
    dir: &'static str,
    title: String,
    site: String,
    nav: Vec<Link>,
    langs: Vec<LangLink>,
    crumbs: Vec<Link>,
    as_of: String,
    body: String,
}

fn page(
    p: &Portal,
    l: Locale,
    rest: &str,
    title: String,
    crumbs: Vec<Link>,
    body: String,
) -> Response {
    let t = Tr {
        portal: p,
        locale: l,
    };
    let base = format!("/{}", l.tag());
    let nav_items = [
        ("/", "nav-results"),
        ("/verification", "nav-verification"),
        ("/anomalies", "nav-anomalies"),
        ("/booth", "nav-booth"),
        ("/receipt", "nav-receipt"),
        ("/downloads", "nav-downloads"),
    ];
    let nav = nav_items
        .iter()
        .map(|(path, id)| Link {
            href: format!("{base}{path}"),
            text: t.get(id),
            current: rest == *path,
        })
        .collect();
    let langs = Locale::ALL
        .iter()
        .map(|o| LangLink {
            href: format!("/{}{rest}", o.tag()),
            name: o.endonym(),
            tag: o.tag(),
            dir: o.dir(),
            current: *o == l,
        })
        .collect();
    let (solar, gregorian) = format_dates(p.as_of_days, l);
    let as_of = t.with("as-of", &[("solar", solar), ("gregorian", gregorian)]);
    let site = format!(
        "{} — {}",
        t.get("site-title"),
        name_in(p.manifest.name(), l)
    );
    let tpl = PageTpl {
        lang: l.tag(),
        dir: l.dir(),
        title,
        site,
        nav,
        langs,
        crumbs,
        as_of,
        body,
        t,
    };
    match tpl.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

/// A page in the reader's language saying that nothing is here (status 404).
fn missing(p: &Portal, l: Locale) -> Response {
    let t = Tr {
        portal: p,
        locale: l,
    };
    let title = t.get("not-found");
    let body = format!(
        "<h1>{}</h1><p><a href=\"/{}/\">{}</a></p>",
        svg::esc(&title),
        l.tag(),
        svg::esc(&t.get("nav-results"))
    );
    let mut resp = page(p, l, "/", title, Vec::new(), body);
    *resp.status_mut() = StatusCode::NOT_FOUND;
    resp
}

fn locale_or_404(tag: &str) -> Result<Locale, Box<Response>> {
    Locale::parse(tag)
        .ok_or_else(|| Box::new((StatusCode::NOT_FOUND, "unknown language").into_response()))
}

// ---------------------------------------------------------------- units

/// The name of a reporting unit in a locale.
fn unit_name(p: &Portal, id: &str, l: Locale, t: &Tr<'_>) -> String {
    if let Some(j) = p.manifest.jurisdiction(id) {
        return name_in(&j.name, l);
    }
    if let Some(c) = p.manifest.polling_centre(id) {
        return name_in(&c.name, l);
    }
    if p.manifest.polling_station(id).is_some() {
        // Stations have no name: "Polling station <its identifier>".
        return format!("{} {id}", t.get("level-station"));
    }
    id.to_owned()
}

fn level_id(level: Level) -> &'static str {
    match level {
        Level::Nation => "level-nation",
        Level::Province => "level-province",
        Level::District => "level-district",
        Level::Centre => "level-centre",
        Level::Station => "level-station",
    }
}

fn crumbs_of(p: &Portal, id: &str, l: Locale, t: &Tr<'_>) -> Vec<Link> {
    let mut chain = Vec::new();
    let mut cur = Some(id.to_owned());
    while let Some(u) = cur {
        cur = p.hierarchy.unit(&u).and_then(|x| x.parent.clone());
        chain.push(u);
    }
    chain.reverse();
    chain
        .iter()
        .map(|u| Link {
            href: unit_href(p, u, l),
            text: unit_name(p, u, l, t),
            current: u == id,
        })
        .collect()
}

fn unit_href(p: &Portal, id: &str, l: Locale) -> String {
    if id == p.hierarchy.nation() {
        format!("/{}/", l.tag())
    } else {
        format!("/{}/unit/{id}", l.tag())
    }
}

/// The contest's title: office and constituency.
fn contest_title(p: &Portal, contest: &str, l: Locale) -> String {
    let Some(c) = p.manifest.contest(contest) else {
        return contest.to_owned();
    };
    let office = p
        .manifest
        .office(c.office.as_str())
        .map(|o| name_in(&o.name, l))
        .unwrap_or_default();
    let constituency = p
        .manifest
        .constituency(c.constituency.as_str())
        .map(|k| name_in(&k.name, l))
        .unwrap_or_default();
    if constituency.is_empty() || office == constituency {
        office
    } else {
        format!("{office} — {constituency}")
    }
}

/// A picture for the demo's symbol identifiers; other symbols are shown as written.
fn symbol_glyph(symbol: &str) -> String {
    let word = symbol.split('-').next().unwrap_or(symbol);
    let glyph = match word {
        "book" => "📖",
        "tree" => "🌳",
        "lamp" => "🪔",
        "horse" => "🐎",
        "key" => "🔑",
        "pen" => "🖊",
        "scales" => "⚖",
        "star" => "⭐",
        "sun" => "☀",
        "moon" => "🌙",
        "mountain" => "⛰",
        "river" => "🌊",
        "flower" => "🌸",
        "wheat" => "🌾",
        "eagle" => "🦅",
        "dove" => "🕊",
        "boat" => "⛵",
        "bicycle" => "🚲",
        "clock" => "🕰",
        "cup" => "☕",
        "door" => "🚪",
        "flag" => "🚩",
        "hand" => "✋",
        "house" => "🏠",
        "kite" => "🪁",
        "ladder" => "🪜",
        "leaf" => "🍃",
        "lion" => "🦁",
        "pomegranate" => "🍎",
        "rose" => "🌹",
        "ship" => "🚢",
        "tent" => "⛺",
        "tulip" => "🌷",
        "umbrella" => "☂",
        "wheel" => "☸",
        "window" => "🪟",
        "apple" => "🍏",
        "bell" => "🔔",
        "bridge" => "🌉",
        "camel" => "🐫",
        "candle" => "🕯",
        "car" => "🚗",
        "chair" => "🪑",
        "compass" => "🧭",
        "crescent" => "☪",
        "drum" => "🥁",
        "eye" => "👁",
        "fish" => "🐟",
        "grapes" => "🍇",
        "hat" => "🎩",
        _ => return symbol.to_owned(),
    };
    match symbol.split_once('-') {
        Some((_, n)) => format!("{glyph}{n}"),
        None => glyph.to_owned(),
    }
}

/// One candidate row of a results table.
#[derive(Debug)]
pub struct CandRow {
    number: String,
    symbol: String,
    symbol_name: String,
    photo: Option<String>,
    name: String,
    votes: String,
    share: String,
    elected: bool,
    reserved: bool,
}

/// A contest as shown on a unit page or its own page.
#[derive(Debug)]
pub struct ContestView {
    id: String,
    href: String,
    title: String,
    method: String,
    ballots_line: String,
    note: Option<String>,
    rows: Vec<CandRow>,
    chart: String,
}

fn method_name(t: &Tr<'_>, m: &str) -> String {
    match m {
        "sntv" => t.get("method-sntv"),
        "two-round" => t.get("method-two-round"),
        "plurality" => t.get("method-plurality"),
        _ => format!("{} ({m})", t.get("method-other")),
    }
}

#[allow(clippy::too_many_arguments)] // one call per page kind; a struct would only rename them
fn contest_view(
    p: &Portal,
    l: Locale,
    t: &Tr<'_>,
    unit: &str,
    contest: &str,
    counts: Option<&Vec<(String, u64)>>,
    note: Option<String>,
    ballots: u64,
) -> ContestView {
    let result = p.results.get(contest);
    let is_nation = unit == p.hierarchy.nation();
    let candidates = p
        .manifest
        .contest(contest)
        .map(|c| c.candidates.clone())
        .unwrap_or_default();
    let total: u64 = counts.map_or(0, |v| v.iter().map(|(_, n)| *n).sum());
    let mut rows = Vec::new();
    let mut bars = Vec::new();
    if let Some(counts) = counts {
        for (id, n) in counts {
            let cand = candidates.iter().find(|c| c.id.as_str() == id);
            let elected = is_nation && result.is_some_and(|r| r.elected.contains(id));
            let reserved = is_nation && result.is_some_and(|r| r.reserved_elected.contains(id));
            let name = cand.map_or_else(|| id.clone(), |c| name_in(&c.name, l));
            let number = cand.map_or(0, |c| u64::from(c.ballot_number));
            rows.push(CandRow {
                number: t.int(number),
                symbol: cand.map_or_else(String::new, |c| symbol_glyph(&c.symbol)),
                symbol_name: cand.map_or_else(String::new, |c| c.symbol.clone()),
                photo: cand.and_then(|c| c.photo.clone()),
                name: name.clone(),
                votes: t.int(*n),
                share: t.pct(*n, total),
                elected,
                reserved,
            });
            bars.push(svg::Bar {
                label: format!("{} {name}", t.int(number)),
                value: *n,
                shown: t.int(*n),
                highlight: elected,
            });
        }
    }
    let chart = if bars.is_empty() {
        String::new()
    } else {
        svg::bar_chart(
            &format!(
                "{} — {}",
                t.get("chart-votes"),
                contest_title(p, contest, l)
            ),
            &bars,
            l.is_rtl(),
        )
    };
    ContestView {
        id: contest.to_owned(),
        href: format!("/{}/contest/{contest}", l.tag()),
        title: contest_title(p, contest, l),
        method: result.map_or_else(String::new, |r| method_name(t, &r.method)),
        ballots_line: t.with("contest-ballots", &[("ballots", t.int(ballots))]),
        note,
        rows,
        chart,
    }
}

/// A row of the sub-units table.
#[derive(Debug)]
pub struct ChildRow {
    href: String,
    name: String,
    progress: String,
    registered: String,
    cast: String,
    turnout: String,
    flagged: String,
}

/// A line of the turnout table.
#[derive(Debug)]
pub struct FigureRow {
    label: String,
    value: String,
}

#[derive(Template)]
#[template(path = "unit.html")]
struct UnitTpl<'a> {
    t: Tr<'a>,
    name: String,
    level: String,
    verified: bool,
    progress: String,
    reported: u64,
    expected: u64,
    figures: Vec<FigureRow>,
    map: String,
    contests: Vec<ContestView>,
    station: Vec<FigureRow>,
    station_flags: Vec<String>,
    children_heading: String,
    children: Vec<ChildRow>,
    others: Vec<ContestLink>,
}

/// A contest listed by name only.
#[derive(Debug)]
pub struct ContestLink {
    href: String,
    title: String,
    ballots: String,
}

/// Whether the unit (given with its ancestors) lies inside the contest's constituency.
fn lies_in(p: &Portal, contest: &str, within: &[String]) -> bool {
    let Some(scope) = p
        .manifest
        .contest(contest)
        .and_then(|c| p.manifest.constituency(c.constituency.as_str()))
        .map(|k| &k.scope)
    else {
        return true;
    };
    match scope {
        sanduq_election::Scope::Geographic { jurisdictions } => jurisdictions
            .iter()
            .any(|j| within.iter().any(|w| w == j.as_str())),
        _ => true,
    }
}

fn unit_page(p: &Portal, l: Locale, id: &str) -> Response {
    let Some(u) = p.hierarchy.unit(id) else {
        return missing(p, l);
    };
    let t = Tr {
        portal: p,
        locale: l,
    };
    let f = p.figures.get(id).cloned().unwrap_or_default();
    let figures = vec![
        FigureRow {
            label: t.get("registered"),
            value: t.int(f.registered),
        },
        FigureRow {
            label: t.get("cast"),
            value: t.int(f.cast),
        },
        FigureRow {
            label: t.get("turnout"),
            value: t.pct(f.cast, f.registered),
        },
        FigureRow {
            label: t.get("turnout-men"),
            value: t.pct(f.cast_men, f.registered_men),
        },
        FigureRow {
            label: t.get("turnout-women"),
            value: t.pct(f.cast_women, f.registered_women),
        },
    ];
    let k = p.manifest.privacy_threshold();
    let mut contests = Vec::new();
    let mut others = Vec::new();
    let mut within = vec![id.to_owned()];
    let mut cur = u.parent.clone();
    while let Some(a) = cur {
        cur = p.hierarchy.unit(&a).and_then(|x| x.parent.clone());
        within.push(a);
    }
    if let Some(tally) = p.tallies.get(id) {
        for c in &tally.contests {
            // A contest of a smaller constituency (a province's seats seen from the nation)
            // is listed with a link; the page shows in full the contests this unit lies in.
            if !lies_in(p, &c.contest, &within) {
                others.push(ContestLink {
                    href: format!("/{}/contest/{}", l.tag(), c.contest),
                    title: contest_title(p, &c.contest, l),
                    ballots: t.int(c.ballots),
                });
                continue;
            }
            let counts = p.counts.get(&(id.to_owned(), c.contest.clone()));
            let note = if counts.is_some() {
                None
            } else if c.disclosure == "withheld" {
                Some(t.get("withheld"))
            } else {
                let parent = c
                    .merged_into
                    .clone()
                    .or_else(|| u.parent.clone())
                    .unwrap_or_default();
                Some(t.with(
                    "merged",
                    &[
                        ("k", t.int(u64::from(k))),
                        ("parent", unit_name(p, &parent, l, &t)),
                    ],
                ))
            };
            contests.push(contest_view(
                p, l, &t, id, &c.contest, counts, note, c.ballots,
            ));
        }
    }
    let mut station = Vec::new();
    let mut station_flags = Vec::new();
    if let Some(s) = p.manifest.polling_station(id) {
        let kind = match s.gender {
            sanduq_election::StationGender::Women => t.get("station-women"),
            _ => t.get("station-men"),
        };
        let status = match s.status {
            sanduq_election::Status::Closed => t.get("status-closed"),
            sanduq_election::Status::Planned => t.get("status-planned"),
            _ => t.get("status-open"),
        };
        station.push(FigureRow {
            label: t.get("station-kind"),
            value: kind,
        });
        station.push(FigureRow {
            label: t.get("status"),
            value: status,
        });
        if let Some(fl) = p.flags.get(id) {
            station_flags = fl.iter().map(|x| t.get(x.message_id())).collect();
        }
    }
    let children: Vec<ChildRow> = u
        .children
        .iter()
        .map(|c| {
            let cf = p.figures.get(c).cloned().unwrap_or_default();
            ChildRow {
                href: unit_href(p, c, l),
                name: unit_name(p, c, l, &t),
                progress: localize_digits(&format!("{}/{}", cf.reported, cf.expected), l),
                registered: t.int(cf.registered),
                cast: t.int(cf.cast),
                turnout: t.pct(cf.cast, cf.registered),
                flagged: t.int(cf.flagged),
            }
        })
        .collect();
    let child_level = u
        .children
        .first()
        .and_then(|c| p.hierarchy.unit(c))
        .map(|c| t.get(level_id(c.level)))
        .unwrap_or_else(|| t.get("subunits-heading"));
    let map = if u.level == Level::Nation {
        let points: Vec<svg::MapPoint> = u
            .children
            .iter()
            .filter_map(|c| {
                let j = p.manifest.jurisdiction(c)?;
                let (lat, lng) = *p.centroids.get(j.iso_code.as_deref()?)?;
                let cf = p.figures.get(c).cloned().unwrap_or_default();
                let name = name_in(&j.name, l);
                Some(svg::MapPoint {
                    href: unit_href(p, c, l),
                    tip: format!("{name}: {} {}", t.int(cf.cast), t.get("cast")),
                    name,
                    lat,
                    lng,
                    ballots: cf.cast,
                })
            })
            .collect();
        svg::province_map(&t.get("map-heading"), &points)
    } else {
        String::new()
    };
    let name = unit_name(p, id, l, &t);
    let tpl = UnitTpl {
        name: name.clone(),
        level: t.get(level_id(u.level)),
        verified: p.level_verified(u.level),
        progress: t.with(
            "progress",
            &[
                ("reported", t.int(f.reported)),
                ("expected", t.int(f.expected)),
            ],
        ),
        reported: f.reported,
        expected: f.expected,
        figures,
        map,
        contests,
        station,
        station_flags,
        children_heading: child_level,
        children,
        others,
        t,
    };
    let crumbs = crumbs_of(
        p,
        id,
        l,
        &Tr {
            portal: p,
            locale: l,
        },
    );
    let rest = if id == p.hierarchy.nation() {
        "/".to_owned()
    } else {
        format!("/unit/{id}")
    };
    match tpl.render() {
        Ok(body) => page(p, l, &rest, name, crumbs, body),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

async fn nation(State(p): State<Shared>, Path(lang): Path<String>) -> Response {
    match locale_or_404(&lang) {
        Ok(l) => unit_page(&p, l, p.hierarchy.nation()),
        Err(r) => *r,
    }
}

async fn unit(State(p): State<Shared>, Path((lang, id)): Path<(String, String)>) -> Response {
    match locale_or_404(&lang) {
        Ok(l) => unit_page(&p, l, &id),
        Err(r) => *r,
    }
}

// ---------------------------------------------------------------- contest

/// One round of the round-by-round report.
#[derive(Debug)]
pub struct RoundView {
    number: String,
    tallies: Vec<(String, String)>,
    elected: String,
    excluded: String,
}

#[derive(Template)]
#[template(path = "contest.html")]
struct ContestTpl<'a> {
    t: Tr<'a>,
    c: ContestView,
    seats_summary: String,
    outcome_notes: Vec<String>,
    seats_chart: String,
    rounds: Vec<RoundView>,
    ties: Vec<String>,
    verified: bool,
}

async fn contest(State(p): State<Shared>, Path((lang, id)): Path<(String, String)>) -> Response {
    let l = match locale_or_404(&lang) {
        Ok(l) => l,
        Err(r) => return *r,
    };
    let p = &*p;
    let Some(r) = p.results.get(&id) else {
        return missing(p, l);
    };
    let t = Tr {
        portal: p,
        locale: l,
    };
    let nation = p.hierarchy.nation().to_owned();
    let counts: Option<Vec<(String, u64)>> = (r.status == "counted").then(|| {
        p.manifest
            .contest(&id)
            .map(|c| {
                c.candidates
                    .iter()
                    .map(|k| {
                        let id = k.id.as_str().to_owned();
                        let v = r.totals.get(&id).copied().unwrap_or(0);
                        (id, v)
                    })
                    .collect()
            })
            .unwrap_or_default()
    });
    let note = (r.status != "counted").then(|| t.get("withheld"));
    let view = contest_view(p, l, &t, &nation, &id, counts.as_ref(), note, r.ballots);
    let cname = |c: &str| {
        p.manifest
            .contest(&id)
            .and_then(|k| k.candidates.iter().find(|x| x.id.as_str() == c))
            .map_or_else(|| c.to_owned(), |x| name_in(&x.name, l))
    };
    let mut outcome_notes = Vec::new();
    if let Some(ro) = &r.runoff {
        outcome_notes.push(t.with(
            "runoff",
            &[
                ("first", ro.first().map(|c| cname(c)).unwrap_or_default()),
                ("second", ro.get(1).map(|c| cname(c)).unwrap_or_default()),
            ],
        ));
    }
    if let Some(n) = r.reserved_unfilled.filter(|n| *n > 0) {
        outcome_notes.push(t.with("unfilled", &[("count", t.int(n))]));
    }
    let seats: Vec<svg::Seat> = r
        .elected
        .iter()
        .map(|c| svg::Seat {
            holder: cname(c),
            reserved: r.reserved_elected.contains(c),
        })
        .collect();
    let seats_chart = if seats.is_empty() {
        String::new()
    } else {
        svg::seats_chart(
            &format!("{} — {}", t.get("chart-seats"), view.title),
            &seats,
            &t.get("reserved-mark"),
            l.is_rtl(),
        )
    };
    let rounds = p
        .outcomes
        .get(&id)
        .map(|o| {
            o.rounds
                .iter()
                .map(|rd| RoundView {
                    number: t.int(rd.round as u64),
                    tallies: rd
                        .tallies
                        .iter()
                        .map(|(c, v)| (cname(c), localize_digits(v, l)))
                        .collect(),
                    elected: rd
                        .elected
                        .iter()
                        .map(|c| cname(c))
                        .collect::<Vec<_>>()
                        .join("، "),
                    excluded: rd
                        .excluded
                        .iter()
                        .map(|c| cname(c))
                        .collect::<Vec<_>>()
                        .join("، "),
                })
                .collect()
        })
        .unwrap_or_default();
    let tpl = ContestTpl {
        seats_summary: t.with(
            if r.reserved_women > 0 {
                "seats-summary"
            } else {
                "seats-count"
            },
            &[
                ("seats", t.int(r.seats)),
                ("reserved", t.int(r.reserved_women)),
            ],
        ),
        outcome_notes,
        seats_chart,
        rounds,
        ties: p
            .outcomes
            .get(&id)
            .map(|o| {
                o.ties
                    .iter()
                    .map(|x| {
                        t.with(
                            "tie-line",
                            &[
                                ("round", t.int(x.round as u64)),
                                (
                                    "candidates",
                                    x.candidates
                                        .iter()
                                        .map(|c| cname(c))
                                        .collect::<Vec<_>>()
                                        .join("، "),
                                ),
                                ("favoured", cname(&x.favoured)),
                            ],
                        )
                    })
                    .collect()
            })
            .unwrap_or_default(),
        verified: p.level_verified(Level::Nation),
        c: view,
        t,
    };
    let title = tpl.c.title.clone();
    let crumbs = crumbs_of(
        p,
        &nation,
        l,
        &Tr {
            portal: p,
            locale: l,
        },
    );
    match tpl.render() {
        Ok(body) => page(p, l, &format!("/contest/{id}"), title, crumbs, body),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

// ---------------------------------------------------------------- verification

/// A check as shown.
#[derive(Debug)]
pub struct CheckRow {
    number: String,
    name: String,
    objects: String,
    passed: bool,
    failure: String,
}

#[derive(Template)]
#[template(path = "verification.html")]
struct VerificationTpl<'a> {
    t: Tr<'a>,
    passed: bool,
    record_id: String,
    fingerprint: String,
    levels: Vec<(String, bool)>,
    checks: Vec<CheckRow>,
}

async fn verification(State(p): State<Shared>, Path(lang): Path<String>) -> Response {
    let l = match locale_or_404(&lang) {
        Ok(l) => l,
        Err(r) => return *r,
    };
    let p = &*p;
    let t = Tr {
        portal: p,
        locale: l,
    };
    let checks = p
        .report
        .checks
        .iter()
        .map(|c| CheckRow {
            number: t.int(u64::from(c.number)),
            name: c.name.to_owned(),
            objects: t.int(c.objects),
            passed: c.status == Status::Passed,
            failure: c
                .failure
                .as_ref()
                .map(|f| format!("{}: {}", f.object, f.reason))
                .unwrap_or_default(),
        })
        .collect();
    let levels = [
        Level::Nation,
        Level::Province,
        Level::District,
        Level::Centre,
        Level::Station,
    ]
    .iter()
    .map(|lv| (t.get(level_id(*lv)), p.level_verified(*lv)))
    .collect();
    let tpl = VerificationTpl {
        passed: p.report.passed(),
        record_id: p.record_id.clone(),
        fingerprint: p
            .report
            .verified
            .as_ref()
            .map(|v| v.fingerprint.clone())
            .unwrap_or_default(),
        levels,
        checks,
        t,
    };
    let title = tpl.t.get("verification-heading");
    match tpl.render() {
        Ok(body) => page(p, l, "/verification", title, Vec::new(), body),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

// ---------------------------------------------------------------- anomalies

/// A flagged station.
#[derive(Debug)]
pub struct FlagRow {
    href: String,
    station: String,
    place: String,
    flags: Vec<String>,
}

#[derive(Template)]
#[template(path = "anomalies.html")]
struct AnomaliesTpl<'a> {
    t: Tr<'a>,
    rows: Vec<FlagRow>,
}

async fn anomalies(State(p): State<Shared>, Path(lang): Path<String>) -> Response {
    let l = match locale_or_404(&lang) {
        Ok(l) => l,
        Err(r) => return *r,
    };
    let p = &*p;
    let t = Tr {
        portal: p,
        locale: l,
    };
    let rows = p
        .flags
        .iter()
        .map(|(s, fl)| {
            let unit = p.hierarchy.unit(s);
            let place = unit
                .and_then(|u| u.district.clone())
                .map(|d| unit_name(p, &d, l, &t))
                .unwrap_or_default();
            FlagRow {
                href: unit_href(p, s, l),
                station: unit_name(p, s, l, &t),
                place,
                flags: fl.iter().map(|f| t.get(f.message_id())).collect(),
            }
        })
        .collect();
    let tpl = AnomaliesTpl { rows, t };
    let title = tpl.t.get("anomalies-heading");
    match tpl.render() {
        Ok(body) => page(p, l, "/anomalies", title, Vec::new(), body),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

// ---------------------------------------------------------------- downloads

#[derive(Template)]
#[template(path = "downloads.html")]
struct DownloadsTpl<'a> {
    t: Tr<'a>,
    record_id: String,
    size: String,
}

async fn downloads(State(p): State<Shared>, Path(lang): Path<String>) -> Response {
    let l = match locale_or_404(&lang) {
        Ok(l) => l,
        Err(r) => return *r,
    };
    let p = &*p;
    let t = Tr {
        portal: p,
        locale: l,
    };
    let tpl = DownloadsTpl {
        record_id: p.record_id.clone(),
        size: t.int(p.archive.len() as u64),
        t,
    };
    let title = tpl.t.get("downloads-heading");
    match tpl.render() {
        Ok(body) => page(p, l, "/downloads", title, Vec::new(), body),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

async fn download_record(State(p): State<Shared>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/x-tar"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"record.tar\"",
            ),
        ],
        p.archive.clone(),
    )
        .into_response()
}

async fn download_results(State(p): State<Shared>) -> Response {
    csv_response("results.csv", crate::csv::results(&p))
}

async fn download_stations(State(p): State<Shared>) -> Response {
    csv_response("stations.csv", crate::csv::stations(&p))
}

fn csv_response(name: &str, body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response()
}

// ---------------------------------------------------------------- receipt

/// The query of the receipt form.
#[derive(Debug, serde::Deserialize)]
pub struct ReceiptQuery {
    /// The tracking code as typed.
    code: Option<String>,
}

/// A found ballot, as shown.
#[derive(Debug)]
pub struct ReceiptView {
    code: String,
    station_href: String,
    station: String,
    place: String,
    device: String,
    seq: String,
    cast: bool,
    code_ok: bool,
    chain_ok: bool,
    file: String,
    prev_code: String,
    opened: Vec<(String, Vec<String>)>,
}

/// A witness's cosignature, as shown.
#[derive(Debug)]
pub struct WitnessRow {
    name: String,
    ok: bool,
    text: String,
}

/// A receipt from the bulletin board, checked, as shown.
#[derive(Debug)]
pub struct BoardView {
    code: String,
    kind: String,
    signer: String,
    station: Option<String>,
    index: String,
    size: String,
    origin: String,
    root: String,
    proof: Vec<String>,
    entry_ok: bool,
    log_ok: bool,
    witnesses: Vec<WitnessRow>,
    inclusion_ok: bool,
    verified: bool,
    reason: String,
    log_key: String,
    witness_keys: String,
    quorum: usize,
}

#[derive(Template)]
#[template(path = "receipt.html")]
struct ReceiptTpl<'a> {
    t: Tr<'a>,
    typed: String,
    searched: bool,
    found: Option<ReceiptView>,
    in_browser: bool,
    bad_code: bool,
    board: Option<BoardView>,
    board_error: Option<String>,
    has_board: bool,
}

fn board_view(
    t: &Tr<'_>,
    link: &crate::board::BoardLink,
    c: &crate::board::BoardCheck,
) -> BoardView {
    use crate::board::Cosigned;
    BoardView {
        code: c.tracking_code.clone(),
        kind: c.kind.clone().unwrap_or_default(),
        signer: c.signer.clone().unwrap_or_default(),
        station: c.station.clone(),
        index: t.int(c.index),
        size: t.int(c.size),
        origin: c.origin.clone(),
        root: c.root.clone(),
        proof: c.proof.clone(),
        entry_ok: c.entry_ok,
        log_ok: c.log_signature,
        witnesses: c
            .witnesses
            .iter()
            .map(|(name, st)| WitnessRow {
                name: name.clone(),
                ok: matches!(st, Cosigned::Valid(_)),
                text: t.get(match st {
                    Cosigned::Valid(_) => "board-cosig-ok",
                    Cosigned::Missing => "board-cosig-missing",
                    Cosigned::Invalid => "board-cosig-bad",
                    Cosigned::Future(_) => "board-cosig-future",
                }),
            })
            .collect(),
        inclusion_ok: c.inclusion,
        verified: c.verdict.is_ok(),
        reason: c.verdict.clone().err().unwrap_or_default(),
        log_key: link.log_key.to_vkey(),
        witness_keys: serde_json::to_string(&link.witness_vkeys()).unwrap_or_default(),
        quorum: link.quorum,
    }
}

fn is_code(code: &str) -> bool {
    code.len() == 64
        && code
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// A tracking code as typed: hex digits only, lower case (spaces and dashes dropped).
#[must_use]
pub fn normalise_code(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

async fn receipt(
    State(p): State<Shared>,
    Path(lang): Path<String>,
    Query(q): Query<ReceiptQuery>,
) -> Response {
    let l = match locale_or_404(&lang) {
        Ok(l) => l,
        Err(r) => return *r,
    };
    let p = &*p;
    let t = Tr {
        portal: p,
        locale: l,
    };
    let typed = q.code.clone().unwrap_or_default();
    let code = normalise_code(&typed);
    let found = p.receipts.get(&code).map(|e| {
        let cname = |contest: &str, c: &str| {
            p.manifest
                .contest(contest)
                .and_then(|k| k.candidates.iter().find(|x| x.id.as_str() == c))
                .map_or_else(
                    || c.to_owned(),
                    |x| {
                        format!(
                            "{} {}",
                            t.int(u64::from(x.ballot_number)),
                            name_in(&x.name, l)
                        )
                    },
                )
        };
        ReceiptView {
            code: code.clone(),
            station_href: unit_href(p, &e.station, l),
            station: unit_name(p, &e.station, l, &t),
            place: p
                .hierarchy
                .unit(&e.station)
                .and_then(|u| u.district.clone())
                .map(|d| unit_name(p, &d, l, &t))
                .unwrap_or_default(),
            device: e.device.clone(),
            seq: t.int(e.seq),
            cast: e.status == "cast",
            code_ok: e.code_recomputes,
            chain_ok: p
                .report
                .checks
                .iter()
                .any(|c| c.number == 7 && c.status == Status::Passed),
            file: format!("{}:{}", e.file, e.line),
            prev_code: e.prev_code.clone(),
            opened: e
                .opened
                .iter()
                .map(|(contest, marks)| {
                    (
                        contest_title(p, contest, l),
                        marks.iter().map(|c| cname(contest, c)).collect(),
                    )
                })
                .collect(),
        }
    });
    let bad_code = !typed.is_empty() && !is_code(&code);
    let mut board = None;
    let mut board_error = None;
    if let (None, false, Some(link)) = (&found, bad_code || typed.is_empty(), &p.board) {
        let (l2, c2) = (link.clone(), code.clone());
        let looked = tokio::task::spawn_blocking(move || {
            crate::board::lookup(&l2, &c2, crate::board::now())
        })
        .await
        .unwrap_or_else(|e| crate::board::Lookup::Unreachable(e.to_string()));
        match looked {
            crate::board::Lookup::Checked(c) => board = Some(board_view(&t, link, &c)),
            crate::board::Lookup::NotFound => board_error = Some(t.get("board-not-found")),
            crate::board::Lookup::NotYetPublished => board_error = Some(t.get("board-not-yet")),
            crate::board::Lookup::Malformed(e) => {
                board_error = Some(format!("{} ({e})", t.get("board-malformed")));
            }
            crate::board::Lookup::Unreachable(e) => {
                eprintln!("portal: board: {e}");
                board_error = Some(t.get("board-unreachable"));
            }
        }
    }
    let tpl = ReceiptTpl {
        in_browser: p.booth_pkg.is_some(),
        searched: !typed.is_empty(),
        has_board: p.board.is_some(),
        typed,
        found,
        bad_code,
        board,
        board_error,
        t,
    };
    let title = tpl.t.get("receipt-heading");
    match tpl.render() {
        Ok(body) => page(p, l, "/receipt", title, Vec::new(), body),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

// ---------------------------------------------------------------- booth

/// The booth's script.
pub const BOOTH_JS: &str = include_str!("../static/booth.js");

async fn booth_js() -> Response {
    script(BOOTH_JS)
}

/// A page script, served as JavaScript.
fn script(js: &'static str) -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        js,
    )
        .into_response()
}

async fn booth_setup(State(p): State<Shared>) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        p.booth_setup.clone(),
    )
        .into_response()
}

async fn booth_pkg(State(p): State<Shared>, Path(file): Path<String>) -> Response {
    let Some(pkg) = &p.booth_pkg else {
        return (StatusCode::NOT_FOUND, "the booth is not served here").into_response();
    };
    let (mime, bytes) = match file.as_str() {
        "sanduq_booth_wasm.js" => ("text/javascript; charset=utf-8", pkg.js.clone()),
        "sanduq_booth_wasm_bg.wasm" => ("application/wasm", pkg.wasm.clone()),
        _ => return (StatusCode::NOT_FOUND, "not found").into_response(),
    };
    ([(header::CONTENT_TYPE, mime)], bytes).into_response()
}

/// A candidate on the booth's ballot.
#[derive(Debug)]
pub struct BoothCandidate {
    id: String,
    number: String,
    symbol: String,
    symbol_name: String,
    photo: Option<String>,
    name: String,
}

/// A contest on the booth's ballot.
#[derive(Debug)]
pub struct BoothContest {
    id: String,
    title: String,
    candidates: Vec<BoothCandidate>,
}

#[derive(Template)]
#[template(path = "booth.html")]
struct BoothTpl<'a> {
    t: Tr<'a>,
    contests: Vec<BoothContest>,
    has_board: bool,
}

async fn booth(State(p): State<Shared>, Path(lang): Path<String>) -> Response {
    let l = match locale_or_404(&lang) {
        Ok(l) => l,
        Err(r) => return *r,
    };
    let p = &*p;
    let t = Tr {
        portal: p,
        locale: l,
    };
    let contests = crate::portal::booth_contests(&p.manifest)
        .into_iter()
        .map(|c| BoothContest {
            id: c.id.as_str().to_owned(),
            title: contest_title(p, c.id.as_str(), l),
            candidates: c
                .candidates
                .iter()
                .map(|k| BoothCandidate {
                    id: k.id.as_str().to_owned(),
                    number: t.int(u64::from(k.ballot_number)),
                    symbol: symbol_glyph(&k.symbol),
                    symbol_name: k.symbol.clone(),
                    photo: k.photo.clone(),
                    name: name_in(&k.name, l),
                })
                .collect(),
        })
        .collect();
    let tpl = BoothTpl {
        contests,
        has_board: p.board.is_some(),
        t,
    };
    let title = tpl.t.get("booth-heading");
    match tpl.render() {
        Ok(body) => page(p, l, "/booth", title, Vec::new(), body),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

/// The receipt page's script (checks the code again in the browser).
pub const RECEIPT_JS: &str = include_str!("../static/receipt.js");

async fn receipt_js() -> Response {
    script(RECEIPT_JS)
}

/// What the browser needs to recompute a ballot's confirmation code.
async fn receipt_data(State(p): State<Shared>, Path(code): Path<String>) -> Response {
    let code = normalise_code(&code);
    let Some(e) = p.receipts.get(&code) else {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    };
    let v = serde_json::json!({
        "code": code,
        "fingerprint": p.fingerprint,
        "device": e.device,
        "prev_code": e.prev_code,
        "ballot": e.ballot_json,
    });
    ([(header::CONTENT_TYPE, "application/json")], v.to_string()).into_response()
}

// ---------------------------------------------------------------- board

fn json_answer(status: StatusCode, body: impl Into<axum::body::Body>) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.into(),
    )
        .into_response()
}

/// `POST /cast`: the envelope of a remote ballot (bytes), passed on to the board's
/// `POST /entry`; the board's status and JSON answer come back unchanged, so the page needs
/// only its own origin. Anything but a validly signed `remote-ballot` envelope is refused
/// here (`422 not_a_remote_ballot`) and never reaches the board.
async fn cast(State(p): State<Shared>, body: Bytes) -> Response {
    let Some(link) = p.board.clone() else {
        return json_answer(
            StatusCode::SERVICE_UNAVAILABLE,
            "{\"error\":\"no_board\"}\n",
        );
    };
    // Only voters' ballots pass here; every other entry goes to the board directly.
    let kind = sanduq_board::envelope::Envelope::parse(&body).map(|e| e.kind().to_owned());
    if kind.as_deref() != Ok("remote-ballot") {
        return json_answer(
            StatusCode::UNPROCESSABLE_ENTITY,
            "{\"error\":\"not_a_remote_ballot\"}\n",
        );
    }
    let answer = tokio::task::spawn_blocking(move || crate::board::submit(&link, &body)).await;
    match answer {
        Ok(Ok((status, body))) => json_answer(
            StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY),
            body,
        ),
        Ok(Err(e)) => {
            eprintln!("portal: board: {e}");
            json_answer(
                StatusCode::BAD_GATEWAY,
                "{\"error\":\"board_unreachable\"}\n",
            )
        }
        Err(e) => {
            eprintln!("portal: {e}");
            json_answer(
                StatusCode::INTERNAL_SERVER_ERROR,
                "{\"error\":\"internal\"}\n",
            )
        }
    }
}

/// `GET /board/proof/<code>`: the board's receipt, unchanged, for the page's own check in
/// the browser.
async fn board_proof(State(p): State<Shared>, Path(code): Path<String>) -> Response {
    let Some(link) = p.board.clone() else {
        return (StatusCode::NOT_FOUND, "no board").into_response();
    };
    let code = normalise_code(&code);
    if !is_code(&code) {
        return (StatusCode::BAD_REQUEST, "bad tracking code").into_response();
    }
    match tokio::task::spawn_blocking(move || crate::board::fetch_receipt(&link, &code)).await {
        Ok(Ok((status, body))) => (
            StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY),
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            body,
        )
            .into_response(),
        Ok(Err(e)) => (StatusCode::BAD_GATEWAY, e).into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

/// The query of the ballot-style lookup.
#[derive(Debug, serde::Deserialize)]
pub struct StyleQuery {
    station: String,
    group: Option<String>,
}

/// `GET /<lang>/booth/style?station=…&group=…`: the booth's values for a credential's
/// ballot style (`setup`, for the encryption) and its contests as shown, in the language.
async fn booth_style(
    State(p): State<Shared>,
    Path(lang): Path<String>,
    Query(q): Query<StyleQuery>,
) -> Response {
    let l = match locale_or_404(&lang) {
        Ok(l) => l,
        Err(r) => return *r,
    };
    let t = Tr {
        portal: &p,
        locale: l,
    };
    let group = q.group.as_deref().filter(|g| !g.is_empty());
    let (setup, contests) = match p.style_setup(&q.station, group) {
        Ok(v) => v,
        Err(e) => {
            let body = serde_json::json!({ "error": e }).to_string();
            return json_answer(StatusCode::NOT_FOUND, body);
        }
    };
    let shown: Vec<serde_json::Value> = contests
        .iter()
        .map(|c| {
            serde_json::json!({
                "id": c.id.as_str(),
                "title": contest_title(&p, c.id.as_str(), l),
                "max": c.max_selections,
                "candidates": c.candidates.iter().map(|k| serde_json::json!({
                    "id": k.id.as_str(),
                    "number": t.int(u64::from(k.ballot_number)),
                    "symbol": symbol_glyph(&k.symbol),
                    "symbol_name": k.symbol,
                    "name": name_in(&k.name, l),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let body = serde_json::json!({
        "setup": setup,
        "contests": shown,
        "station": unit_name(&p, &q.station, l, &t),
    })
    .to_string();
    json_answer(StatusCode::OK, body)
}
