// The shell's grammar and line splitting.
#include "net/shell/admin_command.hpp"

#include <doctest/doctest.h>

using namespace kura;
using namespace kura::shell;

namespace {
admin_command parse(std::string_view line) {
  auto words = split_line(line);
  REQUIRE_MESSAGE(words.has_value(), words.err().message());
  auto c = parse_command(*words);
  REQUIRE_MESSAGE(c.has_value(), line << ": " << c.err().message());
  return *c;
}
std::string error_of(std::string_view line) {
  auto words = split_line(line);
  if (!words) return words.err().message();
  auto c = parse_command(*words);
  REQUIRE_MESSAGE(!c.has_value(), line);
  return c.err().message();
}
}  // namespace

TEST_CASE("shell: every command of product.md parses") {
  auto s = parse("search \"error | stats count by host\" --earliest -1h --output json");
  CHECK(s.what == verb::search);
  CHECK(s.query == "error | stats count by host");
  CHECK(*s.earliest == "-1h");
  CHECK(s.output == "json");
  auto o = parse("add oneshot /var/log/app.log --index web --sourcetype app --host h1");
  CHECK(o.what == verb::add_oneshot);
  CHECK(o.path == "/var/log/app.log");
  CHECK(o.index == "web");
  CHECK(parse("list indexes").what == verb::list_indexes);
  CHECK(parse("add index fflanda").name == "fflanda");
  CHECK(parse("remove index nogood").what == verb::remove_index);
  CHECK(parse("disable index x").what == verb::disable_index);
  CHECK(parse("enable index x").what == verb::enable_index);
  auto clean = parse("clean eventdata --index x -f");
  CHECK(clean.what == verb::clean_eventdata);
  CHECK(clean.force);
  CHECK(parse("roll-hot-buckets --index main").index == "main");
  CHECK(parse("list buckets --index main").what == verb::list_buckets);
  auto fsck = parse("fsck --repair --all");
  CHECK(fsck.repair);
  CHECK(fsck.all);
  CHECK(parse("rebuild /x/db_1_0_3").path == "/x/db_1_0_3");
  CHECK(parse("stop").what == verb::stop);
  CHECK(parse("help").what == verb::help);
}

TEST_CASE("shell: mistakes say what was wrong and show the usage") {
  CHECK(error_of("statz") == "unknown command \"statz\"; type help for the list");
  CHECK(error_of("fsck").find("fsck needs --all or --index NAME") == 0);
  CHECK(error_of("fsck --all --index x").find("usage: fsck") != std::string::npos);
  CHECK(error_of("search").find("usage: search") != std::string::npos);
  CHECK(error_of("search x --output xml").find("xml") != std::string::npos);
  CHECK(error_of("add index").find("usage: add oneshot") != std::string::npos);
  CHECK(error_of("search error | stats count").find("quote the search") != std::string::npos);
  CHECK(error_of("search \"unbalanced").find("unbalanced quotes") == 0);
  CHECK(error_of("search $(rm -rf /)").find("command substitution") == 0);
  CHECK(parse_command({}).err().message() == "no command; type help for the list");
}

TEST_CASE("shell: cluster commands, with Splunk's one-dash settings") {
  CHECK(parse("offline").what == verb::offline);
  CHECK_FALSE(parse("offline").enforce_counts);
  CHECK(parse("offline --enforce-counts").enforce_counts);
  auto e = parse("edit cluster-config -restart_timeout 900 -quiet_period 30");
  CHECK(e.what == verb::edit_cluster_config);
  REQUIRE(e.settings.size() == 2);
  CHECK(e.settings[0] == std::pair<std::string, double>{"quiet_period", 30});
  CHECK(e.settings[1] == std::pair<std::string, double>{"restart_timeout", 900});
  CHECK(parse("edit cluster-config --heartbeat_timeout 0.5").settings.at(0).second == 0.5);
  CHECK(error_of("edit cluster-config").find("edit cluster-config needs a setting") == 0);
  CHECK(error_of("edit cluster-config -restart_timeout -5").find("restart_timeout") !=
        std::string::npos);
  auto f = parse("edit cluster-config -replication_factor 4 -search_factor 3");
  REQUIRE(f.settings.size() == 2);
  CHECK(f.settings[0] == std::pair<std::string, double>{"replication_factor", 4});
  CHECK(f.settings[1] == std::pair<std::string, double>{"search_factor", 3});
  CHECK(error_of("edit cluster-config -replication_factor 0").find("replication_factor") !=
        std::string::npos);
  CHECK(error_of("edit cluster-config -mode master").find("mode") != std::string::npos);
  CHECK(error_of("offline --force").find("usage: offline") != std::string::npos);
}

TEST_CASE("shell: bundle and rolling restart commands") {
  CHECK(parse("apply cluster-bundle").what == verb::apply_cluster_bundle);
  CHECK_FALSE(parse("apply cluster-bundle").dry_run);
  CHECK(parse("apply cluster-bundle --dry-run").dry_run);
  CHECK(parse("apply cluster-bundle --answer-yes").what == verb::apply_cluster_bundle);
  CHECK(parse("show cluster-bundle-status").what == verb::show_cluster_bundle_status);
  auto r = parse("rolling-restart cluster-peers");
  CHECK(r.what == verb::rolling_restart);
  CHECK(r.percent == 10);
  CHECK(parse("rolling-restart cluster-peers -percent_peers_to_restart 50").percent == 50);
  CHECK(error_of("rolling-restart cluster-peers -percent_peers_to_restart 0")
            .find("percent_peers_to_restart") != std::string::npos);
  CHECK(error_of("rolling-restart").find("usage: rolling-restart") != std::string::npos);
}
