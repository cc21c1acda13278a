// make_searchable, rebuild, fsck and archive stripping.
#include "core/bucket/bucket_ops.hpp"

#include "core/bucket/bucket_files.hpp"
#include "core/bucket/bucket_name.hpp"
#include "core/bucket/bucket_reader.hpp"
#include "core/bucket/index_builder.hpp"
#include "core/journal/journal.hpp"
#include "core/util/coding.hpp"
#include "core/util/hash.hpp"

namespace kura {
namespace {

io::fs::path journal_path(const io::fs::path& dir) { return dir / bucket_files::rawdata_dir / bucket_files::journal; }

error remove_index_files(const io::fs::path& dir) {
  // The manifest goes first: without it the copy counts as not searchable, so a
  // crash half-way through a rebuild never leaves stale files that look complete.
  for (auto* name : {bucket_files::manifest, bucket_files::tsidx, bucket_files::bloomfilter})
    if (auto err = io::remove_all(dir / name)) return err;
  return io::sync_dir(dir);
}

}  // namespace

bucket_id bucket_id_of_dir(const io::fs::path& dir) {
  auto name = dir.filename().string();
  if (auto b = bucket_name::parse(name)) return b->id;
  if (name.rfind("temp_", 0) == 0)
    if (auto b = bucket_name::parse(name.substr(5))) return b->id;
  return bucket_id{0};
}

result<Roaring> read_deletes(const io::fs::path& dir) {
  auto path = dir / bucket_files::deletes;
  auto bytes = io::read_file(path);
  if (!bytes) return bytes.err().code() == errc::not_found ? result<Roaring>{Roaring{}} : bytes.err();
  if (bytes->size() < 8) return error{errc::corruption, path.string() + ": shorter than its checksum"};
  std::string_view body{bytes->data(), bytes->size() - 8};
  if (hash::checksum64(body) != coding::get_fixed64(bytes->data() + body.size()))
    return error{errc::corruption, path.string() + ": checksum mismatch"};
  try {
    return Roaring::readSafe(body.data(), body.size());
  } catch (const std::exception& e) {
    return error{errc::corruption, path.string() + ": " + e.what()};
  }
}

error add_deletes(const io::fs::path& dir, const Roaring& ordinals) {
  auto current = read_deletes(dir);
  if (!current) return current.err();
  *current |= ordinals;
  current->runOptimize();
  std::string bytes(current->getSizeInBytes(), '\0');
  current->write(bytes.data());
  coding::put_fixed64(bytes, hash::checksum64(bytes));
  return io::write_file_atomic(dir / bucket_files::deletes, bytes);
}

bool is_searchable(const io::fs::path& dir) {
  std::error_code ec;
  return io::fs::exists(dir / bucket_files::manifest, ec);
}

result<build_report> make_searchable(const io::fs::path& dir, bool bloom, bool cut_damaged_tail) {
  auto path = journal_path(dir);
  build_report report;
  index_builder builder;
  std::vector<slice_info> slices;
  uint64_t journal_bytes = 0;
  {
    auto mapped = io::mapped_file::open(path);
    if (!mapped) return mapped.err();
    auto scan = scan_journal(mapped->bytes());
    if (!scan) return error{scan.err().code(), path.string() + ": " + scan.err().message()};
    if (!scan->clean()) {
      report.journal_problem = scan->problem;
      report.dropped_bytes = scan->file_size - scan->valid_end;
      if (!cut_damaged_tail) return error{errc::corruption, path.string() + ": " + scan->problem};
    }
    slice_scratch scratch;
    for (auto& slice : scan->slices) {
      auto err = decode_slice(mapped->bytes(), slice, scratch,
                              [&](uint64_t ordinal, const event_view& ev) { builder.add(ordinal, ev); });
      if (err) return error{err.code(), path.string() + ": " + err.message()};
    }
    slices = std::move(scan->slices);
    journal_bytes = scan->valid_end;
    report.events = scan->events;
    report.slices = slices.size();
  }
  if (report.dropped_bytes > 0) {
    auto file = io::append_file::open(path);
    if (!file) return file.err();
    if (auto err = file->truncate(journal_bytes)) return err;
  }
  if (auto err = builder.write_files(dir, bucket_id_of_dir(dir), slices, journal_bytes, bloom)) return err;
  return report;
}

result<build_report> rebuild(const io::fs::path& dir, bool bloom, bool cut_damaged_tail) {
  if (auto err = remove_index_files(dir)) return err;
  return make_searchable(dir, bloom, cut_damaged_tail);
}

error strip_to_journal(const io::fs::path& dir) {
  std::error_code ec;
  for (auto& entry : io::fs::directory_iterator(dir, ec)) {
    if (entry.path().filename() == bucket_files::rawdata_dir) continue;
    if (auto err = io::remove_all(entry.path())) return err;
  }
  if (ec) return {errc::io_error, "list " + dir.string() + ": " + ec.message()};
  return io::sync_dir(dir);
}

fsck_report fsck_bucket(const io::fs::path& dir, bool repair, bool bloom) {
  fsck_report report;
  report.dir = dir;
  auto path = journal_path(dir);
  bool journal_damaged = false;
  {
    auto mapped = io::mapped_file::open(path);
    if (!mapped) {
      report.problems.push_back(mapped.err().render());
      return report;  // without a journal nothing can be repaired
    }
    auto scan = scan_journal(mapped->bytes());
    if (!scan) {
      report.problems.push_back(path.string() + ": " + scan.err().message());
      return report;
    }
    if (!scan->clean()) {
      journal_damaged = true;
      report.problems.push_back(path.string() + ": " + scan->problem);
    }
  }
  if (!journal_damaged) {
    auto reader = bucket_reader::open(dir);
    if (!reader) {
      report.problems.push_back(reader.err().render());
    } else {
      if (auto err = reader->verify_all()) report.problems.push_back(err.render());
      std::error_code ec;
      auto size = io::fs::file_size(path, ec);
      if (!ec && size != reader->manifest().journal_bytes)
        report.problems.push_back(path.string() + ": " + std::to_string(size) + " bytes, index files describe " +
                                  std::to_string(reader->manifest().journal_bytes));
    }
  }
  if (repair && !report.ok()) {
    auto built = rebuild(dir, bloom, /*cut_damaged_tail=*/true);
    if (!built) {
      report.problems.push_back("repair failed: " + built.err().render());
    } else {
      report.repaired = true;
      if (built->dropped_bytes > 0)
        report.problems.push_back("repair cut " + std::to_string(built->dropped_bytes) +
                                  " damaged bytes from the journal; " + std::to_string(built->events) +
                                  " events remain");
    }
  }
  return report;
}

}  // namespace kura
