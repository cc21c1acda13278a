// The search head's side of the cluster: it keeps each master's current
// generation (asked every few seconds and after a failed search, so a search
// never waits on a master) and runs searches over the peers of those
// generations, merging what they return (merge_parts). A peer that does not
// answer gives a warning with the results, never a hang. Lookups run here: when
// a master's applied bundle changes, the search head fetches it and installs
// its lookup tables under LOOKUPS_ROOT/<master>/, which searches read after
// the node's own etc/lookups, masters in configuration order.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "actors/node_api.hpp"
#include "core/io/file.hpp"

namespace caf {
class actor_system;
}

namespace kura::actors {

struct search_head_args {
  std::string name, guid;
  std::vector<std::string> master_uris;
  std::map<std::string, std::string> secrets;  ///< per master uri (its own or the common one)
  /// Where the masters' bundle lookups are installed ($KURA_HOME/etc/cluster-lookups;
  /// empty: they are not fetched).
  io::fs::path lookups_root;
};

class search_head {
 public:
  /// Starts watching the masters (an actor in `sys` asks each for its generation).
  search_head(caf::actor_system& sys, search_head_args args);
  ~search_head();

  /// Runs a search over every peer of every master's current generation; its
  /// lookups read `options.lookup_dir`, then each master's bundle lookups.
  /// Errors: unavailable (no master known), the search's own errors.
  result<search::search_summary> search(std::string_view text,
                                        const search::search_options& options,
                                        const search::row_sink& emit);
  /// What the search head knows of each master.
  std::vector<searchhead_master_status> status() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace kura::actors
