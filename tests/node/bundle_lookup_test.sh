#!/usr/bin/env bash
# Lookup tables shipped in the configuration bundle, as real processes on 127.0.0.1: a master
# (replication_factor 3, search_factor 2), peer1..peer3 and a search head. Expected counts come
# from the ids this script sent and the CSV it wrote (Python), never from kura's own numbers.
# 1. master-apps/lookups/colors.csv (id -> color) and `apply cluster-bundle`: applied live (no
#    peer restarts), every peer has it byte-identical in slave-apps/lookups;
# 2. events over HEC; through the search head `... | lookup colors id OUTPUT color | stats count
#    by color` gives the counts the CSV and the sent ids give; `| inputlookup colors` lists the
#    CSV's rows;
# 3. the CSV changed (other colors, some ids left out) and applied again: live, no restart, and
#    the search head's answer follows; a search on a peer itself reads the new table too;
# 4. a CSV with an unterminated quote is refused, naming the file and the line; nothing is
#    installed anywhere and the search head still answers with the previous table;
# 5. the search head's own etc/lookups/colors.csv comes before the bundle's.
set -euo pipefail
node="$1"
kura="$2"
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/lib.sh"
all_nodes="master peer1 peer2 peer3 sh"
fault_init bundle_lookup bundle-lookup-secret-1
k() { local n="$1"; shift; "$kura" --uri "127.0.0.1:${admin[$n]}" --secret-file "$dir/secret" --timeout 120 "$@"; }
peers="peer1 peer2 peer3"

fault_configure master 3 2 30 sh $peers
mh=${http[master]}
shh=${http[sh]}
for n in master $peers sh; do start "$n"; done
wait_until 60 "the cluster to be ready with 3 peers" "master" fault_ready "$shh" $peers || die "the cluster never became ready"
pass "the cluster is ready: master, 3 peers Up, the search head on the master's generation"

events=600
feed_ok=1
for n in $peers; do feed "$n" $((events / 3)) || feed_ok=0; done
[[ $feed_ok == 1 ]] || die "a batch of the feed was not acknowledged"
check_exact "$shh" "the events through the search head"

apps="$dir/master/etc/master-apps"
mkdir -p "$apps/lookups"
# write_colors VERSION FILE: a version of the table (1: every id, id%3 -> red/green/blue;
# 2: the ids not divisible by 5, id%2 -> cyan/"magenta, dark", a field that needs quotes)
write_colors() {
  python3 - "$1" "$events" "$2" <<'PY'
import csv, sys
version, events = int(sys.argv[1]), int(sys.argv[2])
with open(sys.argv[3], "w", newline="") as f:
    w = csv.writer(f, lineterminator="\r\n")
    w.writerow(["id", "color", "note"])
    for i in range(1, events + 1):
        if version == 1:
            w.writerow([i, ["red", "green", "blue"][i % 3], "v1"])
        elif i % 5:
            w.writerow([i, ["cyan", "magenta, dark"][i % 2], "v2"])
PY
}
# expected CSV: {"color": count} of the sent ids (1..$events) through the table, as JSON
expected() {
  python3 - "$1" "$events" <<'PY'
import csv, json, sys
table = {r["id"]: r["color"] for r in csv.DictReader(open(sys.argv[1], newline=""))}
counts = {}
for i in range(1, int(sys.argv[2]) + 1):
    c = table.get(str(i))
    if c: counts[c] = counts.get(c, 0) + 1
print(json.dumps(counts, sort_keys=True))
PY
}
# by_color: the search head's answer of the lookup search as sorted JSON {"color": count}
by_color() {
  export_search "$shh" 'index=main sourcetype=faulttest | lookup colors id OUTPUT color | stats count by color' |
    python3 -c '
import json, sys
out = {}
for line in sys.stdin:
    line = line.strip()
    if not line: continue
    d = json.loads(line)
    r = d.get("result")
    if r: out[r["color"]] = int(r["count"])
print(json.dumps(out, sort_keys=True))'
}
answer_is() { by_color > "$dir/got.json" 2>/dev/null; [[ "$(cat "$dir/got.json")" == "$1" ]]; }
restarts() { local n t=0; for n in $peers; do t=$((t + $(grep -c "stopped; starting again" "$dir/$n.log" || true))); done; echo $t; }

echo "== 1. a lookup table in the bundle"
write_colors 1 "$apps/lookups/colors.csv"
want1=$(expected "$apps/lookups/colors.csv")
rc=0
k master apply cluster-bundle > "$dir/apply.out" 2>&1 || rc=$?
if [[ $rc == 0 ]] && grep -q "applied live" "$dir/apply.out"; then pass "apply cluster-bundle with a lookup table: $(cat "$dir/apply.out")"
else fail "apply cluster-bundle: exit $rc: $(cat "$dir/apply.out")"; fi
same=1
for n in $peers; do cmp -s "$apps/lookups/colors.csv" "$dir/$n/etc/slave-apps/lookups/colors.csv" || same=0; done
[[ $same == 1 ]] && pass "every peer has lookups/colors.csv byte-identical in slave-apps" || fail "slave-apps/lookups/colors.csv differs or is missing"

