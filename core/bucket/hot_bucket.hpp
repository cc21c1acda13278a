// The hot bucket: the one writer of a bucket directory `hot_v1_<id>`. It appends
// events to the journal and indexes them in memory; roll() writes the index
// files and renames the directory to its warm name. Owned by its index (later:
// by its bucket actor); not thread-safe.
#pragma once

#include <string>
#include <vector>

#include "core/bucket/index_builder.hpp"
#include "core/error.hpp"
#include "core/io/file.hpp"
#include "core/journal/journal.hpp"

namespace kura {

/// What recovering a hot bucket found (logged and returned to the caller).
struct recovery_report {
  uint64_t events = 0;         ///< events recovered (complete slices)
  uint64_t dropped_bytes = 0;  ///< bytes of torn tail cut from the journal
  std::string problem;         ///< the scanner's description of the tail; empty when clean
};

class hot_bucket {
 public:
  /// Creates `home/hot_v1_<id>` with an empty, synced journal written with
  /// `journal` (the index's journalCompression). Errors: already_exists, io_error.
  static result<hot_bucket> create(const io::fs::path& home, bucket_id id,
                                   journal_options journal = {});

  /// Reopens a hot bucket left by a stop or a crash: keeps every complete slice,
  /// cuts a torn or corrupt tail (reported in `report`, never guessed at) and
  /// re-indexes what remains. Errors: corruption (journal header), io_error.
  static result<hot_bucket> recover(const io::fs::path& dir, bucket_id id, recovery_report& report);

  /// Appends one event (buffered; see journal_writer for the durability rule).
  error append(const event_view& ev);
  /// Makes every appended event durable.
  error commit();

  /// Commits, writes the index files (and the bloom filter when `bloom`) and
  /// renames the directory to db_<newest>_<oldest>_<id>[_<guid>] in the same
  /// parent. Returns the new path, or an empty path when the bucket held no
  /// events (its directory is then removed). The object must not be used after.
  result<io::fs::path> roll(const std::string& guid, bool bloom);

  bucket_id id() const { return id_; }
  const io::fs::path& dir() const { return dir_; }
  uint64_t events() const { return builder_.events(); }
  /// Approximate bytes on disk (journal) — what maxDataSize is compared against.
  uint64_t size_estimate() const { return journal_.size_estimate(); }
  time_us min_time() const { return builder_.min_time(); }
  time_us max_time() const { return builder_.max_time(); }
  /// Bytes of the journal file covered by the last successful commit.
  uint64_t committed_bytes() const { return journal_.synced_size(); }
  /// Whether events were appended since the last commit.
  bool uncommitted() const { return journal_.uncommitted(); }
  /// The journal's written slices (their events can be read from the file).
  const std::vector<slice_info>& slices() const { return journal_.slices(); }
  /// The in-memory index of the events so far (search of hot data).
  const index_builder& index() const { return builder_; }
  /// See index_builder::expect_terms. Requires: no event appended yet.
  void expect_terms(size_t terms) { builder_.expect_terms(terms); }

 private:
  /// Creates `dir/rawdata` and an empty, synced journal in it.
  static result<hot_bucket> start_empty(const io::fs::path& dir, bucket_id id,
                                        journal_options journal = {});

  io::fs::path dir_;
  bucket_id id_;
  journal_writer journal_;
  index_builder builder_;
};

}  // namespace kura
