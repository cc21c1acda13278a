#!/usr/bin/env bash
# Bucket fixup as real processes on 127.0.0.1 (clustering.md §§13-15, product.md §7), with
# small timings on the master (heartbeat_period 0.5 s, heartbeat_timeout 3 s, restart_timeout
# 5 s, quiet_period 1 s). The data: events "faultevent id=N ..." with unique ids, sent over HEC
# raw on a channel, each batch acknowledged; the expected counts are the acknowledged ids (each
# found exactly once through the search head: `stats count by id`), never kura's own numbers.
# Cluster A: a master, peer1..peer5 (replication_factor 3, search_factor 2), a search head.
# a. §14.2: data to every peer, roll, more data left hot on peer2 (which then holds primaries
#    and hot buckets); kill -9 peer2: it goes Pending and Down, a new generation is valid
#    within heartbeat_timeout + 1 s (+2 s for polling: each poll is a python + curl run on a
#    loaded 2-core machine, and the wait starts after the Down check; the time is printed;
#    scripts/bench-fixup measures it from the master's side); the copies of
#    its hot buckets on the other peers become warm rb_ directories, one of them primary;
#    fixup ends valid and complete with fixup.pending 0 (time printed); every bucket of main
#    has >= 3 copies and >= 2 searchable ones on live peers, each listed copy is on disk with a
#    byte-identical journal; every acknowledged id is found exactly once;
# d. §15: peer2 restarted with its home: Up again, its copies count again (a bucket with 4
#    copies), no primary moves, every id once;
# b. disk loss of a receiving peer: while a HEC client streams acknowledged batches to peer1,
#    a target of peer1's hot bucket is killed with kill -9, its home deleted, and it starts again
#    with an empty home (a new GUID: a new peer); the stream goes on; every acknowledged id is
#    found exactly once, and the cluster is valid and complete again.
# Cluster C: a master, q1..q3 (replication_factor 3, search_factor 1), a search head.
# c. §14.3: kill -9 q1 (hot buckets and primaries): q1 Down; the cluster is valid again once
#    the other copies are made searchable; not complete (2 peers cannot hold 3 copies):
#    complete false, buckets.complete < buckets.total; the fixup that can be done is done
#    (fixup.primary 0, fixup.searchable 0) and it stays so for 3 s. fixup.replicate is printed
#    but not checked: the contract does not say whether replication that cannot happen counts as
#    pending. Every bucket of main keeps its 2 copies on q2 and q3, one primary, >= 1
#    searchable; every acknowledged id is found exactly once.
# A failed check is reported and the test goes on where it can; it exits 1 at the end if any
# check failed. KURA_KEEP_TEST_DIR=1 keeps the homes and logs.
set -euo pipefail
node="$1"
kura="$2"
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/lib.sh"
all_nodes="master peer1 peer2 peer3 peer4 peer5 sh master3 q1 q2 q3 sh3"
fault_init fixup fixup-secret-1
k() { local n="$1"; shift; "$kura" --uri "127.0.0.1:${admin[$n]}" --secret-file "$dir/secret" --timeout 60 "$@"; }

# disk_ok LIVE_PEER...: every copy of main that master/buckets lists on one of these peers is
# a bucket directory there (db_/rb_ with the bucket's local id and origin GUID, none still
# being received), and the journals of all copies of a bucket are byte-identical.
disk_ok() {
  get "$mh" /services/cluster/master/buckets > "$dir/disk_buckets.json" || return 1
  python3 - "$dir" "$@" > "$dir/disk.out" 2>&1 <<'PY'
import filecmp, json, os, re, sys
d, live = sys.argv[1], sys.argv[2:]
errors, checked = [], 0
for b in json.load(open(f"{d}/disk_buckets.json")):
    if b["index"] != "main" or b["state"] == "hot": continue
    _, local, origin = b["id"].split("~")
    journals = []
    for c in b["copies"]:
        if c["peer"] not in live: continue
        found = []
        for sub in ("db", "colddb"):
            base = f"{d}/{c['peer']}/var/lib/kura/defaultdb/{sub}"
            for name in os.listdir(base) if os.path.isdir(base) else []:
                if re.fullmatch(rf"(db|rb)_\d+_\d+_{local}_{re.escape(origin)}", name): found.append(f"{base}/{name}")
                elif name == f"{local}_{origin}": errors.append(f"{b['id']}: {c['peer']} still receives it ({sub}/{name})")
        if len(found) != 1:
            errors.append(f"{b['id']}: listed on {c['peer']}, directories there: {found}"); continue
        journals.append(f"{found[0]}/rawdata/journal")
        checked += 1
    for j in journals[1:]:
        if not (os.path.isfile(j) and os.path.isfile(journals[0]) and filecmp.cmp(journals[0], j, shallow=False)):
            errors.append(f"{b['id']}: journal {j} differs from {journals[0]}")
if errors:
    print("\n".join(errors[:20])); sys.exit(1)
print(f"{checked} warm copies of main on {', '.join(live)} found on disk, journals identical per bucket")
PY
}

