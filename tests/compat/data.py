"""The compatibility suite's data: a deterministic set of events (fixed seed, fixed timestamps)
and their truth as Python records, from which cases.py computes every expected answer.

Four kinds of events, all in index main, each with a unique second (so "newest first" is a total
order):
  access_combined  Apache combined log lines (hosts web-01..web-03)
  _json            JSON objects: nested geo, a tags array, an array of item objects, numbers
  app:kv           key=value application logs (level, component, user, src, amount, ...)
  syslog           RFC 3164 lines from sshd, cron and the kernel

Each record is a dict with _time (epoch seconds), _raw (the exact text sent), host, source,
sourcetype, and the fields a Splunk user expects for its kind (numbers as int/float).
"""
import datetime
import json
import random

SEED = 20261005
T0 = int(datetime.datetime(2026, 10, 5, tzinfo=datetime.timezone.utc).timestamp())  # a Monday
SPAN = 2 * 86400  # events fall in [T0, T0 + SPAN)

N_ACCESS, N_JSON, N_KV, N_SYSLOG = 1200, 800, 900, 300

IPS = [f"10.0.{a}.{b}" for a in range(3) for b in (5, 17, 42, 99)] + \
      [f"192.168.1.{b}" for b in (10, 11, 12, 200)] + ["203.0.113.7", "203.0.113.8", "198.51.100.23"]
USERS = ["alice", "bob", "carol", "dave", "erin", "frank", "grace"]
METHODS = ["GET"] * 12 + ["POST"] * 4 + ["PUT", "DELETE", "HEAD"]
URIS = ["/index.html", "/login", "/logout", "/static/app.js", "/static/site.css", "/images/logo.png",
        "/cart/checkout", "/api/v1/items", "/api/v1/items/42", "/api/v1/orders", "/search?q=kura",
        "/admin/settings", "/favicon.ico", "/docs/getting-started.html"]
STATUSES = [200] * 30 + [201] * 3 + [301, 302] + [304] * 4 + [400, 403] + [404] * 5 + [500, 503]
REFERERS = ["-", "http://example.com/", "https://www.google.com/search?q=kura",
            "http://example.com/cart", "https://news.example.org/article/7"]
AGENTS = ["Mozilla/5.0 (X11; Linux x86_64; rv:118.0) Gecko/20100101 Firefox/118.0",
          "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0 Safari/537.36",
          "curl/8.4.0", "Googlebot/2.1 (+http://www.google.com/bot.html)",
          "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"]
COUNTRIES = [("JP", "Tokyo"), ("JP", "Osaka"), ("US", "Boston"), ("US", "Austin"), ("DE", "Berlin"),
             ("FR", "Paris"), ("BR", "Recife"), ("IN", "Pune")]
TAGS = ["beta", "mobile", "premium", "trial", "internal"]
ACTIONS = ["login", "logout", "view", "purchase", "search"]
SKUS = ["A-100", "A-200", "B-300", "C-400", "D-500"]
LEVELS = ["INFO"] * 10 + ["DEBUG"] * 3 + ["WARN"] * 3 + ["ERROR"] * 2
COMPONENTS = ["payment", "auth", "inventory", "shipping", "gateway"]
SRCS = ["10.1.2.3", "10.1.2.30", "10.1.9.4", "172.16.0.8", "172.16.5.77", "192.0.2.55"]
MSGS = {"INFO": ["request served", "cache warmed", "order placed"],
        "DEBUG": ["retrying call", "cache miss"],
        "WARN": ["slow response", "retrying payment"],
        "ERROR": ["payment declined", "connection refused", "timeout talking to db"]}
