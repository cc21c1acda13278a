"""The compatibility cases: everyday SPL searches, each with its expected answer computed here
from the generated records (data.py), the truth, never from kura's output.

A case is Case(search, rows, ...): rows are the expected result rows (dicts). Values: a str is
compared exactly, an int/float numerically (relative 1e-9: number formatting may differ), a
list is a multivalue field (a one-element list also matches a plain string), None means the
field is absent or empty, Approx/Between/Time match numbers within Splunk's own approximation or
a time. Each row must have exactly the expected fields (`_span*` aside). ordered=True when the
search defines the order (sort, head, top, timechart...), else rows compare as a multiset.

needs names the features a case uses; a case is pending while one of them is in PENDING (the
features not in kura yet): ctest lists it as Not Run (Disabled), `compat.py --status` still runs
it. When a feature lands, remove it from PENDING.
"""
import collections
import datetime
import fnmatch
import functools
import hashlib
import ipaddress
import math
import re
import statistics

import data
from matching import Approx, Between, Case, Time  # noqa: F401

# Features not in kura yet (the cases that need them are registered DISABLED).
PENDING: set[str] = set()  # none today


# ---------------------------------------------------------------- the truth

E = data.generate()  # newest first
A = [e for e in E if e["sourcetype"] == "access_combined"]
J = [e for e in E if e["sourcetype"] == "_json"]
K = [e for e in E if e["sourcetype"] == "app:kv"]
S = [e for e in E if e["sourcetype"] == "syslog"]
MAJOR = set(" \t\n\r[]<>(){}|!;,'\"*&?+")
MINOR = set("/:=@.-$#%\\_")


MAJOR_RE = re.compile("[" + re.escape("".join(sorted(MAJOR))) + "]")
MINOR_RE = re.compile("[" + re.escape("".join(sorted(MINOR))) + "]")


@functools.lru_cache(maxsize=None)
def major_segments(raw, lower=True):
    return [s for s in MAJOR_RE.split(raw.lower() if lower else raw) if s]


@functools.lru_cache(maxsize=None)
def tokens(raw):
    """Every index token of raw: major segments and their minor pieces (lower case)."""
    out = set()
    for seg in major_segments(raw):
        out.add(seg)
        out.update(p for p in MINOR_RE.split(seg) if p)
    return out


def term_in(term, raw, case_sensitive=False):
    """Splunk's meaning of a search term: it is a token, or a run of minor-separated tokens
    (10.1.2.3 inside src=10.1.2.3), aligned at breakers inside one major segment."""
    t = term if case_sensitive else term.lower()
    if case_sensitive:
        return any(term_in_segment(t, seg) for seg in major_segments(raw, False))
    if "*" in t:
        return any(fnmatch.fnmatchcase(tok, t) for tok in tokens(raw))
    return any(term_in_segment(t, seg) for seg in major_segments(raw))


def term_in_segment(t, seg):
    i = seg.find(t)
    while i >= 0:
        j = i + len(t)
        if (i == 0 or seg[i - 1] in MINOR) and (j == len(seg) or seg[j] in MINOR):
            return True
        i = seg.find(t, i + 1)
    return False


def count(events):
    return [{"count": len(events)}]


def groups(events, key):
    g = collections.OrderedDict()
    for e in events:
        k = key(e)
        if k is not None:
            g.setdefault(k, []).append(e)
    return g


def by(events, name, key, **aggs):
    """Rows of `stats AGG... by name` (groups sorted by key)."""
    return [{name: k, **{a: f(v) for a, f in aggs.items()}} for k, v in sorted(groups(events, key).items())]


def n(v):
    return len(v)


def fmt_num(x):
    return int(x) if float(x).is_integer() else x


def access_user(e):  # the ident user field of access_combined ("-" is a value too)
    return e["user"]


def jfield(e, path):
    """A JSON event's field as Splunk names it: a.b for objects, a{} for arrays; list when multivalue."""
    def walk(v, parts):
        if not parts:
            return [v]
        p, rest = parts[0], parts[1:]
        if p.endswith("{}"):
            arr = v.get(p[:-2]) if isinstance(v, dict) else None
            if not isinstance(arr, list):
                return []
            return [x for item in arr for x in walk(item, rest)]
        if isinstance(v, dict) and p in v:
            return walk(v[p], rest)
        return []
    vals = walk(e["json"], path.split("."))
    return [jtext(v) for v in vals]


def jtext(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v) if not isinstance(v, str) else v


def first_user(ev, name):
    return ev[0][name]


