#!/usr/bin/env bash
# A standalone kura-node as a real process, with curl as the client:
# 1. it starts, answers health, stores HEC events and finds them by search;
#    a HEC client written from Splunk's documentation (hec_client.py) gets
#    every documented answer;
# 2. kill -9 while a client streams HEC batches on a channel: after a restart
#    every batch that was acknowledged (its ackId true on /ack) is searchable,
#    each event exactly once; an _audit event records the searches;
# 3. SIGTERM stops it with exit 0 and rolls its hot buckets to warm.
set -euo pipefail
node="$1"
dir="$(mktemp -d)"
pid=""
sender=""
cleanup() {
  [[ -n "$sender" ]] && kill "$sender" 2>/dev/null
  [[ -n "$pid" ]] && kill -9 "$pid" 2>/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT

source "$(dirname "$0")/lib.sh"
read -r http admin receiver < <(free_ports 3)
node_toml n1 "$dir/home" "$http" "$admin" "$receiver" > "$dir/node.toml"
url="http://127.0.0.1:$http"

start() {
  "$node" --config "$dir/node.toml" 2>> "$dir/node.log" &
  pid=$!
  wait_healthy "$http" "$pid" "$dir/node.log"
}

count() {  # count of events matching a search
  curl -sf -H 'Authorization: Bearer api-1' --data-urlencode "search=$1 | stats count" "$url/services/search/jobs/export" |
    python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["result"]["count"])'
}

start
echo "== 1. ingest and search"
curl -sf -H 'Authorization: Splunk hec-1' -d '{"event": "hello from the test", "sourcetype": "t"}' "$url/services/collector/event"
echo
[[ "$(count 'hello sourcetype=t')" == "1" ]]

echo "== 1b. a HEC client written from Splunk's documentation"
python3 "$(dirname "$0")/hec_client.py" "$http" hec-1
[[ "$(count 'documented sourcetype=doc:event round=3')" == "20" ]]
[[ "$(count 'sourcetype=doc:raw host=doc-client')" == "2" ]]

echo "== 2. kill -9 during acknowledged ingestion on a channel"
channel="$(python3 -c 'import uuid; print(uuid.uuid4())')"
(
  for k in $(seq 1 400); do
    body=""
    for i in $(seq 1 50); do body+="{\"event\": \"batch=$k item=$i\"}"; done
    reply=$(curl -s -H 'Authorization: Splunk hec-1' -H "X-Splunk-Request-Channel: $channel" -d "$body" \
      "$url/services/collector/event" || true)
    [[ "$reply" == *'"code":0'*'"ackId"'* ]] || continue
    # The acknowledgment is /ack saying true (the reply may come before the store).
    id="$(sed -n 's/.*"ackId":\([0-9]*\).*/\1/p' <<< "$reply")"
    for _ in $(seq 200); do
      ack=$(curl -s -H 'Authorization: Splunk hec-1' -H "X-Splunk-Request-Channel: $channel" \
        -d "{\"acks\":[$id]}" "$url/services/collector/ack" || true)
      if [[ "$ack" == *"\"$id\":true"* ]]; then echo "$k" >> "$dir/acked"; break; fi
      sleep 0.01
    done
  done
) &
sender=$!
for _ in $(seq 600); do  # until 30 batches are acknowledged (at most 60 s)
  [[ -f "$dir/acked" && $(wc -l < "$dir/acked") -ge 30 ]] && break
  sleep 0.1
done
kill -9 "$pid"
wait "$pid" 2>/dev/null || true
pid=""
wait "$sender" 2>/dev/null || true
sender=""
acked=$(wc -l < "$dir/acked")
echo "killed after $acked acknowledged batches"
start
curl -sf -H 'Authorization: Bearer api-1' --data-urlencode 'search=item=* | stats count by batch' \
  "$url/services/search/jobs/export" > "$dir/counts"
python3 - "$dir/counts" "$dir/acked" <<'PY'
import json, sys
counts = {}
for line in open(sys.argv[1]):
    r = json.loads(line)["result"]
    counts[r["batch"]] = int(r["count"])
acked = [l.strip() for l in open(sys.argv[2]) if l.strip()]
bad = [(k, counts.get(k, 0)) for k in acked if counts.get(k, 0) != 50]
if bad:
    sys.exit(f"acknowledged batches not stored exactly once: {bad[:10]}")
extra = [k for k, n in counts.items() if n != 50 and k not in acked and n > 50]
if extra:
    sys.exit(f"unacknowledged batches stored more than once: {extra[:10]}")
print(f"all {len(acked)} acknowledged batches present exactly once ({sum(counts.values())} events stored)")
PY

echo "== 2b. searches over HTTP are recorded in _audit"
[[ "$(count 'index=_audit action=search user=api')" -ge 1 ]]

echo "== 2c. a bad search is refused with 400 before any result, naming what is wrong"
code=$(curl -s -o "$dir/bad" -w '%{http_code}' -H 'Authorization: Bearer api-1' \
  --data-urlencode 'search=item=* | rex "(unclosed"' "$url/services/search/jobs/export")
[[ $code == 400 ]] && grep -q 'rex: invalid regular expression' "$dir/bad" ||
  { echo "bad rex answered $code: $(cat "$dir/bad")"; exit 1; }
curl -sf -H 'Authorization: Bearer api-1' --data-urlencode 'search=item=* | head 1 | table item' \
  --data-urlencode output_mode=csv "$url/services/search/jobs/export" > "$dir/table.csv"
[[ $(head -1 "$dir/table.csv" | tr -d '\r') == item ]] || { echo "table columns: $(head -1 "$dir/table.csv")"; exit 1; }

echo "== 3. graceful stop"
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
pid=""
[[ $rc -eq 0 ]] || { echo "exit $rc"; cat "$dir/node.log"; exit 1; }
if ls "$dir/home/var/lib/kura/defaultdb/db" | grep -q '^hot_v1_'; then echo "hot buckets left after SIGTERM"; exit 1; fi
grep -q "stopped" "$dir/node.log"
echo "1 passed, 0 failed"
