// The HTTP server with real requests from curl over a real socket, storing
// into a real node (node_runtime: the peer, index and bucket actors).
#include "net/http/http_server.hpp"

#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <thread>

#include "actors/test_node.hpp"
#include "core/testing.hpp"

using namespace kura;

namespace {

struct response {
  int status = 0;
  std::string body;
};

/// Runs curl; `args` are extra curl arguments (already shell-quoted).
response curl(uint16_t port, const std::string& method, const std::string& path, const std::string& args) {
  testing::temp_dir tmp;
  auto body_file = tmp / "body";
  std::string cmd = "curl -s -o '" + body_file.string() + "' -w '%{http_code}' -X " + method + " " + args +
                    " 'http://127.0.0.1:" + std::to_string(port) + path + "'";
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p);
  char buf[16] = {};
  size_t n = fread(buf, 1, sizeof buf - 1, p);
  pclose(p);
  return {std::atoi(std::string(buf, n).c_str()), testing::slurp(body_file)};
}

struct fixture {
  testing::temp_dir dir;
  std::unique_ptr<node_runtime> node;
  std::unique_ptr<http_server> server;
  uint16_t port = 0;
  std::string hec = "-H 'Authorization: Splunk hec-token-1'";
  std::string api = "-H 'Authorization: Bearer api-token-1'";

  explicit fixture(std::chrono::milliseconds read_timeout = std::chrono::milliseconds{2000}) {
    node = testing::start_node(dir, "test-node");
    http_options o;
    o.hec_tokens = {"hec-token-1"};
    o.api_tokens = {"api-token-1"};
    o.max_content_length = 64 * 1024;
    o.read_timeout = read_timeout;
    o.default_host = "test-node";
    server = std::make_unique<http_server>(*node, o);
    auto p = server->start();
    REQUIRE_MESSAGE(p.has_value(), p.err().render());
    port = *p;
  }

  std::vector<nlohmann::json> export_json(const std::string& search) {
    auto r = curl(port, "POST", "/services/search/jobs/export",
                  api + " --data-urlencode 'search=" + search + "' -d output_mode=json");
    REQUIRE_MESSAGE(r.status == 200, r.body);
    std::vector<nlohmann::json> rows;
    size_t at = 0;
    while (at < r.body.size()) {
      auto end = r.body.find('\n', at);
      rows.push_back(nlohmann::json::parse(r.body.substr(at, end - at)));
      at = end + 1;
    }
    return rows;
  }
};

}  // namespace

TEST_CASE("http: HEC events are stored and found by the search export") {
  fixture f;
  auto r = curl(f.port, "POST", "/services/collector/event",
                f.hec + R"( -d '{"event": "hello kura", "host": "web1", "sourcetype": "greeting", "time": 1795350000.5})"
                        R"({"event": {"msg": "second"}, "fields": {"team": "blue"}}')");
  CHECK(r.status == 200);
  CHECK(r.body == R"({"text":"Success","code":0})");
  auto rows = f.export_json("search hello");
  REQUIRE(rows.size() == 1);
  CHECK(rows[0]["result"]["_raw"] == "hello kura");
  CHECK(rows[0]["result"]["host"] == "web1");
  CHECK(rows[0]["result"]["sourcetype"] == "greeting");
  CHECK(rows[0]["result"]["_time"] == "2026-11-22T12:20:00.500+00:00");
  auto team = f.export_json("team=blue");
  REQUIRE(team.size() == 1);
  CHECK(team[0]["result"]["_raw"] == R"({"msg": "second"})");
  CHECK(team[0]["result"]["host"] == "test-node");
  auto counts = f.export_json("* | stats count");
  CHECK(counts[0]["result"]["count"] == "2");
}

TEST_CASE("http: HEC tokens and bodies get Splunk's status codes") {
  fixture f;
  auto post = [&](const std::string& args) { return curl(f.port, "POST", "/services/collector/event", args); };
  auto missing = post("-d '{\"event\":\"x\"}'");
  CHECK(missing.status == 401);
  CHECK(missing.body == R"({"text":"Token is required","code":2})");
  CHECK(post("-H 'Authorization: Bearer hec-token-1' -d '{\"event\":\"x\"}'").body ==
        R"({"text":"Invalid authorization","code":3})");
  auto wrong = post("-H 'Authorization: Splunk nope' -d '{\"event\":\"x\"}'");
  CHECK(wrong.status == 403);
  CHECK(wrong.body == R"({"text":"Invalid token","code":4})");
  CHECK(curl(f.port, "POST", "/services/collector/event?token=hec-token-1", "-d '{\"event\":\"x\"}'").body ==
        R"({"text":"Query string authorization is not enabled","code":16})");
  CHECK(post(f.hec + " -d ''").body == R"({"text":"No data","code":5})");
  auto bad = post(f.hec + " -d '{\"event\":\"a\"}{\"event\": '");
  CHECK(bad.status == 400);
  CHECK(bad.body == R"({"text":"Invalid data format","code":6,"invalid-event-number":1})");
  CHECK(post(f.hec + " -d '{\"host\":\"h\"}'").body == R"({"text":"Event field is required","code":12,"invalid-event-number":0})");
  CHECK(post(f.hec + " -d '{\"event\":\"x\",\"index\":\"nope\"}'").body == R"({"text":"Incorrect index","code":7})");
  CHECK(f.export_json("*").empty());  // nothing of the rejected requests was stored
}

