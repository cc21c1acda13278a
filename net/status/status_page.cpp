// The HTML of the status page.
#include "net/status/status_page.hpp"

#include <algorithm>
#include <cstdio>

#include "net/search/export_format.hpp"

namespace kura::status {
namespace {

std::string escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string size_text(uint64_t bytes) {
  char buf[32];
  if (bytes >= 1024ull * 1024 * 1024) std::snprintf(buf, sizeof buf, "%.1f GB", bytes / 1073741824.0);
  else if (bytes >= 1024 * 1024) std::snprintf(buf, sizeof buf, "%.1f MB", bytes / 1048576.0);
  else std::snprintf(buf, sizeof buf, "%.1f KB", bytes / 1024.0);
  return buf;
}

std::string uptime_text(int64_t secs) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%lldd %02lldh %02lldm", (long long)(secs / 86400), (long long)(secs / 3600 % 24),
                (long long)(secs / 60 % 60));
  return buf;
}

/// Bars of events per interval, as inline SVG.
std::string chart(const activity& a) {
  constexpr int width = 600, height = 120;
  uint64_t peak = std::max<uint64_t>(1, *std::max_element(a.events.begin(), a.events.end()));
  int n = int(a.events.size());
  double bar = double(width) / std::max(1, n);
  std::string svg = "<svg id=\"ingest-chart\" width=\"" + std::to_string(width) + "\" height=\"" + std::to_string(height) +
                    "\" role=\"img\" aria-label=\"events stored per " + std::to_string(a.interval_secs) + " s\">";
  uint64_t total = 0;
  for (int i = 0; i < n; ++i) {
    total += a.events[size_t(i)];
    double h = double(a.events[size_t(i)]) / double(peak) * (height - 4);
    char rect[200];
    std::snprintf(rect, sizeof rect,
                  "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"><title>%llu events</title></rect>", i * bar + 1,
                  height - h, bar - 2, h, (unsigned long long)a.events[size_t(i)]);
    svg += rect;
  }
  svg += "</svg>";
  double rate = double(a.events.empty() ? 0 : a.events[a.events.size() > 1 ? a.events.size() - 2 : 0]) / a.interval_secs;
  char caption[160];
  std::snprintf(caption, sizeof caption,
                "<p class=\"caption\">%llu events in the last %d minutes; %.0f events/s over the last full %d s; peak "
                "%llu per %d s</p>",
                (unsigned long long)total, n * a.interval_secs / 60, rate, a.interval_secs, (unsigned long long)peak,
                a.interval_secs);
  return svg + caption;
}

}  // namespace

std::string status_page(const server_status& server, const std::vector<index_status>& indexes, const activity& recent) {
  std::string html = R"(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="10">
<title>kura · )" + escape(server.name) + R"(</title>
<style>
body{font-family:system-ui,sans-serif;margin:2em;color:#222;background:#fafafa}
h1{font-size:1.5em;margin:0 0 .2em} h2{font-size:1.1em;margin:1.6em 0 .5em}
table{border-collapse:collapse;background:#fff} th,td{padding:.35em .8em;border-bottom:1px solid #ddd;text-align:right}
th:first-child,td:first-child{text-align:left} .muted{color:#777} .bad{color:#b00020;font-weight:600}
#ingest-chart rect{fill:#3b6ea5} #ingest-chart{background:#fff;border:1px solid #ddd}
.caption{color:#555;margin:.3em 0} pre{background:#fff;border:1px solid #ddd;padding:.6em;white-space:pre-wrap}
</style></head><body>
)";
  html += "<h1>kura node <span id=\"node-name\">" + escape(server.name) + "</span></h1>\n";
  html += "<p class=\"muted\">role <b id=\"node-role\">" + escape(server.role) + "</b> · version " + escape(server.version) +
          " · up " + uptime_text(server.uptime_secs) + " · updated <span id=\"updated\">now</span></p>\n";
  if (server.detention)
    html += "<p class=\"bad\" id=\"detention\">" + escape(*server.detention) + "</p>\n";
  else
    html += "<p id=\"detention\">Accepting data.</p>\n";
  if (server.discarded_events)
    html += "<p class=\"bad\">" + std::to_string(server.discarded_events) + " events discarded (unknown index)</p>\n";

  html += "<h2>Indexes</h2>\n<table id=\"indexes\"><tr><th>index</th><th>events</th><th>size</th><th>hot</th><th>warm</th>"
          "<th>cold</th><th>thawed</th><th>earliest</th><th>latest</th><th></th></tr>\n";
  for (auto& idx : indexes) {
    uint64_t events = 0, bytes = 0;
    size_t by_state[4] = {0, 0, 0, 0};
    time_us earliest = INT64_MAX, latest = INT64_MIN;
    for (auto& b : idx.buckets) {
      events += b.events;
      bytes += b.size_bytes;
      ++by_state[std::min<size_t>(size_t(b.state), 3)];
      if (b.events) earliest = std::min(earliest, b.oldest), latest = std::max(latest, b.newest);
    }
    auto when = [](time_us t, bool any) { return any ? exporting::iso_time(double(t) / 1e6).substr(0, 19) : std::string{"—"}; };
    html += "<tr><td>" + escape(idx.name) + "</td><td>" + std::to_string(events) + "</td><td>" + size_text(bytes) +
            "</td><td>" + std::to_string(by_state[0]) + "</td><td>" + std::to_string(by_state[1]) + "</td><td>" +
            std::to_string(by_state[2]) + "</td><td>" + std::to_string(by_state[3]) + "</td><td>" +
            when(earliest, events > 0) + "</td><td>" + when(latest, events > 0) + "</td><td class=\"muted\">" +
            (idx.disabled ? "disabled" : "") + "</td></tr>\n";
  }
  html += "</table>\n";

  html += "<h2>Ingestion, last " + std::to_string(recent.events.size() * size_t(recent.interval_secs) / 60) +
          " minutes</h2>\n" + chart(recent) + "\n";

  html += "<h2>Recent problems</h2>\n";
  if (recent.problems.empty()) {
    html += "<p id=\"problems\" class=\"muted\">None.</p>\n";
  } else {
    html += "<pre id=\"problems\">";
    for (auto it = recent.problems.rbegin(); it != recent.problems.rend(); ++it) html += escape(*it) + "\n";
    html += "</pre>\n";
  }
  html += R"(<script>
// Shows how old the page is between its reloads.
const loaded = Date.now();
setInterval(() => { document.getElementById('updated').textContent = Math.round((Date.now() - loaded) / 1000) + ' s ago'; }, 1000);
</script>
</body></html>
)";
  return html;
}

}  // namespace kura::status
