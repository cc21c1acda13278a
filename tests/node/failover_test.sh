#!/usr/bin/env bash
# Peers taken offline and the master lost, as real processes on 127.0.0.1 (clustering.md
# §§13, 15, 16, product.md §7): a master (replication_factor 3, search_factor 2,
# heartbeat_period 0.5 s, heartbeat_timeout 3 s, restart_timeout 20 s, quiet_period 1 s),
# peer1..peer5 and a search head. The data: events "faultevent id=N ..." with unique ids over
# HEC raw on a channel, each batch acknowledged; the expected counts are the acknowledged ids
# (each found exactly once through the search head), never kura's own numbers.
# 1. data to every peer, rolled: every id once;
# 2. `kura offline` on peer5 (fast offline): it returns 0 once the master has reassigned
#    primaries (peer5 has none, the cluster is valid in a new generation); peer5 refuses input
#    and exits 0; the master shows it Restarting; started again within restart_timeout it is
#    Up with no fixup: every bucket of main has the copies it had before, on the same peers
#    (no copy made elsewhere); it never showed Down; every id once;
# 3. `kura edit cluster-config -restart_timeout 3` on the master (and -heartbeat_timeout 3
#    -quiet_period 1) answer 0;
# 4. `kura offline` on peer4, which does not return: Restarting, then Down 3 s later (the
#    edited restart_timeout, not the configured 20 s); fixup ends valid and complete; every
#    bucket of main has >= 3 copies and >= 2 searchable ones on live peers; every id once;
# 5. `kura offline --enforce-counts` on peer3 (4 peers up): Decommissioning; fixup completes
#    the cluster without it; then it exits 0 and shows GracefulShutdown; the command answers 0;
#    every bucket has its copies on the 3 peers left; every id once. Then, with exactly
#    replication_factor peers, `offline --enforce-counts` on peer5 never completes: still
#    Decommissioning and running after 5 s; it is killed with kill -9; peer3 and peer5 are
#    started again and are Up (§13.4: a decommissioned peer restarted is added back);
# 6. the master killed with kill -9: the peers still take HEC input into their hot buckets
#    (made while the master was up, with their targets) and acknowledge it; the search head
#    keeps the last generation and still finds every id once (a WARN that the master does not
#    answer is allowed and printed); the master restarted: valid and complete after its
#    quiet_period, a generation greater than before, every id once;
# 7. standby master (§16.3): the master killed with kill -9, a second master started from a
#    copy of its config (same ports) with an empty home: the peers register with it, it
#    rebuilds the bucket table from their reports (every bucket of main known before), the
#    cluster is valid and complete, every id once, and new input is acknowledged and found.
# A failed check is reported and the test goes on where it can; it exits 1 at the end if any
# check failed. KURA_KEEP_TEST_DIR=1 keeps the homes and logs.
set -euo pipefail
node="$1"
kura="$2"
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/lib.sh"
all_nodes="master peer1 peer2 peer3 peer4 peer5 sh standby"
fault_init failover failover-secret-1
k() { local n="$1"; shift; "$kura" --uri "127.0.0.1:${admin[$n]}" --secret-file "$dir/secret" --timeout 100 "$@"; }

