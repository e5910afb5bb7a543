//! Malformed inputs: every error names the input, the line and the problem.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use sanduq_count::parse;

fn blt_err(src: &str) -> sanduq_count::ParseError {
    parse::blt("ward.blt", src.as_bytes()).unwrap_err()
}

fn csv_err(src: &str) -> sanduq_count::ParseError {
    parse::csv("votes.csv", src.as_bytes()).unwrap_err()
}

/// (input, line of the fault, words the message must contain)
const BLT_CASES: &[(&str, usize, &str)] = &[
    ("", 1, "empty input"),
    ("\n\n  \n", 1, "empty input"),
    (
        "three 1\n0\n\"A\"\n\"T\"\n",
        1,
        "two positive whole numbers",
    ),
    ("3\n0\n", 1, "candidates and seats"),
    ("0 1\n0\n\"T\"\n", 1, "two positive whole numbers"),
    (
        "2 1\n1 1 2 0\n2 1 3 0\n0\n\"A\"\n\"B\"\n\"T\"\n",
        3,
        "preference 3",
    ),
    (
        "2 1\n1 1 0\nx 2 0\n0\n\"A\"\n\"B\"\n\"T\"\n",
        3,
        "weight \"x\"",
    ),
    (
        "2 1\n1 1 0\n-1 2 0\n0\n\"A\"\n\"B\"\n\"T\"\n",
        3,
        "weight \"-1\"",
    ),
    ("2 1\n1 1 2\n0\n\"A\"\n\"B\"\n\"T\"\n", 2, "not 0"),
    ("2 1\n1 1 1 0\n0\n\"A\"\n\"B\"\n\"T\"\n", 2, "twice"),
    (
        "2 1\n1 1 b 0\n0\n\"A\"\n\"B\"\n\"T\"\n",
        2,
        "not a candidate number",
    ),
    (
        "2 1\n1 1 0\n\"A\"\n\"B\"\n\"T\"\n",
        3,
        "\"0\" that ends the ballots is missing",
    ),
    ("2 1\n1 1 0\n", 2, "ends before"),
    ("3 1\n1 1 0\n0\n\"A\"\n\"B\"\n", 5, "3 candidates"),
    (
        "2 1\n1 1 0\n0\n\"A\"\nB\n\"T\"\n",
        5,
        "quoted candidate name",
    ),
    (
        "2 1\n1 1 0\n0\n\"A\"\n\"B\"\n\"T\"\n\"extra\"\n",
        7,
        "after the title",
    ),
    ("2 1\n1 1 0\n0\n\"A\n\"B\"\n\"T\"\n", 4, "not closed"),
    (
        "2 1\n1 1 0\n0\n\"A\"\n\"A\"\n\"T\"\n",
        5,
        "already given on line 4",
    ),
    ("2 1\n-3\n1 1 0\n0\n\"A\"\n\"B\"\n\"T\"\n", 2, "withdrawn"),
    (
        "5 1,\n1 1 0,\n0\n\"A\"\n\"B\"\n\"T\"\n",
        1,
        "two positive whole numbers",
    ),
];

#[test]
fn blt_errors_name_file_and_line() {
    for (src, line, words) in BLT_CASES {
        let e = blt_err(src);
        assert_eq!(e.origin, "ward.blt", "{src:?}");
        assert_eq!(e.line, *line, "{src:?}: {e}");
        assert!(e.problem.contains(words), "{src:?}: {e}");
        assert!(
            e.to_string()
                .starts_with(&format!("ward.blt: line {line}: ")),
            "{e}"
        );
    }
}

#[test]
fn blt_invalid_utf8_names_the_line() {
    let e = parse::blt("ward.blt", b"1 1\n1 1 0\n0\n\"\xff\"\n\"T\"\n").unwrap_err();
    assert_eq!((e.line, e.problem.as_str()), (4, "not valid UTF-8"));
}

const CSV_CASES: &[(&str, usize, &str)] = &[
    ("", 1, "empty input"),
    ("candidate,gender\nA,m\n", 1, "no count column"),
    ("name,votes\nA,1\n", 1, "no name column"),
    ("candidate,votes\n", 1, "no rows"),
    ("candidate,votes\nA,120\nB,-5\n", 3, "negative"),
    ("candidate,votes\nA,120\nB,abc\n", 3, "not a whole number"),
    ("candidate,votes\nA,120\nB,1.5\n", 3, "not a whole number"),
    ("candidate,votes\nA,120\nB\n", 3, "1 fields"),
    ("candidate,votes\nA,1,2\n", 2, "3 fields"),
    ("candidate,votes\nA,1\nA,2\n", 3, "already used on line 2"),
    ("candidate,votes,gender\nA,1,x\n", 2, "neither f nor m"),
    ("candidate,votes\n\"A,1\n", 2, "not closed"),
    ("candidate,votes\n,4\n", 2, "empty name"),
    ("candidate,votes,votes\nA,1,2\n", 1, "twice"),
    (
        "candidate,votes\nA,99999999999999999999999\n",
        2,
        "too large",
    ),
];

#[test]
fn csv_errors_name_file_and_line() {
    for (src, line, words) in CSV_CASES {
        let e = csv_err(src);
        assert_eq!(e.origin, "votes.csv", "{src:?}");
        assert_eq!(e.line, *line, "{src:?}: {e}");
        assert!(e.problem.contains(words), "{src:?}: {e}");
        assert!(
            e.to_string()
                .starts_with(&format!("votes.csv: line {line}: ")),
            "{e}"
        );
    }
}

#[test]
fn csv_multiline_quoted_field_keeps_line_numbers() {
    let e = csv_err("candidate,votes\n\"Ann\nLee\",3\nB,x\n");
    assert_eq!(e.line, 4);
}
