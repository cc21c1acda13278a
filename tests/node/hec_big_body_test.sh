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
#    1 MB one (whole lines) 200, and a search counts exactly its lines;
# 4. with [search] max_mem_usage_mb = 32, `sort 0 user` of the events of 1 stops with the error
#    naming the limit, and the peak RSS of that run stays under the same bound (without the limit
#    the sort would hold every event); `head 2000 | sort 0 user` answers its 2000 rows.
# Expected counts come from the generator (Python) and wc, never from kura. Starting, stopping,
# searching and the logs are lib.sh's (start, stop, export_search, show_logs). About 20 s.
set -euo pipefail
node="$1"
rss_limit_mb="${KURA_BIG_BODY_RSS_MB:-150}"
raw_mb="${KURA_BIG_BODY_RAW_MB:-100}"
search_mb=32  # section 4's [search] max_mem_usage_mb
dir="$(mktemp -d)"
declare -A pid=() http=()  # lib.sh's start and stop: the node "big" ($dir/big.toml, $dir/big.log)
bg=()
cleanup() {
  local rc=$?
  trap - EXIT
  end_processes
  rm -rf "$dir"
  exit "$rc"
}
trap cleanup EXIT
SECONDS=0

source "$(dirname "$0")/lib.sh"
read -r port admin receiver < <(free_ports 3)
http[big]=$port
node_toml big "$dir/home" "$port" "$admin" "$receiver" > "$dir/big.toml"
url="http://127.0.0.1:$port"
hec=(-H 'Authorization: Splunk hec-1')

die() { echo "FAIL: $*"; show_logs big; exit 1; }  # also what lib.sh's start calls
# stored_count SEARCH: how many events SEARCH finds (its `| stats count`), or what the answer was
stored_count() {
  export_search "$port" "$1 | stats count" > "$dir/count.out" || true
  python3 - "$dir/count.out" <<'PY'
import json, sys
text = open(sys.argv[1]).read()
try:
    print(json.loads(text.splitlines()[0])["result"]["count"])
except (ValueError, KeyError, IndexError, TypeError):
    print(f"no count in the answer: {text[:300]!r}")
PY
}
rss_mb() { awk -v k="$1:" '$1 == k { printf "%d", $2 / 1024 }' "/proc/${pid[big]}/status"; }  # rss_mb VmHWM|VmRSS

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

start big
idle=$(rss_mb VmRSS)
echo "== 1. a ${raw_mb} MB raw body, default max_content_length"
code=$(curl -s --max-time 120 -o "$dir/raw.reply" -w '%{http_code}' "${hec[@]}" --data-binary @"$dir/raw.log" \
  "$url/services/collector/raw?sourcetype=bigraw&host=h1")
[[ "$code" == 200 ]] || die "raw body: HTTP $code $(cat "$dir/raw.reply")"
got=$(stored_count 'index=main sourcetype=bigraw')
[[ "$got" == "$raw_lines" ]] || die "raw body: the search counts $got events, $raw_lines lines were sent"
echo "PASS: raw body: 200, $got events found (lines sent: $raw_lines) after ${SECONDS}s"

echo "== 2. a 20 MB /event body on a channel"
channel="$(python3 -c 'import uuid; print(uuid.uuid4())')"
reply=$(curl -s --max-time 120 "${hec[@]}" -H "X-Splunk-Request-Channel: $channel" --data-binary @"$dir/events.json" \
  "$url/services/collector/event")
[[ "$reply" == '{"text":"Success","code":0,"ackId":0}' ]] || die "event body: $reply"
ack_true() {  # the reply may come before the store: the ack turns true once it is durable
  acks=$(curl -s "${hec[@]}" -H "X-Splunk-Request-Channel: $channel" -d '{"acks":[0]}' "$url/services/collector/ack")
  [[ "$acks" == '{"acks":{"0":true}}' ]]
}
wait_until 60 "the ack of the event body" big ack_true || die "event body: ack query answered $acks"
got=$(stored_count 'index=main sourcetype=bigevent')
[[ "$got" == "$json_events" ]] || die "event body: the search counts $got events, $json_events were sent"
echo "PASS: event body: 200 with ackId 0, ack true, $got events found (sent: $json_events) after ${SECONDS}s"

