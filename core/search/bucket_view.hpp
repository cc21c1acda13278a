// What a search needs from one bucket, the same for a hot bucket (in-memory
// index, growing journal) and a searchable warm/cold/thawed copy (index files).
// Views are read-only and are used by one search at a time.
#pragma once

#include <functional>
#include <memory>
#include <roaring/roaring.hh>
#include <string>
#include <utility>
#include <vector>

#include "core/bucket/hot_bucket.hpp"
#include "core/error.hpp"
#include "core/event.hpp"
#include "core/io/file.hpp"

namespace kura::search {

class bucket_view {
 public:
  virtual ~bucket_view() = default;

  /// The bucket's index.
  virtual const std::string& index() const = 0;
  /// A name unique among the buckets of the node: "<index>~<bucket dir name>";
  /// `_cd` of an event is "<key>:<ordinal>".
  virtual const std::string& key() const = 0;
  /// The bucket directory (where `| delete` writes its marks).
  virtual const io::fs::path& dir() const = 0;
  /// Events visible to search (ordinals 0 … events()-1).
  virtual uint64_t events() const = 0;
  virtual time_us min_time() const = 0;
  virtual time_us max_time() const = 0;
  /// False only when the bucket certainly lacks the (lowercased) term.
  virtual bool may_contain(std::string_view term) const = 0;
  virtual result<Roaring> postings(std::string_view term) const = 0;
  /// Events that may contain `term` (lowercased) though postings() found none: a
  /// warm bucket leaves some terms of one event out of its dictionary (request ids,
  /// hashes, whole segments with minor breakers: tsidx_format::may_be_left_out) and
  /// keeps a bloom filter of them per journal slice; these are the events of the
  /// slices whose filter may hold `term`, to be verified on _raw.
  /// Empty when the term cannot have been left out or no filter holds it.
  virtual result<Roaring> rare_term_events(std::string_view term) const {
    (void)term;
    return Roaring{};
  }
  /// Whether terms_with_prefix() may miss left-out terms that match `glob`
  /// (lowercased, `*` wildcards).
  virtual bool may_leave_out(std::string_view glob) const {
    (void)glob;
    return false;
  }
  /// Every term starting with `prefix`, sorted.
  virtual result<std::vector<std::string>> terms_with_prefix(std::string_view prefix) const = 0;
  virtual result<Roaring> in_time_range(time_us earliest, time_us latest) const = 0;
  /// `_time` of each selected event, in ordinal order.
  virtual result<std::vector<time_us>> times(const Roaring& ordinals) const = 0;
  /// Calls `fn` for each selected event in ordinal order.
  virtual error read_events(const Roaring& ordinals,
                            const std::function<void(uint64_t, const event_view&)>& fn) const = 0;
  /// As read_events, and before the events of each slice that holds a
  /// selected one, `on_slice(text)` with the slice's decoded text
  /// (`slice_scratch::text`), into which the `raw` of each event then passed to
  /// `fn` points, in order. A view that does not read by slices never calls `on_slice`.
  virtual error read_events(const Roaring& ordinals,
                            const std::function<void(std::string_view text)>& on_slice,
                            const std::function<void(uint64_t, const event_view&)>& fn) const {
    (void)on_slice;
    return read_events(ordinals, fn);
  }
  /// The distinct values of host, source or sourcetype in the bucket.
  virtual std::vector<std::string> metadata_values(std::string_view field) const = 0;
  /// Ordinals marked by `| delete`.
  virtual const Roaring& deleted() const = 0;
};

/// A view of the searchable copy in `dir`. Errors: as bucket_reader::open.
result<std::unique_ptr<bucket_view>> open_bucket_view(const io::fs::path& dir, std::string index);

/// A view of a hot bucket; it sees the events of the journal's written slices.
/// `origin` is the guid of the peer writing it (empty when not clustered).
/// Requires: the hot bucket outlives the view and is not appended to meanwhile.
result<std::unique_ptr<bucket_view>> hot_bucket_view(const hot_bucket& hot, std::string index,
                                                     const std::string& origin = {});

}  // namespace kura::search
