//! Inline SVG charts: votes per candidate, seats, and the schematic map of the provinces.
//!
//! Arabic-script text is never rasterised: the charts are SVG text, shaped by the browser.
//! Under `dir="rtl"` the SVG `text-anchor: start` means the *right* end of the text, so every
//! text element carries an explicit `direction` and the layout is mirrored by hand: in a
//! right-to-left chart the labels stand at the right edge, bars grow leftwards, and values
//! follow the bar's end on its left ([`BarRow`]).

use std::fmt::Write as _;

/// Escape text for XML character data and attribute values.
#[must_use]
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Width of every chart (user units; the SVG scales to its container).
pub const WIDTH: u32 = 640;
/// Height of one bar row.
pub const ROW: u32 = 26;
/// Width of the label column.
pub const LABEL_W: u32 = 210;
/// Room left for the value after the longest bar.
pub const VALUE_W: u32 = 90;
/// Inner margin.
pub const PAD: u32 = 6;

/// The geometry of one row of a bar chart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BarRow {
    /// Where the label is anchored (its start, in the text's direction).
    pub label_x: u32,
    /// Left edge of the bar.
    pub bar_x: u32,
    /// Bar width.
    pub bar_w: u32,
    /// Where the value label is anchored (its start, in the text's direction).
    pub value_x: u32,
    /// Baseline of the row's texts.
    pub text_y: u32,
    /// Top of the bar.
    pub bar_y: u32,
}

/// Lay out row `i` of a bar chart of `value` against the largest value `max`.
///
/// Left to right: label at the left edge, bar from the label column rightwards, value after
/// the bar. Right to left: the mirror image. Every anchor lies inside `0..WIDTH`, and with
/// `direction` set on each text element, `text-anchor="start"` extends the text away from the
/// edge it is anchored at.
#[must_use]
pub fn bar_row(i: u32, value: u64, max: u64, rtl: bool) -> BarRow {
    let span = WIDTH - LABEL_W - VALUE_W - 2 * PAD;
    let bar_w = (u64::from(span) * value)
        .checked_div(max)
        .map_or(0, |w| u32::try_from(w).unwrap_or(span));
    let top = i * ROW;
    if rtl {
        let bar_end = WIDTH - PAD - LABEL_W;
        BarRow {
            label_x: WIDTH - PAD,
            bar_x: bar_end - bar_w,
            bar_w,
            value_x: bar_end - bar_w - 4,
            text_y: top + 17,
            bar_y: top + 5,
        }
    } else {
        let bar_x = PAD + LABEL_W;
        BarRow {
            label_x: PAD,
            bar_x,
            bar_w,
            value_x: bar_x + bar_w + 4,
            text_y: top + 17,
            bar_y: top + 5,
        }
    }
}

/// Shorten a label to at most `max` characters, marking the cut with `…`.
#[must_use]
pub fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}

/// One bar of a chart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bar {
    /// The label (a candidate's number and name).
    pub label: String,
    /// The value.
    pub value: u64,
    /// The value as shown (locale digits).
    pub shown: String,
    /// Drawn in the highlight colour (elected).
    pub highlight: bool,
}

/// A horizontal bar chart with an accessible title.
#[must_use]
pub fn bar_chart(title: &str, bars: &[Bar], rtl: bool) -> String {
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0);
    let n = u32::try_from(bars.len()).unwrap_or(u32::MAX);
    let height = n.saturating_mul(ROW).saturating_add(PAD);
    let dir = if rtl { "rtl" } else { "ltr" };
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart bars" role="img" aria-labelledby="t-{id}" viewBox="0 0 {WIDTH} {height}" width="100%" preserveAspectRatio="xMinYMin meet" direction="{dir}"><title id="t-{id}">{t}</title>"#,
        id = esc(&slug(title)),
        t = esc(title),
    );
    for (i, b) in (0u32..).zip(bars) {
        let r = bar_row(i, b.value, max, rtl);
        let class = if b.highlight { "bar win" } else { "bar" };
        let _ = write!(
            s,
            r#"<g class="row"><text class="label" x="{lx}" y="{ty}" direction="{dir}" text-anchor="start">{label}</text><rect class="{class}" x="{bx}" y="{by}" width="{bw}" height="16"><title>{full}: {shown}</title></rect><text class="value" x="{vx}" y="{ty}" direction="{dir}" text-anchor="start">{shown}</text></g>"#,
            lx = r.label_x,
            ty = r.text_y,
            label = esc(&shorten(&b.label, 26)),
            full = esc(&b.label),
            bx = r.bar_x,
            by = r.bar_y,
            bw = r.bar_w,
            vx = r.value_x,
            shown = esc(&b.shown),
        );
    }
    s.push_str("</svg>");
    s
}

