// The cluster dashboards as HTML text: what each role's page shows, and that
// hostile names come out escaped.
#include "net/status/cluster_pages.hpp"

#include <doctest/doctest.h>

#include <regex>

#include "net/status/page_html.hpp"
#include "net/status/status_page.hpp"

using namespace kura;

namespace {

const std::string hostile = "<script>alert(\"x\")</script>&'";

server_status server(const std::string& name, const std::string& role) {
  return {name, role, "0.1.0", 3700, std::nullopt, 0};
}

activity quiet() {
  activity a;
  a.events.assign(30, 0);
  return a;
}

/// The text of the element with this id (the first closing tag ends it).
std::string by_id(const std::string& page, const std::string& id) {
  std::smatch m;
  std::regex re{"id=\"" + id + "\"[^>]*>([\\s\\S]*?)</"};
  return std::regex_search(page, m, re) ? m[1].str() : std::string{"<no element " + id + ">"};
}

/// Everything between the element with this id and its closing tag `tag`.
std::string block(const std::string& page, const std::string& id, const std::string& tag) {
  auto at = page.find("id=\"" + id + "\"");
  if (at == std::string::npos) return "<no element " + id + ">";
  return page.substr(at, page.find("</" + tag + ">", at) - at);
}

cluster_copy_status copy(const std::string& guid, bool searchable, bool primary = false) {
  return {"peer-" + guid, guid, searchable, primary};
}

/// Three peers (RF 3, SF 2), peer "p2" Down, fixup under way.
master_status cluster_with_a_peer_down() {
  master_status s;
  s.generation = 7;
  s.valid = true;
  s.complete = false;
  s.indexing_ready = true;
  s.replication_factor = 3;
  s.search_factor = 2;
  s.peers_up = 2;
  s.buckets_total = 3;
  s.buckets_valid = 3;
  s.buckets_complete = 1;
  s.fixup_primary = 1;
  s.fixup_searchable = 2;
  s.fixup_replicate = 4;
  s.fixup_bytes_to_go = 5 * 1024 * 1024;
  s.fixup_running = {"replicate main~3~G1 on p1 to p3", "searchable main~4~G1 on p3"};
  s.peers = {{"p1", "G1", "Up", "10.0.0.1:9887", "", 3, 2, 3, 0.4},
             {"p2", "G2", "Down", "10.0.0.2:9887", "", 0, 0, 0, 42.0},
             {"p3", "G3", "Up", "10.0.0.3:9887", "", 2, 1, 1, 0.2}};
  s.generation_peers = {{"p1", "G1", "10.0.0.1:9887"}, {"p3", "G3", "10.0.0.3:9887"}};
  s.buckets = {
      {"main~1~G1",
       "main",
       "warm",
       1000,
       10,
       true,
       true,
       {copy("G1", true, true), copy("G3", true), copy("G4", false)}},
      {"main~2~G1",
       "main",
       "warm",
       2000,
       20,
       true,
       false,
       {copy("G1", true, true), copy("G3", false)}},
      {"_internal~1~G3", "_internal", "hot", 500, 5, true, false, {copy("G3", true, true)}}};
  return s;
}

}  // namespace

TEST_CASE("cluster pages: the master page shows a Down peer, the warnings and the fixup numbers") {
  auto page = status::master_page(server("m1", "master"), cluster_with_a_peer_down(), quiet());
  CHECK(page.find("<meta http-equiv=\"refresh\" content=\"5\">") != std::string::npos);
  CHECK(by_id(page, "node-name") == "m1");
  CHECK(by_id(page, "replication-factor") == "3");
  CHECK(by_id(page, "search-factor") == "2");
  CHECK(by_id(page, "generation") == "7");
  CHECK(by_id(page, "searchable-peers") == "2 of 3");

  auto peers = block(page, "peers", "table");
  CHECK(peers.find(
            "<a href=\"#peer-G2\">p2</a></td><td><span class=\"status st-down\">Down</span>") !=
        std::string::npos);
  CHECK(peers.find("<a href=\"#peer-G1\">p1</a></td><td><span class=\"status st-up\">Up</span>") !=
        std::string::npos);
  CHECK(peers.find("42 s ago") != std::string::npos);
  // The detail box a peer's name links to: location and heartbeat (§23.2).
  auto detail = block(page, "peer-G2", "div");
  CHECK(detail.find("10.0.0.2:9887") != std::string::npos);
  CHECK(detail.find("42 s ago") != std::string::npos);

  auto warnings = block(page, "warnings", "ul");
  CHECK(warnings.find("Peers are down: p2") != std::string::npos);
  CHECK(warnings.find("Replication factor not met") != std::string::npos);
  CHECK(warnings.find("Search factor not met") != std::string::npos);
  CHECK(warnings.find("No peers configured") == std::string::npos);

  CHECK(by_id(page, "fixup-primary") == "1");
  CHECK(by_id(page, "fixup-searchable") == "2");
  CHECK(by_id(page, "fixup-replicate") == "4");
  CHECK(by_id(page, "fixup-pending") == "7");
  CHECK(by_id(page, "fixup-bytes") == "5.0 MB");
  CHECK(page.find("data-bytes=\"5242880\"") != std::string::npos);
  CHECK(by_id(page, "fixup-running-count") == "2");
  CHECK(block(page, "fixup-running", "ul").find("<li>replicate main~3~G1 on p1 to p3</li>") !=
        std::string::npos);
  CHECK(by_id(page, "fixup-state").find("Fixup in progress: 7 tasks to do, 2 running") !=
        std::string::npos);
  CHECK(page.find("id=\"rolling-restart\"") == std::string::npos);
  CHECK(page.find("id=\"active-bundle\"") == std::string::npos);
}

