// The node's TOML configuration: values, defaults, inheritance, and errors.
#include "config/node_config.hpp"

#include <doctest/doctest.h>

#include <fstream>

#include "config/instance.hpp"
#include "core/testing.hpp"

using namespace kura;
using namespace kura::config;

namespace {

std::string error_of(std::string_view text) {
  auto r = parse_node_config(text, "node.toml");
  REQUIRE_MESSAGE(!r.has_value(), text);
  return r.err().message();
}

const index_config& find_index(const node_config& c, const std::string& name) {
  for (auto& i : c.indexes)
    if (i.name == name) return i;
  FAIL("no index " << name);
  throw 0;
}

}  // namespace

TEST_CASE("config: the sketch of product.md parses, with $KURA_HOME and Splunk's defaults") {
  auto c = parse_node_config(R"(
[node]
name = "peer1"
home = "/var/lib/kura/peer1"
role = "peer"
admin_port = 8089
bind = "0.0.0.0"

[http]
port = 8088
hec_tokens = ["hec-token-1"]
api_tokens = ["api-token-1"]

[receiver]
port = 9997

[clustering]
master_uri = "master:8089"
pass4SymmKey = "s3cret-key"
replication_port = 9887
replication_factor = 3
search_factor = 2
heartbeat_period = 1
heartbeat_timeout = 60

[indexes.main]
homePath = "$KURA_HOME/var/lib/kura/defaultdb/db"
coldPath = "$KURA_HOME/var/lib/kura/defaultdb/colddb"
thawedPath = "$KURA_HOME/var/lib/kura/defaultdb/thaweddb"
maxDataSize = "auto"
maxHotBuckets = 3
maxWarmDBCount = 300
maxTotalDataSizeMB = 500000
frozenTimePeriodInSecs = 188697600
coldToFrozenDir = ""
repFactor = "auto"

[indexes.web]
maxDataSize = 100
maxHotIndexMemMB = 64
parallelHotBuckets = 1

[volumes.hot1]
path = "/fast"
maxVolumeDataSizeMB = 100000
)",
                             "node.toml");
  REQUIRE_MESSAGE(c.has_value(), c.err().message());
  CHECK(c->node.name == "peer1");
  CHECK(c->node.role == node_role::peer);
  CHECK(c->http.hec_tokens == std::vector<std::string>{"hec-token-1"});
  CHECK(c->clustering.master_uris == std::vector<std::string>{"master:8089"});
  auto& main = find_index(*c, "main");
  CHECK(main.home_path == "/var/lib/kura/peer1/var/lib/kura/defaultdb/db");
  CHECK(main.max_data_size_bytes == mb_to_bytes(750));
  CHECK(main.max_hot_buckets == 3);
  CHECK(main.max_hot_index_mem_bytes == mb_to_bytes(128));
  CHECK(main.parallel_hot_buckets == 2);
  auto& web = find_index(*c, "web");
  CHECK(web.max_data_size_bytes == mb_to_bytes(100));
  CHECK(web.max_hot_index_mem_bytes == mb_to_bytes(64));
  CHECK(web.parallel_hot_buckets == 1);
  CHECK(web.home_path == "/var/lib/kura/peer1/var/lib/kura/web/db");
  CHECK(web.max_hot_buckets == 3);
  CHECK(c->store.volumes.size() == 1);
  CHECK(c->store.min_free_space_bytes == mb_to_bytes(2000));
}

TEST_CASE("config: global index settings are inherited and overridden (indexing.md 6.3)") {
  auto c = parse_node_config(R"(
[node]
home = "/k"

[indexes]
"homePath.maxDataSizeMB" = 1000000

[volumes.caliente]
path = "/mnt/fast_disk"
maxVolumeDataSizeMB = 100000

[volumes.frio]
path = "/mnt/big_disk"
maxVolumeDataSizeMB = 1000000

[indexes.i1]
homePath = "volume:caliente/i1"
coldPath = "volume:frio/i1"

[indexes.i2]
homePath = "volume:caliente/i2"
"homePath.maxDataSizeMB" = 1000
coldPath = "volume:frio/i2"
"coldPath.maxDataSizeMB" = 10000

[indexes.i3]
homePath = "/old/style/path"
"homePath.maxDataSizeMB" = 1000
coldPath = "volume:frio/i3"
"coldPath.maxDataSizeMB" = 10000
)",
                             "node.toml");
  REQUIRE_MESSAGE(c.has_value(), c.err().message());
  auto& i1 = find_index(*c, "i1");
  CHECK(i1.home_path == "/mnt/fast_disk/i1");
  CHECK(i1.home_volume == "caliente");
  CHECK(i1.home_max_data_size_bytes == mb_to_bytes(1000000));
  CHECK(i1.cold_path == "/mnt/big_disk/i1");
  CHECK(i1.cold_max_data_size_bytes == 0);
  auto& i2 = find_index(*c, "i2");
  CHECK(i2.home_max_data_size_bytes == mb_to_bytes(1000));
  CHECK(i2.cold_max_data_size_bytes == mb_to_bytes(10000));
  auto& i3 = find_index(*c, "i3");
  CHECK(i3.home_path == "/old/style/path");
  CHECK(i3.home_volume.empty());
  CHECK(i3.cold_volume == "frio");
}

