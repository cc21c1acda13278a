#!/usr/bin/env bash
# A network partition of one peer, in network namespaces (netns_lib.sh): a
# master (h1), four peers peer1..peer4 (h2..h5; replication_factor 3,
# search_factor 2, heartbeat_period 0.5 s, heartbeat_timeout 4 s), a search head
# (h6) and the clients (h7), each node bound to its own address.
# 0. the cluster is ready (4 peers Up, the search head on the master's generation);
# 1. events with unique ids go in over HEC to peer1 on a channel, every batch is
#    acknowledged (ack true); roll-hot-buckets on every peer; more events go to
#    peer1 (they stay in its hot bucket); the search head finds each id once;
# 2. peer1's link is cut (its bridge port down):
#    - the master marks it Down (master/peers);
#    - HEC sent to peer1 from inside its own namespace during the cut is never
#      acknowledged: no ackId becomes true (a 503 or no answer is fine);
#    - the cluster becomes valid again (master/info valid true), the search head
#      then finds every acknowledged event exactly once;
#    - the cluster becomes complete again (complete true, fixup.pending 0);
# 3. the link is healed: peer1 is Up again, the cluster valid and complete, and
#    the search head finds every acknowledged event exactly once (the events
#    sent during the cut at most once).
# Needs root (ip netns); exits 77 (skipped) otherwise. Every wait is bounded and
# the whole test stops itself after KURA_PARTITION_LIMIT seconds (default 540).
# A failed check is reported and the test goes on where it can; it exits 1 at the
# end if any check failed. KURA_KEEP_TEST_DIR=1 keeps the homes and logs.
set -euo pipefail
node="$1"
kura="$2"
here="$(cd "$(dirname "$0")" && pwd)"
[[ $EUID -eq 0 ]] || { echo "partition test: needs root for network namespaces; skipped"; exit 77; }
command -v ip > /dev/null || { echo "partition test: no ip (iproute2); skipped"; exit 77; }
dir="$(mktemp -d)"
declare -A pid=()
failures=()
all_nodes="master peer1 peer2 peer3 peer4 sh"
source "$here/lib.sh"
source "$here/netns_lib.sh"

