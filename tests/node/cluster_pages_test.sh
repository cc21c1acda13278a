#!/usr/bin/env bash
# The cluster dashboards at `/` (clustering.md §23) in a real browser, on a running cluster on
# 127.0.0.1: a master (replication_factor 2, search_factor 2, heartbeat_period 0.5 s,
# heartbeat_timeout 3 s, quiet_period 1 s), peers p1..p3 and a search head. Events go in over
# HEC raw (each batch acknowledged) and are rolled, so that every peer holds warm buckets.
# Headless Chromium (Debian's `chromium`, an API token as the Basic password) then opens:
# 1. the master's page: every peer Up with the buckets, primaries and searchable copies that
#    /services/cluster/master/peers gives, the generation, factors, valid and complete, fixup
#    numbers and the buckets of main as master/info and master/buckets say, no warning;
# 2. a peer's page: its master's location, registered, its GUID and generation (peer/info),
#    the replication streams (a table or "none"), its index main with the events it holds;
# 3. the search head's page: the master, the generation and its peers by GUID
#    (searchhead/generation, and the GUIDs in the peers' homes);
# 4. a second Chromium is started and kept running (driven over --remote-debugging-pipe, so
#    that a load takes a fraction of a second) on the master's page; then p2 is killed with
#    kill -9, and the master's page is read (every 0.05-0.1 s, at most 90 s) until it shows p2
#    Down and the cluster settled again; every page read between two equal master/info answers
#    must show their fixup numbers. From the moment the page shows p2 Down, the warm Chromium
#    loads it again and again until its DOM shows fixup tasks to do or running; then the
#    screenshot of that same document is kept as master-fixup.png (and its numbers checked the
#    same way). Whether fixup was caught (on the page, in Chromium) is printed, not required:
#    on a fast machine fixup may end between two reads;
# 5. in Chromium again: p2 Down, "Peers are down: p2", fixup numbers equal master/info's, the
#    other peers Up; the search head's page lists only p1 and p3.
# Expected values come from the JSON documents read just before and after each page (retried
# until both agree) or from the test's own input, never from the pages. Screenshots go to
# ARTIFACT_DIR (master-up.png, peer.png, search-head.png, master-fixup.png when caught,
# master-after-kill.png, search-head-after-kill.png).
# Usage: cluster_pages_test.sh KURA_NODE ARTIFACT_DIR [KURA]  (KURA: the shell, by default next
# to KURA_NODE). KURA_KEEP_TEST_DIR=1 keeps the homes and logs.
set -euo pipefail
node="$1"
artefacts="$2"
kura="${3:-$(dirname "$node")/kura}"
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/lib.sh"
all_nodes="master p1 p2 p3 sh"
browser="$(command -v chromium || command -v chromium-browser || true)"
[[ -n "$browser" ]] || { echo "chromium is not installed (scripts/setup installs it)"; exit 1; }
[[ -x "$kura" ]] || { echo "no kura shell at $kura"; exit 1; }
fault_init cluster_pages pages-secret-1
# end_cdp: the warm Chromium of step 4 (pages.py closes it; this is for a pages.py killed early).
end_cdp() {
  local p
  p="$(cat "$dir/cdp.pid" 2>/dev/null)" || return 0
  grep -qs -- --remote-debugging-pipe "/proc/$p/cmdline" && kill -9 "$p" 2>/dev/null
  rm -f "$dir/cdp.pid"
}
pages_cleanup() { local rc=$?; end_cdp || true; (exit "$rc"); fault_cleanup; }
trap pages_cleanup EXIT
k() { local n="$1"; shift; "$kura" --uri "127.0.0.1:${admin[$n]}" --secret-file "$dir/secret" --timeout 60 "$@"; }
mkdir -p "$artefacts"
rm -f "$artefacts"/master-*.png "$artefacts"/peer.png "$artefacts"/search-head*.png
t_start=$SECONDS

# pages.py MODE ARGS: the page checks (see each mode). Chromium runs with a profile in $dir.
cat > "$dir/pages.py" <<'PY'
import base64, fcntl, html.parser, json, os, select, subprocess, sys, time, urllib.request
browser, profile, artefacts = os.environ["BROWSER"], os.environ["PROFILE"], os.environ["ARTEFACTS"]

