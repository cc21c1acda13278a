#!/usr/bin/env bash
# An indexer cluster as real processes on 127.0.0.1: one master, three peers
# (replication_factor 3, search_factor 2) and a search head, with curl, the
# `kura` shell and `kura-forward` as clients, on Loghub samples.
# 0. before 3 peers have registered, a peer answers HEC with 503 and code 9;
# 1. Loghub files go in over HEC raw to peer1 and peer2 (every answer code 0)
#    and through kura-forward (useACK) to peer3;
# 2. through the search head, `* | stats count by sourcetype` equals the line
#    counts of the files (each event exactly once, no duplicates from copies),
#    as do the streamed events; three needles (phrases unique in the input)
#    give exactly one result each; a search sent to a peer directly counts at
#    least that peer's own input;
# 3. after roll-hot-buckets on every peer: every original db_ bucket of main
#    has exactly two rb_ copies of the same name on the two other peers, with
#    byte-identical journals, exactly one of them searchable; the master lists
#    every bucket with 3 copies and reports the cluster valid and complete; the
#    peers' direct searches together count every event twice (search factor 2);
# 4. the whole cluster stopped with SIGTERM (the peers 0.5 s apart; every node exits 0
#    within 20 s) and started again gives the same counts through the search head;
# 5. a peer and a search head with a wrong pass4SymmKey are refused, and the
#    refusal is logged on both sides; the search head returns no results;
# 6. junk bytes on the master's admin port and a peer's replication port change
#    nothing;
# 7. `| delete` through the search head marks the event on all three copies;
# 8. the master alone restarted: the peers join it again and the counts hold.
# A failed check is reported and the test goes on where it can; it exits 1 at
# the end if any check failed. KURA_KEEP_TEST_DIR=1 keeps the homes and logs.
set -euo pipefail
node="$1"
kura="$2"
forward="$3"
here="$(cd "$(dirname "$0")" && pwd)"
loghub="$here/../../../shared/datasets/loghub"
dir="$(mktemp -d)"
declare -A pid=()
fpid=""
failures=()

