#!/usr/bin/env bash
# kill -9 of a writer at arbitrary moments loses no acknowledged event: run the
# writer, wait until it has acknowledged more events, SIGKILL it, restart it
# (which recovers and rolls the hot buckets), five times; then verify.
set -euo pipefail
writer="$1"
dir="$(mktemp -d)"
pid=""
cleanup() { [[ -n "$pid" ]] && kill -9 "$pid" 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT

# Acknowledged events of the current run (last line of DIR/acked).
acked() { tail -n1 "$dir/acked" 2>/dev/null | awk '{print $2+0}' || echo 0; }
for round in 1 2 3 4 5; do
  runs_before=$(wc -l < "$dir/acked" 2>/dev/null || echo 0)
  target=$((2000 + RANDOM % 20000))
  "$writer" write "$dir" 2>"$dir/writer.log" &
  pid=$!
  # Wait for this run's first acknowledgement line before reading its count.
  deadline=$((SECONDS + 60))
  while (( $(wc -l < "$dir/acked" 2>/dev/null || echo 0) <= runs_before )); do
    (( SECONDS < deadline )) || { echo "writer never acknowledged"; cat "$dir/writer.log"; exit 1; }
    sleep 0.01
  done
  deadline=$((SECONDS + 60))
  while (( $(acked) < target )); do
    (( SECONDS < deadline )) || { echo "writer made no progress"; cat "$dir/writer.log"; exit 1; }
    kill -0 "$pid" 2>/dev/null || { echo "writer died"; cat "$dir/writer.log"; exit 1; }
    sleep 0.01
  done
  kill -9 "$pid"
  wait "$pid" 2>/dev/null || true
  pid=""
  echo "round $round: killed after $(acked) acknowledged events"
done
"$writer" verify "$dir"