def get(port, path):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Authorization": "Bearer api-1"})
    with urllib.request.urlopen(req, timeout=5) as r:
        return json.loads(r.read())

def raw_page(port):  # the page as the server sends it (Basic auth, as a browser would)
    req = urllib.request.Request(f"http://127.0.0.1:{port}/", headers={"Authorization": "Basic YWRtaW46YXBpLTE="})
    with urllib.request.urlopen(req, timeout=5) as r:
        return r.read().decode()

def chromium(port, shot, height):
    """The page in Chromium: its DOM after loading, and a screenshot of that same load in
    ARTEFACTS/shot (a PNG of 1280 x height)."""
    path = os.path.join(artefacts, shot)
    cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
           f"--user-data-dir={profile}", "--dump-dom", f"--screenshot={path}", f"--window-size=1280,{height}",
           f"http://admin:api-1@127.0.0.1:{port}/"]
    with open(os.path.join(os.path.dirname(profile), "browser.log"), "a") as log:
        dom = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=log, timeout=60, check=True).stdout.decode()
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n" or len(data) < 10000:
        sys.exit(f"{path}: not a PNG or suspiciously small ({len(data)} bytes)")
    return dom

class Cdp:
    """A headless Chromium kept running and driven over --remote-debugging-pipe (the DevTools
    protocol: JSON messages ended by NUL on its fds 3 and 4): once it runs, a load of the page
    takes a fraction of a second, short enough to catch fixup in progress."""
    def __init__(self):
        to_r, self.to_w = os.pipe(); self.from_r, from_w = os.pipe()
        # The child's ends above 9, so that moving them to 3 and 4 never clobbers one another.
        high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in (to_r, from_w)]
        os.close(to_r); os.close(from_w)
        to_r, from_w = high
        cmd = ["bash", "-c", f'exec "$0" "$@" 3<&{to_r} 4>&{from_w} {to_r}<&- {from_w}>&-', browser,
               "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
               f"--user-data-dir={profile}-cdp", "--remote-debugging-pipe", "about:blank"]
        log = open(os.path.join(os.path.dirname(profile), "browser.log"), "a")
        self.proc = subprocess.Popen(cmd, pass_fds=(to_r, from_w), stdout=log, stderr=log)
        os.close(to_r); os.close(from_w)
        self.buf, self.next_id, self.events = b"", 0, []
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        self.call("Page.enable", session=True)
        self.call("Emulation.setDeviceMetricsOverride", session=True, width=1280, height=2000,
                  deviceScaleFactor=1, mobile=False)
    def read(self, deadline):
        while b"\0" not in self.buf:
            left = deadline - time.time()
            if left <= 0 or not select.select([self.from_r], [], [], left)[0]:
                raise TimeoutError("Chromium did not answer")
            chunk = os.read(self.from_r, 1 << 20)
            if not chunk: raise EOFError("Chromium went away")
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)
    def call(self, method, session=False, timeout=30, **params):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params}
        if session: msg["sessionId"] = self.session
        os.write(self.to_w, json.dumps(msg).encode() + b"\0")
        deadline = time.time() + timeout
        while True:
            m = self.read(deadline)
            if m.get("id") == self.next_id:
                if "error" in m: raise RuntimeError(f"{method}: {m['error']}")
                return m["result"]
            self.events.append(m)
    def load(self, url):  # the DOM once the page has loaded
        self.events.clear()
        self.call("Page.navigate", session=True, url=url)
        deadline = time.time() + 30
        while not any(e.get("method") == "Page.loadEventFired" for e in self.events):
            self.events.append(self.read(deadline))
        return self.call("Runtime.evaluate", session=True, expression="document.documentElement.outerHTML",
                         returnByValue=True)["result"]["value"]
    def screenshot(self, path):  # of the document loaded last
        data = base64.b64decode(self.call("Page.captureScreenshot", session=True, format="png")["data"])
        open(path, "wb").write(data)
    def close(self):
        try: self.call("Browser.close", timeout=5)
        except Exception: pass
        try: self.proc.wait(10)
        except subprocess.TimeoutExpired: self.proc.kill(); self.proc.wait()