# offline NAME [--enforce-counts]: `kura offline` against the peer's admin port, in the
# foreground (at most 120 s); sets off_rc and off_secs; its output in $dir/offline-NAME.out.
offline() {
  local t0=$EPOCHREALTIME
  off_rc=0
  timeout 120 "$kura" --uri "127.0.0.1:${admin[$1]}" --secret-file "$dir/secret" --timeout 110 offline "${@:2}" \
    > "$dir/offline-$1.out" 2>&1 || off_rc=$?
  off_secs="$(since "$t0")"
}
# offline_bg NAME --enforce-counts: the same in the background; its exit code goes to
# $dir/offline-NAME.rc when it ends; off_pid is its pid.
offline_bg() {
  ( rc=0; timeout 150 "$kura" --uri "127.0.0.1:${admin[$1]}" --secret-file "$dir/secret" --timeout 140 offline "${@:2}" \
      > "$dir/offline-$1.out" 2>&1 || rc=$?; echo "$rc" > "$dir/offline-$1.rc" ) &
  off_pid=$!
  bg+=("$off_pid")
}
# exited_0 NAME SECS LABEL: the node's process exits by itself within SECS with code 0; else FAIL
# (and, when it still runs, it is stopped with SIGTERM so that the test can go on).
exited_0() {
  if wait_exit "$1" "$2"; then
    if [[ ${stop_rc[$1]} == 0 ]]; then pass "$3: $1's process exited 0"; else fail "$3: $1's process exited ${stop_rc[$1]}"; fi
  else
    fail "$3: $1's process still runs $2 s later ($(cq summary)); stopping it with SIGTERM to go on"
    stop "$1"
  fi
}
peer_field() {  # peer_field NAME FIELD: FIELD of the master/peers entry named NAME
  get "$mh" /services/cluster/master/peers | python3 -c '
import json, sys
print(next((json.dumps(p.get(sys.argv[2])) for p in json.load(sys.stdin) if p["name"] == sys.argv[1]), ""))' "$1" "$2"
}

# ============================================================================
echo "== 0. a master, peer1..peer5 (replication_factor 3, search_factor 2), a search head"
peers=(peer1 peer2 peer3 peer4 peer5)
fault_configure master 3 2 20 sh "${peers[@]}"
mh=${http[master]}
for n in master "${peers[@]}" sh; do start "$n"; done
start_status_watch
wait_until 60 "the cluster to be ready (5 peers Up, the search head on the master's generation)" "master sh" \
  fault_ready "${http[sh]}" "${peers[@]}" || die "the cluster never became ready: $(cq summary)"
pass "the cluster is ready: $(cq summary)"

echo "== 1. data to every peer, rolled"
feed_ok=1
feed_each_and_roll 500 "${peers[@]}"
[[ $feed_ok == 1 ]] && pass "2500 events over HEC raw to the 5 peers, every batch acknowledged, rolled" ||
  fail "a HEC batch was not acknowledged before any fault (above)"
check_exact "${http[sh]}" "before the faults, search head"

# ============================================================================
echo "== 2. fast offline of peer5, back within restart_timeout: no fixup"
cq copies > "$dir/copies_before.json"
gen0="$(cq field generation)"
offline peer5
if [[ $off_rc == 0 ]]; then
  pass "kura offline on peer5 answered 0 after $off_secs s: $(head -c 200 "$dir/offline-peer5.out")"
  prim="$(peer_field peer5 primaries)"
  # The master released peer5 when the cluster was valid without it; the peer then answered
  # searches for 7 s more, in which other peers' buckets may roll (a passing moment when a
  # rolled copy is not yet searchable): valid again within a few seconds is what counts.
  valid_after_offline() { cq state valid "$gen0"; }
  if [[ "$prim" == 0 ]] && wait_until 10 "the cluster valid in a new generation" "master" valid_after_offline; then
    pass "when kura offline returned, peer5 had no primary left and the cluster was valid in a new generation"
  else
    fail "when kura offline returned: peer5 primaries '$prim'; $(cq summary)"
  fi
  code=$(curl -s -o "$dir/probe.out" -w '%{http_code}' -H 'Authorization: Splunk hec-1' --data-binary 'offline probe' \
    "http://127.0.0.1:${http[peer5]}/services/collector/raw?index=main&sourcetype=offlineprobe" || true)
  if [[ $code != 200 ]]; then pass "peer5 takes no input after kura offline (HEC answered HTTP $code)"
  else fail "peer5 still took HEC input after kura offline: $(cat "$dir/probe.out")"; fi
else
  fail "kura offline on peer5 exited $off_rc: $(head -c 300 "$dir/offline-peer5.out"); stopping peer5 with SIGTERM instead"
  stop peer5
fi
[[ -n "${pid[peer5]:-}" ]] && exited_0 peer5 30 "after kura offline"
t_exit=$EPOCHREALTIME
restarting() { cq has peer5 Restarting; }
wait_until 10 "the master to show peer5 Restarting" "master" restarting && pass "the master shows peer5 Restarting" ||
  fail "the master does not show peer5 Restarting: $(cq summary)"