# ============================================================================
echo "== 0. cluster A: a master, peer1..peer5 (replication_factor 3, search_factor 2), a search head"
peersA=(peer1 peer2 peer3 peer4 peer5)
fault_configure master 3 2 5 sh "${peersA[@]}"
mh=${http[master]}
for n in master "${peersA[@]}" sh; do start "$n"; done
start_status_watch
watch_pid=${bg[-1]}
wait_until 60 "cluster A to be ready (5 peers Up, the search head on the master's generation)" "master sh" \
  fault_ready "${http[sh]}" "${peersA[@]}" || die "cluster A never became ready: $(cq summary)"
pass "cluster A ready: $(cq summary)"

echo "== a. §14.2: kill -9 of a peer with primaries and hot buckets (5 peers, RF 3, SF 2)"
feed_ok=1
feed_each_and_roll 600 "${peersA[@]}"
feed peer2 400 || feed_ok=0
feed peer1 200 || feed_ok=0
feed peer3 200 || feed_ok=0
if [[ $feed_ok == 1 ]]; then pass "3800 events over HEC raw to the 5 peers (600 each, rolled; then 800 more left hot), every batch acknowledged"
else fail "a HEC batch was not acknowledged before any fault (above)"; fi
check_exact "${http[sh]}" "before the fault, search head"

victim=peer2
vguid="$(guid_of $victim)"
gen0="$(cq field generation)"
cq hot "$vguid" > "$dir/victim_hot"
vprim="$(get "$mh" /services/cluster/master/peers | python3 -c '
import json, sys; print(sum(p["primaries"] for p in json.load(sys.stdin) if p["name"] == sys.argv[1]))' $victim)"
if [[ -s "$dir/victim_hot" && ${vprim:-0} -gt 0 ]]; then
  pass "$victim holds $vprim primaries and hot buckets $(paste -sd' ' "$dir/victim_hot") before the fault"
else
  fail "$victim should hold primaries and hot buckets before the fault: primaries ${vprim:-?}, hot: $(paste -sd' ' "$dir/victim_hot")"
fi
declare -A vtargets=()
while read -r id; do vtargets[$id]="$(cq targets "$id" | paste -sd' ')"; done < "$dir/victim_hot"

t_kill=$EPOCHREALTIME
kill9 $victim
down_ok() { cq has $victim Down; }
if wait_until 15 "$victim to be Down" "master" down_ok; then
  pass "$victim Down $(since "$t_kill") s after kill -9 (heartbeat_timeout $hb_timeout s); statuses seen: $(status_seq $victim)"
else
  fail "$victim not Down 15 s after kill -9: $(cq summary)"
fi
# The status watcher polls every 0.2 s: under load it logs Down a moment after the check above.
went_down() { [[ "$(status_seq $victim)" == *"Pending Down"* ]]; }
wait_until 5 "the status watcher to log $victim Down" "" went_down && pass "$victim went Up -> Pending -> Down" ||
  fail "$victim's statuses were '$(status_seq $victim)', expected Up Pending Down"
