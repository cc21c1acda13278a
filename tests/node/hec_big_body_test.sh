#!/usr/bin/env bash
# Big HEC bodies are streamed (issue 13): a kura-node started from a TOML file without
# max_content_length (Splunk's default, 838860800 bytes) takes, with curl --data-binary,
# 1. a raw body of about 100 MB (generated timestamped lines, one event each): 200, and a search
#    counts exactly the lines sent;
# 2. an /event body of about 20 MB on a channel: 200 with an ackId, the ack is true, and a search
#    counts exactly the events sent;
# while its peak RSS (VmHWM) stays under KURA_BIG_BODY_RSS_MB (150). The bound: the node idles at
# about 17 MB; a request holds a 1 MiB group of body and its events (a few MB, copies in the
# store included); the lines repeat a few terms, so the index's own memory stays small. The node
# peaked at 83-87 MB here; before bodies were streamed it read a body whole and made all its
# events at once: 354 MB for the 100 MB body alone (3.5 bytes per byte of body).
# 3. restarted with max_content_length = 1048576, a 3 MB body gets 413 and stores nothing, a
#    1 MB one 200.
# Expected counts come from the generator (Python), never from kura. About 20 s.
set -euo pipefail
node="$1"
rss_limit_mb="${KURA_BIG_BODY_RSS_MB:-150}"
raw_mb="${KURA_BIG_BODY_RAW_MB:-100}"
dir="$(mktemp -d)"
pid=""
cleanup() {
  local rc=$?
  [[ -n "$pid" ]] && { kill -9 "$pid"; wait "$pid"; } 2>/dev/null
  rm -rf "$dir"
  exit "$rc"
}
trap cleanup EXIT
SECONDS=0

source "$(dirname "$0")/lib.sh"
read -r http admin receiver < <(free_ports 3)
node_toml big "$dir/home" "$http" "$admin" "$receiver" > "$dir/node.toml"
url="http://127.0.0.1:$http"
hec=(-H 'Authorization: Splunk hec-1')

start() {
  "$node" --config "$dir/node.toml" 2>> "$dir/node.log" &
  pid=$!
  wait_healthy "$http" "$pid" "$dir/node.log"
}
count() {  # count SEARCH: the count of events it finds
  curl -sf --max-time 60 -H 'Authorization: Bearer api-1' --data-urlencode "search=$1 | stats count" \
    "$url/services/search/jobs/export" |
    python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["result"]["count"])'
}
rss_mb() { awk -v k="$1:" '$1 == k { printf "%d", $2 / 1024 }' "/proc/$pid/status"; }  # rss_mb VmHWM|VmRSS
die() { echo "FAIL: $*"; tail -n 20 "$dir/node.log"; exit 1; }

# The bodies: "TIME bigraw user=uK ..." lines (each starts with a timestamp, so each is an
# event) and {"event": ...} objects, half of them on lines of their own, half concatenated;
# the generator prints how many it wrote.
python3 - "$dir" "$raw_mb" <<'PY' > "$dir/counts"
import json, sys
d, mb = sys.argv[1], int(sys.argv[2])
pad = "x" * 150
n = 0
with open(f"{d}/raw.log", "w") as f:
    size = 0
    while size < mb * 1_000_000:
        line = f"2026-11-30 10:00:{n % 60:02d} bigraw user=u{n % 100} status=200 {pad}\n"
        f.write(line); size += len(line); n += 1
m = 0
with open(f"{d}/events.json", "w") as f:
    size = 0
    while size < 20_000_000:
        obj = json.dumps({"event": f"bigevent user=u{m % 100} {pad}", "sourcetype": "bigevent", "time": 1795000000 + m % 1000})
        f.write(obj + ("\n" if m % 2 else "")); size += len(obj) + 1; m += 1
print(n, m)
PY
read -r raw_lines json_events < "$dir/counts"
echo "bodies: raw $(stat -c %s "$dir/raw.log") bytes ($raw_lines lines), event $(stat -c %s "$dir/events.json") bytes ($json_events events)"

start
idle=$(rss_mb VmRSS)
echo "== 1. a ${raw_mb} MB raw body, default max_content_length"
code=$(curl -s --max-time 120 -o "$dir/raw.reply" -w '%{http_code}' "${hec[@]}" --data-binary @"$dir/raw.log" \
  "$url/services/collector/raw?sourcetype=bigraw&host=h1")
[[ "$code" == 200 ]] || die "raw body: HTTP $code $(cat "$dir/raw.reply")"
got=$(count 'index=main sourcetype=bigraw')
[[ "$got" == "$raw_lines" ]] || die "raw body: the search counts $got events, $raw_lines lines were sent"
echo "PASS: raw body: 200, $got events found (lines sent: $raw_lines) after ${SECONDS}s"

echo "== 2. a 20 MB /event body on a channel"
channel="$(python3 -c 'import uuid; print(uuid.uuid4())')"
reply=$(curl -s --max-time 120 "${hec[@]}" -H "X-Splunk-Request-Channel: $channel" --data-binary @"$dir/events.json" \
  "$url/services/collector/event")
[[ "$reply" == '{"text":"Success","code":0,"ackId":0}' ]] || die "event body: $reply"
acks=$(curl -s "${hec[@]}" -H "X-Splunk-Request-Channel: $channel" -d '{"acks":[0]}' "$url/services/collector/ack")
[[ "$acks" == '{"acks":{"0":true}}' ]] || die "event body: ack query answered $acks"
got=$(count 'index=main sourcetype=bigevent')
[[ "$got" == "$json_events" ]] || die "event body: the search counts $got events, $json_events were sent"
echo "PASS: event body: 200 with ackId 0, ack true, $got events found (sent: $json_events) after ${SECONDS}s"

peak=$(rss_mb VmHWM)
echo "RSS: idle ${idle} MB, peak (VmHWM) ${peak} MB after both bodies (limit ${rss_limit_mb} MB)"
((peak < rss_limit_mb)) || die "peak RSS ${peak} MB is not under ${rss_limit_mb} MB"
echo "PASS: peak RSS ${peak} MB < ${rss_limit_mb} MB"

echo "== 3. max_content_length = 1048576: a 3 MB body gets 413"
stop() { kill -TERM "$pid"; wait "$pid" || die "the node did not stop cleanly (exit $?)"; pid=""; }
stop
sed -i '/^max_content_length/d; /^\[http\]/a max_content_length = 1048576' "$dir/node.toml"
start
head -c 3000000 "$dir/raw.log" > "$dir/small.log"
code=$(curl -s --max-time 30 -o "$dir/413.reply" -w '%{http_code}' "${hec[@]}" --data-binary @"$dir/small.log" \
  "$url/services/collector/raw?sourcetype=toobig")
[[ "$code" == 413 ]] || die "3 MB body over max_content_length: HTTP $code $(cat "$dir/413.reply")"
head -c 1000000 "$dir/raw.log" > "$dir/fits.log"
code=$(curl -s --max-time 30 -o /dev/null -w '%{http_code}' "${hec[@]}" --data-binary @"$dir/fits.log" \
  "$url/services/collector/raw?sourcetype=fits")
[[ "$code" == 200 ]] || die "1 MB body under max_content_length: HTTP $code"
[[ "$(count 'index=main sourcetype=toobig')" == 0 ]] || die "the refused body was stored"
echo "PASS: 3 MB over max_content_length 1048576: 413, nothing stored; 1 MB: 200 (${SECONDS}s in all)"
stop
