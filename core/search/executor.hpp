// Runs a parsed search over a set of buckets. The search is split in two:
// the part that runs where the buckets are (pruning by time range, index and
// bloom filter; candidates from posting lists; reading only the events that
// survive; streaming commands; partial aggregates) and the part that merges
// (newest-first merge of events, merge of partial aggregates, the remaining
// commands). On one node both parts run here; the cluster moves the merge to
// the search head.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/search/ast.hpp"
#include "core/search/bucket_view.hpp"
#include "core/search/commands.hpp"
#include "core/search/default_fields.hpp"
#include "core/search/field_rules.hpp"
#include "core/search/value.hpp"

namespace kura::search {

struct search_options {
  time_us now = 0;                   ///< for relative times and year inference
  std::optional<time_us> earliest;   ///< earliest_time of the request (the search's own earliest= wins)
  std::optional<time_us> latest;     ///< latest_time of the request (the search's own latest= wins)
  search_limits limits;
  /// splunk_server of the events this node holds (empty: the field is left out).
  std::string server_name;
  /// Search-time fields per sourcetype (null: the built-ins alone).
  std::shared_ptr<const field_rules> extractions;
  /// Where lookup, inputlookup and outputlookup find NAME.csv ($KURA_HOME/etc/lookups);
  /// empty: outputlookup is refused.
  std::string lookup_dir;
  /// Read-only lookup directories searched after lookup_dir, in order: the
  /// cluster bundle's (core/search/lookup.hpp). All empty: lookups are refused.
  std::vector<std::string> bundle_lookup_dirs;
  /// Runs a subsearch (`join f [search …]`, `append [...]`) the way the main
  /// search runs, over the same data, sending its rows to `emit`. execute()
  /// sets it to its own buckets; a node or search head sets it to itself.
  /// Empty: subsearches are refused with an error.
  std::function<error(std::string_view text, const search_options& options,
                      const std::function<bool(const row&)>& emit)>
      run_subsearch;
};

/// What a search did, for logs and the job status.
struct search_summary {
  uint64_t buckets_searched = 0;
  uint64_t buckets_skipped = 0;   ///< ruled out by time range, index or bloom filter
  uint64_t events_read = 0;       ///< events decompressed from journals
  uint64_t results = 0;           ///< rows emitted
  uint64_t deleted = 0;           ///< events marked by `| delete`
  std::vector<std::string> warnings;
};

/// Receives result rows; returns false to stop the search.
using row_sink = std::function<bool(const row&)>;

/// The order of event rows: newest first, then the lower bucket rank, then the
/// newer (higher) ordinal.
struct rank_key {
  time_us time = 0;
  size_t rank = 0;
  uint64_t ordinal = 0;
  /// True when a row with this key comes before one with `o` in results.
  bool before(const rank_key& o) const {
    if (time != o.time) return time > o.time;
    if (rank != o.rank) return rank < o.rank;
    return ordinal > o.ordinal;
  }
};

/// Event rows in result order. Sources compose: a merge of sources is a source,
/// so a bucket, an index, a peer and the search head can each be one.
class row_source {
 public:
  virtual ~row_source() = default;
  /// The newest time this source may still produce (merges open it only then).
  virtual time_us upper_time() const = 0;
  /// The key of the next row, or nullopt when the source is exhausted.
  virtual result<std::optional<rank_key>> peek() = 0;
  /// Takes the next row. Requires: peek() returned a key.
  virtual row take() = 0;
};

/// Merges sources newest first; an input is opened only when it may hold the next row.
std::unique_ptr<row_source> merge_sources(std::vector<std::unique_ptr<row_source>> inputs);

/// What the buckets of one group (a bucket actor, an index, a peer) contribute
/// to a search: a row source for event searches, or a partial aggregate.
struct search_part {
  std::unique_ptr<row_source> events;               ///< event searches: rows newest first
  std::optional<partial_aggregate> aggregate;       ///< aggregations: this group's partial
  /// The index of each bucket of the part, by bucket key.
  std::map<std::string, std::string> bucket_indexes;
  /// Marks events of one of the part's buckets deleted (`| delete`), where the
  /// bucket lives: a local part writes the marks itself, an actor's part asks
  /// the actor that owns the bucket.
  std::function<error(const std::string& bucket_key, const Roaring& ordinals)> mark_deleted;
  std::shared_ptr<search_summary> summary;          ///< filled as the part is read
  std::shared_ptr<void> state;                      ///< what the sources read (compiled search)
};

/// Runs the part of `q` that belongs where `buckets` are: pruning, candidates,
/// reading, streaming commands, and the partial of the first aggregation.
/// Buckets are ranked first_rank, first_rank+1, … for ties. Requires: `q`
/// outlives the part.
result<search_part> execute_part(const query& q, const std::vector<const bucket_view*>& buckets, size_t first_rank,
                                 const search_options& options);

/// The coordinator: merges the parts (events newest first, or partials), runs
/// the commands after the split and emits the rows.
result<search_summary> merge_parts(const query& q, std::vector<search_part> parts, const search_options& options,
                                   const row_sink& emit);

/// Runs `q` over `buckets` on one node: one part, merged. Event rows come
/// newest first (ties: bucket order, then newest ordinal first) and carry _time
/// (epoch seconds), _raw, host, source, sourcetype, index, _cd ("<bucket
/// key>:<ordinal>"), indexed fields and, when needed, key=value fields. Errors:
/// invalid_argument (limits, bad rex), corruption and io_error from buckets.
result<search_summary> execute(const query& q, const std::vector<const bucket_view*>& buckets,
                               const search_options& options, const row_sink& emit);

/// Which fields the rows built from events need.
struct field_plan {
  bool key_values = true;          ///< extract key=value fields from _raw
  bool all = true;                 ///< every field (results are events, or unknown needs)
  std::vector<std::string> names;  ///< otherwise, only these (plus _time)
  std::vector<std::string> from_event;  ///< of those, the ones read before a command sets them
                                        ///< (search-time rules give them)
  /// Whether each default field is wanted (derived from `all` and `names`).
  bool host = true, source = true, sourcetype = true, index = true, cd = true, raw = true;
  /// Whether to compute linecount, punct, date_*, … (default_fields.hpp);
  /// the naive evaluator turns it off to compute them its own way.
  bool computed = true;
  /// Whether a field is wanted.
  bool wants(std::string_view name) const;
};

/// The fields a search's event rows need: all of them when results are events;
/// for an aggregation, only what the commands up to it and the base search read.
field_plan plan_fields(const query& q);

/// What building event rows needs beside the plan: the sourcetype rules the
/// search runs and the computed default fields it wants. One per part.
struct row_context {
  row_context(const field_plan& plan, const search_options& options);
  field_extraction extraction;
  default_fields defaults;
};

/// Builds the row of one event: the fields listed above, limited by `plan`,
/// with the search-time fields of its sourcetype and the computed default
/// fields (linecount, punct, date_*, timestartpos, timeendpos, splunk_server).
row event_row(const bucket_view& b, uint64_t ordinal, const event_view& ev, const field_plan& plan,
              row_context& ctx);
/// The same with the built-in rules and no splunk_server.
row event_row(const bucket_view& b, uint64_t ordinal, const event_view& ev, const field_plan& plan);

}  // namespace kura::search