class Page(html.parser.HTMLParser):
    """Text of every element with an id, attributes of those, rows of tables with an id."""
    void = {"meta", "br", "img", "input", "link", "hr"}
    def __init__(self, text):
        super().__init__(); self.stack = []; self.text = {}; self.attrs = {}; self.tables = {}
        self.row = None; self.cell = None; self.feed(text)
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in self.void: return
        self.stack.append((tag, a.get("id")))
        if a.get("id"):
            self.text[a["id"]] = ""; self.attrs[a["id"]] = a
            if tag == "table": self.tables[a["id"]] = []
        if tag == "tr": self.row = []
        if tag in ("td", "th") and self.row is not None: self.cell = ""
    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None: self.row.append(self.cell.strip()); self.cell = None
        if tag == "tr" and self.row is not None:
            t = next((i for t, i in reversed(self.stack) if t == "table" and i), None)
            if t is not None: self.tables[t].append(self.row)
            self.row = None
        while self.stack:
            t, _ = self.stack.pop()
            if t == tag: break
    def handle_data(self, data):
        for _, i in self.stack:
            if i: self.text[i] += data
        if self.cell is not None: self.cell += data
    def t(self, i):
        return " ".join(self.text.get(i, "<missing>").split())
    def rows(self, i):  # {first cell: row} without the header row
        return {r[0]: r for r in self.tables.get(i, [])[1:] if r}

problems = []
def check(cond, what):
    if not cond: problems.append(what)
def done(summary):
    if problems: sys.exit("; ".join(problems[:10]))
    print(summary)

def consistent(read, render, tries=10):
    """read() before and after render(); retried until both agree. Returns (docs, page)."""
    for _ in range(tries):
        a = read(); page = render(); b = read()
        if a == b: return a, page
        time.sleep(0.3)
    sys.exit("the JSON documents kept changing while the page was read")

def master_docs(mh):
    # Only main: the peers' own logs keep changing the hot buckets of _internal.
    info, peers = get(mh, "/services/cluster/master/info"), get(mh, "/services/cluster/master/peers")
    buckets = [b for b in get(mh, "/services/cluster/master/buckets") if b["index"] == "main"]
    for p in peers: p.pop("last_heartbeat_secs_ago", None)
    return info, peers, buckets

def check_master(p, info, peers, buckets, names, down):
    rows = p.rows("peers")
    by_name = {x["name"]: x for x in peers}
    check(sorted(rows) == sorted(names), f"peers listed {sorted(rows)}, expected {sorted(names)}")
    for n in names:
        r, j = rows.get(n), by_name.get(n)
        if not r or not j: check(False, f"{n} missing (page {r}, json {j})"); continue
        want = "Down" if n == down else "Up"
        check(j["status"] == want, f"master/peers says {n} is {j['status']}, expected {want}")
        check(r[1] == want, f"the page shows {n} as {r[1]!r}, expected {want}")
        check([r[3], r[4], r[5]] == [str(j["buckets"]), str(j["primaries"]), str(j["searchable"])],
              f"{n}: buckets/primaries/searchable {r[3:6]} on the page, {j['buckets']}/{j['primaries']}/{j['searchable']} in master/peers")
        check(r[6].endswith("ago"), f"{n}: no last heartbeat ({r[6]!r})")
        check(p.t("peer-" + j["guid"]).find(j["host_port"]) >= 0, f"{n}: the detail box lacks its location {j['host_port']}")
        if n != down:
            check(r[3] != "0", f"{n} holds no bucket")
    check(p.t("generation") == str(info["generation"]), f"generation {p.t('generation')} vs {info['generation']}")
    check(p.t("replication-factor") == "2" and p.t("search-factor") == "2", "factors are not 2 and 2")
    yes = lambda b: "Yes" if b else "No"
    check(p.t("valid") == yes(info["valid"]), f"valid {p.t('valid')} vs {info['valid']}")
    check(p.t("complete") == yes(info["complete"]), f"complete {p.t('complete')} vs {info['complete']}")
    f = info["fixup"]
    shown = {k: p.t("fixup-" + k) for k in ("primary", "searchable", "replicate", "pending")}
    check(shown == {k: str(f[k]) for k in shown}, f"fixup on the page {shown}, in master/info {f}")
    check(p.attrs.get("fixup-bytes", {}).get("data-bytes") == str(f["bytes_to_go"]),
          f"bytes to go {p.attrs.get('fixup-bytes')} vs {f['bytes_to_go']}")
    check(p.t("fixup-running-count") == str(len(f["running"])), "running tasks count differs")
    main = [b for b in buckets if b["index"] == "main"]
    idx = p.rows("index-details").get("main")
    check(idx is not None and idx[4] == str(len(main)), f"index main: {idx} on the page, {len(main)} buckets in master/buckets")
    warnings = p.t("warnings")
    if down:
        check(f"Peers are down: {down}" in warnings, f"no 'Peers are down: {down}' warning: {warnings!r}")
    elif info["valid"] and info["complete"]:
        check(warnings == "No warnings.", f"warnings on a complete cluster: {warnings!r}")
    return f"generation {info['generation']}, " + ", ".join(f"{n} {rows[n][1]} {rows[n][3]} buckets" for n in sorted(rows) if n in names) + \
        f"; fixup {shown}, {f['bytes_to_go']} bytes to go; warnings: {warnings}"