TEST_CASE("config: every mistake names file, line, column, key and what was expected") {
  CHECK(error_of("[node]\nhome = \"/k\"\nrole = \"boss\"\n") ==
        "node.toml:3:8: [node] role: expected one of standalone, master, peer, search_head");
  CHECK(error_of("[node]\nhome = \"/k\"\nworkerz = 2\n")
            .find("node.toml:3:11: [node] workerz: expected one of") == 0);
  CHECK(error_of(
            "[node]\nhome = \"/k\"\n[clustering]\nreplication_factor = 2\nsearch_factor = 3\n") ==
        "node.toml:5:17: [clustering] search_factor: expected at most replication_factor (2)");
  CHECK(error_of("[node]\nhome = \"/k\"\n[indexes.web]\nmaxTotalDataSizeMB = -5\n") ==
        "node.toml:4:22: [indexes.web] maxTotalDataSizeMB: expected an integer from 1 to "
        "1099511627776");
  CHECK(error_of("[node]\nhome = \"/k\"\n[volumes.v]\npath = \"/v\"\n[indexes.web]\nthawedPath = "
                 "\"volume:v/t\"\n") ==
        "node.toml:6:14: [indexes.web] thawedPath: expected thawedPath may not use a volume "
        "(\"volume:v/t\")");
  CHECK(error_of("[node]\nhome = \"/k\"\nrole = \"peer\"\n[clustering]\nmaster_uri = \"m:8089\"\n")
            .find("[clustering] pass4SymmKey: expected a secret") != std::string::npos);
  CHECK(error_of(
            "[node]\nhome = \"/k\"\nrole = \"peer\"\n[clustering]\npass4SymmKey = \"12345678\"\n")
            .find("[clustering] master_uri: expected \"host:port\"") != std::string::npos);
  CHECK(error_of("[node]\nhome = \"/k\"\nadmin_port = 8088\n") ==
        "node.toml: [http] port 8088 is also [node] admin_port");
  CHECK(error_of("[node]\nhome = \"/k\"\n[indexes.\"bad name\"]\n")
            .find("[indexes.bad name] bad name: expected a valid index name") != std::string::npos);
  CHECK(error_of("[node]\nrole = \"master\"\n") ==
        "node.toml: [node] home: expected a directory (or the KURA_HOME environment variable)");
  CHECK(error_of("[nodes]\nhome = \"/k\"\n")
            .find("node.toml:1:1: [nodes] nodes: expected a section") == 0);
  CHECK(error_of("[node]\nhome = \"/k\"\n[indexes.web]\nmaxDataSize = \"huge\"\n") ==
        "node.toml:4:15: [indexes.web] maxDataSize: expected \"auto\", \"auto_high_volume\" or MB");
  CHECK(error_of("[node]\nhome = \"/k\"\nname = \"x\"\nname = \"y\"\n").find("node.toml:4:") == 0);
  CHECK(error_of("[node]\nhome = \"/k\"\n[indexes.web]\nmaxHotIndexMemMB = 8\n") ==
        "node.toml:4:20: [indexes.web] maxHotIndexMemMB: expected an integer from 16 to 1048576");
  CHECK(error_of("[node]\nhome = \"/k\"\n[indexes.web]\nparallelHotBuckets = 0\n") ==
        "node.toml:4:22: [indexes.web] parallelHotBuckets: expected an integer from 1 to 64");
  CHECK(error_of("[node]\nhome = \"/k\"\n[indexes.web]\nmaxHotIndexMemMB = \"big\"\n")
            .find("[indexes.web] maxHotIndexMemMB: expected an integer") != std::string::npos);
  CHECK(error_of("[node]\nhome = \"/k\"\n[search]\nmax_mem_usage_mb = 0\n") ==
        "node.toml:4:20: [search] max_mem_usage_mb: expected an integer from 1 to 1048576");
  CHECK(error_of("[node]\nhome = \"/k\"\n[search]\nmaxresultrows = 5\n")
            .find("[search] maxresultrows: expected max_mem_usage_mb") != std::string::npos);
}