if secs="$(cq valid-after "$gen0" $victim "${t_kill/,/.}" 20)"; then
  if awk -v s="$secs" -v t="$hb_timeout" 'BEGIN { exit !(s <= t + 3) }'; then
    pass "valid again in a new generation $secs s after kill -9 (<= heartbeat_timeout + 1 s, +2 s for polling)"
  else
    fail "valid again only $secs s after kill -9 (expected <= heartbeat_timeout + 1 s = $((hb_timeout + 1)) s, +2 s for polling; Down seen $(awk -v a="${t_kill/,/.}" -v b="$(status_time $victim Down)" 'BEGIN { printf "%.1f", b - a }') s after the kill)"
  fi
else
  fail "no valid new generation 20 s after kill -9: $(cq summary)"
fi

# The copies of the victim's hot buckets: warm (rb_ on disk), one of them primary.
hot_copies_rolled() {
  get "$mh" /services/cluster/master/buckets > "$dir/b.json" || return 1
  python3 - "$dir" "$vguid" "$(paste -sd' ' "$dir/victim_hot")" > "$dir/hotcopies.out" 2>&1 <<'PY'
import json, os, re, sys
d, vguid, ids = sys.argv[1], sys.argv[2], sys.argv[3].split()
buckets = {b["id"]: b for b in json.load(open(f"{d}/b.json"))}
errors = []
for i in ids:
    b = buckets.get(i)
    if b is None: errors.append(f"{i}: not in master/buckets"); continue
    live = [c for c in b["copies"] if c["guid"] != vguid]
    if b["state"] == "hot": errors.append(f"{i}: still hot")
    if sum(c["primary"] for c in live) != 1: errors.append(f"{i}: primary copies on live peers: {[c['peer'] for c in live if c['primary']]}")
    _, local, origin = i.split("~")
    for c in live:
        cold = f"{d}/{c['peer']}/var/lib/kura/defaultdb/colddb"
        names = [n for n in os.listdir(cold) if re.fullmatch(rf"rb_\d+_\d+_{local}_{re.escape(origin)}", n)]
        if len(names) != 1: errors.append(f"{i}: on {c['peer']} rb_ directories {names}, colddb: {sorted(os.listdir(cold))}")
if not ids: errors.append("the victim had no hot bucket")
if errors: print("\n".join(errors)); sys.exit(1)
print(f"{len(ids)} hot buckets of the victim are warm rb_ copies on the other peers, one primary each")
PY
}
if wait_until 20 "the copies of $victim's hot buckets to be warm rb_ copies, one primary" "master peer1 peer3" hot_copies_rolled; then
  pass "$(cat "$dir/hotcopies.out") (targets were: $(for i in "${!vtargets[@]}"; do echo -n "$i -> ${vtargets[$i]}; "; done))"
else
  fail "the copies of $victim's hot buckets: $(cat "$dir/hotcopies.out")"
fi
settle "after kill -9 of $victim (time since the kill)" 90 "$t_kill"
livesA=(peer1 peer3 peer4 peer5)
check_buckets "master/buckets" "master/buckets after fixup" 3 2
if wait_until 20 "every copy listed on a live peer to be on its disk, journals identical" "" disk_ok "${livesA[@]}"; then
  pass "on disk: $(cat "$dir/disk.out")"
else
  fail "on disk: $(cat "$dir/disk.out")"
fi
check_exact "${http[sh]}" "after the fixup, search head" 30

# ============================================================================
echo "== d. §15: $victim returns with its home"
cq primaries > "$dir/prim_before.json"
start $victim
up_again() { cq has $victim Up; }
wait_until 30 "$victim to be Up again" "master $victim" up_again && pass "$victim is Up again: $(cq summary)" ||
  fail "$victim is not Up again: $(cq summary)"
four_copies() { [[ "$(cq max-copies)" -ge 4 ]]; }
if wait_until 30 "a bucket of main with 4 copies ($victim's count again)" "master $victim" four_copies; then
  pass "$victim's copies count again: buckets of main with up to $(cq max-copies) copies"
else
  fail "no bucket of main has 4 copies after $victim's return (max $(cq max-copies)): its copies do not count again"