TEST_CASE("cluster pages: index details come from the bucket table") {
  auto page = status::master_page(server("m1", "master"), cluster_with_a_peer_down(), quiet());
  auto table = block(page, "index-details", "table");
  // main: 2 buckets, the fewest copies 2 (< RF 3: warning), the fewest searchable 1 (< SF 2),
  // size of the warm buckets 3000 bytes; _internal: its only bucket is hot (size 0).
  CHECK(table.find(
            "<tr><td>main</td><td><span class=\"ok\">Yes</span></td><td>2 <span class=\"warn\"") !=
        std::string::npos);
  CHECK(table.find("</td><td>2</td><td>2.9 KB</td></tr>") != std::string::npos);
  CHECK(table.find("<tr><td>_internal</td>") < table.find("<tr><td>main</td>"));
  CHECK(table.find("</td><td>1</td><td>0 B</td></tr>") != std::string::npos);
  CHECK(by_id(page, "searchable-indexes") == "2 of 2");
  // Two bars: 3 of 3 valid, 1 of 3 complete.
  auto chart = block(page, "buckets-chart", "svg");
  CHECK(chart.find("3 / 3") != std::string::npos);
  CHECK(chart.find("1 / 3") != std::string::npos);
}

TEST_CASE("cluster pages: a settled cluster has no warnings and no fixup running") {
  master_status s;
  s.generation = 2;
  s.valid = s.complete = s.indexing_ready = true;
  s.replication_factor = 2;
  s.search_factor = 1;
  s.peers_up = 2;
  s.peers = {{"a", "GA", "Up", "h:1", "", 1, 1, 1, 0.1},
             {"b", "GB", "Up", "h:2", "", 1, 0, 1, 0.1}};
  s.buckets = {
      {"main~1~GA", "main", "warm", 10, 1, true, true, {copy("GA", true, true), copy("GB", true)}}};
  s.buckets_total = s.buckets_valid = s.buckets_complete = 1;
  s.rolling_restart = "1 of 2 peers restarted; restarting b";
  s.active_bundle = "abc123";
  auto page = status::master_page(server("m", "master"), s, quiet());
  CHECK(by_id(page, "warnings") == "No warnings.");
  CHECK(by_id(page, "fixup-state") == "No fixup task pending.");
  CHECK(by_id(page, "fixup-running") == "No task running.");
  CHECK(by_id(page, "rolling-restart") == "Rolling restart: 1 of 2 peers restarted; restarting b");
  CHECK(block(page, "active-bundle", "tr").find("abc123") != std::string::npos);
}

TEST_CASE("cluster pages: a master without peers says No peers configured") {
  master_status s;
  s.replication_factor = 3;
  s.search_factor = 2;
  auto page = status::master_page(server("m", "master"), s, quiet());
  CHECK(block(page, "warnings", "ul").find("No peers configured") != std::string::npos);
  CHECK(by_id(page, "peers") == "No peer has registered.");
  CHECK(by_id(page, "buckets-chart") == "No buckets yet.");
}

TEST_CASE("cluster pages: hostile names are escaped on every page") {
  auto s = cluster_with_a_peer_down();
  s.peers[1].name = hostile;
  s.peers[1].guid = hostile;
  s.peers[1].host_port = hostile;
  s.buckets[0].index = hostile;
  s.fixup_running.push_back(hostile);
  s.rolling_restart = hostile;
  s.active_bundle = hostile;
  auto master = status::master_page(server(hostile, "master"), s, quiet());

  peer_cluster_status p;
  p.name = p.guid = p.master_uri = p.status = p.active_bundle = hostile;
  p.streams_out = {{hostile, hostile, 1, 1}};
  p.streams_in = {{hostile, hostile, 1, 1}};
  index_status idx;
  idx.name = hostile;
  auto peer = status::peer_page(server(hostile, "peer"), p, {idx}, quiet());

  searchhead_master_status m;
  m.master_uri = hostile;
  m.generation = 3;
  m.peers = {{hostile, hostile, hostile}};
  auto head = status::searchhead_page(server(hostile, "search_head"), {m}, quiet());

  activity noisy = quiet();
  noisy.problems = {hostile};
  auto standalone = status::status_page(server(hostile, "standalone"), {idx}, noisy);

  for (auto* page : {&master, &peer, &head, &standalone}) {
    CHECK(page->find("<script>alert") == std::string::npos);
    CHECK(page->find("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;") !=
          std::string::npos);
  }
  // A GUID becomes an anchor of safe characters only.
  CHECK(master.find("href=\"#peer-_script_alert__x____script___\"") != std::string::npos);
  CHECK(master.find("id=\"peer-_script_alert__x____script___\"") != std::string::npos);
}

