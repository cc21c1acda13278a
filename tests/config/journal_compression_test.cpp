// journalCompression: parsed per index, inherited from [indexes], refused when
// unknown (naming the key), and accepted in the cluster bundle's index sections.
#include <doctest/doctest.h>

#include <algorithm>

#include "config/bundle.hpp"
#include "config/node_config.hpp"

using namespace kura;
using namespace kura::config;

namespace {

const index_config& index_named(const std::vector<index_config>& all, const std::string& name) {
  auto it = std::find_if(all.begin(), all.end(), [&](auto& c) { return c.name == name; });
  REQUIRE(it != all.end());
  return *it;
}

}  // namespace

TEST_CASE("config: journalCompression is zstd unless an index or [indexes] says snappy") {
  auto c = parse_node_config(R"(
[node]
home = "/k"
[indexes.plain]
[indexes.old]
journalCompression = "snappy"
[indexes.new]
journalCompression = "zstd"
)",
                             "node.toml");
  REQUIRE_MESSAGE(c.has_value(), c.err().message());
  CHECK(index_named(c->indexes, "plain").journal_codec == journal_compression::zstd);
  CHECK(index_named(c->indexes, "old").journal_codec == journal_compression::snappy);
  CHECK(index_named(c->indexes, "new").journal_codec == journal_compression::zstd);

  auto g = parse_node_config(
      "[node]\nhome = \"/k\"\n[indexes]\njournalCompression = \"snappy\"\n"
      "[indexes.web]\n",
      "node.toml");
  REQUIRE_MESSAGE(g.has_value(), g.err().message());
  CHECK(index_named(g->indexes, "web").journal_codec == journal_compression::snappy);
}

TEST_CASE("config: an unknown journalCompression is refused naming the key and the choices") {
  for (auto* value : {"\"lz4\"", "\"ZSTD\"", "3", "true"}) {
    CAPTURE(value);
    auto c = parse_node_config(
        std::string{"[node]\nhome = \"/k\"\n[indexes.web]\njournalCompression = "} + value + "\n",
        "node.toml");
    REQUIRE(!c.has_value());
    CHECK(c.err().code() == errc::invalid_argument);
    CHECK(c.err().message().find("journalCompression") != std::string::npos);
  }
  auto c = parse_node_config("[node]\nhome = \"/k\"\n[indexes.web]\njournalCompression = \"lz4\"\n",
                             "node.toml");
  CHECK(c.err().message().find("\"snappy\" or \"zstd\"") != std::string::npos);
}

TEST_CASE("config: the cluster bundle's index sections take journalCompression") {
  auto local = parse_node_config(
      "[node]\nname = \"peer1\"\nhome = \"/k/peer1\"\nrole = \"peer\"\n[clustering]\n"
      "master_uri = \"master:8089\"\npass4SymmKey = \"s3cret-key\"\n",
      "/k/peer1/etc/kura.toml");
  REQUIRE_MESSAGE(local.has_value(), local.err().message());
  auto bundle = [](const std::string& text) {
    config_bundle b;
    b.files = {{"indexes.toml", text}};
    b.checksum = bundle_checksum(b.files);
    return b;
  };
  auto s = parse_bundle(
      bundle("[indexes.web]\nrepFactor = \"auto\"\njournalCompression = \"snappy\"\n"), *local);
  REQUIRE_MESSAGE(s.has_value(), s.err().message());
  CHECK(index_named(s->indexes, "web").journal_codec == journal_compression::snappy);
  auto bad = parse_bundle(
      bundle("[indexes.web]\nrepFactor = \"auto\"\njournalCompression = \"gzip\"\n"), *local);
  REQUIRE(!bad.has_value());
  CHECK(bad.err().message().find("journalCompression") != std::string::npos);
}
