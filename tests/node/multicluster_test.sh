#!/usr/bin/env bash
# Multi-cluster search as real processes on 127.0.0.1: two small clusters and
# search heads that name both masters (product.md §7: master_uri a list, a
# per-master secret in [clustering.masters."host:port"]), on Loghub samples.
# - EAST: a master (replication_factor 2, search_factor 1), peers east1, east2,
#   secret east-secret-1; WEST: a master (replication_factor 1, search_factor 1),
#   peer west1, secret west-secret-2;
# - sh: master_uri = [EAST, WEST], pass4SymmKey east-secret-1 (the common one,
#   used for EAST) and west-secret-2 for WEST in its own section; badsh: the same
#   but a wrong WEST secret (wrong-secret-3). Both start at the beginning.
# 0. both masters indexing_ready with their peers Up (and the replication and
#    search factors as configured); sh's searchhead/generation lists both
#    masters reachable with 2 and 1 peers;
# 1. a different Loghub file over HEC raw to each peer, each its own sourcetype;
# 2. through sh, `* | stats count by sourcetype` equals the three files' line
#    counts exactly, with no warning; a needle unique to west1's file gives
#    exactly one result;
# 3. badsh (wrong WEST secret, WEST running): searchhead/generation has EAST
#    reachable with 2 peers and WEST unreachable (generation 0 or reachable
#    false); its search counts EAST's files exactly and carries a WARN line;
#    the refusal is in its log;
# 4. WEST's master and peer stopped with SIGTERM: sh keeps WEST's last
#    generation (reachable false) and its search returns EAST's counts exactly
#    with a {"messages":[{"type":"WARN",...}]} line naming the WEST master or
#    its peer.
# Expected counts come from the input files, never from kura. A failed check is
# reported and the test goes on where it can; it exits 1 at the end if any check
# failed. KURA_KEEP_TEST_DIR=1 keeps the homes and logs.
set -euo pipefail
node="$1"
kura="$2"
here="$(cd "$(dirname "$0")" && pwd)"
loghub="$here/../../../shared/datasets/loghub"
dir="$(mktemp -d)"
declare -A pid=()
failures=()
all_nodes="eastm east1 east2 westm west1 sh badsh"

