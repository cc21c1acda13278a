// The HTML of the master, peer and search-head dashboards.
#include "net/status/cluster_pages.hpp"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <map>
#include <set>

#include "net/status/page_html.hpp"

namespace kura::status {
namespace {

using html::escape;

/// The pages reload this often: fast enough to watch a peer go Down and fixup progress.
constexpr int refresh_secs = 5;

/// One row of a two-column table (label, value); `value_html` is already HTML.
std::string kv_row(std::string_view label, const std::string& value_html,
                   std::string_view id = {}) {
  std::string row = "<tr><th>" + escape(label) + "</th><td";
  if (!id.empty()) row += " id=\"" + std::string{id} + "\"";
  return row + ">" + value_html + "</td></tr>\n";
}

/// An index as §23.1's index details show it, derived from the master's bucket table.
struct index_detail {
  std::string name;            ///< the index
  size_t buckets = 0;          ///< its buckets in the master's table, hot ones included
  uint64_t size_excl_hot = 0;  ///< one copy of each warm or cold bucket
  bool searchable = true;      ///< every bucket has a searchable copy
  size_t replicated = 0;       ///< complete copies: the fewest copies any of its buckets has
  size_t searchable_copies =
      0;  ///< complete searchable copies: the fewest searchable copies of a bucket
};

std::vector<index_detail> index_details(const master_status& s) {
  std::map<std::string, index_detail> by_name;
  for (auto& b : s.buckets) {
    auto& d = by_name[b.index];
    if (d.buckets == 0) {
      d.name = b.index;
      d.replicated = d.searchable_copies = std::numeric_limits<size_t>::max();
    }
    ++d.buckets;
    if (b.state != "hot") d.size_excl_hot += b.size_bytes;
    std::set<std::string> holders, searchable;
    for (auto& c : b.copies) {
      holders.insert(c.guid);
      if (c.searchable) searchable.insert(c.guid);
    }
    d.searchable = d.searchable && !searchable.empty();
    d.replicated = std::min(d.replicated, holders.size());
    d.searchable_copies = std::min(d.searchable_copies, searchable.size());
  }
  std::vector<index_detail> out;
  for (auto& [name, d] : by_name) out.push_back(d);
  return out;
}

/// §23.1's warnings, in the order Splunk lists them.
std::vector<std::string> warnings(const master_status& s,
                                  const std::vector<index_detail>& indexes) {
  std::vector<std::string> out;
  if (s.peers.empty()) out.push_back("No peers configured");
  std::string down;
  for (auto& p : s.peers)
    if (p.status == "Down") down += (down.empty() ? "" : ", ") + p.name;
  if (!down.empty()) out.push_back("Peers are down: " + down);
  bool rf_short = !s.peers.empty() && s.peers_up < s.replication_factor;
  bool sf_short = false;
  for (auto& d : indexes) {
    rf_short = rf_short || d.replicated < s.replication_factor;
    sf_short = sf_short || d.searchable_copies < s.search_factor;
  }
  if (rf_short || s.fixup_replicate > 0) out.push_back("Replication factor not met");
  if (sf_short || s.fixup_searchable > 0) out.push_back("Search factor not met");
  return out;
}

/// Two bars: buckets valid and buckets complete, out of all buckets.
std::string buckets_chart(const master_status& s) {
  if (s.buckets_total == 0) return "<p id=\"buckets-chart\" class=\"muted\">No buckets yet.</p>\n";
  constexpr int width = 360, bar_x = 80, bar_w = 200, row_h = 22;
  std::string svg = "<svg id=\"buckets-chart\" width=\"" + std::to_string(width) + "\" height=\"" +
                    std::to_string(2 * row_h + 6) +
                    "\" role=\"img\" aria-label=\"buckets valid and complete\">";
  auto row = [&](int i, const char* label, uint64_t n) {
    double frac = double(std::min(n, s.buckets_total)) / double(s.buckets_total);
    const char* colour = n == s.buckets_total ? "#1b7f3b" : "#c77700";
    char buf[520];
    std::snprintf(buf, sizeof buf,
                  "<text x=\"6\" y=\"%d\">%s</text><rect x=\"%d\" y=\"%d\" width=\"%d\" "
                  "height=\"14\" fill=\"#e4e4e4\"/>"
                  "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"14\" fill=\"%s\"><title>%llu of "
                  "%llu buckets %s</title>"
                  "</rect><text x=\"%d\" y=\"%d\">%llu / %llu</text>",
                  6 + i * row_h + 13, label, bar_x, 6 + i * row_h, bar_w, bar_x, 6 + i * row_h,
                  frac * bar_w, colour, (unsigned long long)n, (unsigned long long)s.buckets_total,
                  label, bar_x + bar_w + 8, 6 + i * row_h + 13, (unsigned long long)n,
                  (unsigned long long)s.buckets_total);
    svg += buf;
  };
  row(0, "valid", s.buckets_valid);
  row(1, "complete", s.buckets_complete);
  return svg + "</svg>\n";
}

std::string master_details(const server_status& server, const master_status& s) {
  std::string html = "<h2>Master node details</h2>\n<table class=\"kv\" id=\"master-details\">\n";
  html += kv_row("Master name", escape(server.name));
  html += kv_row("Replication factor", std::to_string(s.replication_factor), "replication-factor");
  html += kv_row("Search factor", std::to_string(s.search_factor), "search-factor");
  html += kv_row("Generation", std::to_string(s.generation), "generation");
  if (!s.active_bundle.empty())
    html += kv_row("Configuration bundle", "<code>" + escape(s.active_bundle) + "</code>",
                   "active-bundle");
  return html + "</table>\n";
}

std::string overview(const master_status& s, const std::vector<index_detail>& indexes) {
  size_t searchable_indexes = 0;
  for (auto& d : indexes) searchable_indexes += d.searchable ? 1 : 0;
  std::string html = "<h2>Cluster overview</h2>\n<table class=\"kv\" id=\"overview\">\n";
  html += kv_row("Searchable (valid)", html::yes_no(s.valid), "valid");
  html += kv_row("Complete", html::yes_no(s.complete), "complete");
  html += kv_row("Searchable peers",
                 std::to_string(s.peers_up) + " of " + std::to_string(s.peers.size()),
                 "searchable-peers");
  html += kv_row("Searchable indexes",
                 std::to_string(searchable_indexes) + " of " + std::to_string(indexes.size()),
                 "searchable-indexes");
  html += kv_row("Indexing ready", html::yes_no(s.indexing_ready), "indexing-ready");
  html += "</table>\n" + buckets_chart(s);
  auto warn = warnings(s, indexes);
  if (warn.empty()) return html + "<p id=\"warnings\" class=\"ok\">No warnings.</p>\n";
  html += "<ul id=\"warnings\" class=\"warnings\">";
  for (auto& w : warn) html += "<li>⚠ " + escape(w) + "</li>";
  return html + "</ul>\n";
}

std::string peers_section(const master_status& s) {
  std::set<std::string> serving;
  for (auto& g : s.generation_peers) serving.insert(g.guid);
  auto peers = s.peers;
  std::stable_sort(peers.begin(), peers.end(), [](auto& a, auto& b) { return a.name < b.name; });
  std::string html = "<h2>Peers</h2>\n";
  if (peers.empty()) return html + "<p id=\"peers\" class=\"muted\">No peer has registered.</p>\n";
  html +=
      "<table "
      "id=\"peers\"><tr><th>peer</th><th>status</th><th>searchable</th><th>buckets</"
      "th><th>primaries</th>"
      "<th>searchable copies</th><th>last heartbeat</th></tr>\n";
  for (auto& p : peers)
    html += "<tr><td><a href=\"#peer-" + html::anchor(p.guid) + "\">" + escape(p.name) +
            "</a></td><td>" + html::status_label(p.status) + "</td><td>" +
            html::yes_no(serving.count(p.guid) > 0) + "</td><td>" + std::to_string(p.buckets) +
            "</td><td>" + std::to_string(p.primaries) + "</td><td>" + std::to_string(p.searchable) +
            "</td><td>" + html::ago_text(p.last_heartbeat_secs_ago) + "</td></tr>\n";
  html += "</table>\n<h3>Peer details</h3>\n";
  for (auto& p : peers) {
    html += "<div class=\"peer-detail\" id=\"peer-" + html::anchor(p.guid) + "\"><h4>" +
            escape(p.name) + "</h4><table class=\"kv\">\n";
    html += kv_row("Location", escape(p.host_port));
    html += kv_row("GUID", "<code>" + escape(p.guid) + "</code>");
    html += kv_row("Status", html::status_label(p.status));
    html += kv_row("Last heartbeat", html::ago_text(p.last_heartbeat_secs_ago));
    if (!p.active_bundle.empty()) {
      bool stale = !s.active_bundle.empty() && p.active_bundle != s.active_bundle;
      html += kv_row("Configuration bundle",
                     "<code>" + escape(p.active_bundle) + "</code>" +
                         (stale ? " <span class=\"warn\">not the master's</span>" : ""));
    }
    html += "</table></div>\n";
  }
  return html;
}

std::string index_section(const master_status& s, const std::vector<index_detail>& indexes) {
  std::string html = "<h2>Indexes</h2>\n";
  if (indexes.empty())
    return html + "<p id=\"index-details\" class=\"muted\">No buckets yet.</p>\n";
  html +=
      "<table id=\"index-details\"><tr><th>index</th><th>searchable</th><th>replicated copies</th>"
      "<th>searchable copies</th><th>buckets</th><th>size (excluding hot)</th></tr>\n";
  auto copies = [](size_t n, uint32_t want) {
    return std::to_string(n) + (n < want ? " <span class=\"warn\" title=\"fewer than " +
                                               std::to_string(want) + "\">⚠</span>"
                                         : "");
  };
  for (auto& d : indexes)
    html += "<tr><td>" + escape(d.name) + "</td><td>" + html::yes_no(d.searchable) + "</td><td>" +
            copies(d.replicated, s.replication_factor) + "</td><td>" +
            copies(d.searchable_copies, s.search_factor) + "</td><td>" + std::to_string(d.buckets) +
            "</td><td>" + html::size_text(d.size_excl_hot) + "</td></tr>\n";
  return html + "</table>\n";
}

std::string fixup_section(const master_status& s) {
  uint64_t pending = s.fixup_primary + s.fixup_searchable + s.fixup_replicate;
  std::string html = "<h2>Bucket fixup</h2>\n";
  if (pending == 0 && s.fixup_running.empty())
    html += "<p id=\"fixup-state\" class=\"ok\">No fixup task pending.</p>\n";
  else
    html += "<p id=\"fixup-state\" class=\"warn\">Fixup in progress: " + std::to_string(pending) +
            " tasks to do, " + std::to_string(s.fixup_running.size()) + " running, " +
            html::size_text(s.fixup_bytes_to_go) + " to copy.</p>\n";
  html += "<table class=\"kv\" id=\"fixup\">\n";
  html += kv_row("Make primary", std::to_string(s.fixup_primary), "fixup-primary");
  html += kv_row("Make searchable", std::to_string(s.fixup_searchable), "fixup-searchable");
  html += kv_row("Replicate", std::to_string(s.fixup_replicate), "fixup-replicate");
  html += kv_row("Tasks to do", std::to_string(pending), "fixup-pending");
  html += "<tr><th>Bytes to go</th><td id=\"fixup-bytes\" data-bytes=\"" +
          std::to_string(s.fixup_bytes_to_go) + "\">" + html::size_text(s.fixup_bytes_to_go) +
          "</td></tr>\n";
  html += kv_row("Running", std::to_string(s.fixup_running.size()), "fixup-running-count");
  html += "</table>\n";
  if (s.fixup_running.empty())
    return html + "<p id=\"fixup-running\" class=\"muted\">No task running.</p>\n";
  html += "<ul id=\"fixup-running\">";
  for (auto& line : s.fixup_running) html += "<li>" + escape(line) + "</li>";
  return html + "</ul>\n";
}

/// A table of replication streams, or "none".
std::string streams_table(const std::vector<replication_stream>& streams, const char* id,
                          const char* other, const char* bytes_label) {
  if (streams.empty()) return std::string{"<p id=\""} + id + "\" class=\"muted\">none</p>\n";
  double peak = 1;
  for (auto& s : streams) peak = std::max(peak, s.bytes_per_sec);
  std::string html = std::string{"<table id=\""} + id + "\"><tr><th>bucket</th><th>" + other +
                     "</th><th>" + bytes_label + "</th><th>rate</th><th></th></tr>\n";
  for (auto& s : streams) {
    char bar[200];
    std::snprintf(
        bar, sizeof bar,
        "<svg width=\"80\" height=\"10\" role=\"img\" aria-label=\"rate\"><rect width=\"%.1f\" "
        "height=\"10\" fill=\"#3b6ea5\"/></svg>",
        std::max(0.0, s.bytes_per_sec) / peak * 80);
    html += "<tr><td>" + escape(s.bucket) + "</td><td>" + escape(s.peer) +
            "</td><td data-bytes=\"" + std::to_string(s.bytes) + "\">" + html::size_text(s.bytes) +
            "</td><td>" + html::rate_text(s.bytes_per_sec) + "</td><td>" + bar + "</td></tr>\n";
  }
  return html + "</table>\n";
}

}  // namespace

std::string master_page(const server_status& server, const master_status& cluster,
                        const activity& recent) {
  auto indexes = index_details(cluster);
  std::string page = html::page_start(server, "kura cluster master", refresh_secs);
  if (!cluster.rolling_restart.empty())
    page += "<p id=\"rolling-restart\" class=\"warn\">Rolling restart: " +
            escape(cluster.rolling_restart) + "</p>\n";
  page += master_details(server, cluster);
  page += overview(cluster, indexes);
  page += peers_section(cluster);
  page += index_section(cluster, indexes);
  page += fixup_section(cluster);
  page += html::problems_section(recent);
  return page + html::page_end();
}

std::string peer_page(const server_status& server, const peer_cluster_status& cluster,
                      const std::vector<index_status>& indexes, const activity& recent) {
  std::string page = html::page_start(server, "kura cluster peer", refresh_secs);
  page += html::data_state(server);
  page += "<h2>Cluster</h2>\n<table class=\"kv\" id=\"peer-cluster\">\n";
  page += kv_row("Status", html::status_label(cluster.status), "peer-status");
  page += kv_row("GUID", "<code>" + escape(cluster.guid) + "</code>", "guid");
  page += kv_row("Master location", escape(cluster.master_uri), "master-location");
  page += kv_row("Registered", html::yes_no(cluster.master_reachable), "registered");
  page += kv_row("Generation", std::to_string(cluster.generation), "generation");
  page += kv_row("Replication port", std::to_string(cluster.replication_port), "replication-port");
  if (!cluster.active_bundle.empty())
    page += kv_row("Configuration bundle", "<code>" + escape(cluster.active_bundle) + "</code>",
                   "active-bundle");
  page += "</table>\n<h2>Replication</h2>\n<h3>Streams out</h3>\n" +
          streams_table(cluster.streams_out, "streams-out", "to", "sent") +
          "<h3>Streams in</h3>\n" +
          streams_table(cluster.streams_in, "streams-in", "from", "received");
  page += "<h2>Indexes</h2>\n" + html::index_table(indexes);
  page += html::ingestion_section(recent);
  page += html::problems_section(recent);
  return page + html::page_end();
}

std::string searchhead_page(const server_status& server,
                            const std::vector<searchhead_master_status>& masters,
                            const activity& recent) {
  std::string page = html::page_start(server, "kura search head", refresh_secs);
  if (masters.empty()) page += "<p id=\"masters\" class=\"bad\">No master configured.</p>\n";
  for (size_t i = 0; i < masters.size(); ++i) {
    auto& m = masters[i];
    auto id = "master-" + std::to_string(i);
    page += "<section class=\"master\" id=\"" + id + "\">\n<h2>Master " + escape(m.master_uri) +
            "</h2>\n";
    page += "<table class=\"kv\">\n";
    page += kv_row("Master location", escape(m.master_uri), id + "-location");
    page += kv_row("Reachable", html::yes_no(m.reachable), id + "-reachable");
    page += kv_row("Cluster valid", html::yes_no(m.valid), id + "-valid");
    page += kv_row("Generation ID", std::to_string(m.generation), id + "-generation");
    page += "</table>\n<h3>Generation peers</h3>\n";
    if (m.generation == 0)
      page += "<p class=\"muted\">This master has not told the search head its peers yet.</p>\n";
    else if (m.peers.empty())
      page += "<p class=\"muted\">No peer in this generation.</p>\n";
    if (!m.peers.empty()) {
      page += "<table id=\"" + id +
              "-peers\" class=\"generation-peers text\"><tr><th>GUID</th><th>peer</th>"
              "<th>location</th></tr>\n";
      for (auto& p : m.peers)
        page += "<tr><td><code>" + escape(p.guid) + "</code></td><td>" + escape(p.name) +
                "</td><td>" + escape(p.host_port) + "</td></tr>\n";
      page += "</table>\n";
    }
    page += "</section>\n";
  }
  page += html::problems_section(recent);
  return page + html::page_end();
}

}  // namespace kura::status
