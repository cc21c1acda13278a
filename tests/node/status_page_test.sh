#!/usr/bin/env bash
# The status page at `/` in a real browser: a kura-node process gets events
# and a rejected request, then headless Chromium (Debian's `chromium`) opens
# the page with an API token as the password and we check what a person would
# see: the node, the indexes with their event counts and buckets, the
# ingestion chart, the recent problem. A screenshot is kept as an artefact
# (second argument: the directory for it).
set -euo pipefail
node="$1"
artefacts="$2"
dir="$(mktemp -d)"
pid=""
cleanup() {
  [[ -n "$pid" ]] && kill -9 "$pid" 2>/dev/null
  cp "$dir/dom.html" "$dir/browser.log" /tmp/ 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT
browser="$(command -v chromium || command -v chromium-browser || true)"
[[ -n "$browser" ]] || { echo "chromium is not installed (scripts/setup installs it)"; exit 1; }

source "$(dirname "$0")/lib.sh"
read -r http admin receiver < <(free_ports 3)
node_toml pagenode "$dir/home" "$http" "$admin" "$receiver" > "$dir/node.toml"
"$node" --config "$dir/node.toml" 2>> "$dir/node.log" &
pid=$!
url="http://127.0.0.1:$http"
wait_healthy "$http" "$pid" "$dir/node.log"

for k in $(seq 1 3); do
  body=""
  for i in $(seq 1 100); do body+="{\"event\": \"page test $k $i\"}"; done
  curl -sf -H 'Authorization: Splunk hec-1' -d "$body" "$url/services/collector/event" > /dev/null
done
curl -s -H 'Authorization: Splunk hec-1' -d '{"event": "x", "index": "no_such_index"}' "$url/services/collector/event" > /dev/null

echo "== without credentials: 401 and a Basic challenge"
code=$(curl -s -o /dev/null -w '%{http_code}' "$url/")
[[ "$code" == "401" ]]
curl -sI "$url/" | grep -qi '^WWW-Authenticate: Basic'
[[ "$(curl -s -o /dev/null -w '%{http_code}' -u admin:wrong "$url/")" == "401" ]]

echo "== in Chromium"
run_browser() { timeout 60 "$browser" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
  --user-data-dir="$dir/profile" "$@" 2>> "$dir/browser.log"; }
run_browser --dump-dom "http://admin:api-1@127.0.0.1:$http/" > "$dir/dom.html"
python3 - "$dir/dom.html" <<'PY'
import html, html.parser, re, sys
text = open(sys.argv[1]).read()
class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(); self.rows = []; self.row = None; self.cell = None; self.rects = 0
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "tr": self.row = []
        if tag in ("td", "th"): self.cell = ""
        if tag == "rect": self.rects += 1
    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.row is not None: self.row.append(self.cell.strip()); self.cell = None
        if tag == "tr": self.rows.append(self.row); self.row = None
    def handle_data(self, data):
        if self.cell is not None: self.cell += data
p = Page(); p.feed(text)
def by_id(name):  # the text of the element with this id
    m = re.search(r'id="' + name + r'"[^>]*>(.*?)</', text, re.S)
    return html.unescape(m.group(1)) if m else ""
def check(cond, what):
    if not cond: sys.exit("status page: " + what)
check(by_id("node-name").strip() == "pagenode", "the node's name is not shown")
check(by_id("node-role").strip() == "standalone", "the role is not shown")
check("Accepting data" in by_id("detention"), "the data state is not shown")
rows = {r[0]: r for r in p.rows if r and r[0] not in ("index",)}
check(set(rows) >= {"main", "_internal", "_audit"}, f"indexes missing: {sorted(rows)}")
check(rows["main"][1] == "300", f"main shows {rows['main'][1]} events, not 300")
check(rows["main"][3] == "1", "main's hot bucket is not counted")
check(p.rects == 30, f"the ingestion chart has {p.rects} bars, not 30")
check(re.search(r"300 events in the last 5 minutes", text) is not None, "the chart's caption does not count the 300 events")
check("no_such_index" in by_id("problems"), "the rejected request is not among the recent problems")
check(by_id("updated").strip() in ("now",) or by_id("updated").endswith("s ago"), "no update time")
print("status page shows the node, 3 indexes, main with 300 events, a 30-bar chart and the recent problem")
PY
mkdir -p "$artefacts"
run_browser --screenshot="$artefacts/status-page.png" --window-size=1200,900 "http://admin:api-1@127.0.0.1:$http/"
python3 - "$artefacts/status-page.png" <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "the screenshot is not a PNG"
assert len(data) > 10000, f"the screenshot is suspiciously small ({len(data)} bytes)"
print(f"screenshot kept: {sys.argv[1]} ({len(data)} bytes)")
PY
echo "status page test passed"
