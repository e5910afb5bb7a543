//! Results as CSV (RFC 4180: comma-separated, fields quoted when they hold a comma, a quote
//! or a line break, lines ended by CRLF), in English with ASCII digits for spreadsheets.

use crate::portal::Portal;

/// Quote a field when needed.
#[must_use]
pub fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

fn line(out: &mut String, fields: &[String]) {
    let row: Vec<String> = fields.iter().map(|f| field(f)).collect();
    out.push_str(&row.join(","));
    out.push_str("\r\n");
}

/// One row per contest and candidate: the nation's totals, elected, reserved seat.
#[must_use]
pub fn results(p: &Portal) -> String {
    let mut out = String::new();
    line(
        &mut out,
        &[
            "contest",
            "method",
            "status",
            "candidate",
            "ballot_number",
            "name_en",
            "name_fa_af",
            "name_ps",
            "votes",
            "elected",
            "reserved_seat",
        ]
        .map(str::to_owned),
    );
    for r in p.results.values() {
        let Some(c) = p.manifest.contest(&r.contest) else {
            continue;
        };
        for k in &c.candidates {
            let id = k.id.as_str();
            line(
                &mut out,
                &[
                    r.contest.clone(),
                    r.method.clone(),
                    r.status.clone(),
                    id.to_owned(),
                    k.ballot_number.to_string(),
                    k.name.en.clone(),
                    k.name.fa_af.clone(),
                    k.name.ps.clone(),
                    r.totals.get(id).copied().unwrap_or(0).to_string(),
                    r.elected.iter().any(|e| e == id).to_string(),
                    r.reserved_elected.iter().any(|e| e == id).to_string(),
                ],
            );
        }
    }
    out
}

/// One row per polling station: roll, ballots, status and anomaly flags.
#[must_use]
pub fn stations(p: &Portal) -> String {
    let mut out = String::new();
    line(
        &mut out,
        &[
            "station",
            "centre",
            "district",
            "province",
            "gender",
            "status",
            "registered",
            "ballot_cap",
            "cast",
            "flags",
        ]
        .map(str::to_owned),
    );
    for s in p.manifest.polling_stations() {
        let id = s.id.as_str();
        let unit = p.hierarchy.unit(id);
        let flags: Vec<&str> = p
            .flags
            .get(id)
            .map(|f| f.iter().map(crate::anomaly::Flag::code).collect())
            .unwrap_or_default();
        line(
            &mut out,
            &[
                id.to_owned(),
                s.centre.as_str().to_owned(),
                unit.and_then(|u| u.district.clone()).unwrap_or_default(),
                unit.and_then(|u| u.province.clone()).unwrap_or_default(),
                s.gender.as_str().to_owned(),
                s.status.as_str().to_owned(),
                s.registered.to_string(),
                s.ballot_cap.to_string(),
                p.cast_at(id).to_string(),
                flags.join(" "),
            ],
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(field("Kabul"), "Kabul");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }
}
