// The options of the commands that need the merged row stream (chart,
// eventstats, streamstats, transaction, join, append, lookup, inputlookup,
// outputlookup), held by `command::coordinator`. Filled by the parser; read by
// coordinator_commands.hpp. Kept apart from ast.hpp so the common command
// struct stays small.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/search/ast.hpp"

namespace kura::search {

/// A transaction boundary: `startswith="login"` (a search expression on the
/// event) or `startswith=eval(status>=500)`.
struct transaction_filter {
  bool is_eval = false;
  search_node search;  ///< when !is_eval
  expr condition;      ///< when is_eval
};

struct coordinator_args {
  // chart (aggregations and `by` = [row split, column split] live in command;
  // limit and use_other too): events without the column-split field go to
  // the NULL column unless usenull=f.
  bool use_null = true;

  // streamstats
  size_t window = 0;    ///< 0 = every earlier row
  bool current = true;  ///< the row itself counts
  bool global = true;   ///< with window and by: one window over all rows

  // transaction (the fields are command::fields)
  std::optional<time_us> max_span;   ///< the whole transaction fits in this
  std::optional<time_us> max_pause;  ///< the gap between consecutive events
  size_t max_events = 1000;
  std::optional<transaction_filter> starts_with, ends_with;

  // join (fields are command::fields) and append: the subsearch
  bool left = false;                      ///< join type=left|outer keeps rows without a match
  size_t max = 1;                         ///< join max=N matches per row (0 = all)
  std::string subsearch;                  ///< the text between [ and ], run before the command
  std::shared_ptr<const query> subquery;  ///< its parse (checked when the search is parsed)

  // lookup, inputlookup, outputlookup
  std::string table;  ///< a lookup name: NAME or NAME.csv in the lookup directory
  std::vector<std::pair<std::string, std::string>> match;  ///< lookup field, event field
  std::vector<std::pair<std::string, std::string>>
      output;               ///< lookup field, event field (empty: all others)
  bool output_new = false;  ///< OUTPUTNEW: only fields the row does not have
};

}  // namespace kura::search
