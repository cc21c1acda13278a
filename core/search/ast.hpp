// The syntax tree of a search: the base search (a boolean expression over
// terms, phrases and field comparisons), eval expressions, and the commands
// after the first pipe. Built by parser.hpp; evaluated by predicate.hpp,
// eval.hpp and the commands.
#pragma once

#include <cstdint>
#include <memory>
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
  bool case_sensitive = false;  ///< CASE(...): term, phrase or compared value matched with its case
  bool whole_term = false;      ///< TERM(...): the term matched as a whole major segment of _raw
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
  std::string function;  ///< a canonical name of aggregations.hpp (count, dc, perc, stdev, …)
  std::string field;     ///< empty for a bare `count` or an eval argument
  std::string as;        ///< the output name ("count", "avg(bytes)" unless renamed)
  std::optional<expr> argument;  ///< `count(eval(status>=500))`: the expression instead of a field
  double percentile = 0;         ///< perc, exactperc, upperperc: 0..100 (median: 50)
};

struct coordinator_args;  // coordinator_args.hpp: options of the commands that need the merged rows

struct row_args;  // row_commands.hpp: options of bin … makeresults, rex mode=sed, sort/dedup modes

/// One command after a pipe.
struct command {
  enum class kind : uint8_t {
    search,
    where,
    eval,
    rex,
    head,
    tail,
    fields,
    table,
    rename,
    sort,
    dedup,
    stats,
    timechart,
    top,
    rare,
    delete_,
    // need the merged rows (coordinator_commands.hpp)
    chart,
    eventstats,
    streamstats,
    transaction,
    join,
    append,
    lookup,
    inputlookup,
    outputlookup,
    // row commands (row_commands.hpp)
    bin,
    fillnull,
    makemv,
    mvexpand,
    convert,
    addtotals,
    fieldformat,
    regex,
    makeresults,
    spath,  // json_fields.hpp
  };
  kind type = kind::search;
  std::string name;                                   ///< as written, for messages
  position pos;
  search_node filter;                                 ///< search
  expr condition;                                     ///< where
  std::vector<std::pair<std::string, expr>> assignments;  ///< eval
  std::string rex_field = "_raw";                         ///< rex field=, spath input=
  std::string spath_path;                                 ///< spath path= (empty: every field)
  std::string spath_output;                               ///< spath output= (empty: the path)
  std::string regex;                                  ///< rex
  size_t limit = 10;  ///< head, tail, top, rare; sort/dedup N; timechart series (0 = no limit)
  std::vector<std::string> fields;                    ///< fields, table, dedup, top/rare fields
  bool remove = false;                                ///< fields - a, b
  std::vector<std::pair<std::string, std::string>> renames;  ///< rename a as b
  std::vector<std::pair<std::string, bool>> sort_keys;       ///< sort: field, descending
  std::vector<aggregation> aggregations;             ///< stats, timechart
  std::vector<std::string> by;                        ///< stats/timechart/top/rare by
  time_us span = 0;                                   ///< timechart span (0 = automatic)
  bool use_other = true;  ///< timechart useother: rows of the series past `limit` in OTHER
  std::shared_ptr<const coordinator_args> coordinator;  ///< chart … outputlookup: their options
  std::shared_ptr<const row_args>
      row;  ///< row commands, rex/sort/dedup/rename/table/fields options (may be null)
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