TEST_CASE("cluster pages: a peer shows its master, registration and streams, or none") {
  peer_cluster_status p;
  p.name = "p1";
  p.guid = "G1";
  p.status = "Up";
  p.master_uri = "127.0.0.1:8089";
  p.master_reachable = true;
  p.generation = 4;
  p.replication_port = 9887;
  index_status idx;
  idx.name = "main";
  auto page = status::peer_page(server("p1", "peer"), p, {idx}, quiet());
  CHECK(by_id(page, "master-location") == "127.0.0.1:8089");
  CHECK(by_id(page, "registered") == "<span class=\"ok\">Yes");
  CHECK(by_id(page, "generation") == "4");
  CHECK(by_id(page, "replication-port") == "9887");
  CHECK(by_id(page, "peer-status") == "<span class=\"status st-up\">Up");
  CHECK(by_id(page, "streams-out") == "none");
  CHECK(by_id(page, "streams-in") == "none");
  CHECK(block(page, "indexes", "table").find("<tr><td>main</td>") != std::string::npos);
  CHECK(page.find("id=\"ingest-chart\"") != std::string::npos);

  p.master_reachable = false;
  p.streams_out = {{"main~3~G1", "10.0.0.2:9887", 3 * 1024 * 1024, 1.5 * 1024 * 1024},
                   {"main~4~G1", "10.0.0.3:9887", 100, 0}};
  p.streams_in = {{"main~9~G2", "p2", 2048, 512}};
  page = status::peer_page(server("p1", "peer"), p, {idx}, quiet());
  CHECK(by_id(page, "registered") == "<span class=\"bad\">No");
  auto out = block(page, "streams-out", "table");
  CHECK(out.find("<td>main~3~G1</td><td>10.0.0.2:9887</td><td data-bytes=\"3145728\">3.0 "
                 "MB</td><td>1.5 MB/s</td>") != std::string::npos);
  CHECK(out.find("<td data-bytes=\"100\">100 B</td><td>0 B/s</td>") != std::string::npos);
  auto in = block(page, "streams-in", "table");
  CHECK(
      in.find("<td>main~9~G2</td><td>p2</td><td data-bytes=\"2048\">2.0 KB</td><td>512 B/s</td>") !=
      std::string::npos);
}

TEST_CASE("cluster pages: a search head shows each master, its generation and its peers by GUID") {
  searchhead_master_status a{
      "10.0.0.9:8089", 12, true, true, {{"p1", "G1", "h:1"}, {"p3", "G3", "h:3"}}};
  searchhead_master_status b{"10.0.0.8:8089", 0, false, false, {}};
  auto page = status::searchhead_page(server("sh", "search_head"), {a, b}, quiet());
  CHECK(by_id(page, "master-0-location") == "10.0.0.9:8089");
  CHECK(by_id(page, "master-0-generation") == "12");
  CHECK(by_id(page, "master-0-reachable") == "<span class=\"ok\">Yes");
  auto peers = block(page, "master-0-peers", "table");
  CHECK(peers.find("<tr><td><code>G1</code></td><td>p1</td><td>h:1</td></tr>") !=
        std::string::npos);
  CHECK(peers.find("<code>G3</code>") != std::string::npos);
  CHECK(by_id(page, "master-1-reachable") == "<span class=\"bad\">No");
  CHECK(block(page, "master-1", "section").find("has not told the search head its peers yet") !=
        std::string::npos);
  CHECK(status::searchhead_page(server("sh", "search_head"), {}, quiet())
            .find("No master configured.") != std::string::npos);
}

TEST_CASE("page html: sizes, rates and times for people") {
  using namespace status::html;
  CHECK(size_text(0) == "0 B");
  CHECK(size_text(1023) == "1023 B");
  CHECK(size_text(1536) == "1.5 KB");
  CHECK(size_text(3ull << 30) == "3.0 GB");
  CHECK(rate_text(2.5 * 1024 * 1024) == "2.5 MB/s");
  CHECK(rate_text(-1) == "0 B/s");
  CHECK(ago_text(0.44) == "0.4 s ago");
  CHECK(ago_text(59.9) == "59 s ago");
  CHECK(ago_text(185) == "3 min 5 s ago");
  CHECK(ago_text(7440) == "2 h 4 min ago");
  CHECK(anchor("a-b_C9.d/e") == "a-b_C9_d_e");
}
