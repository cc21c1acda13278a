#!/usr/bin/env bash
# scripts/netns-cluster as a user runs it (every step a separate invocation of the
# tool), with the binaries of KURA_NODE_DIR (kura-node, kura):
# 0. `up --peers 3 --heartbeat-timeout 5`: a master, 3 peers and a search head,
#    each in a network namespace of its own, ready (indexing_ready, 3 peers Up);
#    a second `up` of the same directory, or of another directory with the same
#    prefix, is refused and leaves the cluster alone;
# 1. events sent over HEC to peer1 from inside its namespace; the search head's
#    export (`search index=main | stats count`) finds exactly as many as were sent;
# 2. `cut peer3`: the master marks peer3 Down and the cluster is valid again; the
#    search head still finds every event exactly once;
# 3. `heal peer3`: peer3 is Up again; the search head finds every event exactly once;
# 4. `down`: the nodes are gone and no namespace of the cluster remains.
# Needs root (ip netns); exits 77 (skipped) otherwise. Every wait is bounded and the
# whole test stops itself after KURA_NETNS_CLUSTER_LIMIT seconds (default 240); the
# EXIT trap runs `scripts/netns-cluster down`. KURA_KEEP_TEST_DIR=1 keeps the
# cluster's directory (configs, homes, logs).
set -euo pipefail
bin_dir="$(realpath "$1")"
here="$(cd "$(dirname "$0")" && pwd)"
tool="$(cd "$here/../.." && pwd)/scripts/netns-cluster"
[[ $EUID -eq 0 ]] || { echo "netns-cluster test: needs root for network namespaces; skipped"; exit 77; }
command -v ip > /dev/null || { echo "netns-cluster test: no ip (iproute2); skipped"; exit 77; }
tmp="$(mktemp -d)"
dir="$tmp/cluster"          # the cluster's directory: lib.sh's show_logs reads $dir/NAME.log
prefix="kuralab-$$"         # as netns_lib.sh's labs: removed by a later lab_up if this shell dies
failures=()
downed=0
all_nodes="master peer1 peer2 peer3 sh"
source "$here/lib.sh"
source "$here/netns_lib.sh"  # lab_watchdog, lab_jcheck

