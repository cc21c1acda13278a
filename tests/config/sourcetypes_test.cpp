// [sourcetypes.*] and [transforms.*] from TOML, with errors that point at the key.
#include "config/sourcetypes.hpp"

#include <doctest/doctest.h>

using namespace kura;

namespace {
std::string error_of(std::string_view text) {
  auto r = config::parse_sourcetypes(text, "node.toml");
  REQUIRE_MESSAGE(!r.has_value(), text);
  return r.err().message();
}
}  // namespace

TEST_CASE("config: sourcetype rules with Splunk's names, and routing through transforms") {
  auto r = config::parse_sourcetypes(R"(
[transforms.AppRedirect]
REGEX = 'MSWinEventLog\s+\d+\s+Application'
DEST_KEY = "_MetaData:Index"
FORMAT = "applogindex"

[sourcetypes.windows_snare_syslog]
SHOULD_LINEMERGE = false
TRUNCATE = 5000
TIME_PREFIX = "ts="
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
MAX_TIMESTAMP_LOOKAHEAD = 40
TZ = "America/Los_Angeles"
SEDCMD-mask = 's/\d{4}-(\d{4})/XXXX-\1/g'
TRANSFORMS-index = "AppRedirect"
)",
                                     "node.toml");
  REQUIRE_MESSAGE(r.has_value(), r.err().message());
  auto& rules = r->at("windows_snare_syslog");
  CHECK(!rules.should_linemerge);
  CHECK(rules.truncate == 5000);
  CHECK(rules.timestamps.time_prefix == "ts=");
  CHECK(rules.timestamps.max_timestamp_lookahead == 40);
  CHECK(rules.timestamps.tz == "America/Los_Angeles");
  REQUIRE(rules.sedcmds.size() == 1);
  CHECK(rules.sedcmds[0].global);
  REQUIRE(rules.routes.size() == 1);
  CHECK(rules.routes[0].index == "applogindex");
  CHECK(config::parse_sourcetypes("", "node.toml")->empty());
}

TEST_CASE("config: mistakes are reported with file, line, column, key and what was expected") {
  CHECK(error_of("[sourcetypes.a]\nTRUNCATE = -1\n") ==
        "node.toml:2:12: [sourcetypes.a] TRUNCATE: expected an integer from 0 to 100000000");
  CHECK(error_of("[sourcetypes.a]\nSHOULD_LINEMERGE = \"yes\"\n") ==
        "node.toml:2:20: [sourcetypes.a] SHOULD_LINEMERGE: expected true or false");
  CHECK(error_of("[sourcetypes.a]\nLINEBREAKER = \"x\"\n").find("node.toml:2:15: [sourcetypes.a] LINEBREAKER: expected one of") == 0);
  CHECK(error_of("[sourcetypes.a]\nTRANSFORMS-x = \"Nope\"\n") ==
        "node.toml:2:16: [sourcetypes.a] TRANSFORMS-x: expected the name of a [transforms.NAME] section, not \"Nope\"");
  CHECK(error_of("[transforms.t]\nREGEX = \"a\"\nDEST_KEY = \"queue\"\nFORMAT = \"x\"\n") ==
        "node.toml:3:12: [transforms.t] DEST_KEY: expected \"_MetaData:Index\" (routing to an index)");
  CHECK(error_of("[sourcetypes.a]\nTZ = \"Mars/Base\"\n").find("[sourcetypes.a] TZ: unknown time zone \"Mars/Base\"") != std::string::npos);
  CHECK(error_of("[sourcetypes.a]\nSEDCMD-x = \"s/(/y/\"\n").find("SEDCMD-x: invalid regex") != std::string::npos);
  CHECK(error_of("[sourcetypes.a\n").find("node.toml:1:") == 0);
}