start peer5
back_secs="$(since "$t_exit")"
up5() { cq has peer5 Up; }
wait_until 30 "peer5 to be Up again" "master peer5" up5 && pass "peer5 Up again ($back_secs s after it exited, restart_timeout 20 s)" ||
  fail "peer5 not Up again: $(cq summary)"
same_copies() { cq copies > "$dir/copies_now.json" && cmp -s "$dir/copies_before.json" "$dir/copies_now.json"; }
if wait_until 20 "every bucket of main to have the copies it had before the offline" "master" same_copies; then
  pass "no fixup for peer5's copies: every bucket of main has the same copies on the same peers as before ($(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$dir/copies_before.json") buckets)"
else
  fail "the copies of main changed across peer5's fast offline: $(python3 - "$dir/copies_before.json" "$dir/copies_now.json" <<'PY'
import json, sys
a, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
print({i: (a.get(i), b.get(i)) for i in set(a) | set(b) if a.get(i) != b.get(i)}.__repr__()[:600])
PY
)"
fi
seq5="$(status_seq peer5)"
[[ " $seq5 " != *" Down "* && " $seq5 " == *" Restarting "* ]] && pass "peer5's statuses: $seq5 (never Down)" ||
  fail "peer5's statuses were '$seq5' (expected Up [ReassigningPrimaries] Restarting Up, never Down)"
# A bucket that rolled while peer5 was away has a cut hot copy on peer5: the master gives it
# settle_time (15 s) to finish on its own before a replicate task resumes it, so 45 s.
settle "after peer5's return" 45
check_exact "${http[sh]}" "after peer5's fast offline and return, search head"

# ============================================================================
echo "== 3. edit cluster-config on the master"
if k master edit cluster-config -restart_timeout 3 > "$dir/edit.out" 2>&1; then
  pass "kura edit cluster-config -restart_timeout 3 answered 0"
else
  fail "kura edit cluster-config -restart_timeout 3: $(head -c 300 "$dir/edit.out")"
fi
if k master edit cluster-config -heartbeat_timeout 3 -quiet_period 1 > "$dir/edit.out" 2>&1; then
  pass "kura edit cluster-config -heartbeat_timeout 3 -quiet_period 1 answered 0"
else
  fail "kura edit cluster-config -heartbeat_timeout 3 -quiet_period 1: $(head -c 300 "$dir/edit.out")"
fi

# ============================================================================
echo "== 4. fast offline of peer4, which does not return: Down after restart_timeout, fixup"
offline peer4
if [[ $off_rc == 0 ]]; then pass "kura offline on peer4 answered 0 after $off_secs s"
else fail "kura offline on peer4 exited $off_rc: $(head -c 300 "$dir/offline-peer4.out"); stopping peer4 with SIGTERM instead"; stop peer4; fi
[[ -n "${pid[peer4]:-}" ]] && exited_0 peer4 30 "after kura offline"
down4() { cq has peer4 Down; }
down4_recorded() { [[ -n "$(status_time peer4 Down)" ]]; }
if wait_until 30 "peer4 to be Down" "master" down4 &&
   wait_until 10 "the status poller to record peer4 Down" "master" down4_recorded; then
  t_r="$(status_time peer4 Restarting)" t_d="$(status_time peer4 Down)"
  if [[ -n "$t_r" ]]; then
    secs="$(awk -v a="$t_r" -v b="$t_d" 'BEGIN { printf "%.1f", b - a }')"
    if awk -v s="$secs" 'BEGIN { exit !(s >= 2.5 && s <= 5.5) }'; then
      pass "peer4 Restarting, then Down $secs s later (the edited restart_timeout 3 s, not the configured 20 s)"
    else
      fail "peer4 Down $secs s after Restarting (expected about 3 s: the edited restart_timeout)"
    fi
  else
    fail "peer4 went Down without showing Restarting: $(status_seq peer4)"
  fi
