#!/usr/bin/env bash
# Operating a cluster, as real processes on 127.0.0.1 (clustering.md §§17-18, 22; product.md §7):
# a master (replication_factor 3, search_factor 2, heartbeat_timeout 3 s, restart_timeout 30 s),
# peer1..peer4 and a search head. Expected counts are the acknowledged ids (hec_feed.py) or the
# events this script sent, never kura's own numbers.
# 1. GET /services/server/health: 200 on the master, each peer and the search head;
# 2. bundle: an index without repFactor = "auto" in master-apps is refused (the error names the
#    peer, file, line and key) and nothing is installed anywhere; `--dry-run` of a valid bundle
#    installs nothing; `apply cluster-bundle` installs it in every peer's slave-apps
#    (byte-identical), the new index takes data at once (no restart: the peers keep their pids
#    and logs show no restart) and the search head finds exactly what was sent to it;
#    show cluster-bundle-status lists every peer with the master's checksum;
# 3. a change of that index's settings: the peers restart in waves by themselves; a search loop
#    through the search head gets the full, exact count every time; no fixup task runs;
# 4. `rolling-restart cluster-peers -percent_peers_to_restart 50`: waves of at most two peers
#    that never hold every searchable copy of a bucket, the same search loop exact every time,
#    each peer restarted once, no fixup task on main;
# 5. a peer stopped while a bundle is applied gets it when it returns, before it takes data;
# 6. a peer-local index with repFactor = "auto" is refused by `kura-node --check` (exit 2);
# 7. `edit cluster-config -replication_factor 4`: every bucket of main gets 4 copies;
#    back to 3; an invalid search_factor is refused;
# 8. the master stopped: the search head's health turns 503 with a reason, 200 again after the
#    master returns.
set -euo pipefail
node="$1"
kura="$2"
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/lib.sh"
all_nodes="master peer1 peer2 peer3 peer4 sh"
fault_init operate operate-secret-1
k() { local n="$1"; shift; "$kura" --uri "127.0.0.1:${admin[$n]}" --secret-file "$dir/secret" --timeout 170 "$@"; }
peers="peer1 peer2 peer3 peer4"

fault_configure master 3 2 30 sh $peers
mh=${http[master]}
shh=${http[sh]}
for n in master $peers sh; do start "$n"; done
wait_until 60 "the cluster to be ready with 4 peers" "master" fault_ready "$shh" $peers || die "the cluster never became ready"
pass "the cluster is ready: master, 4 peers Up, the search head on the master's generation"

health() { curl -s -o "$dir/health.out" -w '%{http_code}' "http://127.0.0.1:$1/services/server/health"; }
echo "== 1. health"
for n in master $peers sh; do
  code=$(health "${http[$n]}")
  if [[ $code == 200 ]] && grep -q '"healthy":true' "$dir/health.out"; then pass "$n: health 200 $(cat "$dir/health.out")"
  else fail "$n: health $code $(cat "$dir/health.out")"; fi
done

feed_ok=1
feed_each_and_roll 1000 $peers
[[ $feed_ok == 1 ]] || fail "a batch of the first feed was not acknowledged"
check_exact "$shh" "before the bundle, search head"

restart_lines() { grep -c "stopped; starting again" "$dir/$1.log" || true; }
# Fixup tasks on main's buckets (all made before the restarts; new _internal buckets that start
# while a peer is away may legitimately get a copy later).
fixup_tasks() { grep -cE "fixup: (replicate|searchable) main~" "$dir/master.log" || true; }
bundle_doc() { k master --json show cluster-bundle-status; }
# bundle_applied CHECKSUM NAME...: bundle status lists each NAME applied with CHECKSUM
bundle_applied() {
  bundle_doc > "$dir/bundle.json" 2>/dev/null || return 1
  python3 - "$dir/bundle.json" "$@" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); want, names = sys.argv[2], sys.argv[3:]
peers = {p["name"]: p for p in d["peers"]}
ok = d["active_bundle"] == want and all(n in peers and peers[n]["active_bundle"] == want
                                        and peers[n]["status"] == "applied" for n in names)
sys.exit(0 if ok and d.get("rolling_restart") is None else 1)
PY
}

