# Shared by the node process tests (source it).

# free_ports N: N TCP ports on 127.0.0.1 that are free now, on one line. They are drawn
# below the kernel's ephemeral range (where outgoing connections of the many node processes
# take their local ports, which could take a listening port chosen there before it is bound).
# Tests running at the same time (ctest -j) never get the same port: each port handed out is
# noted, under a lock, in /tmp/kura-test-ports for an hour (a port is free when drawn but only
# bound later, when its node starts).
free_ports() {
  python3 - "$1" <<'PY'
import fcntl, random, socket, sys, time
low = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
with open("/tmp/kura-test-ports", "a+") as book:
    fcntl.flock(book, fcntl.LOCK_EX)
    book.seek(0)
    now, taken = time.time(), {}
    for line in book:
        try:
            port, when = line.split()
            if now - float(when) < 3600: taken[int(port)] = float(when)
        except ValueError:
            pass
    socks, ports = [], set()
    while len(socks) < int(sys.argv[1]):
        port = random.randrange(10000, max(low, 10001))
        if port in ports or port in taken: continue
        s = socket.socket()
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            s.close(); continue
        socks.append(s); ports.add(port)
    for port in ports: taken[port] = now
    book.seek(0); book.truncate()
    book.writelines(f"{port} {when:.0f}\n" for port, when in taken.items())
print(*[s.getsockname()[1] for s in socks])
PY
}

# node_toml NAME HOME HTTP ADMIN RECEIVER: a standalone node's config on
# 127.0.0.1 with HEC token hec-1 and API token api-1 (more sections may follow).
node_toml() {
  cat <<TOML
[node]
name = "$1"
home = "$2"
bind = "127.0.0.1"
admin_port = $4
[http]
port = $3
hec_tokens = ["hec-1"]
api_tokens = ["api-1"]
[receiver]
port = $5
TOML
}

# wait_healthy HTTP_PORT PID LOG: until the node answers health (at most 30 s).
wait_healthy() {
  for _ in $(seq 300); do
    curl -sf "http://127.0.0.1:$1/services/collector/health" > /dev/null && return 0
    kill -0 "$2" 2>/dev/null || { echo "node died"; cat "$3"; return 1; }
    sleep 0.1
  done
  echo "node never became healthy"; cat "$3"; return 1
}

# cluster_toml NAME HOME ROLE HTTP ADMIN RECEIVER SECRET [MASTER_ADMIN [REPLICATION_PORT]]:
# a cluster node's config on 127.0.0.1 (tokens as node_toml). ROLE master gets
# replication_factor 3, search_factor 2 and fast heartbeats; peer and search_head
# get master_uri 127.0.0.1:MASTER_ADMIN; a peer also its REPLICATION_PORT.
cluster_toml() {
  node_toml "$1" "$2" "$4" "$5" "$6" | sed "/^\[node\]/a role = \"$3\""
  echo "[clustering]"
  echo "pass4SymmKey = \"$7\""
  case "$3" in
    master)
      echo "replication_factor = 3"
      echo "search_factor = 2"
      echo "heartbeat_period = 0.5"
      echo "heartbeat_timeout = 10" ;;
    peer)
      echo "master_uri = \"127.0.0.1:$8\""
      echo "replication_port = $9"
      echo "heartbeat_period = 0.5" ;;
    search_head)
      echo "master_uri = \"127.0.0.1:$8\"" ;;
  esac
}

# ---- Cluster process tests (cluster_test.sh, multicluster_test.sh). They use
# the caller's globals: dir (the test's directory, logs in $dir/NAME.log), node
# (kura-node), pid and http (per node name), failures, and die.

pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; failures+=("$*"); }
show_logs() {  # show_logs NAME...: the end of these nodes' logs
  for n in "$@"; do
    echo "---- last lines of $n's log ($dir/$n.log)"
    tail -n 25 "$dir/$n.log" 2>/dev/null || true
  done
}
# wait_until SECONDS "WHAT" "NODES" COMMAND...: poll COMMAND every 0.2 s; on
# timeout say what was awaited, show the nodes' logs and return 1.
wait_until() {
  local secs="$1" what="$2" nodes="$3"; shift 3
  local end=$((SECONDS + secs))
  while ((SECONDS < end)); do
    "$@" && return 0
    sleep 0.2
  done
  echo "timed out after $secs s waiting for: $what"
  # shellcheck disable=SC2086
  show_logs $nodes
  return 1
}
get() { curl -s -H 'Authorization: Bearer api-1' "http://127.0.0.1:$1$2"; }
export_search() {  # export_search HTTP_PORT QUERY: the export answer in JSON lines
  curl -s -H 'Authorization: Bearer api-1' --data-urlencode "search=$2" -d output_mode=json \
    "http://127.0.0.1:$1/services/search/jobs/export"
}
http_up() { [[ "$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer api-1' \
  "http://127.0.0.1:${http[$1]}/services/server/info")" == 200 ]]; }
start() {  # start NAME: the node's process, until its HTTP server answers
  "$node" --config "$dir/$1.toml" >> "$dir/$1.log" 2>&1 &
  pid[$1]=$!
  wait_until 30 "$1 to answer HTTP" "$1" http_up "$1" || die "$1 never answered HTTP"
}
declare -A stop_rc=() stop_secs=()
stop() {  # stop NAME...: SIGTERM to all of them at once, then wait for each to exit (at most
          # 60 s, then kill -9); sets stop_rc[NAME] (exit code) and stop_secs[NAME]
  local n p t0=$SECONDS
  for n in "$@"; do kill -TERM "${pid[$n]}" 2>/dev/null || true; done
  for n in "$@"; do
    p="${pid[$n]}"
    wait_until 60 "$n to exit after SIGTERM" "$n" bash -c "! kill -0 $p 2>/dev/null" || kill -9 "$p" 2>/dev/null || true
    stop_rc[$n]=0
    wait "$p" || stop_rc[$n]=$?
    stop_secs[$n]=$((SECONDS - t0))
    unset "pid[$n]"
  done
}

# ---- Fault tests (fixup_test.sh, failover_test.sh). Besides the globals above they use
# mh (the master's HTTP port), mname (its name, for logs; default master), admin (admin port
# per name), secret, hb_timeout (the master's heartbeat_timeout), bg (pids of helper
# processes) and next_id (the next event id to send).

# fault_master_toml NAME HOME HTTP ADMIN RECEIVER SECRET RF SF HEARTBEAT_TIMEOUT RESTART_TIMEOUT
# QUIET_PERIOD: a master's config as cluster_toml's, with these factors and timings.
fault_master_toml() {
  cluster_toml "$1" "$2" master "$3" "$4" "$5" "$6" |
    sed -e "s/^replication_factor = .*/replication_factor = $7/" \
        -e "s/^search_factor = .*/search_factor = $8/" \
        -e "s/^heartbeat_timeout = .*/heartbeat_timeout = $9/"
  echo "restart_timeout = ${10}"
  echo "quiet_period = ${11}"
}

kill9() {  # kill9 NAME: kill -9 the node's process and reap it
  kill -9 "${pid[$1]}" 2>/dev/null || true
  wait "${pid[$1]}" 2>/dev/null || true
  unset "pid[$1]"
}
wait_exit() {  # wait_exit NAME SECS: until the node's process exits by itself; sets stop_rc[NAME]
  local p="${pid[$1]}"
  wait_until "$2" "$1 to exit by itself" "$1" bash -c "! kill -0 $p 2>/dev/null" || return 1
  stop_rc[$1]=0
  wait "$p" || stop_rc[$1]=$?
  unset "pid[$1]"
}
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }  # since EPOCHREALTIME_THEN: seconds, 0.1 s
guid_of() { sed -n 's/^guid *= *"\(.*\)"/\1/p' "$dir/$1/etc/instance.toml"; }  # guid_of NAME: from its home

# write_fault_tools: the helper programs in $dir (hec_feed.py, ids_check.py, cq.py).
write_fault_tools() {
  mkdir -p "$dir/feeds"
  cat > "$dir/hec_feed.py" <<'PY'
# hec_feed.py HTTP_PORT FIRST COUNT LOG [STOPFILE]: sends the events "TIME faultevent id=N ..." for
# N = FIRST, FIRST+1, ... over HEC raw (index main, sourcetype faulttest) on a channel of its own,
# in batches of $FEED_BATCH lines (200), each one acknowledged (/services/collector/ack true, at
# most $FEED_ACK_TIMEOUT s, 60) before the next. LOG gets "sent A B" before a batch goes out and
# "acked A B TIME" once it is acknowledged, or "lost A B WHY". Without STOPFILE it sends COUNT
# events and exits 1 at the first batch not acknowledged; with STOPFILE it goes on (a lost batch
# is logged and the next one gets new ids) until STOPFILE exists or COUNT events were sent,
# pausing $FEED_PAUSE s (0) between batches.
import json, os, sys, time, urllib.error, urllib.request, uuid
port, first, count, log = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
stopfile = sys.argv[5] if len(sys.argv) > 5 else None
batch = int(os.environ.get("FEED_BATCH", "200"))
ack_timeout = float(os.environ.get("FEED_ACK_TIMEOUT", "60"))
pause = float(os.environ.get("FEED_PAUSE", "0"))
channel = str(uuid.uuid4())
base = f"http://127.0.0.1:{port}/services/collector"
headers = {"Authorization": "Splunk hec-1", "X-Splunk-Request-Channel": channel}
out = open(log, "a", buffering=1)

def post(path, body):
    req = urllib.request.Request(base + path, data=body.encode(), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")

def send(a, b):  # None when acknowledged, else why not
    out.write(f"sent {a} {b}\n")
    # Each line starts with a timestamp, so that each is an event of its own (line merging
    # breaks only before a date).
    now = time.time()
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + f".{int(now * 1000) % 1000:03d}+00:00"
    body = "".join(f"{stamp} faultevent id={n} batch={a} port={port} padding=abcdefghijklmnopqrstuvwxyz\n"
                   for n in range(a, b + 1))
    status, reply = post("/raw?index=main&sourcetype=faulttest", body)
    if status != 200 or reply.get("code") != 0 or "ackId" not in reply:
        return f"HTTP {status} {json.dumps(reply)[:200]}"
    ack, end = reply["ackId"], time.time() + ack_timeout
    while time.time() < end:
        status, reply = post("/ack", json.dumps({"acks": [ack]}))
        if status == 200 and reply.get("acks", {}).get(str(ack)) is True:
            return None
        time.sleep(0.05)
    return f"ack {ack} not true after {ack_timeout} s"

n, last = first, first + count - 1
while n <= last and not (stopfile and os.path.exists(stopfile)):
    b = min(n + batch - 1, last)
    try:
        why = send(n, b)
    except (OSError, ValueError) as e:
        why = f"{type(e).__name__}: {e}"
    if why is None:
        out.write(f"acked {n} {b} {time.time():.3f}\n")
    else:
        out.write(f"lost {n} {b} {why}\n")
        print(f"hec_feed: batch {n}-{b} to port {port}: {why}", file=sys.stderr)
        if not stopfile:
            sys.exit(1)
        time.sleep(0.2)
    n = b + 1
    time.sleep(pause)
PY
  cat > "$dir/ids_check.py" <<'PY'
# ids_check.py BYID TOTAL LOG...: BYID is the export answer of `... | stats count by id`, TOTAL
# that of `... | stats count`, the LOGs hec_feed.py's. Every acknowledged id is found exactly
# once, no id more than once, no id that was never sent, the total equals the ids found, and the
# answers carry no WARN/ERROR message (with $IDS_ALLOW_WARN=1 a WARN is only reported). Prints a
# summary (or the problems and exit 1).
import collections, json, os, sys
sent, acked = set(), set()
for log in sys.argv[3:]:
    for line in open(log):
        kind, a, b = line.split()[:3]
        ids = range(int(a), int(b) + 1)
        if kind == "sent": sent.update(ids)
        elif kind == "acked": acked.update(ids)
found, notes, total = collections.Counter(), [], None
for path, what in ((sys.argv[1], "byid"), (sys.argv[2], "total")):
    for line in open(path):
        if not line.strip(): continue
        try: d = json.loads(line)
        except ValueError: notes.append(line.strip()[:300]); continue
        if "result" in d:
            if what == "byid": found[int(d["result"]["id"])] += int(d["result"]["count"])
            else: total = int(d["result"]["count"])
        else:
            notes += [m for m in d.get("messages", [d]) if m.get("type") not in ("INFO", "DEBUG")]
missing = sorted(acked - set(found))
repeated = sorted(i for i, c in found.items() if c > 1)
unknown = sorted(set(found) - sent)
problems = []
if missing: problems.append(f"{len(missing)} acknowledged ids not found (first: {missing[:8]})")
if repeated: problems.append(f"{len(repeated)} ids found more than once (first: {[(i, found[i]) for i in repeated[:8]]})")
if unknown: problems.append(f"{len(unknown)} ids found that were never sent (first: {unknown[:8]})")
if total != sum(found.values()): problems.append(f"| stats count says {total}, the counts by id add up to {sum(found.values())}")
warns = []
if os.environ.get("IDS_ALLOW_WARN") == "1":
    warns = list({m.get("text") for m in notes if m.get("type") == "WARN"})
    notes = [m for m in notes if m.get("type") != "WARN"]
if notes: problems.append(f"messages: {json.dumps(notes)[:600]}")
unacked_found = len(set(found) & (sent - acked))
summary = (f"{len(acked)} acknowledged ids (of {len(sent)} sent) each found exactly once"
           f"{f', and {unacked_found} unacknowledged ones once' if unacked_found else ''}; total {total}"
           f"{f'; warnings: {json.dumps(warns)[:300]}' if warns else ''}")
if problems:
    print(f"{len(acked)} acknowledged of {len(sent)} sent, {len(found)} ids found, total {total}: " + "; ".join(problems))
    sys.exit(1)
print(summary)
PY
  cat > "$dir/cq.py" <<'PY'
# cq.py MASTER_HTTP COMMAND [ARGS]: questions to the master's status documents; exit 1 means
# no (or no answer). Copies "on live peers" are those whose GUID is Up in master/peers.
#   summary                      one line: generation, valid, complete, peers, buckets, fixup
#   field PATH                   a value of master/info (dotted path: fixup.replicate)
#   has NAME STATUS              an entry of master/peers named NAME has STATUS
#   state valid|complete|settled [GEN]   valid; valid and complete; complete and no fixup
#                                pending; and the generation above GEN when given
#   copies | primaries           {bucket id of main: sorted GUIDs of its copies | of its primary}
#   check-buckets COPIES SEARCHABLE   every bucket of main: at least COPIES copies and
#                                SEARCHABLE searchable ones on live peers, exactly one primary,
#                                on a live peer (problems printed)
#   max-copies                   the largest number of copies a bucket of main has
#   hot [ORIGIN_GUID]            the hot buckets of main (of that origin), one id a line
#   valid-after GEN NAME T0 SECS polls every 0.05 s (at most SECS) until NAME is Down and the
#                                cluster valid in a generation above GEN; prints the seconds
#                                since T0 (epoch seconds)
#   targets ID                   the GUIDs of bucket ID's copies but its origin's, one a line
import json, sys, urllib.request
port, cmd, args = sys.argv[1], sys.argv[2], sys.argv[3:]
def get(doc):
    req = urllib.request.Request(f"http://127.0.0.1:{port}/services/cluster/master/{doc}",
                                 headers={"Authorization": "Bearer api-1"})
    with urllib.request.urlopen(req, timeout=5) as r:
        return json.loads(r.read())
if cmd == "valid-after":
    import time
    gen, name, t0, end = int(args[0]), args[1], float(args[2]), time.time() + float(args[3])
    while time.time() < end:
        try:
            info, peers = get("info"), get("peers")
            if (info.get("valid") is True and int(info.get("generation", 0)) > gen
                    and any(p["name"] == name and p["status"] == "Down" for p in peers)):
                print(f"{time.time() - t0:.2f}"); sys.exit(0)
        except (OSError, ValueError):
            pass
        time.sleep(0.05)
    sys.exit(1)
try:
    if cmd in ("summary", "field", "state"): info = get("info")
    if cmd in ("summary", "has", "check-buckets"): peers = get("peers")
    if cmd in ("copies", "primaries", "check-buckets", "max-copies", "hot", "targets"):
        buckets = [b for b in get("buckets") if b["index"] == "main"]
except (OSError, ValueError) as e:
    print(f"no answer from the master: {e}", file=sys.stderr); sys.exit(1)
if cmd == "summary":
    f = info.get("fixup", {})
    print(f"generation {info.get('generation')} valid {info.get('valid')} complete {info.get('complete')} "
          f"peers_up {info.get('peers_up')} buckets {info.get('buckets')} fixup {f}; peers: "
          + " ".join(f"{p['name']}:{p['status']}" for p in peers))
elif cmd == "field":
    v = info
    for k in args[0].split("."): v = v.get(k) if isinstance(v, dict) else None
    print(json.dumps(v))
elif cmd == "has":
    sys.exit(0 if any(p["name"] == args[0] and p["status"] == args[1] for p in peers) else 1)
elif cmd == "state":
    ok = info.get("valid") is True
    if args[0] in ("complete", "settled"): ok = ok and info.get("complete") is True
    if args[0] == "settled":
        b = info.get("buckets", {})
        ok = ok and info.get("fixup", {}).get("pending") == 0 and b.get("complete") == b.get("total")
    if len(args) > 1: ok = ok and int(info.get("generation", 0)) > int(args[1])
    sys.exit(0 if ok else 1)
elif cmd == "copies":
    print(json.dumps({b["id"]: sorted(c["guid"] for c in b["copies"]) for b in buckets}, sort_keys=True))
elif cmd == "primaries":
    print(json.dumps({b["id"]: sorted(c["guid"] for c in b["copies"] if c["primary"]) for b in buckets}, sort_keys=True))
elif cmd == "max-copies":
    print(max((len(b["copies"]) for b in buckets), default=0))
elif cmd == "hot":
    for b in buckets:
        if b["state"] == "hot" and (not args or b["id"].endswith("~" + args[0])): print(b["id"])
elif cmd == "targets":
    for b in buckets:
        if b["id"] == args[0]:
            for c in b["copies"]:
                if not b["id"].endswith("~" + c["guid"]): print(c["guid"])
elif cmd == "check-buckets":
    want_copies, want_searchable = int(args[0]), int(args[1])
    live = {p["guid"] for p in peers if p["status"] == "Up"}
    problems, n_copies = [], []
    for b in buckets:
        cp = [c for c in b["copies"] if c["guid"] in live]
        prim = [c for c in b["copies"] if c["primary"]]
        n_copies.append(len(cp))
        if len({c["guid"] for c in cp}) < want_copies or sum(c["searchable"] for c in cp) < want_searchable:
            problems.append(f"{b['id']} ({b['state']}): {len(cp)} copies, {sum(c['searchable'] for c in cp)} searchable on live peers: {b['copies']}")
        if len(prim) != 1 or prim[0]["guid"] not in live:
            problems.append(f"{b['id']} ({b['state']}): primaries {[c['peer'] for c in prim]} (live peers: {sorted(live)})")
    if not buckets: problems.append("master/buckets lists no bucket of main")
    if problems:
        print("\n".join(problems[:20])); sys.exit(1)
    print(f"{len(buckets)} buckets of main, {min(n_copies)}-{max(n_copies)} copies each on live peers")
else:
    sys.exit(f"cq.py: unknown command {cmd}")
PY
}

cq() { python3 "$dir/cq.py" "$mh" "$@"; }  # cq COMMAND [ARGS]: cq.py against the master
# feed NAME COUNT: COUNT new events (ids from next_id) to peer NAME, each batch acknowledged;
# returns 1 (and says so) when a batch was not.
feed() {
  local first=$next_id
  next_id=$((next_id + $2))
  python3 "$dir/hec_feed.py" "${http[$1]}" "$first" "$2" "$dir/feeds/$1-$first.log" 2>> "$dir/feed.err" && return 0
  echo "feed of $2 events to $1 (ids from $first): $(tail -n1 "$dir/feed.err")"; return 1
}
ids_exact() {  # ids_exact HTTP_PORT: every acknowledged id found exactly once by a search there
  export_search "$1" 'index=main sourcetype=faulttest | stats count by id' > "$dir/byid.out" || true
  export_search "$1" 'index=main sourcetype=faulttest | stats count' > "$dir/total.out" || true
  python3 "$dir/ids_check.py" "$dir/byid.out" "$dir/total.out" "$dir"/feeds/*.log > "$dir/ids.got" 2>&1
}
# check_exact HTTP_PORT LABEL [SECS [allow-warn]]: ids_exact within SECS (20), one PASS or FAIL
# line; allow-warn: WARN messages in the answer are reported, not a failure.
check_exact() {
  local allow=0
  [[ "${4:-}" == allow-warn ]] && allow=1
  if IDS_ALLOW_WARN=$allow wait_until "${3:-20}" "$2: every acknowledged id found exactly once" "" ids_exact "$1"; then
    pass "$2: $(cat "$dir/ids.got")"
  else
    fail "$2: $(cat "$dir/ids.got")"
  fi
}
# start_status_watch: a background poller of master/peers that appends "TIME NAME GUID STATUS"
# to $dir/statuses.log whenever a peer's status changes; status_seq NAME: the statuses NAME had,
# in order ("Up Pending Down Up").
start_status_watch() {
  python3 - "$mh" "$dir/statuses.log" <<'PY' &
import json, sys, time, urllib.request
port, log = sys.argv[1], open(sys.argv[2], "a", buffering=1)
last = {}
while True:
    try:
        req = urllib.request.Request(f"http://127.0.0.1:{port}/services/cluster/master/peers",
                                     headers={"Authorization": "Bearer api-1"})
        with urllib.request.urlopen(req, timeout=2) as r:
            for p in json.loads(r.read()):
                if last.get(p["guid"]) != p["status"]:
                    last[p["guid"]] = p["status"]
                    log.write(f"{time.time():.3f} {p['name']} {p['guid']} {p['status']}\n")
    except (OSError, ValueError):
        pass
    time.sleep(0.2)
PY
  bg+=($!)
}
status_time() {  # status_time NAME STATUS: when (epoch seconds) the watcher first saw NAME with STATUS ("" if never)
  awk -v n="$1" -v s="$2" '$2 == n && $4 == s { print $1; exit }' "$dir/statuses.log"
}
status_seq() { awk -v n="$1" '$2 == n && $4 != prev { printf "%s%s", sep, $4; sep = " "; prev = $4 }' "$dir/statuses.log"; }
# fault_ready SH_HTTP NAME...: the master indexing_ready with exactly these peers Up, and the
# search head on the master's generation with them.
fault_ready() {
  python3 - "$mh" "$@" <<'PY'
import json, sys, urllib.request
mh, sh, want = sys.argv[1], sys.argv[2], sorted(sys.argv[3:])
def get(port, path):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Authorization": "Bearer api-1"})
    with urllib.request.urlopen(req, timeout=5) as r:
        return json.loads(r.read())
try:
    info = get(mh, "/services/cluster/master/info")
    peers = get(mh, "/services/cluster/master/peers")
    gen = get(sh, "/services/cluster/searchhead/generation")
except (OSError, ValueError):
    sys.exit(1)
ok = (info.get("indexing_ready") is True and info.get("peers_up") == len(want)
      and sorted(p["name"] for p in peers if p["status"] == "Up") == want
      and len(gen) == 1 and gen[0].get("reachable") is True
      and gen[0].get("generation") == info.get("generation")
      and sorted(p["name"] for p in gen[0].get("peers", [])) == want)
sys.exit(0 if ok else 1)
PY
}
# fault_configure MASTER RF SF RESTART_TIMEOUT SEARCH_HEAD PEER...: the configs of one cluster
# on fresh ports (http and admin set per name), heartbeat_timeout $hb_timeout and quiet_period
# 1 on the master, the caller's $secret; each checked with --check.
fault_configure() {
  local m="$1" rf="$2" sf="$3" rt="$4" s="$5" n h a r p
  shift 5
  read -r h a r < <(free_ports 3)
  http[$m]=$h admin[$m]=$a
  fault_master_toml "$m" "$dir/$m" "$h" "$a" "$r" "$secret" "$rf" "$sf" "$hb_timeout" "$rt" 1 > "$dir/$m.toml"
  for n in "$@"; do
    read -r h a r p < <(free_ports 4)
    http[$n]=$h admin[$n]=$a
    cluster_toml "$n" "$dir/$n" peer "$h" "$a" "$r" "$secret" "${admin[$m]}" "$p" > "$dir/$n.toml"
  done
  read -r h a r < <(free_ports 3)
  http[$s]=$h admin[$s]=$a
  cluster_toml "$s" "$dir/$s" search_head "$h" "$a" "$r" "$secret" "${admin[$m]}" > "$dir/$s.toml"
  for n in "$m" "$@" "$s"; do
    "$node" --config "$dir/$n.toml" --check > /dev/null 2> "$dir/check.err" || { cat "$dir/check.err"; fault_die "$n.toml is not valid"; }
  done
}
roll_all() {  # roll_all PEER...: roll-hot-buckets on each (the caller's k); then no hot bucket of main, complete
  local n
  for n in "$@"; do k "$n" roll-hot-buckets > "$dir/roll.out" 2>&1 || { cat "$dir/roll.out"; fail "roll-hot-buckets on $n"; }; done
  rolled() { [[ -z "$(cq hot)" ]] && cq state complete; }
  wait_until 30 "the master to list no hot bucket of main, valid and complete, after the roll" "${mname:-master}" rolled ||
    fail "after roll-hot-buckets: hot buckets $(cq hot | paste -sd' '); $(cq summary)"
}
# settle LABEL SECS [T0]: until valid, complete and no fixup pending; one PASS or FAIL line with
# the time since T0 (an EPOCHREALTIME; default now).
settle() {
  local t0=${3:-$EPOCHREALTIME}
  if wait_until "$2" "$1: the cluster valid and complete with fixup.pending 0" "${mname:-master}" cq state settled; then
    pass "$1: valid and complete, fixup.pending 0, after $(since "$t0") s: $(cq summary)"
  else
    fail "$1: not valid and complete with no fixup pending after $2 s: $(cq summary)"
  fi
}
# check_buckets PASS_LABEL FAIL_LABEL COPIES SEARCHABLE: awaits (30 s) master/buckets showing every
# bucket of main with COPIES copies, SEARCHABLE searchable, one live primary. The peers report a
# rolled copy asynchronously, so the master may look settled a moment before a new repair starts.
check_buckets() {
  cb_ok() { cq check-buckets "$1" "$2" > "$dir/cb.out"; }
  if wait_until 30 "every bucket of main at $3 copies, $4 searchable" "${mname:-master}" cb_ok "$3" "$4"; then
    pass "$1: $(cat "$dir/cb.out"), >= $4 searchable, one live primary each"
  else
    fail "$2: $(cat "$dir/cb.out")"
  fi
}
feed_each_and_roll() {  # feed_each_and_roll COUNT PEER...: feed COUNT events to each, then roll_all; feed_ok=0 when a batch was not acknowledged
  local n
  for n in "${@:2}"; do feed "$n" "$1" || feed_ok=0; done
  roll_all "${@:2}"
}
end_processes() {  # end_processes: SIGTERM to every node in pid and helper in bg, 10 s, then kill -9
  local all=("${pid[@]}") p
  for p in "${bg[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${all[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for _ in $(seq 100); do
    local alive=0
    for p in "${all[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [[ $alive -eq 0 ]] && break
    sleep 0.1
  done
  for p in "${all[@]}" "${bg[@]}"; do kill -9 "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
}
# fault_cleanup: the EXIT trap of a fault test (test_name, all_nodes): the nodes' logs when it
# stopped early, the stream's stop file, every process ended, dir removed unless
# KURA_KEEP_TEST_DIR is set.
fault_cleanup() {
  local rc=$?
  trap - EXIT
  if [[ $rc -ne 0 && ${#failures[@]} -eq 0 ]]; then
    echo "$test_name test stopped early (exit $rc)"
    # shellcheck disable=SC2086
    show_logs $all_nodes
  fi
  [[ -d "$dir" ]] && touch "$dir/stop-stream"
  end_processes
  if [[ -n "${KURA_KEEP_TEST_DIR:-}" ]]; then echo "kept $dir"; else rm -rf "$dir"; fi
  exit "$rc"
}
fault_die() {  # fault_die MESSAGE: a FATAL line, the failed checks so far, exit 1
  echo "FATAL: $*"
  [[ ${#failures[@]} -gt 0 ]] && { echo "$test_name test: failed before it ended; failed checks so far:"; printf '  - %s\n' "${failures[@]}"; }
  failures+=("$*")
  exit 1
}
fault_summary() {  # fault_summary: the failed checks and exit 1, or "all checks passed"
  if [[ ${#failures[@]} -gt 0 ]]; then
    echo "$test_name test: ${#failures[@]} check(s) failed:"
    printf '  - %s\n' "${failures[@]}"
    exit 1
  fi
  echo "$test_name test: all checks passed"
}
# fault_init TEST_NAME SECRET: a fault test's start: its directory (dir), the node tables (pid,
# http, admin), bg, failures, next_id 1, hb_timeout 3, the secret (also in $dir/secret), the EXIT
# trap (fault_cleanup), die (fault_die) and the helper programs.
fault_init() {
  test_name="$1" secret="$2" hb_timeout=3 next_id=1
  dir="$(mktemp -d)"
  declare -gA pid=() http=() admin=()
  bg=() failures=()
  trap fault_cleanup EXIT
  die() { fault_die "$@"; }
  echo "$secret" > "$dir/secret"
  write_fault_tools
}