TEST_CASE("http: a HEC batch over 8 KB sent with curl -d (form-encoded) is accepted") {
  fixture f;
  testing::temp_dir tmp;
  std::string body;
  for (int i = 0; i < 300; ++i) body += "{\"event\": \"batch item " + std::to_string(i) + " padding padding padding\"}";
  REQUIRE(body.size() > 8192);
  testing::spit(tmp / "batch.json", body);
  auto r = curl(f.port, "POST", "/services/collector/event", f.hec + " -d @'" + (tmp / "batch.json").string() + "'");
  CHECK(r.status == 200);
  CHECK(f.export_json("batch | stats count")[0]["result"]["count"] == "300");
}

TEST_CASE("http: raw ingestion runs the pipeline, acks report durable requests per channel") {
  fixture f;
  std::string ch = "-H 'X-Splunk-Request-Channel: FE0ECFAD-13D5-401B-847D-77833BD77131'";
  testing::temp_dir tmp;
  testing::spit(tmp / "raw.txt", "2026-11-20 10:00:00 first line\n  continued\n2026-11-20 10:00:01 second\n");
  auto r = curl(f.port, "POST", "/services/collector/raw?sourcetype=app&host=h9",
                f.hec + " " + ch + " --data-binary @'" + (tmp / "raw.txt").string() + "'");
  CHECK(r.status == 200);
  CHECK(r.body == R"({"text":"Success","code":0,"ackId":0})");
  auto rows = f.export_json("sourcetype=app");
  REQUIRE(rows.size() == 2);
  CHECK(rows[1]["result"]["_raw"] == "2026-11-20 10:00:00 first line\n  continued");
  CHECK(rows[1]["result"]["host"] == "h9");
  auto acks = curl(f.port, "POST", "/services/collector/ack", f.hec + " " + ch + " -d '{\"acks\":[0,1]}'");
  CHECK(acks.body == R"({"acks":{"0":true,"1":false}})");
  CHECK(curl(f.port, "POST", "/services/collector/ack", f.hec + " -d '{\"acks\":[0]}'").body ==
        R"({"text":"Data channel is missing","code":10})");
  CHECK(curl(f.port, "POST", "/services/collector/ack", f.hec + " -H 'X-Splunk-Request-Channel: nope' -d '{\"acks\":[0]}'")
            .body == R"({"text":"Invalid data channel","code":11})");
  auto health = curl(f.port, "GET", "/services/collector/health", "");
  CHECK(health.status == 200);
  CHECK(health.body == R"({"text":"HEC is healthy","code":17})");
}