SYSLOG_HOSTS = ["gw-a", "gw-b"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def _access(rng, t):
    d = datetime.datetime.fromtimestamp(t, datetime.timezone.utc)
    ip, user = rng.choice(IPS), rng.choice(["-"] * 4 + USERS[:3])
    method, uri, status = rng.choice(METHODS), rng.choice(URIS), rng.choice(STATUSES)
    size = rng.randint(0, 50000) if status != 304 else 0
    ref, agent = rng.choice(REFERERS), rng.choice(AGENTS)
    stamp = f"{d.day:02d}/{MONTHS[d.month - 1]}/{d.year}:{d:%H:%M:%S} +0000"
    raw = f'{ip} - {user} [{stamp}] "{method} {uri} HTTP/1.1" {status} {size} "{ref}" "{agent}"'
    return dict(_raw=raw, sourcetype="access_combined", host=f"web-0{rng.randint(1, 3)}",
                source="/var/log/apache2/access.log", clientip=ip, user=user, method=method,
                uri=uri, uri_path=uri.split("?")[0], status=status, bytes=size, referer=ref, useragent=agent)


def _json(rng, t):
    country, city = rng.choice(COUNTRIES)
    obj = {"user": rng.choice(USERS), "action": rng.choice(ACTIONS), "latency_ms": rng.randint(1, 900),
           "geo": {"country": country, "city": city},
           "tags": rng.sample(TAGS, rng.randint(0, 3)),
           "items": [{"sku": rng.choice(SKUS), "qty": rng.randint(1, 5)} for _ in range(rng.randint(1, 3))],
           "ok": rng.random() < 0.8, "score": round(rng.uniform(0, 100), 2)}
    raw = json.dumps(obj, separators=(",", ":"))
    return dict(_raw=raw, sourcetype="_json", host=f"api-0{rng.randint(1, 2)}", source="orders-api", json=obj)


def _kv(rng, t, session):
    d = datetime.datetime.fromtimestamp(t, datetime.timezone.utc)
    level = rng.choice(LEVELS)
    rec = dict(level=level, component=rng.choice(COMPONENTS), user=rng.choice(USERS),
               src=rng.choice(SRCS), amount=round(rng.uniform(1, 500), 2), duration=rng.randint(1, 3000),
               session=session[0], step=session[1])
    msg = rng.choice(MSGS[level])
    raw = (f"{d:%Y-%m-%dT%H:%M:%S}.000Z level={level} component={rec['component']} user={rec['user']} "
           f"src={rec['src']} amount={rec['amount']:.2f} duration={rec['duration']} "
           f"session={rec['session']} step={rec['step']} msg=\"{msg}\"")
    rec["amount_text"] = f"{rec['amount']:.2f}"
    rec["msg"] = msg
    return dict(_raw=raw, sourcetype="app:kv", host="app-01", source="/var/log/app/app.log", **rec)


def _syslog(rng, t):
    d = datetime.datetime.fromtimestamp(t, datetime.timezone.utc)
    host = rng.choice(SYSLOG_HOSTS)
    pid = rng.randint(100, 9999)
    kind = rng.choice(["fail"] * 3 + ["accept"] * 2 + ["cron", "kernel"])
    if kind == "fail":
        process, msg = "sshd", f"Failed password for invalid user {rng.choice(['admin', 'root', 'test'])} from {rng.choice(IPS)} port {rng.randint(1024, 65535)} ssh2"
    elif kind == "accept":
        process, msg = "sshd", f"Accepted publickey for {rng.choice(USERS)} from {rng.choice(IPS)} port {rng.randint(1024, 65535)} ssh2"
    elif kind == "cron":
        process, msg = "CRON", "(root) CMD (run-parts /etc/cron.hourly)"
    else:
        process, msg = "kernel", f"eth0: link up, {rng.choice([100, 1000, 10000])} Mbps"
    head = f"{process}[{pid}]" if process != "kernel" else "kernel"
    raw = f"{MONTHS[d.month - 1]} {d.day:2d} {d:%H:%M:%S} {host} {head}: {msg}"
    return dict(_raw=raw, sourcetype="syslog", host=host, source="/var/log/syslog", process=process,
                pid=pid if process != "kernel" else None, kind=kind)


def generate():
    """All events, newest first (the order a search returns them in)."""
    rng = random.Random(SEED)
    total = N_ACCESS + N_JSON + N_KV + N_SYSLOG
    times = sorted(rng.sample(range(T0, T0 + SPAN), total))
    kinds = ["a"] * N_ACCESS + ["j"] * N_JSON + ["k"] * N_KV + ["s"] * N_SYSLOG
    rng.shuffle(kinds)
    events, n_session, open_session = [], 0, None
    for t, kind in zip(times, kinds):
        if kind == "a":
            e = _access(rng, t)
        elif kind == "j":
            e = _json(rng, t)
        elif kind == "k":
            # Sessions of 3 to 6 steps, interleaved over time: "start", "work"..., "end".
            if open_session is None:
                n_session += 1
                open_session = [f"s{n_session:03d}", 0, rng.randint(3, 6)]
            open_session[1] += 1
            step = "start" if open_session[1] == 1 else "end" if open_session[1] == open_session[2] else "work"
            e = _kv(rng, t, (open_session[0], step))
            if step == "end":
                open_session = None
        else:
            e = _syslog(rng, t)
        e["_time"] = t
        events.append(e)
    events.reverse()
    return events


def hec_event(e):
    """The HEC /services/collector/event object that sends record e."""
    return {"time": e["_time"], "host": e["host"], "source": e["source"], "sourcetype": e["sourcetype"],
            "index": "main", "event": e["json"] if "json" in e else e["_raw"]}


# The CSV lookup shipped with the node (users.csv): user -> department, manager.
LOOKUP_USERS = [("user", "department", "manager"), ("alice", "engineering", "grace"),
                ("bob", "sales", "frank"), ("carol", "engineering", "grace"), ("dave", "support", "frank"),
                ("erin", "sales", "frank"), ("frank", "management", "-"), ("grace", "management", "-")]


def lookup_csv():
    return "".join(",".join(row) + "\n" for row in LOOKUP_USERS)