fi
cq primaries > "$dir/prim_after.json"
if python3 - "$dir/prim_before.json" "$dir/prim_after.json" "$vguid" <<'PY'
import json, sys
# Buckets that had one primary before the return keep it; none has one on the returned peer.
before, after = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
had = {i: p for i, p in before.items() if len(p) == 1}
moved = {i: (p, after.get(i)) for i, p in had.items() if after.get(i) != p}
to_victim = [i for i in had if sys.argv[3] in after.get(i, [])]
if moved or to_victim:
    sys.exit(f"primaries changed: {json.dumps(moved)[:600]}; on the returned peer: {to_victim[:8]}")
print(f"{len(had)} buckets keep their primary ({len(before) - len(had)} had none before the return)")
PY
then pass "no primary moved back to $victim (nor elsewhere) after its return"
else fail "primaries after $victim's return (above)"; fi
settle "after $victim's return" 30
check_exact "${http[sh]}" "after $victim's return, search head" 30

# ============================================================================
echo "== b. disk loss of a receiving peer while peer1 streams acknowledged batches"
p1guid="$(guid_of peer1)"
rm -f "$dir/stop-stream"
FEED_BATCH=100 FEED_PAUSE=0.1 python3 "$dir/hec_feed.py" "${http[peer1]}" "$next_id" 1000000 "$dir/feeds/peer1-stream.log" "$dir/stop-stream" \
  2>> "$dir/feed.err" &