cleanup() {
  local rc=$?
  trap - EXIT TERM INT
  [[ -n "$lab_watchdog_pid" ]] && kill "$lab_watchdog_pid" 2>/dev/null || true
  if [[ $rc -ne 0 && ${#failures[@]} -eq 0 ]]; then
    echo "partition test stopped early (exit $rc)"
    # shellcheck disable=SC2086
    show_logs $all_nodes
  fi
  lab_stop_all
  lab_down
  if [[ -n "${KURA_KEEP_TEST_DIR:-}" ]]; then echo "kept $dir"; else rm -rf "$dir"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'echo "partition test: stopped by a signal"; exit 124' TERM INT
lab_watchdog "${KURA_PARTITION_LIMIT:-540}"

die() {
  echo "FATAL: $*"
  [[ ${#failures[@]} -gt 0 ]] && { echo "partition test: failed before it ended; failed checks so far:"; printf '  - %s\n' "${failures[@]}"; }
  failures+=("$*")
  exit 1
}

# --------------------------------------------------------------------- the lab
declare -A host=([master]=1 [peer1]=2 [peer2]=3 [peer3]=4 [peer4]=5 [sh]=6)
lab_master=1 lab_sh=6 lab_client=7
peers=(peer1 peer2 peer3 peer4)
lab_up 7 || die "the namespace lab did not come up"
secret="partition-secret-1"
echo "$secret" > "$dir/secret"
lab_toml master "$dir/master" master 1 "$secret" "" \
  "replication_factor = 3" "search_factor = 2" "heartbeat_period = 0.5" "heartbeat_timeout = 4" \
  "restart_timeout = 30" "quiet_period = 2" > "$dir/master.toml"
for p in "${peers[@]}"; do lab_toml "$p" "$dir/$p" peer "${host[$p]}" "$secret" 1 > "$dir/$p.toml"; done
lab_toml sh "$dir/sh" search_head 6 "$secret" 1 > "$dir/sh.toml"
for n in $all_nodes; do
  "$node" --config "$dir/$n.toml" --check > /dev/null 2> "$dir/check.err" || { cat "$dir/check.err"; die "$n.toml is not valid"; }
done

cluster_ready() {
  lab_jcheck "$(lab_info)" 'd.get("indexing_ready") is True and d.get("peers_up") == 4' &&
    lab_peers_up "${peers[@]}" &&
    lab_jcheck "$(lab_get "$lab_client" "$lab_sh" /services/cluster/searchhead/generation)" \
      'len(d) == 1 and d[0].get("reachable") is True and len(d[0].get("peers", [])) == 4'
}
check_search() {  # check_search LABEL WAIT LEDGER...: the search head finds the ledgers' events as check demands
  local label="$1" wait="$2"; shift 2
  local args=() l
  for l in "$@"; do args+=(--ledger "$l"); done
  if lab_client_py check --search "$(lab_addr sh)" --query "sourcetype=partition" --wait "$wait" "${args[@]}" > "$dir/check.json"; then
    pass "$label: $(lab_check_summary "$dir/check.json")"
  else
    fail "$label: $(lab_check_summary "$dir/check.json")"
  fi
}

# ============================================================================
echo "== 0. the cluster in namespaces: master h1, peers h2..h5, search head h6"
for n in $all_nodes; do lab_start "$n"; done
if wait_until 60 "the cluster to be ready (4 peers Up, the search head with 4 peers)" "$all_nodes" cluster_ready; then
  pass "the cluster is ready: master/info $(lab_info)"
else
  echo "master/peers: $(lab_peers_doc)"
  die "the cluster never became ready"
fi

# ============================================================================
echo "== 1. acknowledged events to peer1, rolled, then more in its hot bucket"
send_acked() {  # send_acked PREFIX EVENTS WHAT: EVENTS events to peer1 in batches of 100, each ackId true
  if lab_client_py send --peer "$(lab_addr peer1)" --prefix "$1" --sourcetype partition --events "$2" --batch 100 \
       --ack-timeout 30 --ledger "$dir/$1.ledger" > "$dir/$1.out"; then
    pass "$2 $3 to peer1, every ackId true: $(cat "$dir/$1.out")"
  else
    fail "$2 $3 to peer1 not all acknowledged: $(cat "$dir/$1.out")"
  fi
}
send_acked A 1500 events
roll_ok=1
for p in "${peers[@]}"; do lab_kura "$p" roll-hot-buckets > "$dir/roll.out" 2>&1 || { roll_ok=0; cat "$dir/roll.out"; }; done
if [[ $roll_ok == 1 ]]; then pass "roll-hot-buckets on every peer"; else fail "roll-hot-buckets failed (above)"; fi
if wait_until 30 "master/info valid and complete after the roll" "master" lab_complete; then
  pass "after the roll the master says valid and complete: $(lab_info)"
else
  fail "after the roll the master does not say valid and complete: $(lab_info)"
fi
send_acked B 600 "more events (they stay in peer1's hot bucket)"
check_search "before the cut, the search head finds every acknowledged event once" 30 "$dir/A.ledger" "$dir/B.ledger"

# ============================================================================
echo "== 2. peer1's link cut"
cut_at=$SECONDS
lab_cut "${host[peer1]}"
# HEC to the cut-off peer from its own namespace, at once (before the master knows)
ip netns exec "$(lab_ns "${host[peer1]}")" python3 "$here/chaos_client.py" send --peer "$(lab_addr peer1)" \
  --prefix C --sourcetype partition --events 60 --batch 30 --timeout 10 --ack-timeout 25 \
  --ledger "$dir/C.ledger" > "$dir/C.out" 2> "$dir/C.err" &
cut_client=$!
statuses=""
seen_status() { local s; s="$(lab_peer_status peer1)"; [[ "$statuses" == *"$s"* ]] || statuses="${statuses:+$statuses -> }$s"; [[ $s == Down ]]; }
if wait_until 30 "the master to mark peer1 Down" "master" seen_status; then
  pass "the master marks peer1 Down $((SECONDS - cut_at)) s after the cut (statuses seen: $statuses)"
else
  fail "the master did not mark peer1 Down within 30 s of the cut (statuses seen: $statuses)"
fi
if wait_until 30 "master/info valid" "master" lab_valid; then
  pass "the cluster is valid again $((SECONDS - cut_at)) s after the cut: $(lab_info)"
else
  fail "the cluster is not valid 30 s after peer1 was marked Down: $(lab_info)"
fi
# The search head refreshes its generation every 5 s (clustering.md §6.3: periodically): a search
# begun on the last one still asks peer1, waits out the request timeout (30 s) and warns that
# peer1's data is missing; the warning makes the search head ask the master at once, so the next
# search runs on the new generation. Hence 75 s: one such search, then the exact one.
check_search "during the cut (cluster valid), the search head finds every acknowledged event exactly once" 75 \
  "$dir/A.ledger" "$dir/B.ledger"
if wait_until 60 "master/info complete with fixup.pending 0" "master" lab_complete; then
  pass "the cluster is complete again $((SECONDS - cut_at)) s after the cut: $(lab_info)"
else
  fail "the cluster is not complete (fixup) 60 s after the cut: $(lab_info)"
  grep -hiE "fixup|hot cop|roll" "$dir/master.log" | tail -n 5 || true
fi
wait "$cut_client" || true
if python3 - "$dir/C.ledger" <<'PY'
import json, sys
b = [json.loads(l) for l in open(sys.argv[1])]
acked = [x["batch"] for x in b if x["acked"] or any(a["outcome"] == "acked" for a in x["attempts"])]
sys.exit(1 if acked or not b else 0)
PY
then
  pass "HEC to peer1 during the cut: no ackId became true ($(cat "$dir/C.out"))"
else
  fail "HEC to peer1 during the cut was acknowledged though peer1 could not replicate: $(cat "$dir/C.out")"
fi

# ============================================================================
echo "== 3. the link healed"
heal_at=$SECONDS
lab_heal "${host[peer1]}"
if wait_until 60 "peer1 to be Up again" "master peer1" lab_status_is peer1 Up; then
  pass "peer1 is Up again $((SECONDS - heal_at)) s after the heal"
else
  fail "peer1 is not Up 60 s after the heal: $(lab_peer_status peer1)"
fi
kill -0 "${pid[peer1]}" 2>/dev/null || fail "peer1's process is gone"
if wait_until 60 "master/info valid and complete after the heal" "master" lab_complete; then
  pass "after the heal the cluster is valid and complete ($((SECONDS - heal_at)) s): $(lab_info)"
else
  fail "after the heal the cluster is not valid and complete: $(lab_info)"
fi
check_search "after the heal, the search head finds every acknowledged event exactly once (those sent during the cut at most once)" 60 \
  "$dir/A.ledger" "$dir/B.ledger" "$dir/C.ledger"

# ============================================================================
if [[ ${#failures[@]} -gt 0 ]]; then
  echo "partition test: ${#failures[@]} check(s) failed:"
  printf '  - %s\n' "${failures[@]}"
  exit 1
fi
echo "partition test: all checks passed"