else
  fail "peer4 not Down 30 s after kura offline: $(cq summary)"
fi
settle "after peer4's offline without return" 60
check_buckets "master/buckets" "master/buckets after peer4's fixup" 3 2
check_exact "${http[sh]}" "after peer4's fixup, search head" 30

# ============================================================================
echo "== 5. offline --enforce-counts of peer3 (4 peers up)"
offline_bg peer3 --enforce-counts
# The master's answer is the witness: the status watcher samples every 0.2 s and may log
# Decommissioning only after this wait has ended.
seen3=0
decom3() { cq has peer3 Decommissioning && seen3=1; ((seen3)) || [[ -s "$dir/offline-peer3.rc" ]]; }
wait_until 15 "peer3 to be Decommissioning" "master peer3" decom3 || true
if [[ -s "$dir/offline-peer3.rc" && "$(cat "$dir/offline-peer3.rc")" != 0 ]]; then
  fail "kura offline --enforce-counts on peer3 exited $(cat "$dir/offline-peer3.rc"): $(head -c 300 "$dir/offline-peer3.out"); stopping peer3 with SIGTERM instead"
  stop peer3
else
  [[ $seen3 == 1 || " $(status_seq peer3) " == *" Decommissioning "* ]] && pass "peer3 Decommissioning" ||
    fail "peer3 not seen Decommissioning: $(status_seq peer3)"
  exited_0 peer3 60 "after kura offline --enforce-counts"
  graceful3() { cq has peer3 GracefulShutdown; }
  wait_until 10 "peer3 to show GracefulShutdown" "master" graceful3 && pass "peer3 shows GracefulShutdown ($(status_seq peer3))" ||
    fail "peer3 does not show GracefulShutdown: $(status_seq peer3)"
  cmd_done() { [[ -s "$dir/offline-peer3.rc" ]]; }
  wait_until 30 "kura offline --enforce-counts to return" "" cmd_done || true
  [[ "$(cat "$dir/offline-peer3.rc" 2>/dev/null)" == 0 ]] && pass "kura offline --enforce-counts on peer3 answered 0" ||
    fail "kura offline --enforce-counts on peer3: exit '$(cat "$dir/offline-peer3.rc" 2>/dev/null)': $(head -c 300 "$dir/offline-peer3.out")"
fi
settle "without peer3 (decommissioned)" 60
check_buckets "master/buckets without peer3" "master/buckets without peer3" 3 2
check_exact "${http[sh]}" "after peer3's decommission, search head" 30

echo "== 5b. offline --enforce-counts of peer5 with exactly replication_factor peers never completes"
rm -f "$dir/offline-peer5.rc"
offline_bg peer5 --enforce-counts
decom5() { cq has peer5 Decommissioning || [[ -s "$dir/offline-peer5.rc" ]]; }
wait_until 15 "peer5 to be Decommissioning" "master peer5" decom5 || true
still=1
for _ in $(seq 25); do  # 5 s
  { cq has peer5 Decommissioning && kill -0 "${pid[peer5]}" 2>/dev/null; } || { still=0; break; }
  sleep 0.2
done
if [[ $still == 1 ]]; then pass "with 3 peers for replication_factor 3, peer5 is still Decommissioning and running after 5 s"
else fail "peer5 after offline --enforce-counts with 3 peers: statuses '$(status_seq peer5)', command: $(head -c 200 "$dir/offline-peer5.out")"; fi
kill9 peer5
kill "$off_pid" 2>/dev/null || true
wait "$off_pid" 2>/dev/null || true
start peer3
start peer5
if wait_until 30 "peer3 (decommissioned) and peer5 to be Up" "master peer3 peer5" fault_ready "${http[sh]}" peer1 peer2 peer3 peer5; then
  pass "peer3 (decommissioned) and peer5 (killed while decommissioning) started again are Up: $(cq summary)"
else
  fail "peer3 and peer5 started again: $(cq summary)"
fi
settle "with peer3 and peer5 back" 60
check_exact "${http[sh]}" "with peer3 and peer5 back, search head" 30