/// One seat of a seats chart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Seat {
    /// Who holds it.
    pub holder: String,
    /// Won through the reservation for women.
    pub reserved: bool,
}

/// Seats as a row of squares (wrapping), reserved seats hatched and marked, from the start
/// side of the reading direction.
#[must_use]
pub fn seats_chart(title: &str, seats: &[Seat], reserved_label: &str, rtl: bool) -> String {
    const SIZE: u32 = 22;
    const GAP: u32 = 6;
    let per_row = (WIDTH - 2 * PAD) / (SIZE + GAP);
    let n = u32::try_from(seats.len()).unwrap_or(u32::MAX);
    let rows = n.div_ceil(per_row).max(1);
    let height = rows * (SIZE + GAP) + PAD;
    let mut s = String::new();
    let _ = write!(
        s,
        r##"<svg class="chart seats" role="img" aria-labelledby="t-{id}" viewBox="0 0 {WIDTH} {height}" width="100%" preserveAspectRatio="xMinYMin meet"><title id="t-{id}">{t}</title><defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#0b6e4f"/><line x1="0" y1="0" x2="0" y2="6" stroke="#fff" stroke-width="3"/></pattern></defs>"##,
        id = esc(&slug(title)),
        t = esc(title),
    );
    for (i, seat) in (0u32..).zip(seats) {
        let col = i % per_row;
        let row = i / per_row;
        let x = if rtl {
            WIDTH - PAD - (col + 1) * (SIZE + GAP) + GAP
        } else {
            PAD + col * (SIZE + GAP)
        };
        let y = PAD + row * (SIZE + GAP);
        let (fill, note) = if seat.reserved {
            ("url(#hatch)", format!(" ({reserved_label})"))
        } else {
            ("#0b6e4f", String::new())
        };
        let _ = write!(
            s,
            r#"<rect class="seat{r}" x="{x}" y="{y}" width="{SIZE}" height="{SIZE}" rx="3" fill="{fill}"><title>{h}{note}</title></rect>"#,
            r = if seat.reserved { " reserved" } else { "" },
            h = esc(&seat.holder),
            note = esc(&note),
        );
    }
    s.push_str("</svg>");
    s
}

/// A province on the schematic map.
#[derive(Clone, Debug, PartialEq)]
pub struct MapPoint {
    /// The link to the province's page.
    pub href: String,
    /// The province's name in the page's language.
    pub name: String,
    /// Latitude of the centroid.
    pub lat: f64,
    /// Longitude of the centroid.
    pub lng: f64,
    /// Ballots cast (sets the circle's area).
    pub ballots: u64,
    /// The tooltip (name and figures).
    pub tip: String,
}

/// Bounds of the map (degrees): Afghanistan with a margin.
const LNG_MIN: f64 = 60.3;
const LNG_MAX: f64 = 72.6;
const LAT_MIN: f64 = 29.9;
const LAT_MAX: f64 = 37.7;
/// Height of the map: the width times the ratio of the spans, a degree of longitude being
/// cos 34° of a degree of latitude at Afghanistan's latitude.
const MAP_H: f64 = 480.0;

/// Project a centroid onto the map (equirectangular, the vertical scale set by [`MAP_H`]). Geography is not mirrored in right-to-left pages.
#[must_use]
pub fn project(lat: f64, lng: f64) -> (f64, f64) {
    let w = f64::from(WIDTH);
    let x = (lng - LNG_MIN) / (LNG_MAX - LNG_MIN) * w;
    let y = (LAT_MAX - lat) / (LAT_MAX - LAT_MIN) * MAP_H;
    (x, y)
}

/// The schematic map: one linked circle per province.
#[must_use]
pub fn province_map(title: &str, points: &[MapPoint]) -> String {
    let max = points.iter().map(|p| p.ballots).max().unwrap_or(0).max(1);
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart map" role="group" aria-labelledby="t-map" viewBox="0 0 {WIDTH} {MAP_H}" width="100%"><title id="t-map">{t}</title>"#,
        t = esc(title)
    );
    for p in points {
        let (x, y) = project(p.lat, p.lng);
        // area proportional to ballots: radius ∝ √ballots, between 3 and 15
        #[allow(clippy::cast_precision_loss)]
        let r = 3.0 + 12.0 * ((p.ballots as f64) / (max as f64)).sqrt();
        let _ = write!(
            s,
            r#"<a href="{href}" class="province"><title>{tip}</title><circle cx="{x:.1}" cy="{y:.1}" r="{r:.1}"/><text x="{x:.1}" y="{ty:.1}" text-anchor="middle">{name}</text></a>"#,
            href = esc(&p.href),
            tip = esc(&p.tip),
            ty = y + r + 11.0,
            name = esc(&shorten(&p.name, 14)),
        );
    }
    s.push_str("</svg>");
    s
}

