// The commands of the `kura` admin shell (product.md §1), parsed from words:
// the one-shot command line and each interactive line share this grammar.
// Splunk's CLI words, so a Splunk operator knows them.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace kura::shell {

enum class verb : uint8_t {
  search,            ///< search "<query>" [--earliest T] [--latest T] [--output json|csv|raw|table]
  add_oneshot,       ///< add oneshot FILE [--index I] [--sourcetype S] [--host H]
  list_indexes,      ///< list indexes
  add_index,         ///< add index NAME
  remove_index,      ///< remove index NAME
  disable_index,     ///< disable index NAME
  enable_index,      ///< enable index NAME
  clean_eventdata,   ///< clean eventdata [--index NAME] [-f]
  roll_hot_buckets,  ///< roll-hot-buckets [--index NAME]
  list_buckets,      ///< list buckets [--index NAME]
  fsck,              ///< fsck [--repair] (--all | --index NAME)
  rebuild,           ///< rebuild BUCKET_DIR
  stop,              ///< stop
  help,              ///< help
  list_cluster_peers,          ///< list cluster-peers (master)
  show_cluster_status,         ///< show cluster-status [--verbose] (master)
  list_cluster_generation,     ///< list cluster-generation (master)
  offline,                     ///< offline [--enforce-counts] (peer)
  edit_cluster_config,         ///< edit cluster-config -KEY VALUE... (master)
  apply_cluster_bundle,        ///< apply cluster-bundle [--dry-run] [--answer-yes] (master)
  show_cluster_bundle_status,  ///< show cluster-bundle-status (master)
  rolling_restart,  ///< rolling-restart cluster-peers [-percent_peers_to_restart N] (master)
};

struct admin_command {
  verb what = verb::help;
  std::string query;                    ///< search
  std::optional<std::string> earliest;  ///< search --earliest
  std::optional<std::string> latest;    ///< search --latest
  std::string output = "table";         ///< search --output
  std::string path;                     ///< add oneshot FILE, rebuild BUCKET_DIR
  std::string name;                     ///< index NAME of add/remove/disable/enable
  std::string index;                    ///< --index
  bool verbose = false;                 ///< show cluster-status --verbose
  std::string sourcetype, host;         ///< add oneshot
  bool force = false;                   ///< clean eventdata -f
  bool repair = false;                  ///< fsck --repair
  bool all = false;                     ///< fsck --all
  bool enforce_counts = false;          ///< offline --enforce-counts
  bool dry_run = false;                 ///< apply cluster-bundle --dry-run
  uint32_t percent = 10;                ///< rolling-restart -percent_peers_to_restart
  /// edit cluster-config: the settings given (restart_timeout,
  /// heartbeat_timeout, quiet_period in seconds; replication_factor,
  /// search_factor), in the order of their names.
  std::vector<std::pair<std::string, double>> settings;
};

/// Parses one command. Errors: invalid_argument with a message that says what
/// was wrong and the usage of the command.
result<admin_command> parse_command(const std::vector<std::string>& words);

/// Splits an interactive line into words with shell quoting rules (POSIX
/// wordexp; command substitution is refused). Errors: invalid_argument.
result<std::vector<std::string>> split_line(std::string_view line);

/// The first words of every command, for tab completion.
const std::vector<std::string>& command_words();

/// The help text: one line per command.
const std::string& help_text();

}  // namespace kura::shell