cleanup() {
  local rc=$?
  trap - EXIT
  if [[ $rc -ne 0 && ${#failures[@]} -eq 0 ]]; then
    echo "cluster test stopped early (exit $rc)"
    show_logs master peer1 peer2 peer3 sh
  fi
  local all=("${pid[@]}")
  [[ -n "$fpid" ]] && all+=("$fpid")
  for p in "${all[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for _ in $(seq 100); do  # at most 10 s for a graceful stop, then kill -9
    local alive=0
    for p in "${all[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [[ $alive -eq 0 ]] && break
    sleep 0.1
  done
  for p in "${all[@]}"; do kill -9 "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  if [[ -n "${KURA_KEEP_TEST_DIR:-}" ]]; then echo "kept $dir"; else rm -rf "$dir"; fi
  exit "$rc"
}
trap cleanup EXIT

die() {
  echo "FATAL: $*"
  [[ ${#failures[@]} -gt 0 ]] && { echo "cluster test: failed before it ended; failed checks so far:"; printf '  - %s\n' "${failures[@]}"; }
  failures+=("$*")
  exit 1
}

source "$here/lib.sh"
[[ -d "$loghub" ]] || die "no Loghub samples at $loghub"

# ---------------------------------------------------------------- the cluster
read -r mh ma mr \
  p1h p1a p1r p1p p2h p2a p2r p2p p3h p3a p3r p3p \
  shh sha shr \
  p4h p4a p4r p4p bh ba br < <(free_ports 25)
secret="cluster-secret-1"
cluster_toml master "$dir/master" master "$mh" "$ma" "$mr" "$secret" > "$dir/master.toml"
cluster_toml peer1 "$dir/peer1" peer "$p1h" "$p1a" "$p1r" "$secret" "$ma" "$p1p" > "$dir/peer1.toml"
cluster_toml peer2 "$dir/peer2" peer "$p2h" "$p2a" "$p2r" "$secret" "$ma" "$p2p" > "$dir/peer2.toml"
cluster_toml peer3 "$dir/peer3" peer "$p3h" "$p3a" "$p3r" "$secret" "$ma" "$p3p" > "$dir/peer3.toml"
cluster_toml sh "$dir/sh" search_head "$shh" "$sha" "$shr" "$secret" "$ma" > "$dir/sh.toml"
cluster_toml peer4 "$dir/peer4" peer "$p4h" "$p4a" "$p4r" "wrong-secret-9" "$ma" "$p4p" > "$dir/peer4.toml"
cluster_toml badsh "$dir/badsh" search_head "$bh" "$ba" "$br" "wrong-secret-9" "$ma" > "$dir/badsh.toml"
echo "$secret" > "$dir/secret"
declare -A http=([master]=$mh [peer1]=$p1h [peer2]=$p2h [peer3]=$p3h [sh]=$shh [peer4]=$p4h [badsh]=$bh)
declare -A admin=([master]=$ma [peer1]=$p1a [peer2]=$p2a [peer3]=$p3a [sh]=$sha [peer4]=$p4a [badsh]=$ba)
peers=(peer1 peer2 peer3)
for n in master peer1 peer2 peer3 sh peer4 badsh; do
  "$node" --config "$dir/$n.toml" --check > /dev/null 2> "$dir/check.err" || { cat "$dir/check.err"; die "$n.toml is not valid"; }
done

k() { local n="$1"; shift; "$kura" --uri "127.0.0.1:${admin[$n]}" --secret-file "$dir/secret" "$@"; }
cluster_ready() {  # master: indexing ready, 3 peers Up; search head: reachable, the master's generation, 3 peers
  local info peers gen
  info="$(get "$mh" /services/cluster/master/info)" || return 1
  peers="$(get "$mh" /services/cluster/master/peers)" || return 1
  gen="$(get "$shh" /services/cluster/searchhead/generation)" || return 1
  python3 - "$info" "$peers" "$gen" <<'PY'
import json, sys
try:
    info, peers, gen = (json.loads(a) for a in sys.argv[1:])
except ValueError:
    sys.exit(1)
ok = (info.get("indexing_ready") is True and info.get("peers_up") == 3
      and sorted(p["name"] for p in peers if p["status"] == "Up") == ["peer1", "peer2", "peer3"]
      and len(gen) == 1 and gen[0].get("reachable") is True
      and gen[0].get("generation") == info.get("generation")
      and sorted(p["name"] for p in gen[0].get("peers", [])) == ["peer1", "peer2", "peer3"])
sys.exit(0 if ok else 1)
PY
}
start_cluster() {
  for n in master peer1 peer2 peer3 sh; do start "$n"; done
  wait_until 60 "the cluster to be ready (master: indexing_ready, 3 peers Up; search head: the master reachable with 3 peers)" \
    "master peer1 peer2 peer3 sh" cluster_ready || {
    echo "master/info: $(get "$mh" /services/cluster/master/info)"
    echo "searchhead/generation: $(get "$shh" /services/cluster/searchhead/generation)"
    die "the cluster never became ready"
  }
}

# -------------------------------------------------------------------- the data
# Year-less Loghub samples: their events get this year's dates and stay within
# frozenTimePeriodInSecs (older samples could be frozen when their buckets roll).
hec_files=(peer1:Android peer1:Linux peer2:Mac peer2:OpenSSH)
fwd_file=Proxifier
declare -A expected=()
mkdir -p "$dir/logs"
for f in Android Linux Mac OpenSSH "$fwd_file"; do
  expected[$f]=$(grep -c '' "$loghub/$f/${f}_2k.log")  # every line of these files is one event
done
# the forwarder sends complete lines only: the file it follows ends with a newline
cp "$loghub/$fwd_file/${fwd_file}_2k.log" "$dir/logs/$fwd_file.log"
chmod u+w "$dir/logs/$fwd_file.log"
[[ "$(tail -c1 "$dir/logs/$fwd_file.log" | od -An -c | tr -d ' ')" == '\n' ]] || echo >> "$dir/logs/$fwd_file.log"
[[ $(grep -c '' "$dir/logs/$fwd_file.log") == "${expected[$fwd_file]}" ]]
expected_json="$(for f in "${!expected[@]}"; do echo "$f ${expected[$f]}"; done |
  python3 -c 'import json,sys; print(json.dumps({l.split()[0]: int(l.split()[1]) for l in sys.stdin}))')"
total=0; for f in "${!expected[@]}"; do total=$((total + expected[$f])); done
declare -A own=([peer1]=$((expected[Android] + expected[Linux])) [peer2]=$((expected[Mac] + expected[OpenSSH]))
                [peer3]=${expected[$fwd_file]})
echo "input: $expected_json, $total events"

cat > "$dir/counts.py" <<'PY'
# counts.py stats|stream FILE EXPECTED_JSON: checks an export answer against the
# expected counts by sourcetype (stats: the rows of `stats count by sourcetype`;
# stream: the streamed events counted here, each _cd once); prints what it got
# as JSON on the last line; exit 1 on a difference or a message in the answer.
import collections, json, sys
mode, path, want = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
got, cds, notes = collections.Counter(), collections.Counter(), []
for line in open(path):
    if not line.strip(): continue
    d = json.loads(line)
    if "result" not in d: notes.append(d); continue
    r = d["result"]
    if mode == "stats": got[r.get("sourcetype")] = int(r["count"])
    else: got[r.get("sourcetype")] += 1; cds[r.get("_cd")] += 1
dups = sum(n - 1 for n in cds.values() if n > 1)
ok = dict(got) == want and not notes and not dups
if not ok:
    print(f"{mode}: got {dict(got)}, expected {want}" + (f"; {dups} events repeated (same _cd)" if dups else "")
          + (f"; messages: {json.dumps(notes)[:1200]}" if notes else ""), file=sys.stderr)
print(json.dumps(dict(sorted(got.items()))))
sys.exit(0 if ok else 1)
PY
# stats_ok / stream_ok HTTP_PORT: `* | stats count by sourcetype`, or the events of
# `*` counted by sourcetype, equal the expected counts (each event exactly once).
stats_ok() { export_search "$1" '* | stats count by sourcetype' > "$dir/stats.out" || true
             python3 "$dir/counts.py" stats "$dir/stats.out" "$expected_json" > "$dir/stats.got"; }
stream_ok() { export_search "$1" '*' > "$dir/events.out" || true
              python3 "$dir/counts.py" stream "$dir/events.out" "$expected_json" > "$dir/stream.got"; }
stream_ok_quiet() { stream_ok "$1" 2> /dev/null; }
stats_ok_quiet() { stats_ok "$1" 2> /dev/null; }
# compare_counts HTTP_PORT LABEL: both answers exact and without a warning within 15 s (a
# bucket that just rolled may be, for a moment, without a settled searchable copy: the search
# head then warns that the cluster is not valid); the last answer is shown when not.
compare_counts() {
  if wait_until 15 "$2: * | stats count by sourcetype" "" stats_ok_quiet "$1" > /dev/null; then
    pass "$2: * | stats count by sourcetype equals the input exactly"
  else stats_ok "$1" || true; fail "$2: * | stats count by sourcetype differs from the input (answer above)"; fi
  if wait_until 15 "$2: the events of *" "" stream_ok_quiet "$1" > /dev/null; then
    pass "$2: the events of *, counted by sourcetype, equal the input exactly (no repeats)"
  else stream_ok "$1" || true; fail "$2: the events streamed for * differ from the input (above)"; fi
}

count_on() {  # count_on HTTP_PORT QUERY: the count of QUERY | stats count ("" when there is none)
  export_search "$1" "$2 | stats count" |
    python3 -c 'import json,sys
for l in sys.stdin:
    d = json.loads(l)
    if "result" in d: print(d["result"]["count"]); break' 2>/dev/null || true
}

# ============================================================================
echo "== 0. a peer refuses HEC until 3 peers have registered"
start master
start peer1
wait_until 30 "peer1 to register with the master" "master peer1" \
  bash -c "curl -s -H 'Authorization: Bearer api-1' http://127.0.0.1:$mh/services/cluster/master/peers | grep -q peer1" ||
  die "peer1 never registered"
code=$(curl -s -o "$dir/busy.out" -w '%{http_code}' -H 'Authorization: Splunk hec-1' --data-binary 'x=1' \
  "http://127.0.0.1:$p1h/services/collector/raw?sourcetype=busy")
if [[ $code == 503 ]] && python3 -c 'import json,sys; sys.exit(json.load(open(sys.argv[1]))["code"] != 9)' "$dir/busy.out"; then
  pass "with 1 of 3 peers, peer1 answers HEC with 503 and code 9"
else
  fail "with 1 of 3 peers, peer1 answered HEC with HTTP $code: $(cat "$dir/busy.out")"
fi
for n in peer2 peer3 sh; do start "$n"; done
wait_until 60 "the cluster to be ready" "master peer1 peer2 peer3 sh" cluster_ready || {
  echo "master/info: $(get "$mh" /services/cluster/master/info)"
  echo "searchhead/generation: $(get "$shh" /services/cluster/searchhead/generation)"
  die "the cluster never became ready"
}
pass "master: indexing_ready with 3 peers Up; the search head sees the master's generation with 3 peers"
status="$(k master --json show cluster-status)"
if python3 -c 'import json,sys; d=json.loads(sys.argv[1]); sys.exit(not (d["replication_factor"]==3 and d["search_factor"]==2 and d["peers_up"]==3 and d["indexing_ready"] is True))' "$status" &&
   [[ "$(k master --json list cluster-peers | python3 -c 'import json,sys; print(",".join(sorted(p["name"] for p in json.load(sys.stdin))))')" == "peer1,peer2,peer3" ]] &&
   [[ "$(k master --json list cluster-generation | python3 -c 'import json,sys; print(",".join(sorted(p["name"] for p in json.load(sys.stdin)["peers"])))')" == "peer1,peer2,peer3" ]]; then
  pass "kura --json show cluster-status / list cluster-peers / list cluster-generation on the master"
else
  fail "the shell's cluster documents: status $status; peers $(k master --json list cluster-peers 2>&1); generation $(k master --json list cluster-generation 2>&1)"
fi

# ============================================================================
echo "== 1. ingest: HEC raw to peer1 and peer2, kura-forward to peer3"
hec_ok=1
for pf in "${hec_files[@]}"; do
  p="${pf%%:*}" f="${pf#*:}"
  code=$(curl -s -o "$dir/hec.out" -w '%{http_code}' -H 'Authorization: Splunk hec-1' \
    --data-binary "@$loghub/$f/${f}_2k.log" \
    "http://127.0.0.1:${http[$p]}/services/collector/raw?sourcetype=$f&host=hec-$p")
  if [[ $code != 200 ]] || ! python3 -c 'import json,sys; sys.exit(json.load(open(sys.argv[1]))["code"] != 0)' "$dir/hec.out"; then
    hec_ok=0; echo "HEC raw of $f to $p: HTTP $code $(cat "$dir/hec.out")"
  fi
done
if [[ $hec_ok == 1 ]]; then pass "HEC raw: 4 files to peer1 and peer2, every answer code 0"
else fail "HEC raw: an answer was not code 0 (above)"; show_logs peer1 peer2; fi

cat > "$dir/fwd.toml" <<TOML
[forwarder]
name = "fwd-cluster"
home = "$dir/fwdhome"
[tcpout]
server = ["127.0.0.1:$p3r"]
useACK = true
ackTimeout = 10
[monitor.loghub]
path = "$dir/logs/$fwd_file.log"
sourcetype = "$fwd_file"
TOML
"$forward" --config "$dir/fwd.toml" --check > /dev/null
"$forward" --config "$dir/fwd.toml" >> "$dir/fwd.log" 2>&1 &
fpid=$!
fwd_done() { [[ "$(count_on "$p3h" "sourcetype=$fwd_file")" == "${expected[$fwd_file]}" ]]; }
if wait_until 60 "peer3 to count ${expected[$fwd_file]} $fwd_file events from the forwarder" "peer3 fwd" fwd_done; then
  pass "kura-forward (useACK) to peer3: all ${expected[$fwd_file]} lines of $fwd_file searchable on peer3"
else
  fail "the forwarder's lines never all became searchable on peer3 (count $(count_on "$p3h" "sourcetype=$fwd_file"))"
fi
kill -TERM "$fpid"; wait "$fpid" || true; fpid=""  # a graceful stop waits for every ack

# ============================================================================
echo "== 2. search through the search head and on the peers"
compare_counts "$shh" "search head"

python3 - "$dir/needles" "$loghub/Linux/Linux_2k.log" "$loghub/Mac/Mac_2k.log" \
  "$dir/logs/$fwd_file.log" "$loghub/Android/Android_2k.log" "$loghub/OpenSSH/OpenSSH_2k.log" <<'PY'
# A needle per sample of the first three: the last words of a line, in exactly
# one line of the whole input (as text and as a sequence of words).
import re, sys
out, files = sys.argv[1], sys.argv[2:]
lines = [l for f in files for l in open(f, encoding="utf-8", errors="replace").read().splitlines()]
toks = [re.findall(r"[A-Za-z0-9]+", l) for l in lines]
def has_seq(t, s):
    return any(t[i:i + len(s)] == s for i in range(len(t) - len(s) + 1))
needles = []
for f in files[:3]:
    own = open(f, encoding="utf-8", errors="replace").read().splitlines()
    for l in own[len(own) // 2:] + own[:len(own) // 2]:
        words = l.split()
        if len(words) < 7: continue
        phrase = " ".join(words[-4:])
        if not re.fullmatch(r"[A-Za-z0-9 ._:/=,()-]+", phrase): continue
        s = re.findall(r"[A-Za-z0-9]+", phrase)
        if len(s) < 4: continue
        if sum(phrase in x for x in lines) == 1 and sum(has_seq(t, s) for t in toks) == 1:
            needles.append(phrase); break
    else:
        sys.exit(f"no needle found in {f}")
open(out, "w").write("\n".join(needles) + "\n")
PY
needle_ok=0
while IFS= read -r needle; do
  export_search "$shh" "\"$needle\"" > "$dir/needle.out" || true
  if python3 - "$dir/needle.out" "$needle" <<'PY'
import json, sys
rs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
res = [r["result"] for r in rs if "result" in r]
if len(res) != 1 or len(res) != len(rs) or sys.argv[2] not in res[0]["_raw"]:
    sys.exit(f"needle {sys.argv[2]!r}: {len(res)} results, answer {json.dumps(rs)[:800]}")
PY
  then needle_ok=$((needle_ok + 1)); fi
done < "$dir/needles"
if [[ $needle_ok == 3 ]]; then pass "3 needles through the search head, exactly 1 result each: $(paste -sd'|' "$dir/needles")"
else fail "needle searches: $needle_ok of 3 gave exactly one result (above)"; fi

direct_ok=1
for p in "${peers[@]}"; do
  n="$(count_on "${http[$p]}" '')"
  echo "$p direct | stats count: ${n:-none} (its own input: ${own[$p]})"
  [[ -n "$n" && $n -ge ${own[$p]} ]] || direct_ok=0
done
if [[ $direct_ok == 1 ]]; then pass "| stats count on each peer directly >= that peer's own input"
else fail "| stats count on a peer directly is below its own input"; fi

# ============================================================================
echo "== 3. roll the hot buckets: replicated copies on disk and in the master's table"
roll_ok=1
for p in "${peers[@]}"; do k "$p" roll-hot-buckets > "$dir/roll.out" 2>&1 || { roll_ok=0; cat "$dir/roll.out"; }; done
if [[ $roll_ok == 1 ]]; then pass "roll-hot-buckets on peer1, peer2, peer3"; else fail "roll-hot-buckets failed (above)"; fi
colddb() { echo "$dir/$1/var/lib/kura/defaultdb/colddb"; }
in_flight() {  # the copies of main still being received, on every peer
  for p in "${peers[@]}"; do
    ls "$(colddb "$p")" 2>/dev/null | grep -E '^[0-9]+_[0-9A-Fa-f-]+$' | sed "s|^|$p: |"
  done
  for p in "${peers[@]}"; do ls "$dir/$p/var/lib/kura/defaultdb/db" | grep '^hot_v1_' | sed "s|^|$p hot: |"; done
}
no_in_flight() { [[ -z "$(in_flight)" ]]; }
if wait_until 30 "every peer to finish receiving its copies of main (no <id>_<guid> dirs in colddb, no hot buckets)" \
  "peer1 peer2 peer3" no_in_flight; then
  pass "no copy of main still in flight after the roll"
else
  fail "copies of main still in flight 30 s after roll-hot-buckets: $(in_flight | paste -sd' ')"
  grep -h "WARN\|ERROR" "$dir"/peer*.log | head -20
fi

python3 - "$dir" > "$dir/copies.out" 2>&1 <<'PY' && copies_ok=1 || copies_ok=0
# Every original db_ bucket of main has exactly two rb_ copies of the same name on
# the two other peers, with the original's journal, exactly one searchable.
import filecmp, os, re, sys
d = sys.argv[1]
peers = ["peer1", "peer2", "peer3"]
guid = {p: re.search(r'guid\s*=\s*"([^"]+)"', open(f"{d}/{p}/etc/instance.toml").read()).group(1) for p in peers}
db = lambda p: f"{d}/{p}/var/lib/kura/defaultdb/db"
cold = lambda p: f"{d}/{p}/var/lib/kura/defaultdb/colddb"
errors, originals, seen_rb = [], 0, set()
for p in peers:
    for name in sorted(os.listdir(db(p))):
        m = re.fullmatch(r"db_(\d+)_(\d+)_(\d+)_(.+)", name)
        if not m: continue
        originals += 1
        if m.group(4) != guid[p]:
            errors.append(f"{p}: original {name} does not carry {p}'s guid {guid[p]}")
        rb = "rb_" + name[3:]
        orig_journal = f"{db(p)}/{name}/rawdata/journal"
        holders = [q for q in peers if os.path.isdir(f"{cold(q)}/{rb}")]
        searchable = []
        for q in holders:
            seen_rb.add((q, rb))
            c = f"{cold(q)}/{rb}"
            if not os.path.isfile(f"{c}/rawdata/journal") or not filecmp.cmp(orig_journal, f"{c}/rawdata/journal", shallow=False):
                errors.append(f"{q}:{rb}: rawdata/journal differs from {p}'s original")
            if os.path.exists(f"{c}/index.tsidx"):
                searchable.append(q)
                if not os.path.exists(f"{c}/bucket.manifest"):
                    errors.append(f"{q}:{rb}: searchable copy without bucket.manifest")
            elif os.path.exists(f"{c}/bucket.manifest"):
                errors.append(f"{q}:{rb}: non-searchable copy with bucket.manifest")
        others = sorted(set(peers) - {p})
        if sorted(holders) != others:
            errors.append(f"{p}:{name}: rb_ copies on {holders}, expected on {others}")
        elif len(searchable) != 1:
            errors.append(f"{p}:{name}: {len(searchable)} searchable copies ({searchable}), expected exactly 1")
        else:
            print(f"{p}:{name}: copies on {holders}, searchable on {searchable[0]}")
for q in peers:
    for name in os.listdir(cold(q)):
        if name.startswith("rb_") and (q, name) not in seen_rb:
            errors.append(f"{q}: {name} in colddb has no original db_ bucket on any peer")
if originals < 3:
    errors.append(f"only {originals} original db_ buckets of main on the peers (each peer had input)")
if errors:
    print("\n".join(errors)); sys.exit(1)
PY
cat "$dir/copies.out"
if [[ $copies_ok == 1 ]]; then
  pass "every original db_ bucket of main: rb_ copies of the same name on the 2 other peers, identical journals, exactly one searchable"
else
  fail "replicated copies on disk (above)"
  for p in "${peers[@]}"; do echo "$p colddb: $(ls "$(colddb "$p")" | paste -sd' ')"; done
fi

table_ok() {  # master/buckets: the buckets of main found on disk, each with 3 copies; master/info valid and complete
  get "$mh" /services/cluster/master/buckets > "$dir/buckets.json" || return 1
  get "$mh" /services/cluster/master/info > "$dir/info.json" || return 1
  python3 - "$dir" > "$dir/table.out" <<'PY'
import json, os, re, sys
d = sys.argv[1]
peers = ["peer1", "peer2", "peer3"]
want = set()
for p in peers:
    for name in os.listdir(f"{d}/{p}/var/lib/kura/defaultdb/db"):
        m = re.fullmatch(r"db_\d+_\d+_(\d+)_(.+)", name)
        if m: want.add(f"main~{m.group(1)}~{m.group(2)}")
buckets = json.load(open(f"{d}/buckets.json"))
info = json.load(open(f"{d}/info.json"))
got = {b["id"]: b for b in buckets if b["index"] == "main"}
errors = []
if set(got) != want:
    errors.append(f"buckets of main in master/buckets {sorted(got)}, on disk {sorted(want)}")
for i, b in got.items():
    cp = b["copies"]
    if len(cp) != 3 or len({c["peer"] for c in cp}) != 3:
        errors.append(f"{i}: copies {cp}")
    if sum(c["primary"] for c in cp) != 1 or sum(c["searchable"] for c in cp) != 2:
        errors.append(f"{i}: {sum(c['primary'] for c in cp)} primary, {sum(c['searchable'] for c in cp)} searchable copies")
    if b["state"] == "hot":
        errors.append(f"{i}: still hot")
if not (info.get("valid") is True and info.get("complete") is True):
    errors.append(f"master/info: {info}")
if errors:
    print("\n".join(errors)); sys.exit(1)
PY
}
if wait_until 30 "master/buckets to list every bucket of main with 3 copies and master/info valid and complete" "master" table_ok; then
  pass "master/buckets: every bucket of main with 3 copies (1 primary, 2 searchable); master/info valid and complete"
else
  cat "$dir/table.out"; fail "the master's bucket table or status (above)"
fi
if [[ $copies_ok == 0 ]] && grep -q '"valid":true,"complete":true' "$dir/info.json" 2>/dev/null; then
  echo "note: the master reports $(cat "$dir/info.json") while the copies on disk are not all there (above)"
fi

sum_direct=0
for p in "${peers[@]}"; do
  n="$(count_on "${http[$p]}" 'index=main')"
  echo "$p direct index=main | stats count: ${n:-none}"
  sum_direct=$((sum_direct + ${n:-0}))
done
if [[ $sum_direct == $((2 * total)) ]]; then
  pass "after the roll the peers' direct searches together count every event twice ($sum_direct = 2 x $total: search factor 2)"
else
  fail "after the roll the peers' direct searches together count $sum_direct events, expected 2 x $total (each bucket has 2 searchable copies, and a direct search covers all of a peer's searchable copies)"
fi

# ============================================================================
echo "== 4. the whole cluster stopped with SIGTERM and started again"
# The peers one after another, 0.5 s apart (as `docker-compose down`): each later one loses
# its replication targets to the earlier stops while it rolls, and must still exit 0 within
# seconds (product.md §1; the data stays durable here, fixup copies it later). `stop` sends
# peer1 and peer2 a second SIGTERM, which a stopping node ignores.
kill -TERM "${pid[peer1]}"; sleep 0.5; kill -TERM "${pid[peer2]}"; sleep 0.5
stop sh peer1 peer2 peer3 master
stop_ok=1
for n in sh peer1 peer2 peer3 master; do
  stopped_line=$(grep -c "kura-node - stopped" "$dir/$n.log" || true)
  echo "$n: exit ${stop_rc[$n]} after ${stop_secs[$n]} s"
  if [[ ${stop_rc[$n]} != 0 || $stopped_line -lt 1 || ${stop_secs[$n]} -gt 20 ]]; then stop_ok=0; show_logs "$n"; fi
  [[ ${stop_secs[$n]} -gt 10 ]] && echo "note: $n took ${stop_secs[$n]} s to stop: $(grep -h 'WARN' "$dir/$n.log" | tail -2 | cut -c1-220)"
done
if [[ $stop_ok == 1 ]]; then pass "every node exited 0 within 20 s after SIGTERM (peers stopped 0.5 s apart)"; else fail "a node did not exit 0 within 20 s after SIGTERM (above)"; fi
start_cluster
pass "the restarted cluster is ready (indexing_ready, 3 peers Up, the search head on the master's generation)"
if ! wait_until 60 "the search head to return every event exactly once after the restart" "" stream_ok_quiet "$shh"; then
  echo "master/info: $(get "$mh" /services/cluster/master/info)"
  for p in "${peers[@]}"; do echo "$p peer/info: $(get "${http[$p]}" /services/cluster/peer/info)"; done
  grep -h "primary\|not valid" "$dir"/master.log "$dir"/peer*.log | tail -n 12
fi
compare_counts "$shh" "after the restart, search head"

# ============================================================================
echo "== 5. a wrong pass4SymmKey is refused"
start peer4
listed=0
end=$((SECONDS + 5))
while ((SECONDS < end)); do  # the master never lists it
  get "$mh" /services/cluster/master/peers | grep -q '"peer4"' && listed=1
  sleep 0.2
done
refused_peer4() { grep -qi "refused" "$dir/peer4.log" "$dir/peer4/var/log/kura/kura.log" 2>/dev/null; }
refused_master() { grep -i "refused" "$dir/master.log" "$dir/master/var/log/kura/kura.log" 2>/dev/null | grep -q "peer4"; }
if [[ $listed == 0 ]] && wait_until 15 "peer4's log to say it was refused" "peer4" refused_peer4 &&
   wait_until 15 "the master's log to say it refused peer4" "master" refused_master; then
  pass "peer4 (wrong secret) is not in master/peers; its log: $(grep -hi refused "$dir/peer4.log" | head -1 | cut -c1-160)"
  pass "the master logged the refusal: $(grep -hi refused "$dir/master.log" | grep peer4 | head -1 | cut -c1-160)"
else
  fail "peer4 with a wrong secret: listed by the master: $listed; see the logs above"
fi
stop peer4; [[ ${stop_rc[peer4]} == 0 ]] || echo "note: peer4 exited ${stop_rc[peer4]} after SIGTERM"

start badsh
sh_refused() {
  get "$bh" /services/cluster/searchhead/generation > "$dir/badgen.json" || return 1
  grep -qi "refused" "$dir/badsh.log" 2>/dev/null
}
wait_until 15 "the search head with the wrong secret to be refused" "badsh master" sh_refused || true
export_search "$bh" '*' > "$dir/badsearch.out" || true
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer api-1' --data-urlencode 'search=*' \
  -d output_mode=json "http://127.0.0.1:$bh/services/search/jobs/export")
if python3 - "$dir/badgen.json" "$dir/badsearch.out" "$code" <<'PY'
import json, sys
gen = json.load(open(sys.argv[1]))
lines = [l for l in open(sys.argv[2]) if l.strip()]
results = [l for l in lines if '"result"' in l[:12]]
errors = sys.argv[3] != "200" or any(
    m.get("type") in ("WARN", "ERROR", "FATAL") for l in lines if l.startswith('{"messages"') for m in json.loads(l)["messages"])
if not (len(gen) == 1 and gen[0]["reachable"] is False and gen[0]["generation"] == 0 and not gen[0]["peers"]):
    sys.exit(f"searchhead/generation: {gen}")
if results or not errors:
    sys.exit(f"search: HTTP {sys.argv[3]}, {len(results)} results, answer {''.join(lines)[:600]}")
print(f"searchhead/generation {gen}; search: HTTP {sys.argv[3]} {''.join(lines)[:300]}")
PY
then pass "a search head with a wrong secret: reachable false, generation 0, its search gives an error and no results"
else fail "a search head with a wrong secret (above)"; show_logs badsh; fi
stop badsh; [[ ${stop_rc[badsh]} == 0 ]] || echo "note: badsh exited ${stop_rc[badsh]} after SIGTERM"

# ============================================================================
echo "== 6. junk on the master's admin port and on a peer's replication port"
stats_ok "$shh" 2>/dev/null || true; stream_ok "$shh" 2>/dev/null || true
before="$(cat "$dir/stats.got") $(cat "$dir/stream.got")"
python3 - "$ma" "$p1p" <<'PY'
import os, socket, sys
for port in map(int, sys.argv[1:]):
    for junk in (os.urandom(100000), b"GET / HTTP/1.1\r\n\r\n", b"\xff" * 100000, b"\x00\x00\x00\x10" + os.urandom(16)):
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        try:
            s.sendall(junk)
            s.shutdown(socket.SHUT_WR)
            s.recv(1024)
        except OSError:
            pass
        s.close()
PY
alive=1
for n in master peer1 peer2 peer3 sh; do kill -0 "${pid[$n]}" 2>/dev/null || { alive=0; echo "$n died"; show_logs "$n"; }; done
if [[ $alive == 1 ]] && wait_until 30 "the cluster to be ready after the junk" "master peer1 sh" cluster_ready; then
  pass "after junk on the admin and replication ports every node runs and the cluster is ready"
else
  fail "junk on the ports harmed the cluster (above)"
fi
stats_ok "$shh" 2>/dev/null || true; stream_ok "$shh" 2>/dev/null || true
after="$(cat "$dir/stats.got") $(cat "$dir/stream.got")"
if [[ "$after" == "$before" ]]; then pass "the search head's counts are the same as before the junk: $after"
else fail "the junk changed the search head's counts: before $before, after $after"; fi
compare_counts "$shh" "after the junk, search head"

echo "== 7. | delete through the search head marks every copy"
needle="$(head -n1 "$dir/needles")"
export_search "$shh" "\"$needle\" | delete" > "$dir/delete.out" || true
if grep -q '"deleted":"1"' "$dir/delete.out"; then pass "| delete through the search head deleted 1 event"
else fail "| delete through the search head: $(head -c 600 "$dir/delete.out")"; fi
gone_everywhere=1
for port in "$shh" "$p1h" "$p2h" "$p3h"; do
  n="$(count_on "$port" "\"$needle\"")"
  [[ "$n" == "0" ]] || { gone_everywhere=0; echo "HTTP $port still finds the deleted event: count '$n'"; }
done
if [[ $gone_everywhere == 1 ]]; then pass "the deleted event is found neither through the search head nor on any peer's searchable copies"
else fail "a deleted event is still found (above)"; fi
# Every copy of its bucket (the original and both rb_ copies, searchable or not) holds the mark.
marks="$(find "$dir"/peer{1,2,3}/var/lib/kura/defaultdb -name deletes | wc -l)"
if [[ "$marks" == 3 ]]; then pass "the delete mark is on all 3 copies of the bucket"
else fail "the delete mark is on $marks copies, expected 3: $(find "$dir"/peer{1,2,3}/var/lib/kura/defaultdb -name deletes)"; fi

echo "== 8. the master alone restarted: the peers join it again"
stats_ok "$shh" 2>/dev/null || true
before="$(cat "$dir/stats.got")"
stop master
start master
# Peers notice the lost connection and join again at once (not after a heartbeat's timeout).
if wait_until 30 "the peers to join the restarted master" "master peer1 peer2 peer3 sh" cluster_ready; then
  pass "after a restart of the master alone, 3 peers are Up again and the search head follows within 30 s"
else
  fail "the peers did not join the restarted master (above)"
fi
# The counts of before the restart (one event fewer than the input since step 7's delete).
counts_back() { stats_ok "$shh" 2>/dev/null || true; [[ "$(cat "$dir/stats.got")" == "$before" ]]; }
if wait_until 30 "the search head's counts to be those of before the master's restart" "sh" counts_back; then
  pass "after the master's restart the search head's counts are those of before: $before"
else
  fail "after the master's restart the counts differ: before $before, now $(cat "$dir/stats.got")"
fi

# ============================================================================
if [[ ${#failures[@]} -gt 0 ]]; then
  echo "cluster test: ${#failures[@]} check(s) failed:"
  printf '  - %s\n' "${failures[@]}"
  exit 1
fi
echo "cluster test: all checks passed"