fn slug(s: &str) -> String {
    let mut h: u32 = 2_166_136_261;
    for b in s.bytes() {
        h = (h ^ u32::from(b)).wrapping_mul(16_777_619);
    }
    format!("{h:08x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ltr_row_reads_label_bar_value_left_to_right() {
        // max 200, value 100: span = 640 − 210 − 90 − 12 = 328, half of it is 164.
        let r = bar_row(0, 100, 200, false);
        assert_eq!(r.label_x, 6);
        assert_eq!(r.bar_x, 216);
        assert_eq!(r.bar_w, 164);
        assert_eq!(r.value_x, 216 + 164 + 4);
        assert!(r.label_x < r.bar_x && r.bar_x + r.bar_w < r.value_x);
    }

    #[test]
    fn rtl_row_is_the_mirror_image() {
        let r = bar_row(2, 100, 200, true);
        // label anchored at the right edge, bar ending where the label column begins
        assert_eq!(r.label_x, 634);
        assert_eq!(r.bar_x + r.bar_w, 640 - 6 - 210);
        assert_eq!(r.bar_w, 164);
        assert_eq!(r.value_x, r.bar_x - 4);
        assert!(r.value_x < r.bar_x && r.bar_x + r.bar_w < r.label_x);
        assert_eq!(r.text_y, 2 * ROW + 17);
    }

    #[test]
    fn longest_bar_leaves_room_for_its_value() {
        for rtl in [false, true] {
            let r = bar_row(0, 7, 7, rtl);
            assert_eq!(r.bar_w, 328);
            if rtl {
                // the value's text runs leftwards from value_x: VALUE_W − 4 units remain
                assert_eq!(r.value_x, PAD + VALUE_W - 4);
            } else {
                assert_eq!(WIDTH - r.value_x, PAD + VALUE_W - 4);
            }
        }
    }

    #[test]
    fn zero_maximum_draws_no_bar() {
        assert_eq!(bar_row(0, 0, 0, true).bar_w, 0);
    }

    #[test]
    fn chart_sets_direction_on_text() {
        let svg = bar_chart(
            "Votes",
            &[Bar {
                label: "1 <A&B>".to_owned(),
                value: 3,
                shown: "۳".to_owned(),
                highlight: true,
            }],
            true,
        );
        assert!(svg.contains(r#"direction="rtl" text-anchor="start">1 &lt;A&amp;B&gt;</text>"#));
        assert!(svg.contains(r#"x="634""#));
        assert!(svg.contains(r#"class="bar win""#));
    }

    #[test]
    fn seats_start_at_the_reading_side() {
        let seats = [
            Seat {
                holder: "A".to_owned(),
                reserved: false,
            },
            Seat {
                holder: "B".to_owned(),
                reserved: true,
            },
        ];
        let ltr = seats_chart("Seats", &seats, "reserved", false);
        let rtl = seats_chart("Seats", &seats, "reserved", true);
        assert!(ltr.contains(r#"<rect class="seat" x="6" "#));
        // right to left: the first seat's right edge is at 640 − 6
        assert!(rtl.contains(r#"<rect class="seat" x="612" "#));
        assert!(rtl.contains(r#"class="seat reserved""#));
        assert!(rtl.contains("B (reserved)"));
    }

    #[test]
    fn projection_puts_kabul_east_of_herat() {
        let (kx, ky) = project(34.53, 69.17);
        let (hx, hy) = project(34.35, 62.2);
        assert!(kx > hx);
        // Kabul lies 0.18° north of Herat: 0.18 × 480 / 7.8 units higher on the map
        assert!((hy - ky - 0.18 * 480.0 / 7.8).abs() < 1e-6);
        let (x0, y0) = project(LAT_MAX, LNG_MIN);
        assert!(x0.abs() < 1e-9 && y0.abs() < 1e-9);
    }

    #[test]
    fn shorten_counts_characters() {
        assert_eq!(shorten("بامیان", 10), "بامیان");
        assert_eq!(shorten("abcdef", 4), "abc…");
    }
}