# ============================================================================
echo "== 6. the master killed with kill -9: ingest and search go on; the master restarted"
feed_ok=1
feed peer1 200 || feed_ok=0  # hot buckets with their targets, while the master is up
feed peer2 200 || feed_ok=0
[[ $feed_ok == 1 ]] || fail "a HEC batch was not acknowledged with the master up (above)"
gen1="$(cq field generation)"
kill9 master
feed_ok=1
feed peer1 300 || feed_ok=0  # into the hot buckets that have their targets
feed peer2 300 || feed_ok=0
[[ $feed_ok == 1 ]] && pass "with the master down, 600 events to peer1 and peer2: every batch acknowledged" ||
  fail "with the master down, a HEC batch was not acknowledged (above)"
sh_last_gen() { get "${http[sh]}" /services/cluster/searchhead/generation | python3 -c '
import json, sys
g = json.load(sys.stdin)
# The last generation it heard of: the last of the master, or one before it when the master
# changed generation within the 5 s refresh of the search head before it died.
sys.exit(not (len(g) == 1 and 0 < g[0].get("generation", 0) <= int(sys.argv[1])
              and g[0].get("peers") and g[0].get("reachable") is False))' "$gen1"; }
if wait_until 15 "the search head to keep generation $gen1 with the master unreachable" "sh" sh_last_gen; then
  pass "the search head keeps the last generation ($gen1) with the master unreachable"
else
  fail "the search head with the master down: $(get "${http[sh]}" /services/cluster/searchhead/generation)"
fi
check_exact "${http[sh]}" "with the master down, search head" 20 allow-warn
t0=$EPOCHREALTIME
start master
back() { cq state settled "$gen1" && fault_ready "${http[sh]}" peer1 peer2 peer3 peer5; }
if wait_until 30 "the restarted master: valid, complete, no fixup, a generation above $gen1, the peers and search head back" \
  "master sh" back; then
  pass "the master restarted: valid and complete after $(since "$t0") s (quiet_period 1 s), generation $(cq field generation) > $gen1"
else
  fail "the master restarted: $(cq summary)"
fi
check_exact "${http[sh]}" "after the master's restart, search head" 30

# ============================================================================
echo "== 7. a standby master with an empty home takes over"
cq copies > "$dir/copies_before.json"
kill9 master
sed "s|^home = .*|home = \"$dir/standby\"|" "$dir/master.toml" > "$dir/standby.toml"
http[standby]=${http[master]} admin[standby]=${admin[master]}
"$node" --config "$dir/standby.toml" --check > /dev/null || fail "standby.toml is not valid"
t0=$EPOCHREALTIME
start standby
mname=standby
if wait_until 60 "the peers to register with the standby master and the search head to follow" "standby sh" \
  fault_ready "${http[sh]}" peer1 peer2 peer3 peer5; then
  pass "the standby master (empty home, same ports) has peer1, peer2, peer3, peer5 Up after $(since "$t0") s"
else
  fail "the standby master: $(cq summary)"
fi
settle "with the standby master (time since its start)" 60 "$t0"
known_all() { cq copies > "$dir/copies_now.json" && python3 - "$dir/copies_before.json" "$dir/copies_now.json" <<'PY'
import json, sys
a, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
missing = sorted(set(a) - set(b))
if missing: sys.exit(f"{len(missing)} buckets of main unknown to the standby master: {missing[:8]}")
PY
}
if wait_until 20 "the standby master to know every bucket of main" "standby" known_all; then
  pass "the standby master rebuilt the bucket table from the peers' reports: every one of the $(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$dir/copies_before.json") buckets of main"
else
  fail "the standby master's bucket table (above)"
fi
check_buckets "standby master/buckets" "standby master/buckets" 3 2
check_exact "${http[sh]}" "with the standby master, search head" 60
feed peer1 200 && feed peer5 200 && pass "with the standby master, 400 new events acknowledged" ||
  fail "with the standby master, a HEC batch was not acknowledged (above)"
check_exact "${http[sh]}" "new input with the standby master, search head" 30

# ============================================================================
fault_summary
