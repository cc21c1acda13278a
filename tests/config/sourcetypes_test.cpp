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

TEST_CASE(
    "config: search-time keys of [sourcetypes] and [transforms] (props.conf/transforms.conf "
    "names)") {
  auto text = R"(
[transforms.pairs]
DELIMS = '"&", "="'
SOURCE_KEY = "q"

[transforms.cols]
DELIMS = ["|"]
FIELDS = "a, b"

[transforms.tag]
REGEX = 'user (\w+)'
FORMAT = "who::$1"

[sourcetypes.shop]
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
KV_MODE = "none"
EXTRACT-q = 'q=(?<q>\S+)'
EXTRACT-initial = '^(?<initial>\w) in q'
REPORT-all = "pairs, cols, tag"
FIELDALIAS-who = "who AS customer"
EVAL-cents = "amount * 100"
SHOULD_LINEMERGE = false
)";
  auto r = config::parse_field_rules(text, "node.toml");
  REQUIRE_MESSAGE(r.has_value(), r.err().message());
  auto& st = r->sourcetypes.at("shop");
  CHECK(st.kv == search::kv_mode::none);
  CHECK(st.extracts.at("q") == "q=(?<q>\\S+)");
  CHECK(st.extracts.at("initial") == "^(?<initial>\\w) in q");
  CHECK(st.reports.at("all") == "pairs, cols, tag");
  CHECK(st.aliases.at("who") == "who AS customer");
  CHECK(st.evals.at("cents") == "amount * 100");
  REQUIRE(st.timestamps.has_value());
  CHECK(st.timestamps->time_format == "%Y-%m-%d %H:%M:%S");
  CHECK(r->transforms.at("pairs").delims == "\"&\", \"=\"");
  CHECK(r->transforms.at("pairs").source_key == "q");
  CHECK(r->transforms.at("cols").delims == "\"|\"");
  CHECK(r->transforms.at("cols").fields == std::vector<std::string>{"a", "b"});
  CHECK(r->transforms.at("tag").format == "who::$1");
  // The index-time parser takes the same file.
  auto idx = config::parse_sourcetypes(text, "node.toml");
  REQUIRE_MESSAGE(idx.has_value(), idx.err().message());
  CHECK(!idx->at("shop").should_linemerge);
  // A built-in transform may be named without a section.
  CHECK(config::parse_field_rules("[sourcetypes.web]\nREPORT-a = \"access-extractions\"\n",
                                  "node.toml")
            .has_value());
}

TEST_CASE("config: a bad regex, unknown transform or bad EVAL names file:line and the key") {
  auto field_error = [](std::string_view text) {
    auto r = config::parse_field_rules(text, "node.toml");
    REQUIRE_MESSAGE(!r.has_value(), text);
    return r.err().message();
  };
  CHECK(field_error("[sourcetypes.a]\nEXTRACT-x = '(?<f>[a-'\n")
            .find("node.toml:2:13: [sourcetypes.a] EXTRACT-x: invalid regular expression") == 0);
  CHECK(
      field_error("[sourcetypes.a]\nEXTRACT-x = 'no groups'\n") ==
      "node.toml:2:13: [sourcetypes.a] EXTRACT-x: the regular expression has no (?<name>…) group");
  CHECK(field_error(
            "[sourcetypes.a]\nREPORT-x = \"good, nope\"\n[transforms.good]\nREGEX = '(?<g>.)'\n") ==
        "node.toml:2:12: [sourcetypes.a] REPORT-x: expected the name of a [transforms.NAME] "
        "section, not \"nope\"");
  CHECK(field_error("[sourcetypes.a]\nEVAL-x = \"1 +\"\n")
            .find("node.toml:2:10: [sourcetypes.a] EVAL-x: invalid eval expression") == 0);
  CHECK(field_error("[sourcetypes.a]\nFIELDALIAS-x = \"a TO b\"\n")
            .find("node.toml:2:16: [sourcetypes.a] FIELDALIAS-x: expected") == 0);
  CHECK(field_error("[sourcetypes.a]\nKV_MODE = \"xml\"\n") ==
        "node.toml:2:11: [sourcetypes.a] KV_MODE: expected auto, json or none, not \"xml\"");
  CHECK(field_error("[sourcetypes.a]\nEVAL-x = 3\n") ==
        "node.toml:2:10: [sourcetypes.a] EVAL-x: expected a string");
  CHECK(field_error("[transforms.t]\nDELIMS = '\"|\"'\n")
            .find("node.toml:1:1: [transforms.t] DELIMS with one set needs FIELDS") == 0);
  CHECK(field_error(
            "[transforms.t]\nREGEX = '(a)'\nFORMAT = 'f::$3'\n[sourcetypes.a]\nREPORT-x = 't'\n") ==
        "node.toml:5:12: [sourcetypes.a] REPORT-x: [transforms.t] FORMAT refers to $3 but REGEX "
        "has 1 group(s)");
  // A routing transform still needs REGEX and FORMAT where TRANSFORMS-* uses it.
  auto idx = config::parse_sourcetypes(
      "[transforms.t]\nDELIMS = '\"|\"'\nFIELDS = 'a'\n[sourcetypes.a]\nTRANSFORMS-x = 't'\n",
      "node.toml");
  REQUIRE(!idx.has_value());
  CHECK(idx.err().message() ==
        "node.toml:1:1: [transforms.t] REGEX: expected a value (the key is required)");
}