def fixup_shown(p, victim):  # (victim Down on the page, tasks to do, running) as the page shows them
    row = p.rows("peers").get(victim)
    num = lambda i: int(p.t(i)) if p.t(i).isdigit() else 0
    return row is not None and row[1] == "Down", num("fixup-pending"), num("fixup-running-count")

def size(name):
    return f"{name} ({os.path.getsize(os.path.join(artefacts, name))} bytes)"

mode, args = sys.argv[1], sys.argv[2:]
if mode == "master":  # master MH SHOT HEIGHT DOWN|- NAMES...: the master's page in Chromium
    mh, shot, height, down, names = args[0], args[1], int(args[2]), args[3], args[4:]
    down = None if down == "-" else down
    (info, peers, buckets), dom = consistent(lambda: master_docs(mh), lambda: chromium(mh, shot, height))
    summary = check_master(Page(dom), info, peers, buckets, names, down)
    done(f"master page in Chromium: {summary}; screenshot {size(shot)}")
elif mode == "peer":  # peer PH NAME GUID MASTER_URI: a peer's page in Chromium
    ph, name, guid, master = args
    def docs():
        info = get(ph, "/services/cluster/peer/info")
        main = next(i for i in get(ph, "/services/data/indexes")["indexes"] if i["name"] == "main")
        return info, main["events"]
    (info, events), dom = consistent(docs, lambda: chromium(ph, "peer.png", 1400))
    p = Page(dom)
    check(p.t("node-name") == name and p.t("node-role") == "peer", f"name/role {p.t('node-name')}/{p.t('node-role')}")
    check(p.t("master-location") == master, f"master location {p.t('master-location')!r}, expected {master}")
    check(p.t("registered") == "Yes" and info["master_reachable"], f"registered {p.t('registered')!r} ({info['master_reachable']})")
    check(p.t("peer-status") == info["status"] == "Up", f"status {p.t('peer-status')!r} vs {info['status']}")
    check(p.t("guid") == guid == info["guid"], f"GUID {p.t('guid')!r} vs {guid} / {info['guid']}")
    check(p.t("generation") == str(info["generation"]), f"generation {p.t('generation')} vs {info['generation']}")
    check(p.t("replication-port") == str(info["replication_port"]), "replication port differs")
    streams = []
    for s in ("streams-out", "streams-in"):
        n = len(p.tables[s]) - 1 if s in p.tables else 0
        check(s in p.tables or p.t(s) == "none", f"{s}: neither a table nor 'none': {p.t(s)!r}")
        streams.append(f"{s}: {n or 'none'}")
    main = p.rows("indexes").get("main")
    check(main is not None and main[1] == str(events), f"main on the page {main}, {events} events in data/indexes")
    done(f"peer page in Chromium: {name} Up, registered with {master}, generation {info['generation']}, "
         f"main {events} events, {', '.join(streams)}; screenshot {size('peer.png')}")
