#!/usr/bin/env bash
# The `kura` admin shell against a real kura-node process:
# every single-node command, --json output, error lines and exit codes, the
# interactive mode fed on standard input, a wrong secret refused, junk bytes
# on the admin and receiving ports survived, and `stop` stopping the node.
set -euo pipefail
node="$1"
kura="$2"
dir="$(mktemp -d)"
pid=""
cleanup() {
  [[ -n "$pid" ]] && kill -9 "$pid" 2>/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT

source "$(dirname "$0")/lib.sh"
read -r http admin receiver < <(free_ports 3)
echo "test-secret-$$" > "$dir/secret"
echo "not-the-secret" > "$dir/wrong"
{ node_toml shellnode "$dir/home" "$http" "$admin" "$receiver"; printf '[clustering]\npass4SymmKey_file = "%s"\n' "$dir/secret"; } > "$dir/node.toml"

"$node" --config "$dir/node.toml" 2>> "$dir/node.log" &
pid=$!
wait_healthy "$http" "$pid" "$dir/node.log"

k() { "$kura" --uri "127.0.0.1:$admin" --secret-file "$dir/secret" "$@"; }
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
fails() {  # fails CODE MESSAGE-PART COMMAND...: exit code CODE, stderr has MESSAGE-PART starting with error:
  local code="$1" part="$2"; shift 2
  set +e; "$@" > "$dir/out" 2> "$dir/err"; local rc=$?; set -e
  [[ $rc == "$code" ]] || { echo "expected exit $code, got $rc: $*"; cat "$dir/err"; exit 1; }
  grep -q "^error: .*$part" "$dir/err" || { echo "expected 'error: …$part' from: $*"; cat "$dir/err"; exit 1; }
}

echo "== index commands"
[[ "$(k --json list indexes | json '",".join(i["name"] for i in d["indexes"])')" == "_audit,_internal,main" ]]
k add index web | grep -q 'Index "web" added'
fails 1 "already exists" k add index web
fails 1 "cannot be removed" k remove index main
fails 2 "" k add index
[[ "$(k --json list indexes | json 'len(d["indexes"])')" == "4" ]]

echo "== oneshot and search"
for i in $(seq 1 20); do echo "2026-11-22T10:00:$(printf %02d "$i")Z GET /page$i status=$((i % 2 ? 200 : 500))"; done > "$dir/access.log"
k add oneshot "$dir/access.log" --index web --sourcetype access | grep -q "20 events into index web"
[[ "$(k --json search 'index=web status=500 | stats count' | json 'd["results"][0]["count"]')" == "10" ]]
k search 'index=web | stats count by status' --output csv > "$dir/csv"
grep -q '^status,count' "$dir/csv" && grep -q '^200,10' "$dir/csv"
[[ "$(k search 'index=web page7' --output raw)" == "2026-11-22T10:00:07Z GET /page7 status=200" ]]
[[ "$(k search 'index=web' --earliest '2026-11-22T10:00:15Z' --output raw | wc -l)" == "6" ]]
fails 1 "unknown command" k search 'index=web | statz count'
fails 1 "cannot open" k add oneshot "$dir/missing.log"

echo "== buckets: roll, list, fsck, rebuild"
k roll-hot-buckets --index web | grep -q "rolled to warm"
bucket="$(k --json list buckets --index web | json 'd["buckets"][0]["dir"]')"
[[ "$(k --json list buckets --index web | json 'd["buckets"][0]["state"]')" == "warm" ]]
[[ "$(k --json fsck --index web | json 'd["damaged"]')" == "0" ]]
rm "$bucket/index.tsidx"
fails 1 "run fsck --repair" k fsck --index web
k rebuild "$bucket" | grep -q "rebuilt"
[[ "$(k --json fsck --index web | json 'd["damaged"]')" == "0" ]]
[[ "$(k --json search 'index=web | stats count' | json 'd["results"][0]["count"]')" == "20" ]]

echo "== disable, enable, clean, remove"
k disable index web | grep -q disabled
[[ "$(curl -s -H 'Authorization: Splunk hec-1' -d '{"event":"x","index":"web"}' "http://127.0.0.1:$http/services/collector/event" | json 'd["code"]')" == "7" ]]
k enable index web | grep -q enabled
fails 2 "add -f" k clean eventdata --index web
k clean eventdata --index web -f | grep -q deleted
[[ "$(k --json search 'index=web | stats count' | json 'd["results"][0]["count"]')" == "0" ]]
k remove index web | grep -q removed
fails 1 "does not exist" k list buckets --index web

echo "== the interactive shell reads commands from standard input"
printf 'help\nlist indexes\nsearch "index=_audit action=admin | stats count"\nexit\n' | k > "$dir/interactive"
grep -q "roll-hot-buckets" "$dir/interactive"
grep -q "_internal" "$dir/interactive"

echo "== the audit trail and the node's own log are indexed"
[[ "$(k --json search 'index=_audit action=admin "add index web"' | json 'len(d["results"])')" -ge 1 ]]
for _ in $(seq 300); do  # the log reaches _internal within about a second (30 s under load)
  n="$(k --json search 'index=_internal "added index" | stats count' | json 'd["results"][0]["count"]')"
  [[ "$n" -ge 1 ]] && break
  sleep 0.1
done
[[ "$n" -ge 1 ]]

echo "== a wrong secret is refused"
set +e; "$kura" --uri "127.0.0.1:$admin" --secret-file "$dir/wrong" list indexes > /dev/null 2> "$dir/err"; rc=$?; set -e
[[ $rc == 2 ]] && grep -q "^error: authentication failed" "$dir/err"
grep -q "refused an admin command" "$dir/node.log"
fails 2 "secret file" "$kura" --uri "127.0.0.1:$admin" --secret-file "$dir/none" list indexes
fails 1 "cannot reach the node" "$kura" --uri "127.0.0.1:1" --secret-file "$dir/secret" list indexes

echo "== junk on the admin and receiving ports"
python3 - "$admin" "$receiver" <<'PY'
import os, socket, sys
for port in map(int, sys.argv[1:]):
    for junk in (os.urandom(4096), b"GET / HTTP/1.1\r\n\r\n", b"\xff" * 100000):
        s = socket.create_connection(("127.0.0.1", port))
        try:
            s.sendall(junk)
        except OSError:
            pass
        s.close()
PY
kill -0 "$pid"
[[ "$(k --json list indexes | json 'len(d["indexes"])')" == "3" ]]
grep -q "closing connection from" "$dir/node.log"

echo "== stop"
k stop | grep -q "Stopping node shellnode"
for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
wait "$pid"
pid=""
echo "shell test passed"