echo "== 2. lookup and inputlookup through the search head"
t0=$EPOCHREALTIME
if wait_until 30 "the search head's lookup answer to be $want1" "sh" answer_is "$want1"; then
  pass "lookup through the search head after $(since "$t0") s: $(cat "$dir/got.json") (expected from the CSV and the sent ids)"
else fail "lookup through the search head: got $(cat "$dir/got.json"), expected $want1"; fi
export_search "$shh" '| inputlookup colors' > "$dir/input.out"
if python3 - "$dir/input.out" "$apps/lookups/colors.csv" <<'PY'
import csv, json, sys
want = sorted(tuple(r[k] for k in ("id", "color", "note")) for r in csv.DictReader(open(sys.argv[2], newline="")))
got = sorted(tuple(d["result"].get(k, "") for k in ("id", "color", "note"))
             for d in (json.loads(l) for l in open(sys.argv[1]) if l.strip()) if d.get("result"))
if got != want:
    print(f"inputlookup: {len(got)} rows, expected {len(want)}; first {got[:3]} vs {want[:3]}"); sys.exit(1)
PY
then pass "inputlookup colors through the search head lists the CSV's $events rows"
else fail "inputlookup colors: $(head -c 300 "$dir/input.out")"; fi

echo "== 3. the table changed: applied live, the answer follows"
write_colors 2 "$apps/lookups/colors.csv"
want2=$(expected "$apps/lookups/colors.csv")
before=$(restarts)
rc=0
k master apply cluster-bundle > "$dir/apply.out" 2>&1 || rc=$?
if [[ $rc == 0 ]] && grep -q "applied live" "$dir/apply.out"; then pass "the changed table: $(cat "$dir/apply.out")"
else fail "apply of the changed table: exit $rc: $(cat "$dir/apply.out")"; fi
t0=$EPOCHREALTIME
if wait_until 30 "the search head's lookup answer to be $want2" "sh" answer_is "$want2"; then
  pass "the answer follows the new table after $(since "$t0") s: $(cat "$dir/got.json")"
else fail "after the change: got $(cat "$dir/got.json"), expected $want2"; fi
[[ $(restarts) == "$before" ]] && pass "no peer restarted for a lookup change" || fail "a peer restarted for a lookup change"
# A peer coordinating a search of its own reads the bundle's table from its slave-apps.
rows=$(export_search "${http[peer2]}" '| inputlookup colors | stats count' |
  python3 -c 'import json,sys; print(next((json.loads(l)["result"]["count"] for l in sys.stdin if "result" in l), "none"))')
want_rows=$(python3 -c 'import csv,sys; print(sum(1 for _ in csv.DictReader(open(sys.argv[1], newline=""))))' "$apps/lookups/colors.csv")
[[ "$rows" == "$want_rows" ]] && pass "a search on peer2 itself reads the bundle's table: $rows rows" ||
  fail "inputlookup on peer2: $rows rows, expected $want_rows"

echo "== 4. a CSV that does not parse is refused"
good_sum=$(k master --json show cluster-bundle-status | python3 -c 'import json,sys; print(json.load(sys.stdin)["active_bundle"])')
printf 'id,color\r\n1,red\r\n2,"unterminated\r\n3,blue\r\n' > "$apps/lookups/broken.csv"
rc=0
k master apply cluster-bundle > "$dir/apply.out" 2>&1 || rc=$?
if [[ $rc != 0 ]] && grep -q "master-apps/lookups/broken.csv" "$dir/apply.out" && grep -q "line 3" "$dir/apply.out"; then
  pass "a broken CSV is refused, naming the file and the line: $(cat "$dir/apply.out")"
else fail "the broken CSV: exit $rc: $(cat "$dir/apply.out")"; fi
now_sum=$(k master --json show cluster-bundle-status | python3 -c 'import json,sys; print(json.load(sys.stdin)["active_bundle"])')
[[ "$now_sum" == "$good_sum" ]] && pass "the active bundle is still $good_sum" || fail "the active bundle changed to $now_sum"
left=0
for n in $peers; do [[ -e "$dir/$n/etc/slave-apps/lookups/broken.csv" ]] && left=1; cmp -s "$apps/lookups/colors.csv" "$dir/$n/etc/slave-apps/lookups/colors.csv" || left=1; done
[[ $left == 0 ]] && pass "no peer installed anything of the refused bundle" || fail "a peer installed the refused bundle"
answer_is "$want2" && pass "the search head still answers with the previous table: $(cat "$dir/got.json")" ||
  fail "after the refusal: got $(cat "$dir/got.json"), expected $want2"
rm "$apps/lookups/broken.csv"

echo "== 5. the search head's own etc/lookups comes first"
mkdir -p "$dir/sh/etc/lookups"
write_colors 1 "$dir/sh/etc/lookups/colors.csv"
t0=$EPOCHREALTIME
if wait_until 30 "the search head's lookup answer to be $want1 (its own colors.csv)" "sh" answer_is "$want1"; then
  pass "the search head's own colors.csv is used before the bundle's after $(since "$t0") s: $(cat "$dir/got.json")"
else fail "with the search head's own table: got $(cat "$dir/got.json"), expected $want1"; fi

fault_summary
