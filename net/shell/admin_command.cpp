// The shell's grammar with CLI11 subcommands.
#include "net/shell/admin_command.hpp"

#include <wordexp.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <optional>

namespace kura::shell {

const std::string& help_text() {
  static const std::string text =
      "search \"<query>\" [--earliest T] [--latest T] [--output json|csv|raw|table]\n"
      "add oneshot FILE [--index I] [--sourcetype S] [--host H]\n"
      "list indexes\n"
      "add index NAME\n"
      "remove index NAME\n"
      "disable index NAME\n"
      "enable index NAME\n"
      "clean eventdata [--index NAME] [-f]\n"
      "roll-hot-buckets [--index NAME]\n"
      "list buckets [--index NAME]\n"
      "fsck [--repair] (--all | --index NAME)\n"
      "rebuild BUCKET_DIR\n"
      "list cluster-peers\n"
      "show cluster-status [--verbose]\n"
      "list cluster-generation\n"
      "offline [--enforce-counts]\n"
      "edit cluster-config [-restart_timeout S] [-heartbeat_timeout S] [-quiet_period S] "
      "[-replication_factor N] [-search_factor N]\n"
      "apply cluster-bundle [--dry-run] [--answer-yes]\n"
      "show cluster-bundle-status\n"
      "rolling-restart cluster-peers [-percent_peers_to_restart N]\n"
      "stop\n"
      "help\n";
  return text;
}

const std::vector<std::string>& command_words() {
  static const std::vector<std::string> words{
      "search",  "add",  "list", "remove", "disable", "enable", "clean", "roll-hot-buckets", "fsck",
      "rebuild", "stop", "help", "show",   "offline", "edit",   "apply", "rolling-restart"};
  return words;
}

namespace {

/// The help lines of the commands that start with `word`, joined by " | ".
std::string usage_of(const std::string& word) {
  std::string usage;
  for (size_t at = 0; at < help_text().size();) {
    size_t end = help_text().find('\n', at);
    auto line = help_text().substr(at, end - at);
    if (line.rfind(word + " ", 0) == 0 || line == word)
      usage += (usage.empty() ? "" : " | ") + line;
    at = end + 1;
  }
  return usage.empty() ? std::string{"type help"} : usage;
}

}  // namespace

result<admin_command> parse_command(const std::vector<std::string>& words) {
  if (words.empty()) return error{errc::invalid_argument, "no command; type help for the list"};
  if (std::find(command_words().begin(), command_words().end(), words[0]) == command_words().end())
    return error{errc::invalid_argument,
                 "unknown command \"" + words[0] + "\"; type help for the list"};
  admin_command c;
  CLI::App app{"kura"};
  app.require_subcommand(1);
  auto* search = app.add_subcommand("search", "run a search");
  search->add_option("query", c.query, "the search")->required();
  search->add_option("--earliest", c.earliest,
                     "earliest time (-15m, -1d@d, epoch, MM/DD/YYYY:HH:MM:SS)");
  search->add_option("--latest", c.latest, "latest time");
  search->add_option("--output", c.output, "json, csv, raw or table")
      ->check(CLI::IsMember({"json", "csv", "raw", "table"}));
  auto* add = app.add_subcommand("add", "add an index or a file");
  add->require_subcommand(1);
  auto* oneshot = add->add_subcommand("oneshot", "index a file once");
  oneshot->add_option("file", c.path, "the file")->required();
  oneshot->add_option("--index", c.index, "target index");
  oneshot->add_option("--sourcetype", c.sourcetype, "sourcetype");
  oneshot->add_option("--host", c.host, "host");
  auto* add_index = add->add_subcommand("index", "create an index");
  add_index->add_option("name", c.name, "index name")->required();
  auto* list = app.add_subcommand("list", "list indexes or buckets");
  list->require_subcommand(1);
  auto* list_indexes = list->add_subcommand("indexes", "list the indexes");
  auto* list_buckets = list->add_subcommand("buckets", "list the buckets");
  list_buckets->add_option("--index", c.index, "only this index");
  auto* list_peers = list->add_subcommand("cluster-peers", "the cluster's peers (on the master)");
  auto* list_generation =
      list->add_subcommand("cluster-generation", "the current generation (on the master)");
  auto* show = app.add_subcommand("show", "show the cluster's status");
  show->require_subcommand(1);
  auto* show_status =
      show->add_subcommand("cluster-status", "the cluster's status (on the master)");
  show_status->add_flag("--verbose", c.verbose, "also every peer");
  auto* show_bundle = show->add_subcommand(
      "cluster-bundle-status", "the configuration bundle on every peer (on the master)");
  auto* apply_cmd = app.add_subcommand("apply", "apply the configuration bundle");
  apply_cmd->require_subcommand(1);
  auto* apply_bundle = apply_cmd->add_subcommand(
      "cluster-bundle", "validate master-apps on every peer, then install it (on the master)");
  apply_bundle->add_flag("--dry-run", c.dry_run, "validate only; install nothing");
  bool answer_yes = false;
  apply_bundle->add_flag("--answer-yes", answer_yes, "accepted for Splunk's scripts; never asks");
  auto* restart_cmd = app.add_subcommand("rolling-restart", "restart the peers in waves");
  restart_cmd->require_subcommand(1);
  auto* restart_peers = restart_cmd->add_subcommand(
      "cluster-peers", "every peer restarts, its primaries moved first (on the master)");
  restart_peers->add_option("--percent_peers_to_restart", c.percent, "peers per wave, in %")
      ->check(CLI::Range(1, 100));
  auto index_verb = [&](const char* word, const char* what) {
    auto* cmd = app.add_subcommand(word, what);
    cmd->require_subcommand(1);
    auto* sub = cmd->add_subcommand("index", what);
    sub->add_option("name", c.name, "index name")->required();
    return sub;
  };
  auto* remove_index = index_verb("remove", "remove an index and its data");
  auto* disable_index = index_verb("disable", "refuse data for an index, keep its data");
  auto* enable_index = index_verb("enable", "accept data for an index again");
  auto* clean = app.add_subcommand("clean", "delete event data");
  clean->require_subcommand(1);
  auto* eventdata = clean->add_subcommand("eventdata", "delete the event data of one index or all");
  eventdata->add_option("--index", c.index, "only this index");
  eventdata->add_flag("-f", c.force, "do not ask for confirmation");
  auto* roll = app.add_subcommand("roll-hot-buckets", "roll hot buckets to warm");
  roll->add_option("--index", c.index, "only this index");
  auto* fsck = app.add_subcommand("fsck", "check buckets");
  fsck->add_flag("--repair", c.repair, "rebuild damaged buckets");
  auto* fsck_all = fsck->add_flag("--all", c.all, "every index");
  auto* fsck_index = fsck->add_option("--index", c.index, "one index");
  fsck_all->excludes(fsck_index);
  auto* rebuild = app.add_subcommand("rebuild", "rebuild a bucket's index files from its journal");
  rebuild->add_option("bucket_dir", c.path, "the bucket directory")->required();
  auto* stop = app.add_subcommand("stop", "stop the node gracefully");
  auto* offline = app.add_subcommand("offline", "take this peer out of the cluster and stop it");
  offline->add_flag("--enforce-counts", c.enforce_counts,
                    "wait until the cluster is complete without it (decommission)");
  auto* edit_cmd = app.add_subcommand("edit", "change the cluster's settings");
  edit_cmd->require_subcommand(1);
  auto* edit_config =
      edit_cmd->add_subcommand("cluster-config", "live settings of the master, in seconds");
  std::optional<double> restart_timeout, heartbeat_timeout, quiet_period;
  std::optional<uint32_t> replication_factor, search_factor;
  edit_config->add_option("--replication_factor", replication_factor, "copies of each bucket")
      ->check(CLI::Range(1, 64));
  edit_config->add_option("--search_factor", search_factor, "searchable copies of each bucket")
      ->check(CLI::Range(1, 64));
  edit_config->add_option("--restart_timeout", restart_timeout, "seconds")
      ->check(CLI::Range(0.0, 31536000.0));
  edit_config->add_option("--heartbeat_timeout", heartbeat_timeout, "seconds")
      ->check(CLI::Range(0.01, 31536000.0));
  edit_config->add_option("--quiet_period", quiet_period, "seconds")
      ->check(CLI::Range(0.0, 31536000.0));
  auto* help = app.add_subcommand("help", "list the commands");

  // Splunk writes `edit cluster-config -restart_timeout 600`: one dash.
  auto spelled = words;
  if (spelled[0] == "edit" || spelled[0] == "rolling-restart")
    for (auto& w : spelled)
      if (w.size() > 2 && w[0] == '-' && w[1] != '-' && !std::isdigit(static_cast<unsigned char>(w[1])))
        w = "-" + w;
  std::vector<std::string> args(spelled.rbegin(), spelled.rend());  // CLI11 takes them reversed
  try {
    app.parse(args);
  } catch (const CLI::ParseError& e) {
    return error{errc::invalid_argument,
                 std::string{e.what()} + " (usage: " + usage_of(words[0]) + ")"};
  }
  if (search->parsed())
    c.what = verb::search;
  else if (oneshot->parsed())
    c.what = verb::add_oneshot;
  else if (add_index->parsed())
    c.what = verb::add_index;
  else if (list_indexes->parsed())
    c.what = verb::list_indexes;
  else if (list_buckets->parsed())
    c.what = verb::list_buckets;
  else if (remove_index->parsed())
    c.what = verb::remove_index;
  else if (disable_index->parsed())
    c.what = verb::disable_index;
  else if (enable_index->parsed())
    c.what = verb::enable_index;
  else if (eventdata->parsed())
    c.what = verb::clean_eventdata;
  else if (roll->parsed())
    c.what = verb::roll_hot_buckets;
  else if (rebuild->parsed())
    c.what = verb::rebuild;
  else if (stop->parsed())
    c.what = verb::stop;
  else if (help->parsed())
    c.what = verb::help;
  else if (list_peers->parsed())
    c.what = verb::list_cluster_peers;
  else if (list_generation->parsed())
    c.what = verb::list_cluster_generation;
  else if (show_status->parsed())
    c.what = verb::show_cluster_status;
  else if (offline->parsed())
    c.what = verb::offline;
  else if (show_bundle->parsed())
    c.what = verb::show_cluster_bundle_status;
  else if (apply_bundle->parsed())
    c.what = verb::apply_cluster_bundle;
  else if (restart_peers->parsed())
    c.what = verb::rolling_restart;
  else if (edit_config->parsed()) {
    c.what = verb::edit_cluster_config;
    if (heartbeat_timeout) c.settings.emplace_back("heartbeat_timeout", *heartbeat_timeout);
    if (quiet_period) c.settings.emplace_back("quiet_period", *quiet_period);
    if (restart_timeout) c.settings.emplace_back("restart_timeout", *restart_timeout);
    if (replication_factor) c.settings.emplace_back("replication_factor", *replication_factor);
    if (search_factor) c.settings.emplace_back("search_factor", *search_factor);
    if (c.settings.empty())
      return error{errc::invalid_argument,
                   "edit cluster-config needs a setting (usage: " + usage_of("edit") + ")"};
  }
  else if (fsck->parsed()) {
    c.what = verb::fsck;
    if (!c.all && c.index.empty())
      return error{
          errc::invalid_argument,
          "fsck needs --all or --index NAME (usage: fsck [--repair] (--all | --index NAME))"};
  }
  return c;
}

result<std::vector<std::string>> split_line(std::string_view line) {
  std::string text{line};
  wordexp_t w{};
  int rc = wordexp(text.c_str(), &w, WRDE_NOCMD | WRDE_UNDEF);
  if (rc != 0) {
    if (rc == 0 || rc == WRDE_NOSPACE) wordfree(&w);
    const char* why = rc == WRDE_BADCHAR  ? "a character such as | ; & < > ( ) { } outside quotes"
                      : rc == WRDE_CMDSUB ? "command substitution is not allowed"
                      : rc == WRDE_SYNTAX ? "unbalanced quotes"
                      : rc == WRDE_BADVAL ? "an undefined variable"
                                          : "the line cannot be split";
    return error{errc::invalid_argument,
                 std::string{why} + "; quote the search, e.g. search \"error | stats count\""};
  }
  std::vector<std::string> words(w.we_wordv, w.we_wordv + w.we_wordc);
  wordfree(&w);
  return words;
}

}  // namespace kura::shell
