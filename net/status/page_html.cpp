// The HTML pieces the pages at `/` share.
#include "net/status/page_html.hpp"

#include <algorithm>
#include <cstdio>

#include "net/search/export_format.hpp"

namespace kura::status::html {

std::string escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string anchor(std::string_view s) {
  std::string out{s};
  for (char& c : out)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
          c == '_'))
      c = '_';
  return out;
}

std::string size_text(uint64_t bytes) {
  char buf[32];
  if (bytes >= 1024ull * 1024 * 1024)
    std::snprintf(buf, sizeof buf, "%.1f GB", double(bytes) / 1073741824.0);
  else if (bytes >= 1024 * 1024)
    std::snprintf(buf, sizeof buf, "%.1f MB", double(bytes) / 1048576.0);
  else if (bytes >= 1024)
    std::snprintf(buf, sizeof buf, "%.1f KB", double(bytes) / 1024.0);
  else
    std::snprintf(buf, sizeof buf, "%llu B", (unsigned long long)bytes);
  return buf;
}

std::string rate_text(double bytes_per_sec) {
  return size_text(uint64_t(std::max(0.0, bytes_per_sec) + 0.5)) + "/s";
}

std::string uptime_text(int64_t secs) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%lldd %02lldh %02lldm", (long long)(secs / 86400),
                (long long)(secs / 3600 % 24), (long long)(secs / 60 % 60));
  return buf;
}

std::string ago_text(double secs) {
  char buf[48];
  secs = std::max(0.0, secs);
  auto whole = (long long)secs;
  if (secs < 10)
    std::snprintf(buf, sizeof buf, "%.1f s ago", secs);
  else if (secs < 60)
    std::snprintf(buf, sizeof buf, "%lld s ago", whole);
  else if (secs < 3600)
    std::snprintf(buf, sizeof buf, "%lld min %lld s ago", whole / 60, whole % 60);
  else
    std::snprintf(buf, sizeof buf, "%lld h %lld min ago", whole / 3600, whole / 60 % 60);
  return buf;
}

std::string yes_no(bool value, bool good) {
  return std::string{"<span class=\""} + (value == good ? "ok" : "bad") + "\">" +
         (value ? "Yes" : "No") + "</span>";
}

std::string status_label(std::string_view status) {
  const char* kind = status == "Up" ? "st-up" : status == "Down" ? "st-down" : "st-other";
  return std::string{"<span class=\"status "} + kind + "\">" + escape(status) + "</span>";
}

std::string page_start(const server_status& server, std::string_view heading, int refresh_secs) {
  std::string html = R"(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content=")" +
                     std::to_string(refresh_secs) + R"(">
<title>kura · )" + escape(server.name) +
                     R"(</title>
