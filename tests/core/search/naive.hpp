// A deliberately naive search evaluator, the oracle of the search tests: it
// reads every event of every bucket, decides the base search directly from
// its own reading of the rules (a set of terms per event, std::regex for
// wildcards), sorts everything newest first and runs each command on the
// whole row list. No posting list, bloom filter, fast path or merge is used.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "core/search/ast.hpp"
#include "core/search/bucket_view.hpp"
#include "core/search/commands.hpp"
#include "core/search/value.hpp"

namespace kura::testing {

/// Adds the default fields Splunk computes for an event (linecount, punct,
/// date_*, timestartpos, timeendpos) to `r`, computed naively (naive_fields.cpp).
void add_naive_default_fields(std::string_view raw, time_us time, search::row& r);

class naive_evaluator {
 public:
  /// Reads every event of `buckets` (in this order: the rank used for ties).
  explicit naive_evaluator(const std::vector<const search::bucket_view*>& buckets);

  /// The rows `q` gives. Requires: no `delete`.
  result<std::vector<search::row>> run(const search::query& q, std::optional<time_us> earliest,
                                       std::optional<time_us> latest, const search::search_limits& limits) const;

  /// Where lookup and inputlookup read NAME.csv (naive_coordinator.cpp).
  std::string lookup_dir;

 private:
  struct event_entry {
    time_us time;
    size_t rank;
    uint64_t ordinal;
    search::row row;
    std::string raw;
  };
  bool matches(const search::search_node& n, const event_entry& e) const;
  std::vector<event_entry> events_;
};

}  // namespace kura::testing