streamer=$!
bg+=("$streamer")
next_id=$((next_id + 1000000))
acked_batches() { grep -c '^acked' "$dir/feeds/peer1-stream.log" 2>/dev/null || echo 0; }
target=""
pick_target() {  # a target of peer1's hot bucket (a peer name), once the stream has 3 acked batches
  local id g
  [[ "$(acked_batches)" -ge 3 ]] || return 1
  id="$(cq hot "$p1guid" | head -n1)"
  [[ -n "$id" ]] || return 1
  g="$(cq targets "$id" | head -n1)"
  [[ -n "$g" ]] || return 1
  for n in "${peersA[@]}"; do [[ "$(guid_of "$n")" == "$g" ]] && { target=$n; tbucket=$id; return 0; }; done
  return 1
}
if wait_until 30 "the stream to peer1 to be acknowledged and peer1's hot bucket to have targets" "master peer1" pick_target; then
  pass "streaming to peer1: $(acked_batches) batches acknowledged; $target holds a copy of its hot bucket $tbucket"
  tguid="$(guid_of "$target")"
  before_kill=$(acked_batches)
  kill9 "$target"
  rm -rf "${dir:?}/$target"
  echo "$target killed with kill -9 and its home deleted after $before_kill acknowledged batches"
  start "$target"
  new_guid="$(guid_of "$target")"
  new_up() { get "$mh" /services/cluster/master/peers | python3 -c '
import json, sys; sys.exit(not any(p["guid"] == sys.argv[1] and p["status"] == "Up" for p in json.load(sys.stdin)))' "$new_guid"; }
  if [[ "$new_guid" != "$tguid" ]] && wait_until 30 "$target with its new GUID to be Up" "master $target" new_up; then
    pass "$target started again with an empty home: a new GUID ($new_guid, was $tguid), Up"
  else
    fail "$target with an empty home: GUID $new_guid (was $tguid), not Up: $(cq summary)"
  fi
  more_acked() { [[ "$(acked_batches)" -ge $((before_kill + 8)) ]]; }
  if wait_until 90 "8 more batches to peer1 to be acknowledged after the kill" "master peer1 $target" more_acked; then
    pass "the stream to peer1 went on: $(acked_batches) batches acknowledged, $((before_kill)) before the kill"
  else
    fail "the stream to peer1 stalled after $target's disk loss: $(acked_batches) batches acknowledged ($before_kill before); $(tail -n2 "$dir/feed.err" 2>/dev/null)"
  fi
else
  fail "no hot bucket of peer1 with a target while streaming ($(acked_batches) batches acknowledged): $(cq summary)"
fi
touch "$dir/stop-stream"
wait_until 90 "the stream to peer1 to stop" "" bash -c "! kill -0 $streamer 2>/dev/null" || kill -9 "$streamer" 2>/dev/null || true
wait "$streamer" 2>/dev/null || true
lost="$(grep -c '^lost' "$dir/feeds/peer1-stream.log" || true)"
echo "stream to peer1: $(acked_batches) batches acknowledged, ${lost:-0} not acknowledged"
check_exact "${http[sh]}" "after the disk loss, search head" 45
settle "after the disk loss of $target" 90
check_buckets "master/buckets" "master/buckets after the disk loss" 3 2

echo "== cluster A stops"
stop sh "${peersA[@]}" master
kill "$watch_pid" 2>/dev/null || true  # cluster A's status watcher
wait "$watch_pid" 2>/dev/null || true

# ============================================================================
echo "== c. §14.3: cluster C, a master, q1..q3 (replication_factor 3, search_factor 1), a search head"
peersC=(q1 q2 q3)
fault_configure master3 3 1 5 sh3 "${peersC[@]}"
mh=${http[master3]} mname=master3
for n in master3 "${peersC[@]}" sh3; do start "$n"; done
mv "$dir/statuses.log" "$dir/statuses-A.log"
mv "$dir/feeds" "$dir/feeds-A"  # cluster C's expected ids are its own
mkdir "$dir/feeds"
start_status_watch
wait_until 60 "cluster C to be ready" "master3 sh3" fault_ready "${http[sh3]}" "${peersC[@]}" ||
  die "cluster C never became ready: $(cq summary)"
feed_ok=1
feed_each_and_roll 600 "${peersC[@]}"
feed q1 300 || feed_ok=0
feed q2 100 || feed_ok=0
[[ $feed_ok == 1 ]] && pass "2200 events to q1..q3 (rolled, then 400 more left hot), every batch acknowledged" ||
  fail "a HEC batch to cluster C was not acknowledged (above)"
check_exact "${http[sh3]}" "cluster C before the fault, search head"
gen0="$(cq field generation)"
t_kill=$EPOCHREALTIME
kill9 q1
q1_down() { cq has q1 Down; }
wait_until 15 "q1 to be Down" "master3" q1_down && pass "q1 Down $(since "$t_kill") s after kill -9" ||
  fail "q1 not Down 15 s after kill -9: $(cq summary)"
c_valid() { cq has q1 Down && cq state valid "$gen0"; }
if wait_until 60 "cluster C valid again (after non-searchable copies were made searchable)" "master3 q2 q3" c_valid; then
  pass "cluster C valid again $(since "$t_kill") s after kill -9 of q1 (search factor 1: after conversion)"
else
  fail "cluster C not valid 60 s after kill -9 of q1: $(cq summary)"
fi
c_done() {  # the fixup that can be done is done: primary and searchable tasks 0
  [[ "$(cq field fixup.primary)" == 0 && "$(cq field fixup.searchable)" == 0 ]] && cq state valid
}
c_incomplete() {  # valid, not complete, fewer complete buckets than buckets
  get "$mh" /services/cluster/master/info | python3 -c '
import json, sys
i = json.load(sys.stdin)
sys.exit(not (i["valid"] is True and i["complete"] is False and i["buckets"]["complete"] < i["buckets"]["total"]))'
}
if wait_until 30 "cluster C: fixup.primary and fixup.searchable 0" "master3" c_done; then
  stable=1
  for _ in $(seq 15); do  # 3 s
    { c_done && c_incomplete; } || { stable=0; break; }
    sleep 0.2
  done
  if [[ $stable == 1 ]]; then
    pass "cluster C with 2 of 3 peers: valid, not complete, no primary or searchable fixup left, for 3 s (fixup.replicate $(cq field fixup.replicate), not checked): $(cq summary)"
  else
    fail "cluster C with 2 of 3 peers should stay valid and incomplete with no primary or searchable fixup: $(cq summary)"
  fi
else
  fail "cluster C: primary/searchable fixup not done after 30 s: $(cq summary)"
fi
check_buckets "cluster C master/buckets" "cluster C master/buckets" 2 1
check_exact "${http[sh3]}" "cluster C after the fault, search head" 30

# ============================================================================
fault_summary
