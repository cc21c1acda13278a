// Operations on a bucket directory as a whole: make a journal-only copy
// searchable, rebuild index files, fsck, strip to the journal (archive), and
// measure. These are what `kura rebuild`, `kura fsck`, thaw and freeze run.
#pragma once

#include <roaring/roaring.hh>

#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/io/file.hpp"
#include "core/types.hpp"

namespace kura {

/// What building index files from a journal found.
struct build_report {
  uint64_t events = 0;
  uint64_t slices = 0;
  uint64_t dropped_bytes = 0;  ///< bytes cut from a damaged journal (only when allowed)
  std::string journal_problem;  ///< the damage found; empty when the journal is clean
};

/// The bucket id a directory name carries. Accepts bucket names and the
/// operator's temporary `temp_<bucket name>` used while thawing; 0 otherwise.
bucket_id bucket_id_of_dir(const io::fs::path& dir);

/// Builds the index files of the journal-only copy in `dir` ("make searchable").
/// A damaged journal is an error unless `cut_damaged_tail`, in which case the
/// journal is truncated after its last valid slice and the loss reported.
/// Errors: not_found (no journal), corruption, io_error.
result<build_report> make_searchable(const io::fs::path& dir, bool bloom, bool cut_damaged_tail = false);

/// Removes the index files of `dir` and builds them again from the journal.
/// The result is byte-identical to what the hot bucket wrote when it rolled.
result<build_report> rebuild(const io::fs::path& dir, bool bloom, bool cut_damaged_tail = false);

/// Removes every file of `dir` but the journal (a journal-only copy / archive).
error strip_to_journal(const io::fs::path& dir);

/// The events of `dir` marked deleted (empty when none). Errors: corruption.
result<Roaring> read_deletes(const io::fs::path& dir);
/// Adds `ordinals` to the delete marks of `dir` (atomic rewrite). Errors: io_error, corruption.
error add_deletes(const io::fs::path& dir, const Roaring& ordinals);

/// True when `dir` has complete index files (its manifest exists).
bool is_searchable(const io::fs::path& dir);

/// The result of checking one bucket.
struct fsck_report {
  io::fs::path dir;
  std::vector<std::string> problems;  ///< empty when the bucket is healthy
  bool repaired = false;              ///< index files were rebuilt (repair mode)
  bool ok() const { return problems.empty(); }
};

/// Checks a warm/cold/thawed bucket: journal frames and checksums, manifest,
/// index files (every block and posting), and that they describe the journal.
/// With `repair`, a damaged journal is cut after its last valid slice and the
/// index files are rebuilt. Never throws; problems are listed in the report.
fsck_report fsck_bucket(const io::fs::path& dir, bool repair, bool bloom = true);

}  // namespace kura
