"""Make PyPI electionguard 1.4.0 importable on Python 3.11.

Its `electionguard/tally.py` gives a dataclass field a mutable default
(`field(default=ElGamalCiphertext(ONE_MOD_P, ONE_MOD_P))`), which Python 3.11
refuses at import ("mutable default ... use default_factory"). This rewrites
that one field, in the installed copy inside the virtual environment only, to
`field(default_factory=lambda: ElGamalCiphertext(ONE_MOD_P, ONE_MOD_P))`:
the same default value, a fresh object per instance. Idempotent.
"""

import importlib.util
import pathlib
import re
import sys


def main() -> int:
    spec = importlib.util.find_spec("electionguard")  # does not import the package
    if spec is None or not spec.submodule_search_locations:
        print("electionguard is not installed", file=sys.stderr)
        return 2
    tally = pathlib.Path(list(spec.submodule_search_locations)[0]) / "tally.py"
    text = tally.read_text()
    pattern = re.compile(
        r"field\(\s*default=ElGamalCiphertext\(ONE_MOD_P, ONE_MOD_P\)\s*\)"
    )
    fixed, n = pattern.subn(
        "field(default_factory=lambda: ElGamalCiphertext(ONE_MOD_P, ONE_MOD_P))",
        text,
    )
    if n:
        tally.write_text(fixed)
        print(f"patched {tally}: {n} mutable dataclass default(s) -> default_factory")
    elif "default_factory=lambda: ElGamalCiphertext(ONE_MOD_P, ONE_MOD_P)" in text:
        print(f"{tally} already patched")
    else:
        print(f"{tally}: expected field not found (another electionguard version?)",
              file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
