#!/usr/bin/env python3
"""The helpers of scripts/bench-fixup (cluster recovery benchmark); standard library only.

  feed --events N [--loghub D] PORT...
                                makes N Apache-access-log-like lines (an ISO 8601 timestamp first,
                                so each is an event; a unique id=N in each; ~140 bytes; or the
                                Loghub samples' lines with a timestamp and id=N), cuts them
                                into HEC raw bodies under 1,000,000 bytes (max_content_length) and
                                sends them round-robin to the peers' HTTP PORTs (one client thread
                                per peer, each request waiting for its answer: HTTP 200, code 0;
                                503 "busy" is retried). Prints what it sent, and how fast.
  snapshot MASTER VICTIM OUT    master/buckets and master/peers (before the kill) in OUT (JSON):
                                the victim's GUID, its copies (count, searchable, primaries, sum of
                                the buckets' size_bytes and events) and the largest bucket of main.
  pick-victim MASTER            the name of the peer whose copies hold the most bytes.
  watch MASTER VICTIM OUT NAME=LOG...
                                polls master/info and master/peers every 0.1 s and follows the logs
                                (from their current end, read every 20 ms); OUT gets JSON lines
                                stamped with time.time(): {"t", "poll": {...}} whenever the state
                                changes and {"t", "node", "line"} for each new log line (its stamp
                                is when it was read: the logs' own stamps are whole seconds). It
                                ends 1 s after the victim is Down and a later generation is valid
                                and complete with fixup.pending 0 and every bucket complete; or when
                                no fixup task has been pending or running for --stuck s (30) and the
                                cluster is still not complete; or after --timeout s (600).
  report --snapshot F --watch F --t-kill F --heartbeat-timeout S [baselines]
                                the figures: times from the kill (the polls), the fixup tasks
                                (the master's "fixup: KIND KEY on P [to Q] (N bytes)", "fixup
                                done/failed/not needed: ..." and "fixup task ... dropped" lines),
                                the streams (the sources' "streaming bucket ... whole" and
                                "streamed whole" lines), rates against the same-run baselines
                                (--cp-bytes/--cp-secs, --rebuild-events/--rebuild-secs); a table,
                                then the details and the WARN/ERROR lines after the kill.
"""
import argparse
import json
import os
import re
import sys
import threading
import time
import urllib.error
import urllib.request

API = {"Authorization": "Bearer api-1"}


def get(port, path, timeout=5):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=API)
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return json.loads(r.read())


# ------------------------------------------------------------------------------------ feed

PATHS = ["/", "/index.html", "/shop/cart", "/shop/item/{}", "/api/v2/orders/{}", "/static/app.{}.js",
         "/images/banner-{}.png", "/search?q=item{}", "/login", "/account/settings"]
AGENTS = ["Firefox/120.0", "Chrome/119.0 Safari/537.36", "curl/8.4.0", "Googlebot/2.1", "iPhone Mobile/15E148"]
METHODS = ["GET"] * 7 + ["POST", "PUT", "HEAD"]
STATUS = [200] * 12 + [301, 304, 404, 500]
MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


def loghub_lines(root):
    """The lines of each Loghub sample (<root>/<Name>/<Name>_2k.log), samples in name order."""
    samples = []
    for name in sorted(os.listdir(root)):
        path = os.path.join(root, name, f"{name}_2k.log")
        if os.path.isfile(path):
            lines = [l.rstrip("\n") for l in open(path, errors="replace") if l.strip()]
            if lines:
                samples.append(lines)
    if not samples:
        sys.exit(f"no Loghub samples under {root}")
    return samples


