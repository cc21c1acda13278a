// Hot bucket: journal + in-memory index, recovery and roll to warm.
#include "core/bucket/hot_bucket.hpp"

#include "core/bucket/bucket_files.hpp"
#include "core/bucket/bucket_name.hpp"

namespace kura {

result<hot_bucket> hot_bucket::start_empty(const io::fs::path& dir, bucket_id id,
                                           journal_options journal) {
  if (auto err = io::make_dirs(dir / bucket_files::rawdata_dir)) return err;
  if (auto err = io::sync_dir(dir.parent_path())) return err;
  auto writer =
      journal_writer::create(dir / bucket_files::rawdata_dir / bucket_files::journal, journal);
  if (!writer) return writer.err();
  hot_bucket b;
  b.dir_ = dir;
  b.id_ = id;
  b.journal_ = std::move(*writer);
  return b;
}

result<hot_bucket> hot_bucket::create(const io::fs::path& home, bucket_id id,
                                      journal_options journal) {
  auto dir = home / bucket_name::hot(id).format();
  std::error_code ec;
  if (io::fs::exists(dir, ec)) return error{errc::already_exists, "bucket " + dir.string() + " exists"};
  return start_empty(dir, id, journal);
}

result<hot_bucket> hot_bucket::recover(const io::fs::path& dir, bucket_id id, recovery_report& report) {
  auto path = dir / bucket_files::rawdata_dir / bucket_files::journal;
  std::error_code ec;
  if (!io::fs::exists(path, ec) || io::fs::file_size(path, ec) < 16) {
    // Crashed before the journal header was synced: nothing was ever acknowledged.
    report.problem = "journal missing or shorter than its header; started empty";
    if (auto err = io::remove_all(path); err) return err;
    return start_empty(dir, id);
  }
  hot_bucket b;
  b.dir_ = dir;
  b.id_ = id;
  {
    auto mapped = io::mapped_file::open(path);
    if (!mapped) return mapped.err();
    auto scan = scan_journal(mapped->bytes());
    if (!scan) return error{scan.err().code(), path.string() + ": " + scan.err().message()};
    report.problem = scan->problem;
    report.dropped_bytes = scan->file_size - scan->valid_end;
    slice_scratch scratch;
    for (auto& slice : scan->slices) {
      auto err = decode_slice(mapped->bytes(), slice, scratch,
                              [&](uint64_t ordinal, const event_view& ev) { b.builder_.add(ordinal, ev); });
      if (err) return error{err.code(), path.string() + ": " + err.message()};
    }
    report.events = scan->events;
    if (!scan->clean()) {
      auto file = io::append_file::open(path);
      if (!file) return file.err();
      if (auto err = file->truncate(scan->valid_end)) return err;
      scan->file_size = scan->valid_end;
      scan->problem.clear();
    }
    auto journal = journal_writer::reopen(path, *scan);
    if (!journal) return journal.err();
    b.journal_ = std::move(*journal);
  }
  return b;
}

error hot_bucket::append(const event_view& ev) {
  uint64_t ordinal = builder_.events();
  if (auto err = journal_.append(ev)) return err;
  builder_.add(ordinal, ev);
  return {};
}

error hot_bucket::commit() { return journal_.commit(); }

result<io::fs::path> hot_bucket::roll(const std::string& guid, bool bloom) {
  if (auto err = commit()) return err;
  if (builder_.events() == 0) {
    if (auto err = io::remove_all(dir_)) return err;
    return io::fs::path{};
  }
  if (auto err = builder_.write_files(dir_, id_, journal_.slices(), journal_.file_size(), bloom)) return err;
  auto name = bucket_name::warm(id_, to_epoch_seconds(builder_.max_time()), to_epoch_seconds(builder_.min_time()), guid);
  auto target = dir_.parent_path() / name.format();
  if (auto err = io::move_path(dir_, target)) return err;
  return target;
}

}  // namespace kura
