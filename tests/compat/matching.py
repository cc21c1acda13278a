"""How a compatibility case is judged: Case (a search, its expected rows, how to compare) and the
value matchers. Kept apart from cases.py so that a saved set of cases (pickle) loads without
recomputing the truth.
"""
import datetime
import json
import math


def parse_json_export(text):
    """(result rows, messages) of an output_mode=json export answer."""
    rows, messages = [], []
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            d = json.loads(line)
        except ValueError:
            messages.append({"type": "ERROR", "text": f"not JSON: {line[:200]}"})
            continue
        if "result" in d:
            rows.append(d["result"])
        else:
            messages += d.get("messages", [d])
    return rows, messages


class Approx:
    """A number within abs_tol or rel_tol of value (for answers Splunk itself approximates)."""
    def __init__(self, value, rel_tol=0.0, abs_tol=0.0):
        self.value, self.rel, self.abs = value, rel_tol, abs_tol

    def matches(self, got):
        n = as_number(got)
        return n is not None and math.isclose(n, self.value, rel_tol=self.rel, abs_tol=self.abs)

    def __repr__(self):
        return f"~{self.value} (rel {self.rel}, abs {self.abs})"


class Between:
    """A number in [lo, hi] (median/percentiles: Splunk's interpolation between ranks)."""
    def __init__(self, lo, hi):
        self.lo, self.hi = lo, hi

    def matches(self, got):
        n = as_number(got)
        return n is not None and self.lo - 1e-9 <= n <= self.hi + 1e-9

    def __repr__(self):
        return f"in [{self.lo}, {self.hi}]"


class Time:
    """_time as exported (ISO 8601 with offset, or epoch seconds) equal to epoch t."""
    def __init__(self, t):
        self.t = t

    def matches(self, got):
        if isinstance(got, str):
            try:
                return abs(datetime.datetime.fromisoformat(got).timestamp() - self.t) < 1e-3
            except ValueError:
                pass
        n = as_number(got)
        return n is not None and abs(n - self.t) < 1e-3

    def __repr__(self):
        return datetime.datetime.fromtimestamp(self.t, datetime.timezone.utc).isoformat()


def as_number(v):
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, str):
        try:
            return float(v)
        except ValueError:
            return None
    return None


def value_matches(want, got):
    if hasattr(want, "matches"):
        return want.matches(got)
    if want is None:
        return got is None or got == "" or got == []
    if isinstance(got, list) and len(got) == 1 and not isinstance(want, list):
        got = got[0]  # a multivalue field of one value is that value (Splunk prints it plain)
    if isinstance(want, list):
        if isinstance(got, str) and len(want) == 1:
            got = [got]
        return isinstance(got, list) and len(got) == len(want) and all(map(value_matches, want, got))
    if isinstance(want, bool):
        return got == str(want).lower() or got is want
    if isinstance(want, (int, float)):
        n = as_number(got)
        return n is not None and math.isclose(n, want, rel_tol=1e-9, abs_tol=1e-9)
    return got == want


def row_matches(want, got):
    keys = {k for k in got if not k.startswith("_span")}
    need = {k for k, v in want.items() if v is not None}
    if not need <= keys or not keys <= set(want):
        return False
    return all(value_matches(v, got.get(k)) for k, v in want.items())


def show(rows, limit=12):
    text = "\n".join("  " + json.dumps(r, default=repr) for r in rows[:limit])
    return text + (f"\n  ... {len(rows) - limit} more" if len(rows) > limit else "")


class Case:
    def __init__(self, search, rows=None, *, ordered=False, needs=(), pending=(), output_mode="json", status=200, csv=None):
        self.search, self.rows, self.ordered = search, rows or [], ordered
        self.needs, self.pending = tuple(needs), tuple(pending)
        self.output_mode, self.status, self.csv = output_mode, status, csv
        self.name = "compat: " + search + (f" (output_mode={output_mode})" if output_mode != "json" else "")

    def check(self, status, text):
        """(ok, explanation) for an export answer."""
        if status != self.status:
            return False, f"HTTP {status}, expected {self.status}: {text[:500]}"
        if self.status != 200:
            return True, f"refused with {status} as expected: {text[:200]}"
        if self.output_mode == "csv":
            got = text.replace("\r\n", "\n").rstrip("\n")
            return got == self.csv, f"expected CSV:\n{self.csv}\ngot:\n{got[:1500]}"
        rows, messages = parse_json_export(text)
        bad = [m for m in messages if m.get("type") in ("ERROR", "FATAL", "WARN")]
        if bad:
            return False, f"messages: {json.dumps(bad)[:500]}\nrows:\n{show(rows)}"
        want = self.rows
        if self.ordered:
            ok = len(rows) == len(want) and all(map(row_matches, want, rows))
        else:
            ok = multiset_matches(want, rows)
        if ok:
            return True, f"{len(rows)} rows as expected"
        return False, f"expected {len(want)} rows{' in order' if self.ordered else ''}:\n{show(want)}\ngot {len(rows)}:\n{show(rows)}"


def multiset_matches(want, got):
    """Every expected row matched by a distinct result row (greedy is enough: rows differ by keys)."""
    if len(want) != len(got):
        return False
    left = list(got)
    for w in want:
        for i, g in enumerate(left):
            if row_matches(w, g):
                del left[i]
                break
        else:
            return False
    return True