def make_bodies(n, loghub=None, limit=990_000):
    """N lines, 1 ms apart and ending now, cut into bodies of at most LIMIT bytes: Apache access-log
    lines, or (LOGHUB a directory) the Loghub samples' lines interleaved in runs of 100 as the
    storage benchmark does, each after an ISO 8601 timestamp and with " id=N" appended."""
    samples = loghub_lines(loghub) if loghub else None
    end_ms = int(time.time() * 1000)
    bodies, lines, size, total = [], [], 0, 0
    stamp_s, iso, clf = None, "", ""
    for i in range(n):
        ms = end_ms - (n - i)
        s = ms // 1000
        if s != stamp_s:
            stamp_s, tm = s, time.gmtime(s)
            iso = time.strftime("%Y-%m-%dT%H:%M:%S", tm)
            clf = f"{tm.tm_mday:02d}/{MONTHS[tm.tm_mon - 1]}/{tm.tm_year}:{time.strftime('%H:%M:%S', tm)} +0000"
        if samples:
            run = i // 100
            lines_of = samples[run % len(samples)]
            text = lines_of[((run // len(samples)) * 100 + i % 100) % len(lines_of)]
            line = f"{iso}.{ms % 1000:03d}Z {text} id={i}\n"
        else:
            h = (i * 2654435761) & 0xFFFFFFFF
            path = PATHS[h % len(PATHS)].format(h % 9973)
            line = (f"{iso}.{ms % 1000:03d}Z 10.{h >> 24 & 255}.{h >> 16 & 255}.{h & 255} - - [{clf}] "
                    f"\"{METHODS[h % 10]} {path} HTTP/1.1\" {STATUS[h % 16]} {h % 50000} "
                    f"\"{AGENTS[(h >> 3) % 5]}\" id={i}\n")
        if size + len(line) > limit and lines:
            bodies.append("".join(lines).encode())
            lines, size = [], 0
        lines.append(line)
        size += len(line)
        total += len(line)
    if lines:
        bodies.append("".join(lines).encode())
    return bodies, total


def send_all(port, bodies, errors):
    url = f"http://127.0.0.1:{port}/services/collector/raw?index=main&sourcetype=bench"
    for k, body in enumerate(bodies):
        for attempt in range(60):
            req = urllib.request.Request(url, data=body, method="POST",
                                         headers={"Authorization": "Splunk hec-1"})
            try:
                with urllib.request.urlopen(req, timeout=120) as r:
                    reply = json.loads(r.read())
                if reply.get("code") == 0:
                    break
                why = f"code {reply}"
            except urllib.error.HTTPError as e:
                why = f"HTTP {e.code} {e.read()[:200]!r}"
                if e.code == 503:  # busy: try again
                    time.sleep(0.5)
                    continue
            except OSError as e:
                why = f"{type(e).__name__}: {e}"
            errors.append(f"port {port}, request {k + 1} of {len(bodies)}: {why}")
            return
        else:
            errors.append(f"port {port}, request {k + 1}: still busy after 60 tries")
            return


def cmd_feed(a):
    bodies, total = make_bodies(a.events, a.loghub)
    share = [bodies[i::len(a.ports)] for i in range(len(a.ports))]
    errors = []
    threads = [threading.Thread(target=send_all, args=(p, s, errors)) for p, s in zip(a.ports, share)]
    t0 = time.time()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    secs = time.time() - t0
    for e in errors[:5]:
        print(f"HEC raw request failed: {e}", file=sys.stderr)
    print(f"sent {a.events} events ({total / 1e6:.1f} MB, {len(bodies)} HEC raw requests) to {len(a.ports)} peers "
          f"in {secs:.1f} s ({a.events / secs:,.0f} events/s)")
    return 1 if errors else 0


# -------------------------------------------------------------------------------- snapshot

def copy_summary(buckets, guid):
    mine = [(b, c) for b in buckets for c in b["copies"] if c["guid"] == guid]
    return {"copies": len(mine), "searchable": sum(c["searchable"] for _, c in mine),
            "primaries": sum(c["primary"] for _, c in mine),
            "size_bytes": sum(b["size_bytes"] for b, _ in mine),
            "events": sum(b["events"] for b, _ in mine),
            "buckets": sorted(b["id"] for b, _ in mine)}


def describe(v):
    return (f"{v['copies']} copies ({v['searchable']} searchable, {v['primaries']} primary), "
            f"{v['size_bytes'] / 1e6:.1f} MB (sum of size_bytes), {v['events']} events")


def cmd_pick_victim(a):
    buckets, peers = get(a.master, "/services/cluster/master/buckets"), get(a.master, "/services/cluster/master/peers")
    best = max(peers, key=lambda p: (copy_summary(buckets, p["guid"])["size_bytes"], p["name"]))
    print(best["name"])


def cmd_snapshot(a):
    buckets, peers = get(a.master, "/services/cluster/master/buckets"), get(a.master, "/services/cluster/master/peers")
    info = get(a.master, "/services/cluster/master/info")
    victim = next(p for p in peers if p["name"] == a.victim)
    main = [b for b in buckets if b["index"] == "main"]
    largest = max(main, key=lambda b: b["size_bytes"])
    out = {"info": info, "peers": peers, "buckets": buckets, "victim": victim,
           "victim_copies": copy_summary(buckets, victim["guid"]), "largest": largest,
           "names": {p["guid"]: p["name"] for p in peers}}
    out["victim_main"] = copy_summary(main, victim["guid"])
    json.dump(out, open(a.out, "w"), indent=1)
    print(f"victim {a.victim} ({victim['guid']}): {describe(out['victim_main'])} of {len(main)} buckets of main; "
          f"all indexes: {describe(out['victim_copies'])} of {len(buckets)} buckets")


# ----------------------------------------------------------------------------------- watch

class Out:
    """JSON lines to a file, from several threads."""
    def __init__(self, path):
        self.f, self.lock = open(path, "a", buffering=1), threading.Lock()

    def write(self, d):
        with self.lock:
            self.f.write(json.dumps(d) + "\n")


def follow(logs, out, stop):
    """Writes each new line of the logs to OUT, stamped when read (every 20 ms), until STOP is set."""
    files = {}
    for spec in logs:
        name, path = spec.split("=", 1)
        f = open(path, "rb")
        f.seek(0, os.SEEK_END)
        files[name] = [f, b""]
    while True:
        last_round = stop.is_set()
        now = time.time()
        for name, st in files.items():
            chunk = st[0].read()
            if chunk:
                *lines, st[1] = (st[1] + chunk).split(b"\n")
                for line in lines:
                    out.write({"t": now, "node": name, "line": line.decode(errors="replace")})
        if last_round:
            return
        time.sleep(0.02)


def cmd_watch(a):
    out = Out(a.out)
    stop = threading.Event()
    follower = threading.Thread(target=follow, args=(a.logs, out, stop))
    follower.start()
    gen0 = get(a.master, "/services/cluster/master/info").get("generation", 0)
    last, done_at, idle_since, end = None, None, None, time.time() + a.timeout
    while time.time() < end and (done_at is None or time.time() < done_at + 1.0):
        t = time.time()
        try:
            info = get(a.master, "/services/cluster/master/info", 2)
            peers = get(a.master, "/services/cluster/master/peers", 2)
            status = next((p["status"] for p in peers if p["name"] == a.victim), "gone")
            b, f = info.get("buckets", {}), info.get("fixup", {})
            poll = {"generation": info.get("generation"), "valid": info.get("valid"),
                    "complete": info.get("complete"), "buckets": b, "fixup": f, "victim": status,
                    "peers": {p["name"]: p["status"] for p in peers}}
        except (OSError, ValueError) as e:
            poll = {"error": f"{type(e).__name__}: {e}"}
        if poll != last:
            out.write({"t": t, "poll": poll})
            last = poll
        if (done_at is None and poll.get("victim") == "Down" and poll.get("valid") is True
                and poll.get("complete") is True and poll["fixup"].get("pending") == 0
                and poll["buckets"].get("complete") == poll["buckets"].get("total")
                and int(poll.get("generation") or 0) > int(gen0)):
            done_at = t
        # Stuck: the victim Down, no fixup task pending or running, yet not complete, for --stuck s.
        idle = (poll.get("victim") == "Down" and poll["fixup"].get("pending") == 0
                and not poll["fixup"].get("running") and poll.get("complete") is not True)
        idle_since = (idle_since or t) if idle else None
        if done_at is None and idle_since is not None and t - idle_since >= a.stuck:
            break
        time.sleep(max(0.0, 0.1 - (time.time() - t)))
    stop.set()
    follower.join()
    why = "settled" if done_at else f"stuck (no fixup pending or running for {a.stuck:g} s, not complete)" \
        if idle_since is not None and time.time() - idle_since >= a.stuck else f"timeout ({a.timeout:g} s)"
    out.write({"t": time.time(), "end": why})
    return 0 if done_at else 1


# ---------------------------------------------------------------------------------- report

START = re.compile(r"fixup: (replicate|searchable) (\S+) on (\S+)(?: to (\S+))? \((\d+) bytes\)")
DONE = re.compile(r"fixup (done|failed|not needed): (replicate|searchable) (\S+) on ([^\s:]+)(?: to ([^\s:]+))?(?::|$)")
DROPPED = re.compile(r"fixup task (replicate|searchable) of (\S+) dropped: (.*)")
STREAM = re.compile(r"streaming bucket (\S+) whole to (\S+) \((\d+) bytes\)")
STREAMED = re.compile(r"bucket (\S+) streamed whole to (\S+) \((\d+) bytes\)")
GENERATION_VALID = re.compile(r"generation \d+ .*: \d+ peers, cluster valid")
ODD = re.compile(r"\b(WARN|ERROR)\b|fixup failed")


def fmt_s(x):
    return "—" if x is None else f"{x:.1f} s"


def cmd_report(a):
    snap = json.load(open(a.snapshot))
    t_kill = float(open(a.t_kill).read())
    hb = a.heartbeat_timeout
    gen0 = int(snap["info"]["generation"])
    events = {b["id"]: b["events"] for b in snap["buckets"]}
    polls, lines, end = [], [], "?"
    for raw in open(a.watch):
        d = json.loads(raw)
        if "poll" in d:
            polls.append((d["t"] - t_kill, d["poll"]))
        elif "line" in d:
            lines.append((d["t"] - t_kill, d["node"], d["line"]))
        elif "end" in d:
            end = d["end"]

    def first(pred):
        return next((t for t, p in polls if "error" not in p and pred(p)), None)

    later = lambda p: int(p.get("generation") or 0) > gen0 and p["victim"] == "Down"
    t_down = first(lambda p: p["victim"] == "Down")
    t_pending = first(lambda p: p["victim"] not in ("Up", "Down"))
    t_valid = first(lambda p: later(p) and p["valid"] is True)
    t_complete = first(lambda p: later(p) and p["complete"] is True)
    t_settled = first(lambda p: later(p) and p["complete"] is True and p["valid"] is True
                      and p["fixup"].get("pending") == 0 and p["buckets"].get("complete") == p["buckets"].get("total"))

    # The master's own word: its first "generation N (...): ... cluster valid" line after the Down.
    t_valid_log = next((t for t, node, line in lines if node == "master" and t_down is not None and t >= t_down - 0.2
                        and GENERATION_VALID.search(line)), None)

    # Fixup tasks from the master's log (start and end stamped when the watcher read them).
    tasks, open_tasks = [], {}
    streams, open_streams = [], {}
    for t, node, line in lines:
        if node == "master":
            m = START.search(line)
            if m:
                kind, key, on, to, nbytes = m.groups()
                open_tasks[(kind, key, on, to)] = {"kind": kind, "key": key, "on": on, "to": to,
                                                   "bytes": int(nbytes), "start": t}
                continue
            m = DONE.search(line)
            if m:
                how, kind, key, on, to = m.groups()
                task = open_tasks.pop((kind, key, on, to), {"kind": kind, "key": key, "on": on, "to": to,
                                                             "bytes": 0, "start": None})
                task.update(end=t, how=how, events=events.get(key, 0))
                tasks.append(task)
                continue
            m = DROPPED.search(line)
            if m:
                kind, key, why = m.groups()
                for k in [k for k in open_tasks if k[0] == kind and k[1] == key]:
                    task = open_tasks.pop(k)
                    task.update(end=t, how="dropped", events=events.get(key, 0), why=why)
                    tasks.append(task)
        m = STREAM.search(line)
        if m:
            open_streams[(m.group(1), m.group(2))] = t
        m = STREAMED.search(line)
        if m:
            key, to, nbytes = m.group(1), m.group(2), int(m.group(3))
            streams.append({"key": key, "from": node, "to": to, "bytes": nbytes,
                            "start": open_streams.pop((key, to), None), "end": t})
    done = [x for x in tasks if x["how"] == "done"]
    t_last = max((x["end"] for x in tasks), default=None)
    rep = [x for x in done if x["kind"] == "replicate"]
    srch = [x for x in done if x["kind"] == "searchable"]
    failed = [x for x in tasks if x["how"] in ("failed", "dropped")]

    # Rates.
    base_cp = a.cp_bytes / a.cp_secs / 1e6 if a.cp_secs > 0 else None
    base_rb = a.rebuild_events / a.rebuild_secs if a.rebuild_secs > 0 else None
    streamed_bytes = sum(s["bytes"] for s in streams)
    window = (t_settled - t_down) if t_settled is not None and t_down is not None else None
    stream_rate = streamed_bytes / window / 1e6 if window and streamed_bytes else None
    rep_bytes = sum(x["bytes"] for x in rep)
    rep_rate = rep_bytes / window / 1e6 if window and rep_bytes else None
    spans = [(s["start"], s["end"]) for s in streams if s["start"] is not None]
    busy = union(spans)
    pure_rate = streamed_bytes / busy / 1e6 if busy else None
    ms_events = sum(x["events"] for x in srch)
    ms_spans = [(x["start"], x["end"]) for x in srch if x["start"] is not None]
    ms_busy = union(ms_spans)
    ms_rate = ms_events / ms_busy if ms_busy else None

    def ratio(x, base):
        return "—" if x is None or not base else f"{x / base:.2f}"

    valid_target = hb + 1
    rows = [
        ("kill -9 → victim Down in /peers", fmt_s(t_down), f"(heartbeat_timeout {hb:g} s)", "—"),
        ("kill -9 → valid (later generation; master's log)", f"{fmt_s(t_valid)} ({fmt_s(t_valid_log)})",
         f"≤ {valid_target:g} s{'' if t_valid is None else (': met' if t_valid <= valid_target else ': MISSED')}", "—"),
        ("kill -9 → complete", fmt_s(t_complete), "—", "—"),
        ("kill -9 → complete and fixup.pending 0", fmt_s(t_settled), "—", "—"),
        ("Down → complete and fixup.pending 0", fmt_s(window), "—", "—"),
        ("kill -9 → the last fixup task done", fmt_s(t_last), "—", "—"),
        (f"stream fixup: {rep_bytes / 1e6:.1f} MB re-replicated (size_bytes) / (Down → complete)",
         "—" if rep_rate is None else f"{rep_rate:.1f} MB/s",
         "≥ 100 MB/s" + ("" if rep_rate is None else (": met" if rep_rate >= 100 else ": MISSED")),
         f"{ratio(rep_rate, base_cp)} of cp"),
        (f"  journal bytes streamed: {streamed_bytes / 1e6:.1f} MB / (Down → complete)",
         "—" if stream_rate is None else f"{stream_rate:.1f} MB/s", "—", f"{ratio(stream_rate, base_cp)} of cp"),
        ("  the streams alone (source log, union of their spans)",
         "—" if pure_rate is None else f"{pure_rate:.1f} MB/s ({busy:.1f} s)", "—", f"{ratio(pure_rate, base_cp)} of cp"),
        (f"make searchable: {ms_events} events, {len(srch)} tasks done"
         + "".join(f" ({n} more dropped)" for n in [sum(x["kind"] == "searchable" for x in failed)] if n)
         + " / union of their spans",
         "—" if ms_rate is None else f"{ms_rate:,.0f} events/s ({ms_busy:.1f} s)",
         "≥ rebuild rate" + ("" if ms_rate is None or not base_rb else (": met" if ms_rate >= base_rb else ": MISSED")),
         f"{ratio(ms_rate, base_rb)} of rebuild"),
        ("baseline: cp -r of the largest bucket (+ sync)",
         "—" if base_cp is None else f"{base_cp:.1f} MB/s ({a.cp_bytes / 1e6:.1f} MB in {a.cp_secs:.2f} s)", "—", "1"),
        ("baseline: kura rebuild of its copy",
         "—" if base_rb is None else f"{base_rb:,.0f} events/s ({a.rebuild_events} events in {a.rebuild_secs:.2f} s)",
         "≥ 300,000 (storage benchmark)", "1"),
    ]
    w = [max(len(r[i]) for r in rows + [("figure", "value", "target", "ratio to baseline")]) for i in range(4)]
    print()
    print("| " + " | ".join(h.ljust(w[i]) for i, h in enumerate(("figure", "value", "target", "ratio to baseline"))) + " |")
    print("|" + "|".join("-" * (x + 2) for x in w) + "|")
    for r in rows:
        print("| " + " | ".join(c.ljust(w[i]) for i, c in enumerate(r)) + " |")
    print()

    print(f"victim {snap['victim']['name']}: main: {describe(snap['victim_main'])}; all indexes: "
          f"{describe(snap['victim_copies'])}; watch ended: {end}")
    print(f"timeline (s after kill -9): Pending {fmt_s(t_pending)}, Down {fmt_s(t_down)}, valid {fmt_s(t_valid)}, "
          f"complete {fmt_s(t_complete)}, fixup.pending 0 {fmt_s(t_settled)}")
    changes, seen = [], {}
    for t, p in polls:
        for name, status in sorted(p.get("peers", {}).items()):
            if seen.get(name, "Up") != status:
                changes.append(f"{t:.1f} s {name} {seen.get(name, 'Up')} → {status}")
            seen[name] = status
    print("peer statuses after the kill: " + ("; ".join(changes) or "none changed"))
    others = [c for c in changes if f" {snap['victim']['name']} " not in c]
    if others:
        print(f"NOTE: peers other than the victim changed status: {'; '.join(others)}")
    print(f"fixup tasks after the kill (master's log): done: replicate {len(rep)} "
          f"({sum(x['bytes'] for x in rep) / 1e6:.1f} MB by size_bytes), searchable {len(srch)}; "
          f"failed or dropped {len(failed)}; not needed {sum(x['how'] == 'not needed' for x in tasks)}; "
          f"still running at the end {len(open_tasks)}")
    is_main = lambda key: key.startswith("main~")
    rest = [x for x in tasks if not is_main(x["key"])]
    print(f"  other indexes (_internal, _audit): {len(rest)} tasks, {sum(x['how'] == 'done' for x in rest)} done, "
          f"between {fmt_s(min((x['end'] for x in rest), default=None))} and {fmt_s(max((x['end'] for x in rest), default=None))}")
    for x in sorted([x for x in tasks if is_main(x["key"])] + [dict(v, how="running", end=None, events=events.get(v["key"], 0))
                                                              for v in open_tasks.values()],
                    key=lambda x: x["start"] if x["start"] is not None else 1e9):
        took = "" if x["start"] is None or x["end"] is None else f" ({x['end'] - x['start']:.1f} s)"
        print(f"  {x['how']:10} {x['kind']:10} {x['key']} on {x['on']}{' to ' + x['to'] if x['to'] else ''}: "
              f"{x['bytes'] / 1e6:.1f} MB, {x['events']} events, {fmt_s(x['start'])} → {fmt_s(x['end'])}{took}"
              f"{': ' + x['why'] if x.get('why') else ''}")
    for s in [s for s in streams if is_main(s["key"])]:
        took = "" if s["start"] is None else f" in {s['end'] - s['start']:.2f} s"
        print(f"  stream {s['key']} {s['from']} → {s['to']}: {s['bytes'] / 1e6:.1f} MB of journal{took}")
    builds = [(t, n, l) for t, n, l in lines if "fixup: building index files of" in l]
    print(f"peers' 'fixup: building index files' lines after the kill: {len(builds)} "
          f"({sum(is_main(l.rsplit(' ', 1)[-1]) for _, _, l in builds)} of main)")
    odd = [(t, n, l) for t, n, l in lines if ODD.search(l)]
    print(f"WARN/ERROR log lines after the kill: {len(odd)}")
    for t, n, l in odd[:a.max_odd]:
        print(f"  {t:6.1f} s {n}: {l[:240]}")
    return 0


def union(spans):
    """Seconds covered by the union of (start, end) spans."""
    total, cur = 0.0, None
    for s, e in sorted(spans):
        if cur is None or s > cur[1]:
            if cur:
                total += cur[1] - cur[0]
            cur = [s, e]
        else:
            cur[1] = max(cur[1], e)
    if cur:
        total += cur[1] - cur[0]
    return total


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    f = sub.add_parser("feed")
    f.add_argument("--events", type=int, required=True)
    f.add_argument("--loghub", help="the Loghub directory: its samples' lines instead of Apache access-log lines")
    f.add_argument("ports", nargs="+", type=int)
    v = sub.add_parser("pick-victim")
    v.add_argument("master", type=int)
    s = sub.add_parser("snapshot")
    s.add_argument("master", type=int)
    s.add_argument("victim")
    s.add_argument("out")
    w = sub.add_parser("watch")
    w.add_argument("--timeout", type=float, default=600)
    w.add_argument("--stuck", type=float, default=30)
    w.add_argument("master", type=int)
    w.add_argument("victim")
    w.add_argument("out")
    w.add_argument("logs", nargs="+", help="NAME=PATH")
    r = sub.add_parser("report")
    r.add_argument("--snapshot", required=True)
    r.add_argument("--watch", required=True)
    r.add_argument("--t-kill", required=True, help="a file holding the epoch time of the kill")
    r.add_argument("--heartbeat-timeout", type=float, required=True)
    r.add_argument("--cp-bytes", type=int, default=0)
    r.add_argument("--cp-secs", type=float, default=0)
    r.add_argument("--rebuild-events", type=int, default=0)
    r.add_argument("--rebuild-secs", type=float, default=0)
    r.add_argument("--max-odd", type=int, default=15)
    a = p.parse_args()
    return {"feed": cmd_feed, "pick-victim": cmd_pick_victim, "snapshot": cmd_snapshot,
            "watch": cmd_watch, "report": cmd_report}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main() or 0)