/// Whether /services/collector/ack says `id` of the channel in `ch` is true within 30 s.
bool ack_turns_true(uint16_t port, const std::string& hec, const std::string& ch, uint64_t id) {
  auto id_text = std::to_string(id);
  for (int i = 0; i < 3000; ++i) {
    auto r = curl(port, "POST", "/services/collector/ack",
                  hec + ch + " -d '{\"acks\":[" + id_text + "]}'");
    if (r.body == R"({"acks":{")" + id_text + R"(":true}})") return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

TEST_CASE(
    "http: on a channel, bodies to an index stored into before are answered once parsed, the ack "
    "follows the store") {
  fixture f;
  std::string ch = " -H 'X-Splunk-Request-Channel: 1E0ECFAD-13D5-401B-847D-77833BD77131'";
  // The first store into an index is waited for (an unknown index is refused as ever).
  CHECK(curl(f.port, "POST", "/services/collector/event",
             f.hec + ch + " -d '{\"event\":\"x\",\"index\":\"nope\"}'")
            .body == R"({"text":"Incorrect index","code":7})");
  auto first = curl(f.port, "POST", "/services/collector/raw?sourcetype=early",
                    f.hec + ch + " -d 'one line'");
  CHECK(first.body == R"({"text":"Success","code":0,"ackId":1})");
  CHECK(f.export_json("sourcetype=early").size() == 1);
  // Later bodies are handed off: their acks turn true once stored, and then they are found.
  for (uint64_t id = 2; id < 12; ++id) {
    auto r = curl(f.port, "POST", "/services/collector/raw?sourcetype=later",
                  f.hec + ch + " -d 'line " + std::to_string(id) + "'");
    CHECK(r.body == R"({"text":"Success","code":0,"ackId":)" + std::to_string(id) + "}");
  }
  for (uint64_t id = 2; id < 12; ++id) CHECK(ack_turns_true(f.port, f.hec, ch, id));
  CHECK(f.export_json("sourcetype=later | stats count")[0]["result"]["count"] == "10");
}

TEST_CASE(
    "http: on a channel, an index disabled after it was stored into: the handed-off body's ack "
    "stays false, later bodies get Incorrect index") {
  fixture f;
  std::string ch = " -H 'X-Splunk-Request-Channel: 2E0ECFAD-13D5-401B-847D-77833BD77131'";
  auto post = [&] {
    return curl(f.port, "POST", "/services/collector/raw?sourcetype=gone",
                f.hec + ch + " -d 'a line'")
        .body;
  };
  CHECK(post() == R"({"text":"Success","code":0,"ackId":0})");  // waited for: main is known now
  REQUIRE(!f.node->set_index_disabled("main", true));
  CHECK(post() == R"({"text":"Success","code":0,"ackId":1})");  // handed off, then refused
  bool refused = false;
  for (int i = 0; i < 1000 && !refused; ++i)
    refused = post() == R"({"text":"Incorrect index","code":7})";
  CHECK(refused);
  CHECK(curl(f.port, "POST", "/services/collector/ack", f.hec + ch + " -d '{\"acks\":[1]}'").body ==
        R"({"acks":{"1":false}})");
}

TEST_CASE("http: the search API needs a bearer token, reports bad searches and speaks csv and raw") {
  fixture f;
  curl(f.port, "POST", "/services/collector/event", f.hec + " -d '{\"event\":\"a,b status=200\",\"time\":1}'");
  auto no_token = curl(f.port, "POST", "/services/search/jobs/export", "-d search=x");
  CHECK(no_token.status == 401);
  CHECK(nlohmann::json::parse(no_token.body)["messages"][0]["type"] == "ERROR");
  auto bad = curl(f.port, "POST", "/services/search/jobs/export", f.api + " --data-urlencode 'search=x | statz'");
  CHECK(bad.status == 400);
  CHECK(bad.body.find("unknown command \\\"statz\\\" at 1:5") != std::string::npos);
  auto csv = curl(f.port, "POST", "/services/search/jobs/export",
                  f.api + " --data-urlencode 'search=* | table status, _raw' -d output_mode=csv");
  CHECK(csv.body == "status,_raw\r\n200,\"a,b status=200\"\r\n");  // exactly the table's fields
  auto raw = curl(f.port, "GET", "/services/search/jobs/export?search=status%3D200&output_mode=raw", f.api);
  CHECK(raw.body == "a,b status=200\n");
  auto info = curl(f.port, "GET", "/services/server/info", f.api);
  CHECK(nlohmann::json::parse(info.body)["name"] == "test-node");
  auto indexes = curl(f.port, "GET", "/services/data/indexes", f.api);
  CHECK(nlohmann::json::parse(indexes.body)["indexes"].size() == 3);
  CHECK(curl(f.port, "GET", "/services/data/buckets?index=nope", f.api).status == 404);
  CHECK(curl(f.port, "GET", "/nothing/here", "").status == 404);
}

TEST_CASE(
    "http: oversized bodies, stalled clients and junk bytes are refused, the server keeps "
    "serving") {
  fixture f{std::chrono::milliseconds{500}};
  testing::temp_dir tmp;
  testing::spit(tmp / "big.json", "{\"event\":\"" + std::string(100 * 1024, 'x') + "\"}");
  auto big = curl(f.port, "POST", "/services/collector/event", f.hec + " --data-binary @'" + (tmp / "big.json").string() + "'");
  CHECK(big.status == 413);
  // A client that sends half a request and stalls is cut off after the read timeout.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(f.port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  std::string partial = "POST /services/collector/event HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"ev";
  REQUIRE(::write(fd, partial.data(), partial.size()) == ssize_t(partial.size()));
  timeval tv{3, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  char buf[512];
  auto t0 = std::chrono::steady_clock::now();
  ssize_t n = ::read(fd, buf, sizeof buf);
  CHECK(std::string(buf, size_t(std::max<ssize_t>(n, 0))).find("400 Bad Request") != std::string::npos);
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(2));  // the read timeout, not ours
  ::close(fd);
  // Junk instead of HTTP: the connection is closed.
  int junk = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(::connect(junk, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  std::string bytes(300, '\x01');
  REQUIRE(::write(junk, bytes.data(), bytes.size()) == ssize_t(bytes.size()));
  ::setsockopt(junk, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  t0 = std::chrono::steady_clock::now();
  n = ::read(junk, buf, sizeof buf);
  CHECK((n == 0 || std::string(buf, size_t(std::max<ssize_t>(n, 0))).find("400") != std::string::npos));
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(2));
  ::close(junk);
  CHECK(curl(f.port, "GET", "/services/collector/health", "").status == 200);
}

TEST_CASE("http: gzip and chunked HEC bodies are read as they arrive, every body is bounded") {
  fixture f;
  testing::temp_dir tmp;
  std::string body;
  for (int i = 0; i < 500; ++i) body += "{\"event\": \"zipped " + std::to_string(i) + "\"}\n";
  testing::spit(tmp / "events.json", body);
  REQUIRE(std::system(("gzip -k '" + (tmp / "events.json").string() + "'").c_str()) == 0);
  auto zipped = curl(f.port, "POST", "/services/collector/event",
                     f.hec + " -H 'Content-Encoding: gzip' --data-binary @'" +
                         (tmp / "events.json.gz").string() + "'");
  CHECK(zipped.status == 200);
  CHECK(f.export_json("zipped | stats count")[0]["result"]["count"] == "500");
  // Chunked (no Content-Length): counted as it arrives; over max_content_length (64 KB) it is 413.
  // Under it, every line is stored: each starts with a timestamp, so each is an event.
  std::string lines;
  const int chunky_lines = 1000;
  for (int i = 0; i < chunky_lines; ++i) {
    char line[64];
    std::snprintf(line, sizeof line, "2026-11-30 10:%02d:%02d chunky n=%d\n", i / 60 % 60, i % 60,
                  i);
    lines += line;
  }
  REQUIRE(lines.size() < 64 * 1024);
  testing::spit(tmp / "lines.log", lines);
  auto chunked = curl(f.port, "POST", "/services/collector/raw?sourcetype=chunky",
                      f.hec + " -H 'Transfer-Encoding: chunked' --data-binary @'" +
                          (tmp / "lines.log").string() + "'");
  CHECK(chunked.status == 200);
  CHECK(f.export_json("sourcetype=chunky | stats count")[0]["result"]["count"] ==
        std::to_string(chunky_lines));
  testing::spit(tmp / "big.txt", std::string(100 * 1024, 'x'));
  auto big = curl(f.port, "POST", "/services/collector/raw?sourcetype=toobig",
                  f.hec + " -H 'Transfer-Encoding: chunked' --data-binary @'" +
                      (tmp / "big.txt").string() + "'");
  CHECK(big.status == 413);
  CHECK(f.export_json("sourcetype=toobig").empty());
  // A failed request's ack id is not acknowledged; the next request gets a new one.
  std::string ch = " -H 'X-Splunk-Request-Channel: 0E0ECFAD-13D5-401B-847D-77833BD77131'";
  auto bad = curl(f.port, "POST", "/services/collector/event",
                  f.hec + ch + " -d '{\"event\":\"a\"}{\"host\":\"h\"}'");
  CHECK(bad.body == R"({"text":"Event field is required","code":12,"invalid-event-number":1})");
  auto good =
      curl(f.port, "POST", "/services/collector/event", f.hec + ch + " -d '{\"event\":\"a\"}'");
  CHECK(good.body == R"({"text":"Success","code":0,"ackId":1})");
  CHECK(ack_turns_true(f.port, f.hec, ch, 1));
  CHECK(curl(f.port, "POST", "/services/collector/ack", f.hec + ch + " -d '{\"acks\":[0]}'").body ==
        R"({"acks":{"0":false}})");
  // Other endpoints' bodies are read whole by cpp-httplib: at most 1 MiB, and with a length.
  testing::spit(tmp / "form.txt", "search=" + std::string(2 << 20, 'q'));
  CHECK(curl(f.port, "POST", "/services/search/jobs/export",
             f.api + " --data-binary @'" + (tmp / "form.txt").string() + "'")
            .status == 413);
  CHECK(curl(f.port, "POST", "/services/search/jobs/export",
             f.api + " -H 'Transfer-Encoding: chunked' --data-binary 'search=*'")
            .status == 411);
  CHECK(curl(f.port, "GET", "/services/collector/health", "").status == 200);
}