echo "== 2. the configuration bundle"
mkdir -p "$dir/master/etc/master-apps"
cat > "$dir/master/etc/master-apps/web.toml" <<'EOF'
# the web team's index
[indexes.web]
maxHotBuckets = 2
EOF
rc=0
k master apply cluster-bundle > "$dir/apply.out" 2>&1 || rc=$?
msg=$(cat "$dir/apply.out")
if [[ $rc != 0 ]] && grep -q "^error:" "$dir/apply.out" && grep -q "peer peer" "$dir/apply.out" \
   && grep -q "master-apps/web.toml:2:" "$dir/apply.out" && grep -q "repFactor" "$dir/apply.out"; then
  pass "an index without repFactor = \"auto\" is refused, naming peer, file, line and key: $msg"
else
  fail "the bundle without repFactor: exit $rc: $msg"
fi
installed=$(find "$dir" -mindepth 3 -maxdepth 3 -path "$dir/peer*/etc/slave-apps" -type d | wc -l)
[[ $installed == 0 ]] && pass "the refused bundle is installed nowhere" || fail "the refused bundle left $installed slave-apps directories"
if [[ "$(k master --json show cluster-bundle-status | python3 -c 'import json,sys; print(json.load(sys.stdin)["active_bundle"])')" == "" ]]; then
  pass "no bundle is active after the refusal"; else fail "a bundle is active after the refusal"; fi

cat > "$dir/master/etc/master-apps/web.toml" <<'EOF'
# the web team's index
[indexes.web]
repFactor = "auto"
maxHotBuckets = 2
EOF
rc=0
k master apply cluster-bundle --dry-run > "$dir/apply.out" 2>&1 || rc=$?
installed=$(find "$dir" -mindepth 3 -maxdepth 3 -path "$dir/peer*/etc/slave-apps" -type d | wc -l)
if [[ $rc == 0 && $installed == 0 ]]; then pass "--dry-run validates and installs nothing: $(cat "$dir/apply.out")"
else fail "--dry-run: exit $rc, $installed slave-apps directories: $(cat "$dir/apply.out")"; fi

declare -A pid_before=()
for n in $peers; do pid_before[$n]=${pid[$n]}; done
rc=0
k master apply cluster-bundle > "$dir/apply.out" 2>&1 || rc=$?
[[ $rc == 0 ]] && pass "apply cluster-bundle: $(cat "$dir/apply.out")" || fail "apply cluster-bundle: exit $rc: $(cat "$dir/apply.out")"
active=$(k master --json show cluster-bundle-status | python3 -c 'import json,sys; print(json.load(sys.stdin)["active_bundle"])')
[[ -n "$active" ]] || fail "no active bundle after apply"
same=1
for n in $peers; do cmp -s "$dir/master/etc/master-apps/web.toml" "$dir/$n/etc/slave-apps/web.toml" || same=0; done
[[ $same == 1 ]] && pass "every peer has master-apps/web.toml byte-identical in slave-apps" || fail "slave-apps differ from master-apps"
wait_until 20 "every peer to show bundle $active applied" "master" bundle_applied "$active" $peers &&
  pass "show cluster-bundle-status: every peer applied $active" || fail "bundle status: $(cat "$dir/bundle.json")"
restarted=0
for n in $peers; do [[ $(restart_lines "$n") == 0 ]] || restarted=1; done
[[ $restarted == 0 ]] && pass "a new index applied live: no peer restarted" || fail "a peer restarted for a new index"
# The new index takes data at once, on every peer.
web_sent=0
for n in $peers; do
  body=""
  for i in $(seq 1 50); do body+="{\"event\": \"webevent peer=$n n=$i\", \"index\": \"web\"}"; done
  code=$(curl -s -o "$dir/hec.out" -w '%{http_code}' -H 'Authorization: Splunk hec-1' -d "$body" \
    "http://127.0.0.1:${http[$n]}/services/collector/event")
  if [[ $code == 200 ]]; then web_sent=$((web_sent + 50)); else fail "HEC to index web on $n: $code $(cat "$dir/hec.out")"; fi