elif mode == "searchhead":  # searchhead SH MASTER_URI SHOT GUIDS...: the search head's page
    sh, master, shot, guids = args[0], args[1], args[2], args[3:]
    gen_doc, dom = consistent(lambda: get(sh, "/services/cluster/searchhead/generation"),
                              lambda: chromium(sh, shot, 1000))
    p = Page(dom)
    check(len(gen_doc) == 1, f"searchhead/generation lists {len(gen_doc)} masters")
    check(p.t("master-0-location") == master, f"master {p.t('master-0-location')!r}, expected {master}")
    check(p.t("master-0-generation") == str(gen_doc[0]["generation"]), f"generation {p.t('master-0-generation')} vs {gen_doc[0]['generation']}")
    check(p.t("master-0-reachable") == "Yes", "the master is not shown reachable")
    shown = sorted(r[0] for r in p.tables.get("master-0-peers", [])[1:])
    check(shown == sorted(guids), f"generation peers on the page {shown}, expected {sorted(guids)}")
    check(sorted(x["guid"] for x in gen_doc[0]["peers"]) == sorted(guids), "searchhead/generation lists other peers")
    done(f"search head page in Chromium: master {master}, generation {gen_doc[0]['generation']}, "
         f"{len(shown)} peers by GUID; screenshot {size(shot)}")
