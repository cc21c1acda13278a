// The syntax tree of a search: the base search (a boolean expression over
// terms, phrases and field comparisons), eval expressions, and the commands
// after the first pipe. Built by parser.hpp; evaluated by predicate.hpp,
// eval.hpp and the commands.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/types.hpp"

namespace kura::search {

/// Where a token starts in the query text (1-based), for error messages.
struct position {
  int line = 1;
  int column = 1;
  std::string render() const { return std::to_string(line) + ":" + std::to_string(column); }
};

enum class compare_op : uint8_t { eq, ne, lt, le, gt, ge };

/// A node of the base search (also of `search` commands later in the pipeline).
struct search_node {
  enum class kind : uint8_t {
    all,      ///< matches every event (an empty search)
    and_,     ///< all children
    or_,      ///< any child
    not_,     ///< the single child does not match
    term,     ///< a word, possibly with * wildcards: `error`, `fail*`, `10.0.0.5`
    phrase,   ///< a quoted phrase: `"connection closed"`
    compare,  ///< `field op value`: `status=404`, `host=web*`, `bytes>1000`
  };
  kind type = kind::all;
  std::vector<search_node> children;
  std::string text;   ///< term or phrase text; the value of a comparison
  std::string field;  ///< compare: the field name
  compare_op op = compare_op::eq;
  position pos;
};

/// An eval expression.
struct expr {
  enum class kind : uint8_t { number, string, field, call, unary, binary };
  kind type = kind::number;
  double number = 0;
  std::string text;         ///< string literal, field name, function name or operator
  std::vector<expr> args;   ///< call arguments or operands
  position pos;
};

/// One aggregation of stats/timechart: `count`, `avg(bytes) as avg_bytes`.
struct aggregation {
  std::string function;  ///< count dc sum avg min max values earliest latest
  std::string field;     ///< empty for a bare `count`
  std::string as;        ///< the output name ("count", "avg(bytes)" unless renamed)
};

/// One command after a pipe.
struct command {
  enum class kind : uint8_t {
    search, where, eval, rex, head, tail, fields, table, rename, sort, dedup, stats, timechart, top, rare, delete_
  };
  kind type = kind::search;
  std::string name;                                   ///< as written, for messages
  position pos;
  search_node filter;                                 ///< search
  expr condition;                                     ///< where
  std::vector<std::pair<std::string, expr>> assignments;  ///< eval
  std::string rex_field = "_raw";                     ///< rex field=
  std::string regex;                                  ///< rex
  size_t limit = 10;                                  ///< head, tail, top, rare; sort/dedup N (0 = no limit)
  std::vector<std::string> fields;                    ///< fields, table, dedup, top/rare fields
  bool remove = false;                                ///< fields - a, b
  std::vector<std::pair<std::string, std::string>> renames;  ///< rename a as b
  std::vector<std::pair<std::string, bool>> sort_keys;       ///< sort: field, descending
  std::vector<aggregation> aggregations;             ///< stats, timechart
  std::vector<std::string> by;                        ///< stats/timechart/top/rare by
  time_us span = 0;                                   ///< timechart span (0 = automatic)
};

/// A parsed search.
struct query {
  search_node base;                     ///< the base search, without earliest/latest
  std::optional<time_us> earliest;      ///< from `earliest=` (or the caller)
  std::optional<time_us> latest;        ///< from `latest=`
  bool names_index = false;             ///< the base search compares the `index` field
  std::vector<command> commands;
};

}  // namespace kura::search