TEST_CASE("config: [search] max_mem_usage_mb, 200 MB unless set") {
  auto plain = parse_node_config("[node]\nhome = \"/k\"\n", "node.toml");
  REQUIRE(plain.has_value());
  CHECK(plain->search.max_mem_usage_mb == 200);
  auto set =
      parse_node_config("[node]\nhome = \"/k\"\n[search]\nmax_mem_usage_mb = 64\n", "node.toml");
  REQUIRE_MESSAGE(set.has_value(), set.err().message());
  CHECK(set->search.max_mem_usage_mb == 64);
}

TEST_CASE("config: KURA_HOME from the environment, and pass4SymmKey_file") {
  testing::temp_dir dir;
  std::ofstream(dir / "secret") << "file-secret-123\n";
  auto text =
      "[node]\nrole = \"master\"\n[clustering]\npass4SymmKey_file = \"$KURA_HOME/secret\"\n";
  auto c = parse_node_config(text, "m.toml", dir.path.string());
  REQUIRE_MESSAGE(c.has_value(), c.err().message());
  CHECK(c->node.home == dir.path);
  CHECK(c->node.name == "m");
  CHECK(c->clustering.pass4SymmKey == "file-secret-123");
  CHECK(parse_node_config(text, "m.toml", "/nonexistent")
            .err()
            .message()
            .find("pass4SymmKey_file: expected a readable file") != std::string::npos);
}

TEST_CASE(
    "config: a search head names several masters, each with its own secret or the common one") {
  auto text =
      "[node]\nhome = \"/k\"\nrole = \"search_head\"\n[clustering]\npass4SymmKey = "
      "\"common-secret\"\n"
      "master_uri = [\"east:8089\", \"west:8089\"]\n"
      "[clustering.masters.\"east:8089\"]\npass4SymmKey = \"east-secret\"\n";
  auto c = kura::config::parse_node_config(text, "sh.toml");
  REQUIRE(c.has_value());
  CHECK(c->clustering.master_uris == std::vector<std::string>{"east:8089", "west:8089"});
  CHECK(kura::config::secret_for_master(c->clustering, "east:8089") == "east-secret");
  CHECK(kura::config::secret_for_master(c->clustering, "west:8089") == "common-secret");
  // A peer belongs to exactly one master.
  CHECK(
      error_of("[node]\nhome = \"/k\"\nrole = \"peer\"\n[clustering]\npass4SymmKey = \"12345678\"\n"
               "master_uri = [\"a:1\", \"b:2\"]\n")
          .find("[clustering] master_uri: expected \"host:port\"") != std::string::npos);
  CHECK(error_of("[node]\nhome = \"/k\"\nrole = \"search_head\"\n[clustering]\npass4SymmKey = "
                 "\"12345678\"\n"
                 "master_uri = \"a:1\"\n[clustering.masters.\"a:1\"]\npass4SymmKey = \"short\"\n")
            .find("pass4SymmKey: expected a secret of at least 8 characters") != std::string::npos);
}

TEST_CASE("config: a node's guid is made once and read back unchanged") {
  kura::testing::temp_dir home;
  auto first = kura::config::load_or_create_guid(home.path);
  REQUIRE(first.has_value());
  CHECK(first->size() == 36);
  CHECK((*first)[8] == '-');
  auto again = kura::config::load_or_create_guid(home.path);
  REQUIRE(again.has_value());
  CHECK(*again == *first);
  kura::testing::temp_dir other;
  CHECK(*kura::config::load_or_create_guid(other.path) != *first);
  // A damaged file is reported, never replaced.
  REQUIRE(!kura::io::write_file_atomic(home.path / "etc" / "instance.toml", "guid = \"nope\"\n"));
  auto bad = kura::config::load_or_create_guid(home.path);
  REQUIRE(!bad.has_value());
  CHECK(bad.err().message().find("instance.toml: expected guid") != std::string::npos);
}