elif mode == "watch":  # watch MH VICTIM VICTIM_PID SECS: kill -9 and the master's page after it (see the header)
    import atexit, signal
    mh, victim, victim_pid, secs = args[0], args[1], int(args[2]), float(args[3])
    url = f"http://admin:api-1@127.0.0.1:{mh}/"
    cdp = Cdp()
    atexit.register(cdp.close)
    open(os.path.join(os.path.dirname(profile), "cdp.pid"), "w").write(str(cdp.proc.pid))
    if Page(cdp.load(url)).t("node-role") != "master":
        sys.exit("the warm Chromium does not show the master's page")
    def fixup_matches(page, f):  # the page shows master/info's fixup numbers
        nums = {k: page.t("fixup-" + k) for k in ("primary", "searchable", "replicate", "pending")}
        return nums == {k: str(f[k]) for k in nums} and page.t("fixup-running-count") == str(len(f["running"])) \
            and page.attrs.get("fixup-bytes", {}).get("data-bytes") == str(f["bytes_to_go"])
    os.kill(victim_pid, signal.SIGKILL)
    t0 = time.time(); end = t0 + secs
    down_at = caught = in_browser = None
    reads = compared = most = loads = 0
    # Fixup numbers can change and change back between two status reads (a task ends, the next
    # plan starts another within milliseconds), so one read between equal answers may still
    # differ; a page that is wrong shows it on most reads.
    mismatches = []
    a = None
    while time.time() < end:
        try:
            a = get(mh, "/services/cluster/master/info"); text = raw_page(mh); b = get(mh, "/services/cluster/master/info")
        except (OSError, ValueError):
            time.sleep(0.1); continue
        reads += 1
        p = Page(text)
        is_down, pending, running = fixup_shown(p, victim)
        if a == b:
            compared += 1
            if not fixup_matches(p, a["fixup"]):
                mismatches.append(a["fixup"])
                if len(mismatches) > max(2, compared // 5):
                    sys.exit(f"the page showed other fixup numbers than master/info's before and after it "
                             f"in {len(mismatches)} of {compared} reads (last: {a['fixup']})")
        if is_down and down_at is None:
            down_at = time.time() - t0
        if is_down and (pending or running):
            most = max(most, pending)
            if caught is None: caught = time.time() - t0
        if is_down and not in_browser:
            # Chromium loads the page while fixup may run; its screenshot is of the document checked.
            a2 = get(mh, "/services/cluster/master/info"); dom = cdp.load(url); b2 = get(mh, "/services/cluster/master/info")
            loads += 1
            q = Page(dom)
            d_down, d_pending, d_running = fixup_shown(q, victim)
            if d_down and (d_pending or d_running):
                cdp.screenshot(os.path.join(artefacts, "master-fixup.png"))
                if a2 == b2 and not fixup_matches(q, a2["fixup"]):
                    mismatches.append(a2["fixup"])
                    continue  # load it again: this one may have caught a change
                in_browser = f"{d_pending} tasks to do, {d_running} running, {time.time() - t0:.1f} s after the kill"
        settled = (a["valid"] and a["complete"] and a["fixup"]["pending"] == 0 and not a["fixup"]["running"]
                   and a["buckets"]["complete"] == a["buckets"]["total"])
        if is_down and settled and a == b and pending == 0 and running == 0:
            print(f"{reads} page reads, {compared} of them between equal master/info answers "
                  f"({len(mismatches)} caught a change between the reads); "
                  f"{victim} Down on the page {down_at:.1f} s after the kill; "
                  + (f"fixup in progress on the page from {caught:.1f} s (at most {most} tasks to do); " if caught else
                     "fixup never seen in progress (it ended between two reads); ")
                  + f"settled {time.time() - t0:.1f} s after the kill; Chromium loaded the page {loads} time(s) meanwhile: "
                  + (f"master-fixup.png shows fixup in progress ({in_browser})" if in_browser
                     else "it never caught fixup in progress"))
            sys.exit(0)
        time.sleep(0.05 if is_down else 0.1)
    sys.exit(f"after {secs} s: {victim} Down on the page: {down_at is not None}; master/info: {a}")
else:
    sys.exit(f"pages.py: unknown mode {mode}")
PY
export BROWSER="$browser" PROFILE="$dir/profile" ARTEFACTS="$artefacts"
pages() { python3 "$dir/pages.py" "$@"; }
# page_check LABEL MODE ARGS...: one PASS or FAIL line
page_check() {
  local label="$1" out; shift
  if out="$(pages "$@" 2>&1)"; then pass "$label: $out"; else fail "$label: $out"; fi
}

echo "== 0. a master (replication_factor 2, search_factor 2), p1..p3, a search head"
peers=(p1 p2 p3)
fault_configure master 2 2 5 sh "${peers[@]}"
mh=${http[master]}
for n in master "${peers[@]}" sh; do start "$n"; done
wait_until 60 "the cluster to be ready (3 peers Up, the search head on the master's generation)" "master sh" \
  fault_ready "${http[sh]}" "${peers[@]}" || die "the cluster never became ready: $(cq summary)"
pass "cluster ready after $((SECONDS - t_start)) s: $(cq summary)"

echo "== data: events over HEC raw to every peer, rolled, then more left hot"
export FEED_BATCH=2000
feed_ok=1
for round in 1 2; do feed_each_and_roll 6000 "${peers[@]}"; done
for n in "${peers[@]}"; do feed "$n" 4000 || feed_ok=0; done
[[ $feed_ok == 1 ]] && pass "$((next_id - 1)) events acknowledged over HEC raw (2 rounds rolled, one left hot)" ||
  fail "a HEC batch was not acknowledged (above)"
settle "before the kill" 60

echo "== 1-3. the pages of each role in Chromium"
page_check "master page, every peer Up" master "$mh" master-up.png 2000 - "${peers[@]}"
page_check "peer page of p1" peer "${http[p1]}" p1 "$(guid_of p1)" "127.0.0.1:${admin[master]}"
page_check "search head page" searchhead "${http[sh]}" "127.0.0.1:${admin[master]}" search-head.png \
  "$(guid_of p1)" "$(guid_of p2)" "$(guid_of p3)"

echo "== 4. kill -9 of p2; the master's page until it shows p2 Down and fixup done"
# pages.py starts Chromium first (warm, on the master's page), then kills p2 itself.
page_check "kill -9 of p2, the master's page after it" watch "$mh" p2 "${pid[p2]}" 90
wait "${pid[p2]}" 2>/dev/null || true
unset "pid[p2]"
end_cdp || true

echo "== 5. after the kill, in Chromium"
# The page is compared with the master's answers of the same moment: first wait until the
# cluster is quiet (the hot buckets p2 streamed to roll and are repaired after step 4 saw
# its fixup end, so the page and a later answer could differ).
settle "after p2's fixup" 60
page_check "master page, p2 Down" master "$mh" master-after-kill.png 2000 p2 "${peers[@]}"
sh_moved() { pages searchhead "${http[sh]}" "127.0.0.1:${admin[master]}" search-head-after-kill.png \
  "$(guid_of p1)" "$(guid_of p3)" > "$dir/sh.out" 2>&1; }
if wait_until 30 "the search head's page to list p1 and p3 only" "sh" sh_moved; then
  pass "search head page after the kill: $(cat "$dir/sh.out")"
else
  fail "search head page after the kill: $(cat "$dir/sh.out")"
fi
echo "screenshots in $artefacts: $(cd "$artefacts" && ls master-*.png peer.png search-head*.png 2>/dev/null | paste -sd' ')"
echo "cluster pages test ran $((SECONDS - t_start)) s"
fault_summary