cleanup() {
  local rc=$?
  trap - EXIT
  if [[ $rc -ne 0 && ${#failures[@]} -eq 0 ]]; then
    echo "multicluster test stopped early (exit $rc)"
    # shellcheck disable=SC2086
    show_logs $all_nodes
  fi
  local all=("${pid[@]}")
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
  [[ ${#failures[@]} -gt 0 ]] && { echo "multicluster test: failed before it ended; failed checks so far:"; printf '  - %s\n' "${failures[@]}"; }
  failures+=("$*")
  exit 1
}

source "$here/lib.sh"
[[ -d "$loghub" ]] || die "no Loghub samples at $loghub"

# --------------------------------------------------------------- the clusters
read -r emh ema emr  e1h e1a e1r e1p  e2h e2a e2r e2p \
        wmh wma wmr  w1h w1a w1r w1p \
        shh sha shr  bh ba br < <(free_ports 24)
esecret="east-secret-1"
wsecret="west-secret-2"
east_uri="127.0.0.1:$ema"
west_uri="127.0.0.1:$wma"
# cluster_toml gives a master replication_factor 3 and search_factor 2: set each cluster's own.
factors() { sed -e "s/^replication_factor = .*/replication_factor = $1/" -e "s/^search_factor = .*/search_factor = $2/"; }
cluster_toml eastm "$dir/eastm" master "$emh" "$ema" "$emr" "$esecret" | factors 2 1 > "$dir/eastm.toml"
cluster_toml east1 "$dir/east1" peer "$e1h" "$e1a" "$e1r" "$esecret" "$ema" "$e1p" > "$dir/east1.toml"
cluster_toml east2 "$dir/east2" peer "$e2h" "$e2a" "$e2r" "$esecret" "$ema" "$e2p" > "$dir/east2.toml"
cluster_toml westm "$dir/westm" master "$wmh" "$wma" "$wmr" "$wsecret" | factors 1 1 > "$dir/westm.toml"
cluster_toml west1 "$dir/west1" peer "$w1h" "$w1a" "$w1r" "$wsecret" "$wma" "$w1p" > "$dir/west1.toml"
search_head_toml() {  # search_head_toml NAME HOME HTTP ADMIN RECEIVER WEST_SECRET: both masters
  cluster_toml "$1" "$2" search_head "$3" "$4" "$5" "$esecret" "$ema" |
    sed "s/^master_uri = .*/master_uri = [\"$east_uri\", \"$west_uri\"]/"
  echo "[clustering.masters.\"$west_uri\"]"
  echo "pass4SymmKey = \"$6\""
}
search_head_toml sh "$dir/sh" "$shh" "$sha" "$shr" "$wsecret" > "$dir/sh.toml"
search_head_toml badsh "$dir/badsh" "$bh" "$ba" "$br" "wrong-secret-3" > "$dir/badsh.toml"
echo "$esecret" > "$dir/east.secret"
echo "$wsecret" > "$dir/west.secret"
declare -A http=([eastm]=$emh [east1]=$e1h [east2]=$e2h [westm]=$wmh [west1]=$w1h [sh]=$shh [badsh]=$bh)
for n in $all_nodes; do
  "$node" --config "$dir/$n.toml" --check > /dev/null 2> "$dir/check.err" || { cat "$dir/$n.toml" "$dir/check.err"; die "$n.toml is not valid"; }
done


# master_ready HTTP_PORT PEER...: the master is indexing_ready with exactly these peers Up
master_ready() {
  local port="$1"; shift
  local info peers
  info="$(get "$port" /services/cluster/master/info)" || return 1
  peers="$(get "$port" /services/cluster/master/peers)" || return 1
  python3 - "$info" "$peers" "$@" <<'PY'
import json, sys
try:
    info, peers = json.loads(sys.argv[1]), json.loads(sys.argv[2])
    want = sorted(sys.argv[3:])
    ok = (info.get("indexing_ready") is True and info.get("peers_up") == len(want)
          and sorted(p["name"] for p in peers if p["status"] == "Up") == want)
except (ValueError, KeyError, TypeError, AttributeError):
    ok = False
sys.exit(0 if ok else 1)
PY
}
# sh_view SH_HTTP_PORT SPEC...: searchhead/generation matches every SPEC, one per master:
#   URI=reachable:GEN:PEER,PEER  reachable, on generation GEN (or any, when GEN is -), these peers
#   URI=unreachable              generation 0, or reachable false
#   URI=kept:GEN:PEER,PEER       reachable false, still on generation GEN with these peers
# Prints the document on stderr when it does not match and SH_VIEW_VERBOSE is set.
sh_view() {
  local port="$1"; shift
  get "$port" /services/cluster/searchhead/generation > "$dir/shgen.json" || return 1
  python3 - "$dir/shgen.json" "$@" <<'PY'
import json, os, sys
try:
    gen = json.load(open(sys.argv[1]))
    by_uri = {m["master_uri"]: m for m in gen}
except (ValueError, KeyError, TypeError):
    sys.exit(1)
errors = []
if len(gen) != len(sys.argv) - 2:
    errors.append(f"{len(gen)} masters listed, expected {len(sys.argv) - 2}")
for spec in sys.argv[2:]:
    uri, want = spec.split("=", 1)
    m = by_uri.get(uri)
    if m is None:
        errors.append(f"{uri} not listed"); continue
    kind, *rest = want.split(":")
    names = sorted(p.get("name") for p in m.get("peers", []))
    if kind == "unreachable":
        if not (m.get("generation") == 0 or m.get("reachable") is False):
            errors.append(f"{uri}: expected unreachable, got {m}")
        continue
    g, peers = rest[0], sorted(rest[1].split(","))
    if kind == "reachable" and m.get("reachable") is not True:
        errors.append(f"{uri}: expected reachable, got {m}")
    if kind == "kept" and m.get("reachable") is not False:
        errors.append(f"{uri}: expected reachable false, got {m}")
    if g != "-" and (not g.isdigit() or m.get("generation") != int(g)):
        errors.append(f"{uri}: expected generation {g}, got {m}")
    if m.get("generation", 0) == 0:
        errors.append(f"{uri}: generation 0: {m}")
    if names != peers:
        errors.append(f"{uri}: expected peers {peers}, got {names}")
if errors:
    if os.environ.get("SH_VIEW_VERBOSE"): print("; ".join(errors), file=sys.stderr)
    sys.exit(1)
PY
}
gen_of() { get "$1" /services/cluster/master/info | python3 -c 'import json,sys; print(json.load(sys.stdin)["generation"])'; }

# -------------------------------------------------------------------- the data
# Year-less Loghub samples (as cluster_test.sh): their events get this year's
# dates and stay within frozenTimePeriodInSecs, so none is frozen.
declare -A file_of=([east1]=Android [east2]=Linux [west1]=Mac)
declare -A expected=()
for p in east1 east2 west1; do
  f="${file_of[$p]}"
  expected[$f]=$(grep -c '' "$loghub/$f/${f}_2k.log")  # every line of these files is one event
done
to_json() { for f in "$@"; do echo "$f ${expected[$f]}"; done |
  python3 -c 'import json,sys; print(json.dumps({l.split()[0]: int(l.split()[1]) for l in sys.stdin}))'; }
all_json="$(to_json Android Linux Mac)"
east_json="$(to_json Android Linux)"
echo "input: $all_json (EAST: Android on east1, Linux on east2; WEST: Mac on west1)"

cat > "$dir/counts.py" <<'PY'
# counts.py FILE EXPECTED_JSON WARN_MODE [NAME...]: checks an export answer of
# `* | stats count by sourcetype` against the expected counts. WARN_MODE none: no
# message line may be present; warn: at least one {"messages":[{"type":"WARN"}]}
# line, whose text names one of NAME... if any are given. Prints the counts and
# messages it got; exit 1 on a difference.
import collections, json, sys
path, want, mode, names = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3], sys.argv[4:]
got, msgs, other = {}, [], []
for line in open(path):
    if not line.strip(): continue
    try:
        d = json.loads(line)
    except ValueError:
        other.append(line.strip()[:300]); continue
    if "result" in d:
        r = d["result"]; got[r.get("sourcetype")] = int(r["count"])
    elif "messages" in d:
        msgs.extend(d["messages"])
    else:
        other.append(line.strip()[:300])
warns = [m for m in msgs if m.get("type") == "WARN"]
named = [m for m in warns if not names or any(n in m.get("text", "") for n in names)]
errors = []
if got != want: errors.append(f"counts {got}, expected {want}")
if other: errors.append(f"other lines: {other}")
if mode == "none" and msgs: errors.append(f"unexpected messages: {msgs}")
if mode == "warn" and not named:
    errors.append(f"no WARN message naming {names or 'anything'}; messages: {msgs}")
print(json.dumps({"counts": got, "messages": msgs})[:1500])
if errors:
    print("; ".join(errors)[:2000], file=sys.stderr); sys.exit(1)
PY
# stats_check SH_PORT EXPECTED_JSON WARN_MODE [NAME...]: one search, checked (the answer
# in $dir/stats.out, what counts.py printed in $dir/stats.got, its complaint in $dir/stats.err)
stats_check() {
  local port="$1"; shift
  export_search "$port" '* | stats count by sourcetype' > "$dir/stats.out" || true
  python3 "$dir/counts.py" "$dir/stats.out" "$@" > "$dir/stats.got" 2> "$dir/stats.err"
}

# ============================================================================
echo "== 0. two clusters and two search heads"
start eastm; start westm
start east1; start east2; start west1
start sh; start badsh
east_ready() { master_ready "$emh" east1 east2; }
west_ready() { master_ready "$wmh" west1; }
wait_until 60 "EAST's master to be indexing_ready with east1 and east2 Up" "eastm east1 east2" east_ready || {
  echo "EAST master/info: $(get "$emh" /services/cluster/master/info)"
  echo "EAST master/peers: $(get "$emh" /services/cluster/master/peers)"
  die "EAST never became ready"
}
wait_until 60 "WEST's master to be indexing_ready with west1 Up" "westm west1" west_ready || {
  echo "WEST master/info: $(get "$wmh" /services/cluster/master/info)"
  echo "WEST master/peers: $(get "$wmh" /services/cluster/master/peers)"
  die "WEST never became ready"
}
pass "EAST master: indexing_ready, east1 and east2 Up; WEST master: indexing_ready, west1 Up"
factors_ok() {  # factors_ok SECRET_FILE ADMIN RF SF PEERS_UP: kura --json show cluster-status on a master
  local s
  s="$("$kura" --uri "127.0.0.1:$2" --secret-file "$1" --json show cluster-status 2>&1)" || { echo "$s"; return 1; }
  python3 -c 'import json,sys; d=json.loads(sys.argv[1]); sys.exit(not (d["replication_factor"]==int(sys.argv[2]) and d["search_factor"]==int(sys.argv[3]) and d["peers_up"]==int(sys.argv[4]) and d["indexing_ready"] is True))' \
    "$s" "$3" "$4" "$5" || { echo "$s"; return 1; }
}
if factors_ok "$dir/east.secret" "$ema" 2 1 2 && factors_ok "$dir/west.secret" "$wma" 1 1 1; then
  pass "kura --json show cluster-status: EAST replication_factor 2 / search_factor 1, WEST 1 / 1"
else
  fail "kura --json show cluster-status on the masters (above)"
fi
sh_both() { sh_view "$shh" "$east_uri=reachable:$(gen_of "$emh"):east1,east2" "$west_uri=reachable:$(gen_of "$wmh"):west1"; }
if wait_until 60 "sh's searchhead/generation to list both masters reachable, on their generations, with 2 and 1 peers" \
  "sh eastm westm" sh_both; then
  pass "sh: searchhead/generation lists $east_uri reachable with east1, east2 and $west_uri reachable with west1"
else
  echo "sh searchhead/generation: $(get "$shh" /services/cluster/searchhead/generation)"
  die "the search head never saw both clusters"
fi

# ============================================================================
echo "== 1. ingest: a different Loghub file over HEC raw to each peer"
hec_ok=1
for p in east1 east2 west1; do
  f="${file_of[$p]}"
  code=$(curl -s -o "$dir/hec.out" -w '%{http_code}' -H 'Authorization: Splunk hec-1' \
    --data-binary "@$loghub/$f/${f}_2k.log" \
    "http://127.0.0.1:${http[$p]}/services/collector/raw?sourcetype=$f&host=hec-$p")
  if [[ $code != 200 ]] || ! python3 -c 'import json,sys; sys.exit(json.load(open(sys.argv[1]))["code"] != 0)' "$dir/hec.out" 2>/dev/null; then
    hec_ok=0; echo "HEC raw of $f to $p: HTTP $code $(cat "$dir/hec.out")"
  fi
done
if [[ $hec_ok == 1 ]]; then pass "HEC raw: Android to east1, Linux to east2, Mac to west1, every answer code 0"
else fail "HEC raw: an answer was not code 0 (above)"; show_logs east1 east2 west1; fi

# ============================================================================
echo "== 2. search through sh: both clusters, every event once"
sh_all_ok() { stats_check "$shh" "$all_json" none; }
if wait_until 30 "sh's * | stats count by sourcetype to equal $all_json with no warning" "" sh_all_ok; then
  pass "sh: * | stats count by sourcetype = $(cat "$dir/stats.got") (the input of both clusters, exactly)"
else
  fail "sh: * | stats count by sourcetype: $(cat "$dir/stats.err"); answer: $(head -c 1500 "$dir/stats.out")"
  show_logs sh east1 east2 west1
fi

python3 - "$dir/needle" "$loghub/Mac/Mac_2k.log" "$loghub/Android/Android_2k.log" "$loghub/Linux/Linux_2k.log" <<'PY'
# A needle in west1's file: the last words of a line, in exactly one line of the
# whole input (as text and as a sequence of words).
import re, sys
out, files = sys.argv[1], sys.argv[2:]
lines = [l for f in files for l in open(f, encoding="utf-8", errors="replace").read().splitlines()]
toks = [re.findall(r"[A-Za-z0-9]+", l) for l in lines]
def has_seq(t, s):
    return any(t[i:i + len(s)] == s for i in range(len(t) - len(s) + 1))
own = open(files[0], encoding="utf-8", errors="replace").read().splitlines()
for l in own[len(own) // 2:] + own[:len(own) // 2]:
    words = l.split()
    if len(words) < 7: continue
    phrase = " ".join(words[-4:])
    if not re.fullmatch(r"[A-Za-z0-9 ._:/=,()-]+", phrase): continue
    s = re.findall(r"[A-Za-z0-9]+", phrase)
    if len(s) < 4: continue
    if sum(phrase in x for x in lines) == 1 and sum(has_seq(t, s) for t in toks) == 1:
        open(out, "w").write(phrase + "\n"); break
else:
    sys.exit(f"no needle found in {files[0]}")
PY
needle="$(cat "$dir/needle")"
export_search "$shh" "\"$needle\"" > "$dir/needle.out" || true
if python3 - "$dir/needle.out" "$needle" <<'PY'
import json, sys
rs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
res = [r["result"] for r in rs if "result" in r]
if len(res) != 1 or len(res) != len(rs) or sys.argv[2] not in res[0]["_raw"] or res[0].get("sourcetype") != "Mac":
    sys.exit(f"needle {sys.argv[2]!r}: {len(res)} results, answer {json.dumps(rs)[:800]}")
PY
then pass "sh: the needle \"$needle\" (unique to west1's Mac file) gives exactly 1 result, sourcetype Mac"
else fail "sh: the needle search for west1's data (above)"; fi

# ============================================================================
echo "== 3. badsh: a wrong secret for WEST (WEST running)"
badsh_east() { sh_view "$bh" "$east_uri=reachable:$(gen_of "$emh"):east1,east2" "$west_uri=unreachable"; }
if wait_until 30 "badsh's searchhead/generation: EAST reachable with 2 peers, WEST unreachable" "badsh eastm westm" badsh_east; then
  pass "badsh: searchhead/generation $(cat "$dir/shgen.json")"
else
  echo "badsh searchhead/generation: $(get "$bh" /services/cluster/searchhead/generation)"
  fail "badsh's view of the masters (above)"
fi
# WEST stays unreachable for badsh over several of its 5 s refreshes
sleep 6
if SH_VIEW_VERBOSE=1 sh_view "$bh" "$east_uri=reachable:-:east1,east2" "$west_uri=unreachable"; then
  pass "badsh: 6 s later WEST is still unreachable (generation 0 or reachable false)"
else
  fail "badsh: 6 s later: $(cat "$dir/shgen.json")"
fi
badsh_search_ok() { stats_check "$bh" "$east_json" warn "$west_uri"; }
if wait_until 15 "badsh's search to count EAST's files exactly with a WARN naming $west_uri" "" badsh_search_ok; then
  pass "badsh: * | stats count by sourcetype = EAST's input exactly, with a warning: $(cat "$dir/stats.got")"
else
  fail "badsh: * | stats count by sourcetype: $(cat "$dir/stats.err"); answer: $(head -c 1500 "$dir/stats.out")"
  show_logs badsh
fi
badsh_refused() { grep -i "refused" "$dir/badsh.log" 2>/dev/null | grep -q "$west_uri"; }
if wait_until 10 "badsh's log to say $west_uri refused it" "badsh westm" badsh_refused; then
  pass "badsh logged the refusal: $(grep -i refused "$dir/badsh.log" | grep "$west_uri" | head -1 | cut -c1-200)"
else
  fail "badsh's log does not say that $west_uri refused it (above)"
fi

# ============================================================================
echo "== 4. WEST's master and peer stopped: sh still searches EAST, with a warning"
west_gen="$(gen_of "$wmh")"
stop westm west1
for n in westm west1; do
  echo "$n: exit ${stop_rc[$n]} after ${stop_secs[$n]} s"
  [[ ${stop_rc[$n]} == 0 ]] || echo "note: $n exited ${stop_rc[$n]} after SIGTERM"
done
t_stop=$SECONDS
# The warning: the peers of WEST's last generation do not answer. A search that
# finds a peer gone may wait for kura's request timeout (30 s) before it answers.
timed_search() {  # one search through sh, checked, with its duration in $dir/search.secs
  local t0=$SECONDS rc=0
  stats_check "$shh" "$east_json" warn "$west_uri" west1 "127.0.0.1:$w1a" "127.0.0.1:$w1r" "127.0.0.1:$w1p" || rc=$?
  echo "$((SECONDS - t0))" >> "$dir/search.secs"
  return $rc
}
: > "$dir/search.secs"
if wait_until 45 "sh's search to count EAST's files exactly with a WARN naming WEST's master or west1" "sh" timed_search; then
  pass "sh without WEST: * | stats count by sourcetype = EAST's input exactly, with a warning: $(cat "$dir/stats.got")"
else
  fail "sh without WEST: * | stats count by sourcetype: $(cat "$dir/stats.err"); answer: $(head -c 1500 "$dir/stats.out")"
fi
echo "note: searches through sh after WEST stopped took $(paste -sd' ' "$dir/search.secs") s; the first answered $(head -1 "$dir/search.secs") s after it was sent, $((SECONDS - t_stop)) s after the stop"
# sh keeps WEST's last generation, marked reachable false (asked every 5 s; a
# master that went away is noticed when kura's 30 s request timeout ends).
sh_kept() { sh_view "$shh" "$east_uri=reachable:-:east1,east2" "$west_uri=kept:$west_gen:west1"; }
kept_secs=$((45 - (SECONDS - t_stop))); ((kept_secs >= 5)) || kept_secs=5
if wait_until "$kept_secs" "sh's searchhead/generation: WEST reachable false, still on generation $west_gen with west1" "sh" sh_kept; then
  pass "sh keeps WEST's last generation ($west_gen, west1) with reachable false ($((SECONDS - t_stop)) s after the stop)"
else
  echo "sh searchhead/generation: $(get "$shh" /services/cluster/searchhead/generation)"
  fail "sh's view of WEST $((SECONDS - t_stop)) s after it stopped (above)"
fi
badsh_end_ok() { stats_check "$bh" "$east_json" warn "$west_uri"; }
if wait_until 15 "badsh's search to count EAST's files exactly with a WARN naming $west_uri" "badsh" badsh_end_ok; then
  pass "badsh without WEST: EAST's input exactly, with a warning: $(cat "$dir/stats.got")"
else
  fail "badsh without WEST: * | stats count by sourcetype: $(cat "$dir/stats.err"); answer: $(head -c 1500 "$dir/stats.out")"
fi
for n in sh badsh east1 east2 eastm; do
  kill -0 "${pid[$n]}" 2>/dev/null || { fail "$n is no longer running"; show_logs "$n"; }
done

# ============================================================================
if [[ ${#failures[@]} -gt 0 ]]; then
  echo "multicluster test: ${#failures[@]} check(s) failed:"
  printf '  - %s\n' "${failures[@]}"
  exit 1
fi
echo "multicluster test: all checks passed"