peak=$(rss_mb VmHWM)
echo "RSS: idle ${idle} MB, peak (VmHWM) ${peak} MB after both bodies (limit ${rss_limit_mb} MB)"
((peak < rss_limit_mb)) || die "peak RSS ${peak} MB is not under ${rss_limit_mb} MB"
echo "PASS: peak RSS ${peak} MB < ${rss_limit_mb} MB"

echo "== 3. max_content_length = 1048576: a 3 MB body gets 413"
stop_clean() { stop big; [[ ${stop_rc[big]} == 0 ]] || die "the node did not stop cleanly (exit ${stop_rc[big]})"; }
stop_clean
sed -i '/^max_content_length/d; /^\[http\]/a max_content_length = 1048576' "$dir/big.toml"
printf '[search]\nmax_mem_usage_mb = %s\n' "$search_mb" >> "$dir/big.toml"  # for section 4
start big
head -c 3000000 "$dir/raw.log" > "$dir/small.log"
code=$(curl -s --max-time 30 -o "$dir/413.reply" -w '%{http_code}' "${hec[@]}" --data-binary @"$dir/small.log" \
  "$url/services/collector/raw?sourcetype=toobig")
[[ "$code" == 413 ]] || die "3 MB body over max_content_length: HTTP $code $(cat "$dir/413.reply")"
# The whole lines of the first 1000000 bytes (each line one event, as above).
head -c 1000000 "$dir/raw.log" | head -n -1 > "$dir/fits.log"
fits_lines=$(wc -l < "$dir/fits.log")
code=$(curl -s --max-time 30 -o "$dir/fits.reply" -w '%{http_code}' "${hec[@]}" --data-binary @"$dir/fits.log" \
  "$url/services/collector/raw?sourcetype=fits")
[[ "$code" == 200 ]] || die "1 MB body under max_content_length: HTTP $code $(cat "$dir/fits.reply")"
got=$(stored_count 'index=main sourcetype=toobig')
[[ "$got" == 0 ]] || die "the refused body was stored: the search counts $got events"
got=$(stored_count 'index=main sourcetype=fits')
[[ "$got" == "$fits_lines" ]] || die "1 MB body: the search counts $got events, $fits_lines lines were sent"
echo "PASS: 3 MB over max_content_length 1048576: 413, nothing stored; $(stat -c %s "$dir/fits.log") bytes: 200," \
  "$got events found (lines sent: $fits_lines) (${SECONDS}s in all)"

echo "== 4. [search] max_mem_usage_mb = $search_mb: a sort of every event stops with an error"
# Sorting the $raw_lines events of section 1 would hold them all (about 1 KB each in rows, far
# over the limit and over the RSS bound); the search stops instead, naming the limit.
export_search "$port" "index=main sourcetype=bigraw | sort 0 user" > "$dir/sort.out" || true
want="would hold more than the search memory limit of $search_mb MB ([search] max_mem_usage_mb)"
grep -qF "$want" "$dir/sort.out" || die "sort of every event: no memory-limit error in: $(head -c 300 "$dir/sort.out")"
peak=$(rss_mb VmHWM)
((peak < rss_limit_mb)) || die "peak RSS ${peak} MB through the stopped sort is not under ${rss_limit_mb} MB"
echo "PASS: sort of every event: $(grep -oF 'sort: its' "$dir/sort.out" | head -1) … $want; peak RSS ${peak} MB"
# Under the limit the same kind of search answers in full.
rows=$(export_search "$port" "index=main sourcetype=bigraw | head 2000 | sort 0 user" | grep -c '"result"' || true)
[[ "$rows" == 2000 ]] || die "head 2000 | sort: $rows rows, not 2000"
echo "PASS: head 2000 | sort 0 user: 2000 rows within the limit"
stop_clean
