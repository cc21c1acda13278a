// Searches held open where the buckets are and read in batches by a
// coordinator somewhere else. The owner of some buckets (a bucket actor; an
// index actor for its hot buckets; later a peer on another node) keeps a
// cursor_table; the coordinator wraps each cursor it opened in a
// batched_source and merges those with merge_parts.
//
//   coordinator                         owner of buckets
//   open(text, options, first_rank) --> execute_part over its buckets
//                                   <-- cursor id, partial aggregate, counts
//   next(id, n)  (as the merge needs) -> up to n rows, newest first
//   close(id)    (search stopped early)
//
// Not thread-safe: the owning actor serializes calls.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/search/executor.hpp"

namespace kura::search {

/// What a coordinator asks of an owner of buckets.
struct cursor_request {
  std::string text;  ///< the search, parsed again where the buckets are
  search_options options;
  size_t first_rank = 0;  ///< rank of the owner's first bucket in the whole search (ties)
  std::vector<uint64_t> skip_hot;  ///< hot buckets (local ids) the owner must not read
};

/// The owner's answer to open.
struct cursor_opened {
  uint64_t id = 0;                             ///< 0: no rows to read
  time_us upper_time = INT64_MIN;              ///< the newest time a row may have
  std::optional<partial_aggregate> aggregate;  ///< aggregations: the owner's partial
  search_summary summary;                      ///< buckets searched and skipped, events read so far
  std::map<std::string, std::string> bucket_indexes;  ///< bucket key -> index
};

/// A row with its place in the result order.
struct ranked_row {
  rank_key key;
  row fields;
};

/// Rows read from a cursor, newest first.
struct row_batch {
  std::vector<ranked_row> rows;
  bool done = false;         ///< the cursor is exhausted (and closed)
  uint64_t events_read = 0;  ///< events the cursor has read so far
};

class cursor_table {
 public:
  /// Cursors not read for this long are dropped (a coordinator that went away).
  static constexpr std::chrono::minutes idle_limit{10};

  /// Parses the search and runs execute_part over `buckets`. `keep` is held
  /// while the cursor is open (the views and what they read). Errors: as
  /// execute_part and parse_query.
  result<cursor_opened> open(const cursor_request& request,
                             const std::vector<const bucket_view*>& buckets,
                             std::shared_ptr<void> keep = {});
  /// Registers a part as a cursor (a peer's parts combined, or one that
  /// open() made); `keep` is what it reads, `q` (when given) the search it
  /// points into. The returned partial aggregate points into the search too:
  /// a caller that passes `q` inside `keep` must hold `keep` while it uses it.
  cursor_opened open_part(search_part part, std::shared_ptr<void> keep,
                          std::unique_ptr<query> q = {});
  /// Up to `max_rows` more rows. Errors: not_found (unknown or dropped cursor),
  /// the errors of reading buckets.
  result<row_batch> next(uint64_t id, size_t max_rows);
  /// Forgets a cursor (the search stopped early).
  void close(uint64_t id);
  /// Reads every open cursor to its end into memory and releases what it
  /// keeps, so the buckets under it may change (a hot bucket about to roll).
  error detach_all();
  size_t open_count() const { return cursors_.size(); }

 private:
  struct cursor {
    std::unique_ptr<query> q;
    search_part part;
    std::shared_ptr<void> keep;
    std::vector<ranked_row> detached;  // rows read ahead by detach_all, in order
    size_t detached_next = 0;
    std::chrono::steady_clock::time_point last_use;
  };
  result<std::optional<ranked_row>> take(cursor& c);

  std::map<uint64_t, cursor> cursors_;
  uint64_t next_id_ = 1;
};

/// The coordinator's part for a cursor opened elsewhere: its rows come from
/// `fetch` (the next batch of cursor `opened.id`), its `| delete` marks go
/// through `mark_deleted`.
search_part remote_part(
    cursor_opened opened, std::function<result<row_batch>()> fetch,
    std::function<error(const std::string& bucket_key, const Roaring& ordinals)> mark_deleted);

}  // namespace kura::search