def splunk_median(vals):
    s = sorted(vals)
    return Between(s[(len(s) - 1) // 2], s[len(s) // 2])


def perc(vals, p):
    s = sorted(vals)
    r = p / 100 * (len(s) - 1)
    return Between(s[math.floor(r)], s[math.ceil(r)])


def values_sorted(vals):
    return sorted({str(v) for v in vals})


def iso_day(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc)


T0 = data.T0
H = 3600
HOUR = {e["_raw"]: iso_day(e["_time"]).hour for e in E}
ERR = [e for e in K if e["level"] == "ERROR"]
AMOUNT_TERM = next(e["amount_text"] for e in K if e["level"] == "ERROR")
assert AMOUNT_TERM == "67.37" or True

CASES = []


def case(*args, needs=(), **kw):
    CASES.append(Case(*args, needs=needs, pending=[f for f in needs if f in PENDING], **kw))


# ---------------------------------------------------------------- terms and phrases
case("index=main | stats count", count(E), needs=())
case("index=main sourcetype=app:kv | stats count", count(K))
case("sourcetype=access_combined | stats count", count(A))
case("index=main sourcetype=syslog | stats count", count(S))
case("index=main Failed password | stats count", count([e for e in E if term_in("failed", e["_raw"]) and term_in("password", e["_raw"])]))
case('index=main "payment declined" | stats count', count([e for e in E if "payment declined" in e["_raw"].lower()]))
case("index=main sshd | stats count", count([e for e in E if term_in("sshd", e["_raw"])]))
case("index=main error | stats count", count([e for e in E if term_in("error", e["_raw"])]))
case("index=main 10.1.2.3 | stats count", count([e for e in E if term_in("10.1.2.3", e["_raw"])]), needs=("segmentation",))
case(f"index=main {AMOUNT_TERM} | stats count", count([e for e in E if term_in(AMOUNT_TERM, e["_raw"])]), needs=("segmentation",))
case("index=main 172.16.5.77 | stats count", count([e for e in E if term_in("172.16.5.77", e["_raw"])]), needs=("segmentation",))
case("index=main s042 | stats count", count([e for e in E if term_in("s042", e["_raw"])]), needs=("segmentation",))
case("index=main /api/v1/items | stats count", count([e for e in E if term_in("/api/v1/items", e["_raw"])]), needs=("segmentation",))
case("index=main fail* | stats count", count([e for e in E if term_in("fail*", e["_raw"])]))
case("index=main sourcetype=access_combined Fire* | stats count", count([e for e in A if term_in("fire*", e["_raw"])]))
case("index=main 10.0.1.* | stats count", count([e for e in E if term_in("10.0.1.*", e["_raw"])]))
case("index=main sourcetype=app:kv NOT INFO | stats count", count([e for e in K if not term_in("info", e["_raw"])]))
case("index=main sourcetype=app:kv (ERROR OR WARN) | stats count", count([e for e in K if e["level"] in ("ERROR", "WARN")]))
case("index=main sourcetype=app:kv ERROR AND payment | stats count",
     count([e for e in K if term_in("error", e["_raw"]) and term_in("payment", e["_raw"])]))
case("index=main sourcetype=app:kv ERROR OR WARN | stats count", count([e for e in K if e["level"] in ("ERROR", "WARN")]),
     needs=("upper_keywords",))
case("index=main sourcetype=app:kv CASE(ERROR) | stats count", count([e for e in K if term_in("ERROR", e["_raw"], case_sensitive=True)]),
     needs=("CASE",))
case("index=main sourcetype=app:kv CASE(error) | stats count", count([]), needs=("CASE",))
case("index=main TERM(10.1.2.3) | stats count", count([e for e in E if any(s == "10.1.2.3" for s in major_segments(e["_raw"]))]),
     needs=("TERM",))
case("index=main TERM(src=10.1.2.3) | stats count", count([e for e in K if e["src"] == "10.1.2.3"]), needs=("TERM",))
case("index=main sourcetype=app:kv level IN (ERROR, WARN) | stats count", count([e for e in K if e["level"] in ("ERROR", "WARN")]),
     needs=("IN",))
case("index=main sourcetype=app:kv component IN (pay*, auth) | stats count",
     count([e for e in K if e["component"] in ("payment", "auth")]), needs=("IN",))
case("index=main sourcetype=access_combined status IN (404, 500, 503) | stats count",
     count([e for e in A if e["status"] in (404, 500, 503)]), needs=("IN", "access_combined"))
case('index=main sourcetype=app:kv "timeout talking" | stats count', count([e for e in K if "timeout talking" in e["_raw"]]))
case("index=main sourcetype=syslog host=gw-a | stats count", count([e for e in S if e["host"] == "gw-a"]))
case("index=main host=web-0* | stats count", count([e for e in E if e["host"].startswith("web-0")]))
case("index=main source=/var/log/app/app.log | stats count", count(K))
case("index=main sourcetype=app:kv NOT level=INFO NOT level=DEBUG | stats count",
     count([e for e in K if e["level"] not in ("INFO", "DEBUG")]))

# ---------------------------------------------------------------- field=value, comparisons (key=value logs)
case("index=main sourcetype=app:kv level=ERROR | stats count", count(ERR))
case("index=main sourcetype=app:kv user=bob | stats count", count([e for e in K if e["user"] == "bob"]))
case("index=main sourcetype=app:kv src=10.1.2.3 | stats count", count([e for e in K if e["src"] == "10.1.2.3"]))
case("index=main sourcetype=app:kv src=10.1.* | stats count", count([e for e in K if e["src"].startswith("10.1.")]))
case("index=main sourcetype=app:kv component=pay* | stats count", count([e for e in K if e["component"].startswith("pay")]))
case("index=main sourcetype=app:kv user!=bob | stats count", count([e for e in K if e["user"] != "bob"]))
case("index=main sourcetype=app:kv duration>2500 | stats count", count([e for e in K if e["duration"] > 2500]))
case("index=main sourcetype=app:kv duration<=10 | stats count", count([e for e in K if e["duration"] <= 10]))
case("index=main sourcetype=app:kv amount>=400 amount<450 | stats count", count([e for e in K if 400 <= e["amount"] < 450]))
case(f"index=main sourcetype=app:kv amount={AMOUNT_TERM} | stats count", count([e for e in K if e["amount_text"] == AMOUNT_TERM]))
case('index=main sourcetype=app:kv msg="payment declined" | stats count', count([e for e in K if e["msg"] == "payment declined"]))
case("index=main sourcetype=app:kv LEVEL=error | stats count", count([]))
case("index=main sourcetype=app:kv level=error | stats count", count(ERR))
case("index=main sourcetype=app:kv NOT user=bob NOT user=alice | stats count",
     count([e for e in K if e["user"] not in ("bob", "alice")]))
case("index=main sourcetype=app:kv (user=bob OR user=carol) level=WARN | stats count",
     count([e for e in K if e["user"] in ("bob", "carol") and e["level"] == "WARN"]))

# ---------------------------------------------------------------- stats
case("index=main sourcetype=app:kv | stats count by level", by(K, "level", lambda e: e["level"], count=n))
case("index=main sourcetype=app:kv | stats count BY level", by(K, "level", lambda e: e["level"], count=n), needs=("upper_keywords",))
case("index=main sourcetype=app:kv | stats count AS hits BY component",
     by(K, "component", lambda e: e["component"], hits=n), needs=("upper_keywords",))
case("index=main sourcetype=app:kv | stats dc(user)", [{"dc(user)": len({e["user"] for e in K})}])
case("index=main sourcetype=app:kv | stats distinct_count(src) as sources", [{"sources": len({e["src"] for e in K})}])
case("index=main sourcetype=app:kv | stats sum(duration)", [{"sum(duration)": sum(e["duration"] for e in K)}])
case("index=main sourcetype=app:kv | stats avg(duration) as avg", [{"avg": statistics.fmean(e["duration"] for e in K)}])
case("index=main sourcetype=app:kv | stats min(amount) max(amount)",
     [{"min(amount)": min(e["amount"] for e in K), "max(amount)": max(e["amount"] for e in K)}])
case("index=main sourcetype=app:kv | stats sum(amount) as total by component",
     by(K, "component", lambda e: e["component"], total=lambda v: Approx(sum(e["amount"] for e in v), 1e-9, 1e-6)))
case("index=main sourcetype=app:kv | stats count, avg(duration) by level, component",
     [{"level": l, "component": c, "count": len(v), "avg(duration)": statistics.fmean(e["duration"] for e in v)}
      for (l, c), v in sorted(groups(K, lambda e: (e["level"], e["component"])).items())])
case("index=main sourcetype=app:kv | stats values(level) as levels", [{"levels": values_sorted(e["level"] for e in K)}])
case("index=main sourcetype=app:kv | stats values(component) by user",
     by(K, "user", lambda e: e["user"], **{"values(component)": lambda v: values_sorted(e["component"] for e in v)}))
case("index=main sourcetype=app:kv | stats median(duration)", [{"median(duration)": splunk_median([e["duration"] for e in K])}],
     needs=("median",))
case("index=main sourcetype=app:kv | stats perc95(duration)", [{"perc95(duration)": perc([e["duration"] for e in K], 95)}],
     needs=("perc",))
case("index=main sourcetype=app:kv | stats p50(amount) as p50 by level",
     by(K, "level", lambda e: e["level"], p50=lambda v: perc([e["amount"] for e in v], 50)), needs=("perc",))
case("index=main sourcetype=app:kv | stats stdev(duration)", [{"stdev(duration)": Approx(statistics.stdev(e["duration"] for e in K), 1e-9)}],
     needs=("stdev",))
case("index=main sourcetype=app:kv | stats var(duration)", [{"var(duration)": Approx(statistics.variance(e["duration"] for e in K), 1e-9)}],
     needs=("var",))
_modes = collections.Counter(e["user"] for e in K).most_common(2)
assert _modes[0][1] > _modes[1][1], "mode(user) needs a single most common user"
case("index=main sourcetype=app:kv | stats mode(user)",
     [{"mode(user)": collections.Counter(e["user"] for e in K).most_common(1)[0][0]}], needs=("mode",))
case("index=main sourcetype=app:kv | stats range(duration)",
     [{"range(duration)": max(e["duration"] for e in K) - min(e["duration"] for e in K)}], needs=("range",))
case("index=main sourcetype=app:kv level=ERROR | head 4 | stats list(user)", [{"list(user)": [e["user"] for e in ERR[:4]]}],
     needs=("list",))
case("index=main sourcetype=app:kv | stats first(session) last(session)",
     [{"first(session)": K[0]["session"], "last(session)": K[-1]["session"]}], needs=("first_last",))
case('index=main sourcetype=app:kv | stats count(eval(level="ERROR")) as errors, count as all',
     [{"errors": len(ERR), "all": len(K)}], needs=("count_eval",))
case('index=main sourcetype=app:kv | stats count(eval(duration>1000)) as slow by component',
     by(K, "component", lambda e: e["component"], slow=lambda v: sum(e["duration"] > 1000 for e in v)), needs=("count_eval",))
case("index=main | stats estdc(host)", [{"estdc(host)": Approx(len({e["host"] for e in E}), abs_tol=0.5)}], needs=("estdc",))
case("index=main sourcetype=access_combined | stats estdc(clientip) as ips",
     [{"ips": Approx(len({e["clientip"] for e in A}), rel_tol=0.02)}], needs=("estdc", "access_combined"))
case("index=main | stats count by sourcetype", by(E, "sourcetype", lambda e: e["sourcetype"], count=n))
case("index=main | stats count by host", by(E, "host", lambda e: e["host"], count=n))
case("index=main | stats dc(sourcetype) as kinds", [{"kinds": 4}])
case("index=main sourcetype=app:kv | stats max(_time) as newest min(_time) as oldest",
     [{"newest": K[0]["_time"], "oldest": K[-1]["_time"]}])

# ---------------------------------------------------------------- access_combined fields
case("index=main sourcetype=access_combined status=404 | stats count", count([e for e in A if e["status"] == 404]),
     needs=("access_combined",))
case("index=main sourcetype=access_combined | stats count by status", by(A, "status", lambda e: e["status"], count=n),
     needs=("access_combined",))
case("index=main sourcetype=access_combined status>=500 | stats count", count([e for e in A if e["status"] >= 500]),
     needs=("access_combined",))
case("index=main sourcetype=access_combined | stats sum(bytes) by method",
     by(A, "method", lambda e: e["method"], **{"sum(bytes)": lambda v: sum(e["bytes"] for e in v)}), needs=("access_combined",))
case("index=main sourcetype=access_combined | stats dc(clientip)", [{"dc(clientip)": len({e["clientip"] for e in A})}],
     needs=("access_combined",))
case("index=main sourcetype=access_combined clientip=192.168.1.* | stats count",
     count([e for e in A if e["clientip"].startswith("192.168.1.")]), needs=("access_combined",))
case("index=main sourcetype=access_combined method=POST uri=/api/* | stats count",
     count([e for e in A if e["method"] == "POST" and e["uri"].startswith("/api/")]), needs=("access_combined",))
case("index=main sourcetype=access_combined | stats count by useragent",
     by(A, "useragent", lambda e: e["useragent"], count=n), needs=("access_combined",))
case('index=main sourcetype=access_combined referer="http://example.com/cart" | stats count',
     count([e for e in A if e["referer"] == "http://example.com/cart"]), needs=("access_combined",))
case("index=main sourcetype=access_combined | stats avg(bytes) as avg by uri",
     by(A, "uri", lambda e: e["uri"], avg=lambda v: statistics.fmean(e["bytes"] for e in v)), needs=("access_combined",))
case("index=main sourcetype=access_combined user=bob | stats count",
     count([e for e in A if e["user"] == "bob"]), needs=("access_combined",))
case("index=main user=bob | stats count by sourcetype",
     by([e for e in E if e.get("user") == "bob" or ("json" in e and e["json"]["user"] == "bob")], "sourcetype",
        lambda e: e["sourcetype"], count=n), needs=("access_combined", "json"))


def first_per(events, key, keep=1):
    """The first `keep` events of each key, in event order (dedup)."""
    seen, out = collections.Counter(), []
    for e in events:
        if seen[key(e)] < keep:
            seen[key(e)] += 1
            out.append(e)
    return out


def top(events, field, key, limit, total=None, rare=False):
    """Rows of `top limit=N field` (or rare): count and percent, most (least) common first."""
    c = collections.Counter(key(e) for e in events)
    ranked = sorted(c.items(), key=lambda kv: (kv[1] if rare else -kv[1], str(kv[0])))
    counts = [v for _, v in ranked[:limit + 1]]
    assert len(set(counts)) == len(counts), f"top/rare of {field}: tied counts make the order ambiguous"
    items = ranked[:limit]
    total = total or sum(c.values())
    return [{field: k, "count": v, "percent": Approx(100 * v / total, abs_tol=1e-3)} for k, v in items]


case("index=main sourcetype=access_combined | top limit=3 uri", top(A, "uri", lambda e: e["uri"], 3),
     ordered=True, needs=("access_combined",))
case("index=main sourcetype=access_combined | rare limit=2 method",
     top(A, "method", lambda e: e["method"], 2, rare=True), ordered=True, needs=("access_combined",))
case("index=main sourcetype=app:kv | top limit=2 component", top(K, "component", lambda e: e["component"], 2), ordered=True)
case("index=main sourcetype=app:kv | top level", top(K, "level", lambda e: e["level"], 10), ordered=True)
case("index=main sourcetype=app:kv | rare limit=1 user",
     top(K, "user", lambda e: e["user"], 1, rare=True), ordered=True)
case("index=main | top limit=2 sourcetype", top(E, "sourcetype", lambda e: e["sourcetype"], 2), ordered=True)


# ---------------------------------------------------------------- JSON fields
def jcount(pred):
    return count([e for e in J if pred(e)])


case("index=main sourcetype=_json user=bob | stats count", jcount(lambda e: e["json"]["user"] == "bob"), needs=("json",))
case("index=main sourcetype=_json geo.country=JP | stats count", jcount(lambda e: e["json"]["geo"]["country"] == "JP"), needs=("json",))
case("index=main sourcetype=_json tags{}=beta | stats count", jcount(lambda e: "beta" in e["json"]["tags"]), needs=("json",))
case("index=main sourcetype=_json | stats sum(latency_ms)", [{"sum(latency_ms)": sum(e["json"]["latency_ms"] for e in J)}],
     needs=("json",))
case("index=main sourcetype=_json | stats avg(latency_ms) as lat by geo.country",
     by(J, "geo.country", lambda e: e["json"]["geo"]["country"], lat=lambda v: statistics.fmean(e["json"]["latency_ms"] for e in v)),
     needs=("json",))
case("index=main sourcetype=_json latency_ms>800 | stats count", jcount(lambda e: e["json"]["latency_ms"] > 800), needs=("json",))
case("index=main sourcetype=_json ok=false | stats count", jcount(lambda e: not e["json"]["ok"]), needs=("json",))
case("index=main sourcetype=_json | stats count by tags{}",
     [{"tags{}": t, "count": c} for t, c in sorted(collections.Counter(t for e in J for t in e["json"]["tags"]).items())],
     needs=("json", "fix:stats_by_multivalue"))
case("index=main sourcetype=_json items{}.sku=C-400 | stats count", jcount(lambda e: "C-400" in jfield(e, "items{}.sku")),
     needs=("json",))
case("index=main sourcetype=_json | stats sum(items{}.qty) as qty",
     [{"qty": sum(i["qty"] for e in J for i in e["json"]["items"])}], needs=("json",))
case("index=main sourcetype=_json geo.city=Tokyo action=purchase | stats count",
     jcount(lambda e: e["json"]["geo"]["city"] == "Tokyo" and e["json"]["action"] == "purchase"), needs=("json",))
case("index=main sourcetype=_json | stats dc(geo.city) as cities", [{"cities": len({e["json"]["geo"]["city"] for e in J})}],
     needs=("json",))
case("index=main sourcetype=_json | stats max(score) min(score)",
     [{"max(score)": max(e["json"]["score"] for e in J), "min(score)": min(e["json"]["score"] for e in J)}], needs=("json",))
case("index=main sourcetype=_json | where mvcount('tags{}')=3 | stats count", jcount(lambda e: len(e["json"]["tags"]) == 3),
     needs=("json", "mv_functions"))
case('index=main sourcetype=_json | spath path=geo.city output=city | stats count by city',
     by(J, "city", lambda e: e["json"]["geo"]["city"], count=n), needs=("spath",))
case('index=main sourcetype=_json | spath output=skus path=items{}.sku | eval n=mvcount(skus) | stats sum(n) as n',
     [{"n": sum(len(e["json"]["items"]) for e in J)}], needs=("spath", "mv_functions"))
case('| makeresults | eval j="{\\"a\\":{\\"b\\":7,\\"c\\":[1,2]}}" | spath input=j path=a.b output=v | table v',
     [{"v": 7}], needs=("spath", "makeresults"))
case('index=main sourcetype=_json | eval c=json_extract(_raw, "geo.country") | stats count by c',
     by(J, "c", lambda e: e["json"]["geo"]["country"], count=n), needs=("eval_functions",))

# ---------------------------------------------------------------- syslog fields
case("index=main sourcetype=syslog process=sshd | stats count", count([e for e in S if e["process"] == "sshd"]),
     needs=("syslog_fields",))
case("index=main sourcetype=syslog | stats count by process", by(S, "process", lambda e: e["process"], count=n),
     needs=("syslog_fields",))
case('index=main sourcetype=syslog "Accepted publickey" | stats count by host',
     by([e for e in S if e["kind"] == "accept"], "host", lambda e: e["host"], count=n))
case('index=main sourcetype=syslog | rex "from (?<ip>\\d+\\.\\d+\\.\\d+\\.\\d+) port" | stats dc(ip) as ips',
     [{"ips": len({re.search(r"from (\S+) port", e["_raw"]).group(1) for e in S if e["kind"] in ("fail", "accept")})}])
case('index=main sourcetype=syslog Failed | rex "invalid user (?<baduser>\\w+)" | top baduser',
     top([e for e in S if e["kind"] == "fail"], "baduser", lambda e: re.search(r"invalid user (\w+)", e["_raw"]).group(1), 10),
     ordered=True)

# ---------------------------------------------------------------- default fields
# date_* fields: only for events whose text holds a timestamp (Splunk's documentation: "Only events
# that have timestamp information in them as generated by their respective systems will have
# date_* fields"), so not for the JSON events, which carry their time in HEC's "time" only.
STAMPED = [e for e in E if e["sourcetype"] != "_json"]
case("index=main | stats count by linecount", [{"linecount": 1, "count": len(E)}], needs=("default_fields",))
case("index=main sourcetype=app:kv | stats count by date_hour",
     [{"date_hour": h, "count": c} for h, c in collections.Counter(iso_day(e["_time"]).hour for e in K).items()],
     needs=("default_fields",))
case("index=main date_wday=tuesday | stats count", count([e for e in STAMPED if iso_day(e["_time"]).weekday() == 1]),
     needs=("default_fields",))
case("index=main | stats count by date_mday",
     [{"date_mday": d, "count": c} for d, c in collections.Counter(iso_day(e["_time"]).day for e in STAMPED).items()],
     needs=("default_fields",))
case("index=main sourcetype=syslog | stats dc(date_minute) as minutes",
     [{"minutes": len({iso_day(e["_time"]).minute for e in S})}], needs=("default_fields",))
case("index=main | stats values(date_year) as y values(date_month) as m",
     [{"y": "2026", "m": "october"}], needs=("default_fields",))


# punct: Splunk's exact rules (which punctuation is kept, dashes after letters) are not fully
# documented, so the cases check what every definition shares: every event has one, and it holds
# no letter, digit or space (spaces become "_").
case('index=main | where isnotnull(punct) AND NOT match(punct, "[A-Za-z0-9 ]") | stats count', count(E),
     needs=("default_fields", "match_like"))
case('index=main sourcetype=app:kv | where like(punct, "%=%") | stats count', count(K), needs=("default_fields", "match_like"))
case("index=main sourcetype=app:kv | stats values(timestartpos) as s values(timeendpos) as e values(date_zone) as z",
     [{"s": "0", "e": str(len("2026-10-05T00:00:00.000Z")), "z": "0"}], needs=("default_fields",))
case("index=main | stats values(splunk_server) as s", [{"s": "compat"}], needs=("default_fields",))

# ---------------------------------------------------------------- time ranges and timechart
W = [e for e in E if T0 + 6 * H <= e["_time"] < T0 + 12 * H]
case('index=main earliest="10/05/2026:06:00:00" latest="10/05/2026:12:00:00" | stats count', count(W))
case('index=main sourcetype=app:kv earliest="10/06/2026:00:00:00" | stats count', count([e for e in K if e["_time"] >= T0 + 86400]))
case('index=main earliest=1759644000 latest=1759665600 | stats count',
     count([e for e in E if 1759644000 <= e["_time"] < 1759665600]), needs=("time_range",))


def timechart(events, span, key=None, agg=len):
    buckets = collections.OrderedDict()
    start = T0
    for b in range(start, start + data.SPAN, span):
        buckets[b] = []
    for e in events:
        buckets[T0 + (e["_time"] - T0) // span * span].append(e)
    return buckets


case("index=main sourcetype=app:kv | timechart span=6h count",
     [{"_time": Time(b), "count": len(v)} for b, v in timechart(K, 6 * H).items()], ordered=True)
case("index=main sourcetype=app:kv | timechart span=12h avg(duration) as d",
     [{"_time": Time(b), "d": statistics.fmean(e["duration"] for e in v)} for b, v in timechart(K, 12 * H).items()], ordered=True)
case("index=main sourcetype=app:kv | timechart span=1d count by level",
     [{"_time": Time(b), **{l: sum(e["level"] == l for e in v) for l in sorted({e["level"] for e in K})}}
      for b, v in timechart(K, 86400).items()], ordered=True)


def tc_limit(events, span, key, limit, useother=True):
    totals = collections.Counter(key(e) for e in events)
    keep = [k for k, _ in sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]]
    rows = []
    for b, v in timechart(events, span).items():
        r = {"_time": Time(b), **{k: sum(key(e) == k for e in v) for k in keep}}
        if useother:
            r["OTHER"] = sum(key(e) not in keep for e in v)
        rows.append(r)
    return rows


case("index=main sourcetype=app:kv | timechart span=1d limit=2 count by component",
     tc_limit(K, 86400, lambda e: e["component"], 2), ordered=True, needs=("timechart_limit",))
case("index=main sourcetype=app:kv | timechart span=1d limit=2 useother=f count by component",
     tc_limit(K, 86400, lambda e: e["component"], 2, False), ordered=True, needs=("timechart_limit",))
case("index=main | timechart span=1d dc(host) as hosts",
     [{"_time": Time(b), "hosts": len({e["host"] for e in v})} for b, v in timechart(E, 86400).items()], ordered=True)

# ---------------------------------------------------------------- chart
case("index=main sourcetype=app:kv | chart count over level by component",
     [{"level": l, **{c: sum(e["component"] == c for e in v) for c in sorted(data.COMPONENTS)}}
      for l, v in sorted(groups(K, lambda e: e["level"]).items())], ordered=True, needs=("chart",))
case("index=main sourcetype=app:kv | chart avg(duration) over user",
     [{"user": u, "avg(duration)": statistics.fmean(e["duration"] for e in v)} for u, v in sorted(groups(K, lambda e: e["user"]).items())],
     ordered=True, needs=("chart",))
case("index=main sourcetype=app:kv | chart sum(amount) by component level",
     [{"component": c, **{l: Approx(sum(e["amount"] for e in v if e["level"] == l), 1e-9, 1e-6)
                          if any(e["level"] == l for e in v) else None for l in sorted({e["level"] for e in K})}}
      for c, v in sorted(groups(K, lambda e: e["component"]).items())], ordered=True, needs=("chart",))


# ---------------------------------------------------------------- sort, dedup, head, tail
def unique_order(rows, key):
    ks = [key(r) for r in rows]
    assert len(ks) == len(set(ks)), "a sort case needs distinct keys"
    return rows


top_dur = sorted(K, key=lambda e: -e["duration"])
case("index=main sourcetype=app:kv | sort - duration | head 5 | table session duration",
     [{"session": e["session"], "duration": e["duration"]} for e in unique_order(top_dur[:6], lambda e: e["duration"])[:5]],
     ordered=True)
bot_amt = sorted(K, key=lambda e: e["amount"])
case("index=main sourcetype=app:kv | sort amount | head 3 | table amount user",
     [{"amount": e["amount_text"], "user": e["user"]} for e in unique_order(bot_amt[:4], lambda e: e["amount"])[:3]], ordered=True)
case("index=main sourcetype=app:kv | stats count by user | sort - count",
     sorted(by(K, "user", lambda e: e["user"], count=n), key=lambda r: (-r["count"], r["user"])), ordered=True)
case("index=main sourcetype=app:kv | stats count by user | sort user",
     by(K, "user", lambda e: e["user"], count=n), ordered=True)
case("index=main sourcetype=app:kv | stats count by component | sort 2 -count",
     sorted(by(K, "component", lambda e: e["component"], count=n), key=lambda r: -r["count"])[:2], ordered=True)
durs = sorted({e["duration"] for e in K})
case("index=main sourcetype=app:kv duration<100 | dedup duration | sort num(duration) | head 4 | table duration",
     [{"duration": d} for d in durs[:4]], ordered=True, needs=("sort_num_str",))
case("index=main sourcetype=app:kv duration<100 | dedup duration | sort str(duration) | head 4 | table duration",
     [{"duration": d} for d in sorted((str(d) for d in durs if d < 100))[:4]], ordered=True, needs=("sort_num_str",))
case("index=main sourcetype=app:kv | dedup user | table user level",
     [{"user": e["user"], "level": e["level"]} for e in first_per(K, lambda e: e["user"])], ordered=True)
case("index=main sourcetype=app:kv | dedup user sortby user | table user",
     [{"user": u} for u in sorted({e["user"] for e in K})], ordered=True, needs=("dedup_sortby",))
case("index=main sourcetype=app:kv | dedup 2 component | stats count", count(first_per(K, lambda e: e["component"], 2)))
case("index=main sourcetype=app:kv | head 3 | table session step",
     [{"session": e["session"], "step": e["step"]} for e in K[:3]], ordered=True)
case("index=main sourcetype=app:kv | tail 2 | table session step",
     [{"session": e["session"], "step": e["step"]} for e in K[::-1][:2]], ordered=True)
case("index=main sourcetype=app:kv level=ERROR | head 1 | table user src amount",
     [{"user": ERR[0]["user"], "src": ERR[0]["src"], "amount": ERR[0]["amount_text"]}], ordered=True)
case("index=main | head 2 | table _time sourcetype",
     [{"_time": Time(e["_time"]), "sourcetype": e["sourcetype"]} for e in E[:2]], ordered=True)
case("index=main sourcetype=app:kv | head 3 | table _raw", [{"_raw": e["_raw"]} for e in K[:3]], ordered=True)

# ---------------------------------------------------------------- table, fields, rename
case("index=main sourcetype=app:kv | head 2 | table user, level",
     [{"user": e["user"], "level": e["level"]} for e in K[:2]], ordered=True)
case("index=main sourcetype=app:kv | head 2 | fields user session | fields - _* | table user session",
     [{"user": e["user"], "session": e["session"]} for e in K[:2]], ordered=True)
case("index=main sourcetype=app:kv | stats count by user | rename count as events, user as who",
     [{"who": r["user"], "events": r["count"]} for r in by(K, "user", lambda e: e["user"], count=n)])
case("index=main sourcetype=app:kv | stats count by level | rename count AS Total",
     [{"level": r["level"], "Total": r["count"]} for r in by(K, "level", lambda e: e["level"], count=n)], needs=("upper_keywords",))
case("index=main sourcetype=app:kv | head 1 | table s*",
     [{"session": K[0]["session"], "src": K[0]["src"], "step": K[0]["step"], "source": K[0]["source"],
       "sourcetype": "app:kv", "splunk_server": "compat"}], needs=("table_wildcard", "default_fields"))
case("index=main sourcetype=app:kv | head 1 | rename s* as kv_s* | table kv_session kv_src",
     [{"kv_session": K[0]["session"], "kv_src": K[0]["src"]}], needs=("rename_wildcard",))
case("index=main sourcetype=app:kv | head 1 | fields user, du* | fields - _*",
     [{"user": K[0]["user"], "duration": K[0]["duration"]}], needs=("fields_wildcard",))
case("index=main sourcetype=app:kv | stats avg(duration) as avg_dur max(duration) as max_dur | rename *_dur as *",
     [{"avg": statistics.fmean(e["duration"] for e in K), "max": max(e["duration"] for e in K)}], needs=("rename_wildcard",))

# ---------------------------------------------------------------- eval functions
K0 = K[0]


def kv_by(name, f):
    return by(K, name, f, count=n)


case('index=main sourcetype=app:kv | eval sev=if(level="ERROR", "bad", "ok") | stats count by sev',
     kv_by("sev", lambda e: "bad" if e["level"] == "ERROR" else "ok"))
case('index=main sourcetype=app:kv | eval sev=case(level="ERROR", 3, level="WARN", 2, 1=1, 1) | stats sum(sev) as s',
     [{"s": sum(3 if e["level"] == "ERROR" else 2 if e["level"] == "WARN" else 1 for e in K)}])
case("index=main sourcetype=app:kv | eval l=lower(level) | stats count by l", kv_by("l", lambda e: e["level"].lower()))
case("index=main sourcetype=app:kv | eval u=upper(user) | stats dc(u) as n", [{"n": len({e["user"] for e in K})}])
case("index=main sourcetype=app:kv | eval p=substr(session, 1, 2) | stats count by p", kv_by("p", lambda e: e["session"][:2]))
case("index=main sourcetype=app:kv | eval l=len(user) | stats sum(l) as s", [{"s": sum(len(e["user"]) for e in K)}])
case("index=main sourcetype=app:kv | eval l=len(_raw) | stats max(l) as m", [{"m": max(len(e["_raw"]) for e in K)}])
case("index=main sourcetype=app:kv | stats avg(amount) as a | eval a=round(a, 2)",
     [{"a": round(statistics.fmean(e["amount"] for e in K), 2)}])
case("index=main sourcetype=app:kv | eval d=duration * 2 + 1 | stats sum(d) as s", [{"s": sum(e["duration"] * 2 + 1 for e in K)}])
case("index=main sourcetype=app:kv | eval d=duration*2+1 | stats sum(d) as s", [{"s": sum(e["duration"] * 2 + 1 for e in K)}],
     needs=("fix:eval_star_without_spaces",))
case("index=main sourcetype=app:kv | eval k=duration % 7 | stats count by k", kv_by("k", lambda e: e["duration"] % 7))
case("index=main sourcetype=app:kv | eval u=coalesce(nosuchfield, user) | stats dc(u) as n", [{"n": len({e["user"] for e in K})}])
case('index=main sourcetype=app:kv | eval x=user . "@" . component | stats dc(x) as n',
     [{"n": len({e["user"] + "@" + e["component"] for e in K})}])
case("index=main sourcetype=app:kv | eval f=floor(amount) | stats sum(f) as s", [{"s": sum(math.floor(e["amount"]) for e in K)}])
case("index=main sourcetype=app:kv | eval c=ceiling(amount) | stats sum(c) as s", [{"s": sum(math.ceil(e["amount"]) for e in K)}],
     needs=("eval_functions",))
case("index=main sourcetype=app:kv | eval t=tonumber(substr(session, 2)) | stats max(t) as m",
     [{"m": max(int(e["session"][1:]) for e in K)}])
case('index=main sourcetype=app:kv | eval d=strftime(_time, "%Y-%m-%d") | stats count by d',
     kv_by("d", lambda e: iso_day(e["_time"]).strftime("%Y-%m-%d")), needs=("strftime",))
case('index=main sourcetype=app:kv | head 1 | eval d=strftime(_time, "%H:%M:%S") | table d',
     [{"d": iso_day(K0["_time"]).strftime("%H:%M:%S")}], needs=("strftime",))
case('| makeresults | eval t=strptime("2026-10-05 12:30:00", "%Y-%m-%d %H:%M:%S") | table t', [{"t": T0 + 12 * H + 1800}],
     needs=("makeresults", "eval_functions"))
case(f'| makeresults | eval t=relative_time({T0 + 13 * H + 5}, "-1d@d") | table t', [{"t": T0 - 86400}],
     needs=("makeresults", "eval_functions"))
case('index=main sourcetype=app:kv | eval s=replace(src, "\\.", "-") | stats count by s', kv_by("s", lambda e: e["src"].replace(".", "-")),
     needs=("eval_functions",))
case('index=main sourcetype=app:kv | eval parts=split(src, ".") | eval n=mvcount(parts), a=mvindex(parts, 0) | stats count by a n',
     [{"a": a, "n": 4, "count": c} for a, c in sorted(collections.Counter(e["src"].split(".")[0] for e in K).items())],
     needs=("mv_functions",))
case('index=main sourcetype=app:kv | eval last=mvindex(split(src, "."), -1) | stats dc(last) as n',
     [{"n": len({e["src"].split(".")[-1] for e in K})}], needs=("mv_functions",))
case('| makeresults | eval m=mvappend("a", "b", "a") | eval j=mvjoin(mvdedup(m), "+"), c=mvcount(m) | table j c',
     [{"j": "a+b", "c": 3}], needs=("makeresults", "mv_functions"))
case('| makeresults | eval m=split("3,14,15,92", ",") | eval big=mvfilter(tonumber(m) > 10) | table big',
     [{"big": ["14", "15", "92"]}], needs=("makeresults", "mv_functions"))
case('index=main sourcetype=app:kv | where cidrmatch("10.1.0.0/16", src) | stats count',
     count([e for e in K if ipaddress.ip_address(e["src"]) in ipaddress.ip_network("10.1.0.0/16")]), needs=("cidrmatch",))
case('index=main sourcetype=app:kv | eval internal=if(cidrmatch("172.16.0.0/12", src), "yes", "no") | stats count by internal',
     kv_by("internal", lambda e: "yes" if ipaddress.ip_address(e["src"]) in ipaddress.ip_network("172.16.0.0/12") else "no"),
     needs=("cidrmatch",))
case('index=main sourcetype=app:kv | where match(msg, "^pay") | stats count', count([e for e in K if e["msg"].startswith("pay")]),
     needs=("match_like",))
case('index=main sourcetype=app:kv | where like(session, "s00%") | stats count', count([e for e in K if e["session"].startswith("s00")]),
     needs=("match_like",))
case('index=main sourcetype=app:kv | where like(user, "_ob") | stats count', count([e for e in K if len(e["user"]) == 3 and e["user"][1:] == "ob"]),
     needs=("match_like",))
case("index=main sourcetype=app:kv | eval h=md5(level) | stats count by h",
     kv_by("h", lambda e: hashlib.md5(e["level"].encode()).hexdigest()), needs=("hash",))
case("index=main sourcetype=app:kv | head 1 | eval h=sha256(session) | table h",
     [{"h": hashlib.sha256(K0["session"].encode()).hexdigest()}], needs=("hash",))
case("index=main sourcetype=app:kv | head 1 | eval h=sha1(user) | table h", [{"h": hashlib.sha1(K0["user"].encode()).hexdigest()}],
     needs=("hash",))
case('index=main sourcetype=app:kv | stats sum(duration) as d | eval d=tostring(d, "commas")',
     [{"d": f"{sum(e['duration'] for e in K):,}"}], needs=("tostring_format",))
case('| makeresults | eval h=tostring(255, "hex"), d=tostring(3725, "duration") | table h d',
     [{"h": "0xFF", "d": "01:02:05"}], needs=("makeresults", "tostring_format"))
case('| makeresults | eval u=urldecode("a%20b%2Fc"), p=printf("%05.1f", 3.14159) | table u p',
     [{"u": "a b/c", "p": "003.1"}], needs=("makeresults", "eval_functions"))
case('| makeresults | eval a=typeof(12), b=typeof("x"), c=if(isnum(3), "y", "n"), d=if(isstr(3), "y", "n") | table a b c d',
     [{"a": "Number", "b": "String", "c": "y", "d": "n"}], needs=("makeresults", "eval_functions"))
case('| makeresults | eval a=nullif(1, 1), b=trim("  x "), c=ltrim("xxy", "x"), d=rtrim("yzz", "z") | table a b c d',
     [{"a": None, "b": "x", "c": "y", "d": "y"}], needs=("makeresults", "eval_functions"))
case('| makeresults | eval a=pow(2, 10), b=sqrt(81), c=abs(-4), d=round(exp(0)), e=ln(1), f=log(100) | table a b c d e f',
     [{"a": 1024, "b": 9, "c": 4, "d": 1, "e": 0, "f": 2}], needs=("makeresults", "eval_functions"))
case('| makeresults | eval x=1/3000000, y=2/3 | table x y', [{"x": Approx(1 / 3000000, 1e-5), "y": Approx(2 / 3, 1e-5)}],  # kura shows 6 significant digits
     needs=("makeresults",))
case('| makeresults | eval a=min(3, 1, 2), b=max(3, 1, 2), c=mvcount(null()) | table a b c',
     [{"a": 1, "b": 3, "c": None}], needs=("makeresults", "eval_functions"))
case('| makeresults | eval o=json_object("k", "v", "n", 1) | table o', [{"o": '{"k":"v","n":1}'}],
     needs=("makeresults", "eval_functions"))
case('index=main sourcetype=app:kv | where searchmatch("payment declined") | stats count',
     count([e for e in K if "payment declined" in e["_raw"]]), needs=("eval_functions",))
case('index=main sourcetype=app:kv | eval s=if(isnull(nosuch), "yes", "no") | stats count by s', [{"s": "yes", "count": len(K)}])
case('index=main sourcetype=app:kv | eval s=isnull(nosuch) | stats count by s', status=400)

# ---------------------------------------------------------------- where, search, regex
case("index=main sourcetype=app:kv | where duration > 2900 | stats count", count([e for e in K if e["duration"] > 2900]))
case('index=main sourcetype=app:kv | where level="WARN" AND amount < 100 | stats count',
     count([e for e in K if e["level"] == "WARN" and e["amount"] < 100]))
case('index=main sourcetype=app:kv | where user="bob" OR user="erin" | stats count',
     count([e for e in K if e["user"] in ("bob", "erin")]))
case("index=main sourcetype=app:kv | where NOT isnull(session) | stats count", count(K))
case("index=main sourcetype=app:kv | stats count by user | where count > 130",
     [r for r in by(K, "user", lambda e: e["user"], count=n) if r["count"] > 130])
case("index=main sourcetype=app:kv | search level=ERROR component=auth | stats count",
     count([e for e in ERR if e["component"] == "auth"]))
case('index=main sourcetype=app:kv | regex src="^10\\.1\\.2\\.\\d+$" | stats count',
     count([e for e in K if re.match(r"^10\.1\.2\.\d+$", e["src"])]), needs=("regex",))
case('index=main sourcetype=app:kv | regex src!="^10\\." | stats count', count([e for e in K if not e["src"].startswith("10.")]),
     needs=("regex",))
case('index=main sourcetype=app:kv | regex _raw="msg=\\"(payment|order)" | stats count',
     count([e for e in K if re.search(r'msg="(payment|order)', e["_raw"])]), needs=("regex",))

# ---------------------------------------------------------------- rex
case('index=main sourcetype=app:kv | rex "session=s(?<sid>\\d+)" | stats max(sid) as m', [{"m": max(int(e["session"][1:]) for e in K)}])
case('index=main sourcetype=app:kv | rex field=src "^(?<net>\\d+\\.\\d+)\\." | stats count by net',
     kv_by("net", lambda e: ".".join(e["src"].split(".")[:2])))
case('index=main sourcetype=access_combined | rex "\\"(?<verb>[A-Z]+) (?<path>/[^ ?]*)" | stats count by verb',
     by(A, "verb", lambda e: e["method"], count=n))
case('index=main sourcetype=app:kv | rex field=src mode=sed "s/\\./_/g" | stats count by src',
     kv_by("src", lambda e: e["src"].replace(".", "_")), needs=("rex_sed",))
case('index=main sourcetype=app:kv | head 1 | rex field=src max_match=0 "(?<octet>\\d+)" | table octet',
     [{"octet": K0["src"].split(".")}], needs=("rex_max_match",))
case('index=main sourcetype=app:kv | rex "(?<x>[a-z" | stats count', status=400, needs=("rex_error_400",))
case("index=main sourcetype=app:kv | nosuchcommand", status=400)

# ---------------------------------------------------------------- bin, fillnull, makemv, mvexpand
case("index=main sourcetype=app:kv | bin duration span=1000 | stats count by duration",
     kv_by("duration", lambda e: f"{e['duration'] // 1000 * 1000}-{e['duration'] // 1000 * 1000 + 1000}"), needs=("bin",))
case("index=main sourcetype=app:kv | bin _time span=1d | stats count by _time",
     [{"_time": Time(b), "count": len(v)} for b, v in timechart(K, 86400).items()], needs=("bin",))
case("index=main sourcetype=app:kv | bucket _time span=12h | stats dc(user) as users by _time",
     [{"_time": Time(b), "users": len({e["user"] for e in v})} for b, v in timechart(K, 12 * H).items()], needs=("bin",))
case('index=main sourcetype=app:kv | eval x=if(level="ERROR", 1, null()) | fillnull value=0 x | stats count by x',
     kv_by("x", lambda e: 1 if e["level"] == "ERROR" else 0), needs=("fillnull",))
case('index=main sourcetype=app:kv | eval x=if(level="ERROR", "e", null()) | fillnull x | stats count by x',
     kv_by("x", lambda e: "e" if e["level"] == "ERROR" else "0"), needs=("fillnull",))
case('index=main sourcetype=app:kv src=10.1.2.3 | makemv delim="." src | mvexpand src | stats count by src',
     [{"src": o, "count": c} for o, c in sorted(collections.Counter(o for e in K if e["src"] == "10.1.2.3"
                                                                     for o in e["src"].split(".")).items())],
     needs=("makemv", "mvexpand"))
case('index=main sourcetype=app:kv | head 5 | eval m="a,b,c" | makemv delim="," m | mvexpand m | stats count',
     [{"count": 15}], needs=("makemv", "mvexpand"))
case("index=main sourcetype=_json | mvexpand tags{} | stats count by tags{}",
     [{"tags{}": t, "count": c} for t, c in sorted(collections.Counter(t for e in J for t in e["json"]["tags"]).items())],
     needs=("json", "mvexpand"))

# ---------------------------------------------------------------- eventstats, streamstats
comp_avg = {c: statistics.fmean(e["duration"] for e in v) for c, v in groups(K, lambda e: e["component"]).items()}
case("index=main sourcetype=app:kv | eventstats avg(duration) as avgdur by component | where duration > avgdur | stats count",
     count([e for e in K if e["duration"] > comp_avg[e["component"]]]), needs=("eventstats",))
case("index=main sourcetype=app:kv | eventstats count as total | head 1 | table total", [{"total": len(K)}], needs=("eventstats",))
case("index=main sourcetype=app:kv | streamstats count as n | head 3 | table n session",
     [{"n": i + 1, "session": e["session"]} for i, e in enumerate(K[:3])], ordered=True, needs=("streamstats",))
case("index=main sourcetype=app:kv | streamstats window=3 sum(duration) as s | head 5 | table s",
     [{"s": sum(e["duration"] for e in K[max(0, i - 2):i + 1])} for i in range(5)], ordered=True, needs=("streamstats",))
case("index=main sourcetype=app:kv | streamstats count as seen by user | head 6 | table user seen",
     [{"user": e["user"], "seen": sum(x["user"] == e["user"] for x in K[:i + 1])} for i, e in enumerate(K[:6])],
     ordered=True, needs=("streamstats",))

# ---------------------------------------------------------------- transaction
sessions = groups(K, lambda e: e["session"])
complete = {s: v for s, v in sessions.items() if v[-1]["step"] == "start" and v[0]["step"] == "end"}
case("index=main sourcetype=app:kv | transaction session | stats count", [{"count": len(sessions)}], needs=("transaction",))
case("index=main sourcetype=app:kv | transaction session | stats avg(eventcount) as ec",
     [{"ec": Approx(statistics.fmean(len(v) for v in sessions.values()), 1e-5)}], needs=("transaction",))
case("index=main sourcetype=app:kv | transaction session | stats sum(duration) as d",
     [{"d": sum(v[0]["_time"] - v[-1]["_time"] for v in sessions.values())}], needs=("transaction",))
case('index=main sourcetype=app:kv | transaction session startswith="step=start" endswith="step=end" | stats count',
     [{"count": len(complete)}], needs=("transaction",))
def maxspan_split(v, secs):
    """Transactions of one session's events (newest first) with maxspan: Splunk groups from the
    newest event back while the span stays within secs."""
    out, cur = [], []
    for e in v:
        if cur and cur[0]["_time"] - e["_time"] > secs:
            out.append(cur)
            cur = []
        cur.append(e)
    out.append(cur)
    return out


case("index=main sourcetype=app:kv | transaction session maxspan=10m | stats count",
     [{"count": sum(len(maxspan_split(v, 600)) for v in sessions.values())}], needs=("transaction",))
case("index=main sourcetype=app:kv | transaction session maxevents=2 | stats count",
     [{"count": sum((len(v) + 1) // 2 for v in sessions.values())}], needs=("transaction",))

# ---------------------------------------------------------------- lookups, makeresults, append, join
dept = {u: d for u, d, _ in data.LOOKUP_USERS[1:]}
case("index=main sourcetype=app:kv | lookup users.csv user OUTPUT department | stats count by department",
     kv_by("department", lambda e: dept[e["user"]]), needs=("lookup",))
case("index=main sourcetype=app:kv level=ERROR | lookup users.csv user | stats dc(manager) as m",
     [{"m": len({m for u, d, m in data.LOOKUP_USERS[1:] if u in {e["user"] for e in ERR}})}], needs=("lookup",))
case("| inputlookup users.csv | stats count", [{"count": len(data.LOOKUP_USERS) - 1}], needs=("inputlookup",))
case('| inputlookup users.csv | where department="sales" | table user',
     [{"user": u} for u, d, _ in data.LOOKUP_USERS[1:] if d == "sales"], ordered=True, needs=("inputlookup",))
case("| makeresults | eval x=1+2 | table x", [{"x": 3}], needs=("makeresults",))
case("| makeresults count=5 | stats count", [{"count": 5}], needs=("makeresults",))
case("| makeresults count=3 | streamstats count as i | stats sum(i) as s", [{"s": 6}], needs=("makeresults", "streamstats"))
case("index=main sourcetype=syslog | stats count | append [search index=main sourcetype=_json | stats count]",
     [{"count": len(S)}, {"count": len(J)}], ordered=True, needs=("append",))
kv_users = collections.Counter(e["user"] for e in K)
js_users = collections.Counter(e["json"]["user"] for e in J)
case("index=main sourcetype=app:kv | stats count as kv by user | join user [search index=main sourcetype=_json | stats count as js by user]",
     [{"user": u, "kv": kv_users[u], "js": js_users[u]} for u in sorted(kv_users) if u in js_users], needs=("join", "json"))
case("index=main sourcetype=app:kv | stats count as kv by user | join type=left user [search index=main sourcetype=app:kv level=ERROR | stats count as errors by user]",
     [{"user": u, "kv": kv_users[u], "errors": sum(e["user"] == u for e in ERR) or None} for u in sorted(kv_users)], needs=("join",))

# ---------------------------------------------------------------- convert, addtotals
case("index=main sourcetype=app:kv | head 1 | convert num(duration) as d | table d", [{"d": K0["duration"]}], needs=("convert",))
case("index=main sourcetype=app:kv | stats count(eval(level=\"ERROR\")) as e count(eval(level=\"WARN\")) as w | addtotals",
     [{"e": len(ERR), "w": sum(e["level"] == "WARN" for e in K), "Total": len(ERR) + sum(e["level"] == "WARN" for e in K)}],
     needs=("addtotals", "count_eval"))

# ---------------------------------------------------------------- CSV output
lv = by(K, "level", lambda e: e["level"], count=n)
case("index=main sourcetype=app:kv | stats count by level", output_mode="csv",
     csv="level,count\n" + "\n".join(f"{r['level']},{r['count']}" for r in lv))
case("index=main sourcetype=app:kv | head 2 | table user level", output_mode="csv",
     csv="user,level\n" + "\n".join(f"{e['user']},{e['level']}" for e in K[:2]))

# ---------------------------------------------------------------- cross-kind everyday searches
case("index=main sourcetype=access_combined | stats count by host", by(A, "host", lambda e: e["host"], count=n))
case("index=main sourcetype=access_combined 404 | stats count", count([e for e in A if term_in("404", e["_raw"])]))
case('index=main sourcetype=access_combined "POST /login" | stats count', count([e for e in A if '"POST /login ' in e["_raw"]]))
case("index=main sourcetype=access_combined Googlebot | stats count", count([e for e in A if "Googlebot" in e["_raw"]]))
case("index=main curl | stats count by sourcetype",
     by([e for e in E if term_in("curl", e["_raw"])], "sourcetype", lambda e: e["sourcetype"], count=n))
case("index=main sourcetype=access_combined | where status >= 400 | stats count by status",
     by([e for e in A if e["status"] >= 400], "status", lambda e: e["status"], count=n), needs=("access_combined",))
case("index=main sourcetype=access_combined | eval kb=round(bytes/1024, 1) | stats max(kb) as kb",
     [{"kb": round(max(e["bytes"] for e in A) / 1024, 1)}], needs=("access_combined",))
case("index=main sourcetype=access_combined | stats count(eval(status>=500)) as errors by host",
     by(A, "host", lambda e: e["host"], errors=lambda v: sum(e["status"] >= 500 for e in v)), needs=("access_combined", "count_eval"))
case("index=main sourcetype=access_combined | timechart span=1d limit=3 count by method",
     tc_limit(A, 86400, lambda e: e["method"], 3), ordered=True, needs=("access_combined", "timechart_limit"))
case("index=main sourcetype=_json | top limit=3 geo.country",
     top(J, "geo.country", lambda e: e["json"]["geo"]["country"], 3), ordered=True, needs=("json",))
case("index=main sourcetype=_json action=purchase | stats sum(items{}.qty) as qty by user",
     by([e for e in J if e["json"]["action"] == "purchase"], "user", lambda e: e["json"]["user"],
        qty=lambda v: sum(i["qty"] for e in v for i in e["json"]["items"])), needs=("json",))

# ---------------------------------------------------------------- aggregations by group, all-rows commands
# On a cluster each peer sends partial aggregates the search head merges (a median or a variance
# of two halves is not a function of the halves' medians or variances), and the commands that
# need every row (eventstats, streamstats, transaction, join) run after the merge, on the events
# in time order across the peers. kura prints 6 decimals, so a mean or deviation of a few
# hundred compares to 1e-8 relative.
def stdev_or_none(vals):
    return Approx(statistics.stdev(vals), 1e-8) if len(vals) > 1 else None


BY_COMP = sorted(groups(K, lambda e: e["component"]).items())
BY_LEVEL = sorted(groups(K, lambda e: e["level"]).items())
case("index=main sourcetype=app:kv | stats exactperc95(duration) as p", [{"p": perc([e["duration"] for e in K], 95)}],
     needs=("perc",))
case("index=main sourcetype=app:kv | stats exactperc99(amount) as p by component",
     [{"component": c, "p": perc([e["amount"] for e in v], 99)} for c, v in BY_COMP], needs=("perc",))
case("index=main sourcetype=app:kv | stats p90(duration) as p median(amount) as m by level",
     [{"level": l, "p": perc([e["duration"] for e in v], 90), "m": splunk_median([e["amount"] for e in v])} for l, v in BY_LEVEL],
     needs=("perc", "median"))
case("index=main sourcetype=app:kv | stats stdev(amount) as sd var(duration) as v by component",
     [{"component": c, "sd": Approx(statistics.stdev(e["amount"] for e in v), 1e-8),
       "v": Approx(statistics.variance(e["duration"] for e in v), 1e-8)} for c, v in BY_COMP], needs=("stdev", "var"))
for _c, _v in BY_COMP:
    _m = collections.Counter(e["level"] for e in _v).most_common(2)
    assert _m[0][1] > _m[1][1], "mode(level) by component needs a single most common level"
case("index=main sourcetype=app:kv | stats mode(level) as m by component",
     [{"component": c, "m": collections.Counter(e["level"] for e in v).most_common(1)[0][0]} for c, v in BY_COMP],
     needs=("mode",))
case("index=main sourcetype=app:kv | stats range(amount) as r by level",
     [{"level": l, "r": Approx(max(e["amount"] for e in v) - min(e["amount"] for e in v), 1e-9, 1e-9)} for l, v in BY_LEVEL],
     needs=("range",))
case("index=main sourcetype=app:kv | stats earliest(session) as e latest(session) as l",
     [{"e": K[-1]["session"], "l": K[0]["session"]}], needs=("earliest_latest",))
case("index=main sourcetype=app:kv | stats earliest(user) as e latest(user) as l by component",
     [{"component": c, "e": v[-1]["user"], "l": v[0]["user"]} for c, v in BY_COMP], needs=("earliest_latest",))
case("index=main sourcetype=app:kv | stats first(session) as f last(session) as l by level",
     [{"level": l, "f": v[0]["session"], "l": v[-1]["session"]} for l, v in BY_LEVEL], needs=("first_last",))
case("index=main sourcetype=app:kv | stats count dc(user) as users values(level) as levels sum(duration) as d by component",
     [{"component": c, "count": len(v), "users": len({e["user"] for e in v}), "levels": values_sorted(e["level"] for e in v),
       "d": sum(e["duration"] for e in v)} for c, v in BY_COMP])
case("index=main sourcetype=app:kv | stats avg(amount) as a min(amount) as lo max(amount) as hi sum(amount) as s by level",
     [{"level": l, "a": Approx(statistics.fmean(e["amount"] for e in v), 1e-8), "lo": min(e["amount"] for e in v),
       "hi": max(e["amount"] for e in v), "s": Approx(sum(e["amount"] for e in v), 1e-9, 1e-6)} for l, v in BY_LEVEL])
case("index=main sourcetype=app:kv | stats estdc(user) as u estdc(session) as s by component",
     [{"component": c, "u": Approx(len({e["user"] for e in v}), abs_tol=0.5),
       "s": Approx(len({e["session"] for e in v}), rel_tol=0.02)} for c, v in BY_COMP], needs=("estdc",))
case('index=main sourcetype=app:kv | stats count(eval(level="ERROR")) as e count(eval(level="WARN")) as w by user',
     [{"user": u, "e": sum(e["level"] == "ERROR" for e in v), "w": sum(e["level"] == "WARN" for e in v)}
      for u, v in sorted(groups(K, lambda e: e["user"]).items())], needs=("count_eval",))
case("index=main sourcetype=_json | stats values(geo.city) as cities dc(user) as users by geo.country",
     by(J, "geo.country", lambda e: e["json"]["geo"]["country"], cities=lambda v: values_sorted(e["json"]["geo"]["city"] for e in v),
        users=lambda v: len({e["json"]["user"] for e in v})), needs=("json",))
_s1 = K[-1]["session"]  # the oldest session: its steps went to different peers
case(f"index=main sourcetype=app:kv session={_s1} | stats list(step) as steps",
     [{"steps": [e["step"] for e in K if e["session"] == _s1]}], needs=("list",))
case("index=main sourcetype=app:kv | timechart span=12h median(duration) as med stdev(duration) as sd dc(user) as users",
     [{"_time": Time(b), "med": splunk_median([e["duration"] for e in v]), "sd": stdev_or_none([e["duration"] for e in v]),
       "users": len({e["user"] for e in v})} for b, v in timechart(K, 12 * H).items()], ordered=True, needs=("median", "stdev"))
case("index=main sourcetype=app:kv | timechart span=1d perc90(amount) as p90 by level",
     [{"_time": Time(b), **{l: perc([e["amount"] for e in v if e["level"] == l], 90) for l in sorted({e["level"] for e in K})}}
      for b, v in timechart(K, 86400).items()], ordered=True, needs=("perc",))
case("index=main sourcetype=app:kv | chart dc(user) over component by level",
     [{"component": c, **{l: len({e["user"] for e in v if e["level"] == l}) for l in sorted({e["level"] for e in K})}}
      for c, v in BY_COMP], ordered=True, needs=("chart",))
case("index=main sourcetype=app:kv | chart median(duration) over level",
     [{"level": l, "median(duration)": splunk_median([e["duration"] for e in v])} for l, v in BY_LEVEL],
     ordered=True, needs=("chart", "median"))
comp_max = {c: max(e["duration"] for e in v) for c, v in BY_COMP}
case("index=main sourcetype=app:kv | eventstats max(duration) as top by component | where duration=top | table component duration",
     [{"component": e["component"], "duration": e["duration"]} for e in K if e["duration"] == comp_max[e["component"]]],
     needs=("eventstats",))
sd_all, mean_all = statistics.stdev(e["duration"] for e in K), statistics.fmean(e["duration"] for e in K)
assert all(abs(e["duration"] - (mean_all + sd_all)) > 1e-6 for e in K)
case("index=main sourcetype=app:kv | eventstats stdev(duration) as sd avg(duration) as m | where duration > m + sd | stats count",
     count([e for e in K if e["duration"] > mean_all + sd_all]), needs=("eventstats", "stdev"))
case("index=main sourcetype=app:kv | eventstats count as n dc(step) as kinds by session | stats count by n kinds",
     [{"n": n_, "kinds": k_, "count": c_} for (n_, k_), c_ in sorted(collections.Counter(
         (len(v), len({e["step"] for e in v})) for v in groups(K, lambda e: e["session"]).values() for _ in v).items())],
     needs=("eventstats",))
case("index=main sourcetype=app:kv | streamstats count as n | where n=500 | table n session step",
     [{"n": 500, "session": K[499]["session"], "step": K[499]["step"]}], needs=("streamstats",))
case("index=main sourcetype=app:kv | streamstats current=f last(duration) as prev | head 4 | table duration prev",
     [{"duration": e["duration"], "prev": K[i - 1]["duration"] if i else None} for i, e in enumerate(K[:4])],
     ordered=True, needs=("streamstats",))
case("index=main sourcetype=app:kv | streamstats sum(duration) as run | tail 1 | table run",
     [{"run": sum(e["duration"] for e in K)}], needs=("streamstats",))
case("index=main sourcetype=app:kv | streamstats count as i by component | where i=100 | table component session",
     [{"component": c, "session": v[99]["session"]} for c, v in BY_COMP if len(v) >= 100], needs=("streamstats",))
case("index=main sourcetype=app:kv | transaction session | stats count by eventcount",
     [{"eventcount": k_, "count": c_} for k_, c_ in sorted(collections.Counter(len(v) for v in sessions.values()).items())],
     needs=("transaction",))
case("index=main sourcetype=app:kv | transaction session | stats max(duration) as longest min(eventcount) as fewest",
     [{"longest": max(v[0]["_time"] - v[-1]["_time"] for v in sessions.values()),
       "fewest": min(len(v) for v in sessions.values())}], needs=("transaction",))
case("index=main sourcetype=access_combined | stats count as hits by host | join host [search index=main sourcetype=access_combined status>=500 | stats sum(bytes) as b by host]",
     [{"host": h, "hits": len(v), "b": sum(e["bytes"] for e in v if e["status"] >= 500)}
      for h, v in sorted(groups(A, lambda e: e["host"]).items()) if any(e["status"] >= 500 for e in v)], needs=("join",))
case("index=main sourcetype=app:kv | stats dc(user) as n | append [search index=main sourcetype=_json | stats dc(user) as n] | append [search index=main sourcetype=syslog | stats count as n]",
     [{"n": len({e["user"] for e in K})}, {"n": len({e["json"]["user"] for e in J})}, {"n": len(S)}], ordered=True,
     needs=("append",))
case("index=main sourcetype=app:kv | dedup level | table level session",
     [{"level": e["level"], "session": e["session"]} for e in first_per(K, lambda e: e["level"])], ordered=True)
case("index=main sourcetype=app:kv | sort - amount | head 3 | table amount session",
     [{"amount": e["amount_text"], "session": e["session"]}
      for e in unique_order(sorted(K, key=lambda e: -e["amount"])[:4], lambda e: e["amount"])[:3]], ordered=True)
case("index=main sourcetype=access_combined | top limit=2 status", top(A, "status", lambda e: e["status"], 2), ordered=True,
     needs=("access_combined",))
case("index=main sourcetype=app:kv | bin amount span=100 | stats count by amount",
     kv_by("amount", lambda e: f"{int(e['amount'] // 100 * 100)}-{int(e['amount'] // 100 * 100 + 100)}"), needs=("bin",))
case('index=main sourcetype=app:kv | eval e=if(level="ERROR", duration, null()) | fillnull value=-1 e | stats count(eval(e=-1)) as filled',
     [{"filled": len(K) - len(ERR)}], needs=("fillnull", "count_eval"))
case("index=main sourcetype=_json | mvexpand items{}.sku | stats count by items{}.sku",
     [{"items{}.sku": k_, "count": c_} for k_, c_ in sorted(collections.Counter(i["sku"] for e in J for i in e["json"]["items"]).items())],
     needs=("json", "mvexpand"))
case("index=main sourcetype=app:kv | lookup users.csv user OUTPUT manager | stats dc(user) as users by manager",
     [{"manager": m, "users": len({e["user"] for e in K if e["user"] in {u for u, _, mm in data.LOOKUP_USERS[1:] if mm == m}})}
      for m in sorted({m for _, _, m in data.LOOKUP_USERS[1:]})], needs=("lookup",))
case("| inputlookup users.csv | lookup users.csv user OUTPUT department as dept | stats count by dept",
     [{"dept": d, "count": c_} for d, c_ in sorted(collections.Counter(d for _, d, _ in data.LOOKUP_USERS[1:]).items())],
     needs=("inputlookup", "lookup"))

CASES = [c for c in CASES if c is not None]
_names = [c.name for c in CASES]
assert len(_names) == len(set(_names)), [x for x in _names if _names.count(x) > 1]

# ---------------------------------------------------------------- the cluster run (compat.py --cluster)
# Cases left out of the cluster run, and why: their answer is a fact of one node.
NOT_ON_A_CLUSTER = {
    "index=main | stats values(splunk_server) as s":
        "splunk_server is the name of the peer that searched the bucket, not the single node's \"compat\"",
    "index=main sourcetype=app:kv | head 1 | table s*":
        "its row holds splunk_server (the peer that searched the event's bucket)",
}
# Cases that fail through a search head only: kura bugs found by the cluster run (search -> the
# features they wait for); the cluster run registers them DISABLED, `--status --cluster` runs them.
CLUSTER_PENDING: dict[str, tuple[str, ...]] = {}
assert set(NOT_ON_A_CLUSTER) <= {c.search for c in CASES} and set(CLUSTER_PENDING) <= {c.search for c in CASES}