<style>
body{font-family:system-ui,sans-serif;margin:2em;color:#222;background:#fafafa}
h1{font-size:1.5em;margin:0 0 .2em} h2{font-size:1.1em;margin:1.6em 0 .5em} h3{font-size:1em;margin:1em 0 .3em}
table{border-collapse:collapse;background:#fff} th,td{padding:.35em .8em;border-bottom:1px solid #ddd;text-align:right}
th:first-child,td:first-child{text-align:left} .muted{color:#777} .bad{color:#b00020;font-weight:600}
.ok{color:#1b7f3b} .warn{color:#a15c00;font-weight:600}
table.kv th{text-align:left;font-weight:normal;color:#555} table.kv td,table.text th,table.text td{text-align:left}
.status{display:inline-block;padding:.05em .6em;border-radius:.8em;color:#fff;font-weight:600;font-size:.9em}
.st-up{background:#1b7f3b} .st-down{background:#b00020} .st-other{background:#c77700}
ul.warnings{margin:.3em 0;padding-left:1.2em} ul.warnings li{color:#a15c00;font-weight:600}
.peer-detail{display:inline-block;vertical-align:top;margin:0 1em 1em 0}
#ingest-chart rect{fill:#3b6ea5} #ingest-chart{background:#fff;border:1px solid #ddd}
svg#buckets-chart{background:#fff;border:1px solid #ddd} #buckets-chart text{font-size:12px;fill:#222}
.caption{color:#555;margin:.3em 0} pre{background:#fff;border:1px solid #ddd;padding:.6em;white-space:pre-wrap}
code{font-size:.95em}
</style></head><body>
)";
  html += "<h1>" + escape(heading) + " <span id=\"node-name\">" + escape(server.name) +
          "</span></h1>\n";
  html += "<p class=\"muted\">role <b id=\"node-role\">" + escape(server.role) + "</b> · version " +
          escape(server.version) + " · up " + uptime_text(server.uptime_secs) +
          " · updated <span id=\"updated\">now</span></p>\n";
  return html;
}

std::string data_state(const server_status& server) {
  std::string html;
  if (server.detention)
    html += "<p class=\"bad\" id=\"detention\">" + escape(*server.detention) + "</p>\n";
  else
    html += "<p id=\"detention\">Accepting data.</p>\n";
  if (server.discarded_events)
    html += "<p class=\"bad\">" + std::to_string(server.discarded_events) +
            " events discarded (unknown index)</p>\n";
  return html;
}

std::string index_table(const std::vector<index_status>& indexes) {
  std::string html =
      "<table "
      "id=\"indexes\"><tr><th>index</th><th>events</th><th>size</th><th>hot</th><th>warm</th>"
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
    auto when = [](time_us t, bool any) {
      return any ? exporting::iso_time(double(t) / 1e6).substr(0, 19) : std::string{"—"};
    };
    html += "<tr><td>" + escape(idx.name) + "</td><td>" + std::to_string(events) + "</td><td>" +
            size_text(bytes) + "</td><td>" + std::to_string(by_state[0]) + "</td><td>" +
            std::to_string(by_state[1]) + "</td><td>" + std::to_string(by_state[2]) + "</td><td>" +
            std::to_string(by_state[3]) + "</td><td>" + when(earliest, events > 0) + "</td><td>" +
            when(latest, events > 0) + "</td><td class=\"muted\">" +
            (idx.disabled ? "disabled" : "") + "</td></tr>\n";
  }
  return html + "</table>\n";
}

namespace {

/// Bars of events per interval, as inline SVG, and a caption.
std::string chart(const activity& a) {
  constexpr int width = 600, height = 120;
  uint64_t peak = std::max<uint64_t>(
      1, a.events.empty() ? 0 : *std::max_element(a.events.begin(), a.events.end()));
  int n = int(a.events.size());
  double bar = double(width) / std::max(1, n);
  std::string svg = "<svg id=\"ingest-chart\" width=\"" + std::to_string(width) + "\" height=\"" +
                    std::to_string(height) + "\" role=\"img\" aria-label=\"events stored per " +
                    std::to_string(a.interval_secs) + " s\">";
  uint64_t total = 0;
  for (int i = 0; i < n; ++i) {
    total += a.events[size_t(i)];
    double h = double(a.events[size_t(i)]) / double(peak) * (height - 4);
    char rect[200];
    std::snprintf(rect, sizeof rect,
                  "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"><title>%llu "
                  "events</title></rect>",
                  i * bar + 1, height - h, bar - 2, h, (unsigned long long)a.events[size_t(i)]);
    svg += rect;
  }
  svg += "</svg>";
  int interval = std::max(1, a.interval_secs);
  double rate =
      double(a.events.empty() ? 0 : a.events[a.events.size() > 1 ? a.events.size() - 2 : 0]) /
      interval;
  char caption[160];
  std::snprintf(caption, sizeof caption,
                "<p class=\"caption\">%llu events in the last %d minutes; %.0f events/s over the "
                "last full %d s; "
                "peak %llu per %d s</p>",
                (unsigned long long)total, n * interval / 60, rate, interval,
                (unsigned long long)peak, interval);
  return svg + caption;
}

}  // namespace

std::string ingestion_section(const activity& recent) {
  return "<h2>Ingestion, last " +
         std::to_string(recent.events.size() * size_t(std::max(1, recent.interval_secs)) / 60) +
         " minutes</h2>\n" + chart(recent) + "\n";
}

std::string problems_section(const activity& recent) {
  std::string html = "<h2>Recent problems</h2>\n";
  if (recent.problems.empty()) return html + "<p id=\"problems\" class=\"muted\">None.</p>\n";
  html += "<pre id=\"problems\">";
  for (auto it = recent.problems.rbegin(); it != recent.problems.rend(); ++it)
    html += escape(*it) + "\n";
  return html + "</pre>\n";
}

std::string page_end() {
  return R"(<script>
// Shows how old the page is between its reloads.
const loaded = Date.now();
setInterval(() => { document.getElementById('updated').textContent = Math.round((Date.now() - loaded) / 1000) + ' s ago'; }, 1000);
</script>
</body></html>
)";
}

}  // namespace kura::status::html