done
web_count() { export_search "$shh" 'search index=web | stats count' | python3 -c '
import json, sys
for l in sys.stdin:
    d = json.loads(l)
    if "result" in d: print(d["result"]["count"])'; }
got=""
for _ in $(seq 100); do got=$(web_count || true); [[ "$got" == "$web_sent" ]] && break; sleep 0.2; done
[[ "$got" == "$web_sent" && $web_sent == 200 ]] && pass "index web takes data at once on every peer: $got of $web_sent found through the search head" ||
  fail "index web: $got found, $web_sent sent"

# Replication streams on each peer (GET /services/cluster/peer/info): the hot bucket of index web
# each peer started streams to the other peers that the master lists as holding its copies.
streams_match() {
  python3 - "$mh" "${http[peer1]}" "${http[peer2]}" "${http[peer3]}" "${http[peer4]}" <<'PY'
import json, sys, urllib.request
def get(port, path):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Authorization": "Bearer api-1"})
    return json.loads(urllib.request.urlopen(req, timeout=5).read())
names = {p["guid"]: p["name"] for p in get(sys.argv[1], "/services/cluster/master/peers")}
web = {b["id"]: b for b in get(sys.argv[1], "/services/cluster/master/buckets") if b["index"] == "web" and b["state"] == "hot"}
ok, seen = True, 0
for port in sys.argv[2:]:
    info = get(port, "/services/cluster/peer/info")
    mine = [b for b in web.values() if b["id"].split("~")[2] == info["guid"]]
    for b in mine:
        want = sorted(names[c["guid"]] for c in b["copies"] if c["guid"] != info["guid"])
        got = sorted(s["peer"] for s in info["streams_out"] if s["bucket"] == b["id"] and s["bytes"] > 0)
        seen += 1
        if got != want:
            ok = False
            print(f"{info['name']}: streams of {b['id']} to {got}, the master lists copies on {want}")
print(f"{seen} hot buckets of web checked")
sys.exit(0 if ok and seen > 0 else 1)
PY
}
if wait_until 20 "each peer's streams out to match the master's copies of web's hot buckets" "" streams_match > "$dir/streams.out" 2>&1; then
  pass "replication streams on the peers' info match the master's copies: $(tail -n1 "$dir/streams.out")"
else
  fail "replication streams: $(cat "$dir/streams.out")"
fi

# A search loop through the search head: every answer must be the exact total of main.
expected_main() { cat "$dir"/feeds/*.log | awk '$1 == "acked" { n += $3 - $2 + 1 } END { print n }'; }
start_search_loop() {
  rm -f "$dir/loop.stop" "$dir/loop.log"
  python3 - "$shh" "$(expected_main)" "$dir/loop.stop" "$dir/loop.log" <<'PY' &
import json, os, sys, time, urllib.parse, urllib.request
port, want, stop, log = sys.argv[1], int(sys.argv[2]), sys.argv[3], open(sys.argv[4], "a", buffering=1)
while not os.path.exists(stop):
    body = urllib.parse.urlencode({"search": "search index=main sourcetype=faulttest | stats count",
                                   "output_mode": "json"}).encode()
    req = urllib.request.Request(f"http://127.0.0.1:{port}/services/search/jobs/export", data=body,
                                 headers={"Authorization": "Bearer api-1"})
    got, notes = None, []
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            for line in r.read().decode().splitlines():
                d = json.loads(line)
                if "result" in d: got = int(d["result"]["count"])
                else: notes += [m.get("text", "") for m in d.get("messages", [])]
    except (OSError, ValueError) as e:
        notes.append(f"{type(e).__name__}: {e}")
    log.write(f"{time.time():.2f} {'ok' if got == want else 'BAD'} {got} {want} {' | '.join(notes)[:300]}\n")
    time.sleep(0.3)
PY
  loop_pid=$!
  bg+=("$loop_pid")
}
stop_search_loop() {  # one PASS/FAIL line: every answer of the loop exact
  touch "$dir/loop.stop"
  wait "$loop_pid" 2>/dev/null || true
  local total bad
  total=$(wc -l < "$dir/loop.log")
  bad=$(grep -c " BAD " "$dir/loop.log" || true)
  if [[ $total -ge 5 && $bad == 0 ]]; then pass "$1: all $total searches through the search head returned the exact count ($(expected_main))"
  else fail "$1: $bad of $total searches were not exact: $(grep " BAD " "$dir/loop.log" | head -3 | tr '\n' ';')"; fi
}
# restarted_all NAME...: each peer's log says it restarted one more time than before, its
# process runs, and the restart is over (no rolling restart, all Up).
declare -A restarts_before=()
note_restarts() { local n; for n in $peers; do restarts_before[$n]=$(restart_lines "$n"); done; }
restarted_all() {
  local n
  for n in "$@"; do
    [[ $(restart_lines "$n") -gt ${restarts_before[$n]} ]] || return 1
    kill -0 "${pid[$n]}" 2>/dev/null || return 1
  done
  [[ "$(cq field rolling_restart)" == "null" ]] && fault_ready "$shh" $peers
}

echo "== 3. a bundle change that needs a restart: the peers restart in waves"
fixups_before=$(fixup_tasks)
note_restarts
start_search_loop
sed -i 's/^maxHotBuckets = 2/maxHotBuckets = 3/' "$dir/master/etc/master-apps/web.toml"
rc=0
k master apply cluster-bundle > "$dir/apply.out" 2>&1 || rc=$?
[[ $rc == 0 ]] && grep -q "restart" "$dir/apply.out" && pass "apply of a changed index: $(cat "$dir/apply.out")" ||
  fail "apply of a changed index: exit $rc: $(cat "$dir/apply.out")"
seen_progress=""
for _ in $(seq 20); do seen_progress=$(cq field rolling_restart); [[ "$seen_progress" != "null" ]] && break; sleep 0.1; done
echo "rolling restart progress: $seen_progress"
if wait_until 150 "every peer to restart once and the cluster to be whole again" "master peer1 peer2 peer3 peer4" restarted_all $peers; then
  pass "the bundle's rolling restart restarted every peer (same pid, exec in place) and ended"
else
  fail "the bundle's rolling restart did not end: $(cq summary); rolling_restart $(cq field rolling_restart)"
fi
stop_search_loop "during the bundle's rolling restart"
[[ $(fixup_tasks) == "$fixups_before" ]] && pass "no fixup task ran during the rolling restart" ||
  fail "$(( $(fixup_tasks) - fixups_before )) fixup tasks ran during the rolling restart: $(grep -E 'fixup: (replicate|searchable) main~' "$dir/master.log" | tail -3)"
for n in $peers; do [[ ${pid[$n]} == "${pid_before[$n]}" ]] || fail "$n has another pid after its restart"; done
new_active=$(k master --json show cluster-bundle-status | python3 -c 'import json,sys; print(json.load(sys.stdin)["active_bundle"])')
[[ "$new_active" != "$active" ]] && wait_until 20 "every peer to run the new bundle" "" bundle_applied "$new_active" $peers &&
  pass "every peer runs the changed bundle $new_active" || fail "after the change: $(cat "$dir/bundle.json")"

echo "== 4. rolling-restart cluster-peers -percent_peers_to_restart 50"
fixups_before=$(fixup_tasks)
note_restarts
start_search_loop
rc=0
k master rolling-restart cluster-peers -percent_peers_to_restart 50 > "$dir/rr.out" 2>&1 || rc=$?
[[ $rc == 0 ]] && pass "rolling-restart cluster-peers: $(cat "$dir/rr.out")" || fail "rolling-restart: exit $rc $(cat "$dir/rr.out")"
rc=0
k master rolling-restart cluster-peers > "$dir/rr2.out" 2>&1 || rc=$?
[[ $rc != 0 ]] && pass "a second rolling restart while one runs is refused: $(cat "$dir/rr2.out")" || fail "a second rolling restart was accepted"
if wait_until 150 "every peer to restart once" "master peer1 peer2 peer3 peer4" restarted_all $peers; then
  pass "rolling-restart restarted every peer once"
else
  fail "rolling-restart did not end: $(cq summary); rolling_restart $(cq field rolling_restart)"
fi
stop_search_loop "during rolling-restart cluster-peers"
[[ $(fixup_tasks) == "$fixups_before" ]] && pass "no fixup task ran during rolling-restart" || fail "fixup tasks ran during rolling-restart"
echo "master log: $(grep 'rolling restart' "$dir/master.log" | tail -8 | cut -c1-160 | tr '\n' ';')"
check_exact "$shh" "after the rolling restarts, search head"

echo "== 5. a peer that returns gets the current bundle before it takes data"
stop peer4
wait_until 20 "the master to show peer4 Down" "master" cq has peer4 Down || fail "peer4 never Down: $(cq summary)"
cat > "$dir/master/etc/master-apps/app2.toml" <<'EOF'
[indexes.app2]
repFactor = "auto"
EOF
k master apply cluster-bundle > "$dir/apply.out" 2>&1 || fail "apply with peer4 down: $(cat "$dir/apply.out")"
third=$(k master --json show cluster-bundle-status | python3 -c 'import json,sys; print(json.load(sys.stdin)["active_bundle"])')
[[ ! -e "$dir/peer4/etc/slave-apps/app2.toml" ]] || fail "peer4 got the bundle while it was down"
start peer4
if wait_until 30 "peer4 to install the bundle and be Up" "master peer4" bundle_applied "$third" $peers; then
  cmp -s "$dir/master/etc/master-apps/app2.toml" "$dir/peer4/etc/slave-apps/app2.toml" &&
    pass "peer4 returned and got bundle $third (app2.toml byte-identical) before it took data" ||
    fail "peer4's slave-apps/app2.toml differs"
else
  fail "peer4 did not get the bundle: $(cat "$dir/bundle.json")"
fi
# The master may show peer4 Up a heartbeat before peer4 hears that the cluster can index;
# until then peer4 answers 503 "Server is busy" (HEC clients retry that). Then it must take
# the event.
hec_app2() {
  code=$(curl -s -o "$dir/hec.out" -w '%{http_code}' -H 'Authorization: Splunk hec-1' \
    -d '{"event": "app2 event", "index": "app2"}' "http://127.0.0.1:${http[peer4]}/services/collector/event")
  [[ $code == 200 ]] || { [[ $code == 503 ]] && busy_since=${busy_since:-$SECONDS}; false; }
}
busy_since=""
hec_start=$SECONDS
if wait_until 20 "peer4 to take data for app2" "peer4" hec_app2; then
  pass "peer4 takes data for the bundle's index app2 (after $((SECONDS - hec_start)) s${busy_since:+ of 503 busy})"
else
  fail "HEC to app2 on peer4: $code $(cat "$dir/hec.out")"
fi

echo "== 6. a peer-local index with repFactor = \"auto\" is refused"
cp "$dir/peer1.toml" "$dir/peer1-local.toml"
printf '[indexes.mine]\nrepFactor = "auto"\n' >> "$dir/peer1-local.toml"
rc=0
"$node" --config "$dir/peer1-local.toml" --check > "$dir/check.out" 2>&1 || rc=$?
[[ $rc == 2 ]] && grep -q "repFactor" "$dir/check.out" && grep -q "master-apps" "$dir/check.out" &&
  pass "kura-node --check refuses it (exit 2): $(cat "$dir/check.out")" || fail "peer-local repFactor auto: exit $rc $(cat "$dir/check.out")"

echo "== 7. edit cluster-config -replication_factor / -search_factor"
copies_at_least() {  # copies_at_least N: every warm or cold bucket of main has N copies
  python3 - "$mh" "$1" <<'PY'
import json, sys, urllib.request
req = urllib.request.Request(f"http://127.0.0.1:{sys.argv[1]}/services/cluster/master/buckets", headers={"Authorization": "Bearer api-1"})
b = [x for x in json.loads(urllib.request.urlopen(req, timeout=5).read()) if x["index"] == "main" and x["state"] != "hot"]
sys.exit(0 if b and all(len(x["copies"]) >= int(sys.argv[2]) for x in b) else 1)
PY
}
four_copies() { copies_at_least 4 && cq state settled; }
k master edit cluster-config -replication_factor 4 > "$dir/edit.out" 2>&1 || fail "edit -replication_factor 4: $(cat "$dir/edit.out")"
if wait_until 60 "every bucket of main to get 4 copies, the cluster complete" "master" four_copies; then
  pass "replication_factor 4: every bucket of main has 4 copies, complete: $(cq summary)"
else
  fail "replication_factor 4 not reached: $(cq summary)"
fi
rc=0
k master edit cluster-config -search_factor 5 > "$dir/edit.out" 2>&1 || rc=$?
[[ $rc != 0 ]] && grep -q "search_factor" "$dir/edit.out" && pass "search_factor 5 > replication_factor is refused: $(cat "$dir/edit.out")" ||
  fail "search_factor 5: exit $rc $(cat "$dir/edit.out")"
k master edit cluster-config -replication_factor 3 > "$dir/edit.out" 2>&1 || fail "edit -replication_factor 3: $(cat "$dir/edit.out")"
[[ "$(cq field replication_factor)" == 3 ]] && pass "replication_factor back to 3" || fail "replication_factor is $(cq field replication_factor)"
check_exact "$shh" "after the factor changes, search head"

echo "== 8. health follows the master"
stop master
if wait_until 30 "the search head's health to turn 503" "sh" bash -c "[[ \$(curl -s -o $dir/health.out -w '%{http_code}' http://127.0.0.1:$shh/services/server/health) == 503 ]]"; then
  pass "master stopped: the search head's health is 503: $(cat "$dir/health.out")"
else
  fail "master stopped: the search head's health stayed $(health "$shh")"
fi
start master
# The search head asks the restarted master again every 1-5 s; on a loaded 2-core CI machine
# the master's start and the peers' registrations took longer than 30 s once.
if wait_until 90 "the search head's health to be 200 again" "sh" bash -c "[[ \$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$shh/services/server/health) == 200 ]]"; then
  pass "master back: the search head's health is 200"
else
  fail "master back: the search head's health is $(health "$shh")"
fi

fault_summary