cleanup() {
  local rc=$?
  trap - EXIT TERM INT
  [[ -n "$lab_watchdog_pid" ]] && kill "$lab_watchdog_pid" 2>/dev/null || true
  if [[ $rc -ne 0 && ${#failures[@]} -eq 0 ]]; then
    echo "netns-cluster test stopped early (exit $rc)"
    # shellcheck disable=SC2086
    show_logs $all_nodes
  fi
  if [[ $downed == 0 && -f "$dir/cluster.state" ]]; then "$tool" down --dir "$dir" || rc=1; fi
  if [[ -n "${KURA_KEEP_TEST_DIR:-}" ]]; then echo "kept $tmp"; else rm -rf "$tmp"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'echo "netns-cluster test: stopped by a signal"; exit 124' TERM INT
lab_watchdog "${KURA_NETNS_CLUSTER_LIMIT:-240}"

die() {
  echo "FATAL: $*"
  [[ ${#failures[@]} -gt 0 ]] && { echo "netns-cluster test: failed before it ended; failed checks so far:"; printf '  - %s\n' "${failures[@]}"; }
  failures+=("$*")
  exit 1
}

ctl() { "$tool" "$@"; }
# state KEY: a value of the cluster's cluster.state
state() { sed -n "s/^$1=//p" "$dir/cluster.state"; }
# addr NAME: NAME's address (its host number from cluster.state's hosts)
addr() { local h; for h in $(state hosts); do [[ ${h%%:*} == "$1" ]] && echo "10.200.0.${h#*:}"; done; }
# on NAME CURL-ARGS...: curl run inside NAME's namespace (at most 20 s)
on() { local n="$1"; shift; ctl exec --dir "$dir" "$n" curl -s -m 20 "$@"; }
master_get() { on master -H "Authorization: Bearer $api" "http://$(addr master):8088$1" || true; }
info() { master_get /services/cluster/master/info; }
peer_status() {  # peer_status NAME: its status in master/peers ("absent" when not listed)
  master_get /services/cluster/master/peers | python3 -c 'import json,sys
try: st = [p["status"] for p in json.load(sys.stdin) if p["name"] == sys.argv[1]]
except ValueError: st = ["no answer"]
print("Up" if "Up" in st else (st[-1] if st else "absent"))' "$1"
}
status_is() { [[ "$(peer_status "$1")" == "$2" ]]; }
valid() { lab_jcheck "$(info)" 'd.get("valid") is True'; }
# count: `search index=main | stats count` through the search head's export ("" when no answer)
count() {
  on sh -H "Authorization: Bearer $api" --data-urlencode 'search=search index=main | stats count' \
    -d output_mode=json "http://$(addr sh):8088/services/search/jobs/export" |
    python3 -c 'import json,sys
for l in sys.stdin:
    try: d = json.loads(l)
    except ValueError: continue
    if "result" in d: print(d["result"]["count"]); break' 2>/dev/null || true
}
# check_count LABEL SECONDS: the count reaches $sent within SECONDS (more is a failure at
# once), and a second search right after says the same.
check_count() {
  local end=$((SECONDS + $2)) n=""
  while ((SECONDS < end)); do
    n="$(count)"
    [[ "$n" =~ ^[0-9]+$ ]] && ((n >= sent)) && break
    sleep 0.5
  done
  if [[ "$n" == "$sent" && "$(count)" == "$sent" ]]; then
    pass "$1: index=main | stats count through the search head is $sent, the events sent"
  else
    fail "$1: index=main | stats count through the search head is '${n}' (then '$(count)'), not $sent"
  fi
}

# ============================================================================
echo "== 0. scripts/netns-cluster up: a master, 3 peers and a search head"
t0=$SECONDS
if ctl up --peers 3 --dir "$dir" --bin "$bin_dir" --prefix "$prefix" --heartbeat-timeout 5 --timeout 90 > "$tmp/up.out" 2>&1; then
  pass "up took $((SECONDS - t0)) s"
  sed 's/^/    /' "$tmp/up.out"
else
  cat "$tmp/up.out"
  die "scripts/netns-cluster up failed"
fi
hec="$(state hec_token)" api="$(state api_token)"
[[ -n "$hec" && -n "$api" && "$(addr sh)" == 10.200.0.5 ]] || die "cluster.state lacks tokens or hosts: $(cat "$dir/cluster.state")"
if ! grep -q "$hec" "$tmp/up.out" || ! grep -q "$api" "$tmp/up.out"; then fail "up does not print the tokens"; fi
if lab_jcheck "$(info)" 'd.get("indexing_ready") is True and d.get("peers_up") == 3 and d.get("replication_factor") == 3'; then
  pass "the master is indexing_ready with 3 peers up: $(info)"
else
  fail "after up the master says: $(info)"
fi
if ctl kura --dir "$dir" master --json show cluster-status > "$tmp/kura.out" 2>&1 &&
   lab_jcheck "$(cat "$tmp/kura.out")" 'd.get("peers_up") == 3'; then
  pass "scripts/netns-cluster kura master --json show cluster-status answers"
else
  fail "scripts/netns-cluster kura master: $(cat "$tmp/kura.out")"
fi
if ctl up --dir "$dir" --bin "$bin_dir" --prefix "$prefix" > "$tmp/up2.out" 2>&1; then
  fail "a second up of the same directory succeeded: $(cat "$tmp/up2.out")"
elif ctl up --dir "$tmp/other" --bin "$bin_dir" --prefix "$prefix" > "$tmp/up3.out" 2>&1; then
  fail "up with the prefix of a running cluster succeeded: $(cat "$tmp/up3.out")"
elif [[ -e "$tmp/other" ]] || ! lab_jcheck "$(info)" 'd.get("peers_up") == 3'; then
  fail "a refused up touched something: $(ls -A "$tmp/other" 2>&1); $(info)"
else
  pass "a second up is refused: $(cat "$tmp/up2.out") / $(cat "$tmp/up3.out")"
fi

# ============================================================================
echo "== 1. events over HEC to peer1; exactly these through the search head"
python3 - "$tmp" <<'PY'
import json, random, sys
n = random.randint(1500, 2500)
batches = [list(range(i, min(i + 500, n))) for i in range(0, n, 500)]
for b, ids in enumerate(batches):
    with open(f"{sys.argv[1]}/batch{b}.json", "w") as f:
        for i in ids:
            f.write(json.dumps({"event": f"netns cluster test event id={i} {random.random()}",
                                "sourcetype": "netns_cluster", "index": "main"}) + "\n")
PY
sent="$(cat "$tmp"/batch*.json | wc -l)"
hec_ok=1
for f in "$tmp"/batch*.json; do
  code="$(on peer1 -o "$tmp/hec.out" -w '%{http_code}' -H "Authorization: Splunk $hec" --data-binary "@$f" \
    "http://$(addr peer1):8088/services/collector/event" || true)"
  if [[ $code != 200 ]] || ! lab_jcheck "$(cat "$tmp/hec.out")" 'd.get("code") == 0'; then
    hec_ok=0; echo "HEC $(basename "$f") to peer1: HTTP $code $(cat "$tmp/hec.out" 2>/dev/null)"
  fi
done
if [[ $hec_ok == 1 ]]; then pass "$sent events to peer1 over HEC, every answer code 0"; else fail "HEC to peer1 (above)"; fi
check_count "after ingestion" 60

# ============================================================================
echo "== 2. cut peer3"
cut_at=$SECONDS
ctl cut --dir "$dir" peer3 || fail "scripts/netns-cluster cut peer3 failed"
if ctl status --dir "$dir" > "$tmp/status.out" 2>&1 && grep -qE '^ +peer3 .* DOWN ' "$tmp/status.out"; then
  pass "status shows peer3's link DOWN"
else
  fail "status during the cut: $(cat "$tmp/status.out")"
fi
if wait_until 60 "the master to mark peer3 Down" "master" status_is peer3 Down; then
  pass "the master marks peer3 Down $((SECONDS - cut_at)) s after the cut"
else
  fail "the master did not mark peer3 Down within 60 s of the cut: $(peer_status peer3)"
fi
if wait_until 60 "master/info valid" "master" valid; then
  pass "the cluster is valid again $((SECONDS - cut_at)) s after the cut: $(info)"
else
  fail "the cluster is not valid 60 s after the cut: $(info)"
fi
check_count "during the cut" 60

# ============================================================================
echo "== 3. heal peer3"
heal_at=$SECONDS
ctl heal --dir "$dir" peer3 || fail "scripts/netns-cluster heal peer3 failed"
if wait_until 60 "peer3 to be Up again" "master peer3" status_is peer3 Up; then
  pass "peer3 is Up again $((SECONDS - heal_at)) s after the heal"
else
  fail "peer3 is not Up 60 s after the heal: $(peer_status peer3)"
fi
check_count "after the heal" 60

# ============================================================================
echo "== 4. scripts/netns-cluster down"
pids="$(cat "$dir"/*.pid 2>/dev/null | paste -sd' ')"
down_at=$SECONDS
if ctl down --dir "$dir" > "$tmp/down.out" 2>&1; then
  downed=1
  pass "down took $((SECONDS - down_at)) s: $(head -n 1 "$tmp/down.out")"
else
  fail "down failed: $(cat "$tmp/down.out")"
fi
# A node that had to be killed is a failure: show what it was doing.
for n in $all_nodes; do
  if grep -q "^netns-cluster: $n (pid [0-9]*) did not stop" "$tmp/down.out"; then
    fail "$n did not stop on SIGTERM within 20 s"
    echo "--- the end of $n's log"; tail -n 40 "$dir/$n.log" || true
    [[ -f "$dir/$n.stacks" ]] && { echo "--- $n's threads when it was killed"; cat "$dir/$n.stacks"; }
  fi
done
left="$(ip netns list | awk '{print $1}' | grep -E "^$prefix-" || true)"
if [[ -z "$left" ]]; then pass "no namespace $prefix-* remains"; else fail "namespaces left after down: $left"; fi
alive=""
# An exited node is a zombie until PID 1 (its parent: the tool starts nodes with setsid and
# exits) reaps it, which may be late: a zombie has stopped.
for p in $pids; do
  st="$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null || true)"
  [[ -n "$st" && "${st%% *}" != Z ]] && alive+=" $p"
done
if [[ -z "$alive" && -n "$pids" ]] && ! pgrep -r RSDT -f -- "--config $dir/" > /dev/null; then
  pass "no node process remains (pids $pids)"
else
  fail "node processes left after down:${alive:- (none of $pids)}; $(pgrep -fa -- "--config $dir/" || true)"
fi

# ============================================================================
if [[ ${#failures[@]} -gt 0 ]]; then
  echo "netns-cluster test: ${#failures[@]} check(s) failed:"
  printf '  - %s\n' "${failures[@]}"
  exit 1
fi
echo "netns-cluster test: all checks passed"
