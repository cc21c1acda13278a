// The index: bucket discovery and recovery, appends, rolls, retention.
#include "core/index/index.hpp"

#include <algorithm>
#include <charconv>

#include "core/bucket/bucket_files.hpp"
#include "core/bucket/bucket_name.hpp"
#include "core/bucket/bucket_ops.hpp"
#include "core/bucket/bucket_reader.hpp"
#include "core/index/freezer.hpp"
#include "core/journal/journal.hpp"
#include "core/log.hpp"
#include "core/util/parallel.hpp"

namespace kura {
namespace {

constexpr const char* component = "IndexProcessor";
/// In homePath: the next bucket id, so that ids keep growing across `clean`.
constexpr const char* next_id_file = ".next_bucket_id";

void note(std::vector<std::string>& notes, const std::string& line, bool problem = false) {
  notes.push_back(line);
  if (problem)
    log::warn(component, line);
  else
    log::info(component, line);
}

/// A replicated copy may be journal-only (not searchable): its times come from
/// its name and its event count from a scan of the journal.
bool describe_journal_only(bucket_info& b) {
  auto path = b.dir / bucket_files::rawdata_dir / bucket_files::journal;
  auto mapped = io::mapped_file::open(path);
  if (!mapped) {
    b.problem = mapped.err().render();
    return false;
  }
  auto scan = scan_journal(mapped->bytes());
  if (!scan || !scan->clean()) {
    b.problem = path.string() + ": " + (scan ? scan->problem : scan.err().message());
    return false;
  }
  auto name = bucket_name::parse(b.dir.filename().string());
  b.oldest = name->oldest * us_per_sec;
  b.newest = name->newest * us_per_sec;
  b.events = scan->events;
  b.searchable = false;
  b.problem.clear();
  return true;
}

/// Fills time range, counts and size of a searchable bucket from its manifest.
bool describe(bucket_info& b) {
  if (b.replicated && !is_searchable(b.dir)) return describe_journal_only(b);
  auto m = read_manifest(b.dir);
  if (!m) {
    b.problem = m.err().render();
    return false;
  }
  std::error_code ec;
  auto jsize = io::fs::file_size(b.dir / bucket_files::rawdata_dir / bucket_files::journal, ec);
  if (ec || jsize != m->journal_bytes) {
    b.problem = "journal size differs from what its index files describe";
    return false;
  }
  b.oldest = m->min_time;
  b.newest = m->max_time;
  b.events = m->events;
  b.searchable = true;
  b.problem.clear();
  return true;
}

/// Original copies must be searchable; replicated ones may be journal-only.
bool is_searchable_kind(const bucket_info& b) { return !b.replicated || is_searchable(b.dir); }

}  // namespace

index::~index() = default;

result<std::unique_ptr<index>> index::open(const index_config& cfg,
                                           std::vector<std::string>* notes_out) {
  if (auto err = cfg.validate()) return err;
  std::unique_ptr<index> idx{new index(cfg)};
  for (auto* dir : {&cfg.home_path, &cfg.cold_path, &cfg.thawed_path})
    if (auto err = io::make_dirs(*dir)) return err;
  std::vector<std::string> notes;
  if (auto err = idx->scan(notes)) return err;
  if (notes_out) notes_out->insert(notes_out->end(), notes.begin(), notes.end());
  return idx;
}

error index::scan(std::vector<std::string>& notes) {
  uint64_t next = 0;
  if (auto saved = io::read_file(cfg_.home_path / next_id_file)) {
    auto [p, ec] = std::from_chars(saved->data(), saved->data() + saved->size(), next);
    if (ec != std::errc{}) next = 0;
  }
  struct place {
    const io::fs::path* dir;
    bucket_state state;
  };
  std::vector<std::pair<io::fs::path, bucket_id>> hot_dirs;
  for (auto [dir, state] :
       {place{&cfg_.home_path, bucket_state::warm}, place{&cfg_.cold_path, bucket_state::cold},
        place{&cfg_.thawed_path, bucket_state::thawed}}) {
    std::error_code ec;
    for (auto& entry : io::fs::directory_iterator(*dir, ec)) {
      if (!entry.is_directory()) continue;
      auto name = bucket_name::parse(entry.path().filename().string());
      if (!name || name->kind == bucket_kind::invalid_hot || name->kind == bucket_kind::in_flight)
        continue;
      // Replicated copies carry other peers' ids.
      if (state != bucket_state::thawed && name->kind != bucket_kind::replicated)
        next = std::max(next, name->id.value + 1);
      if (name->kind == bucket_kind::hot) {
        if (state == bucket_state::warm) hot_dirs.emplace_back(entry.path(), name->id);
        continue;
      }
      bucket_info b;
      b.id = name->id;
      b.state = state;
      b.dir = entry.path();
      b.replicated = name->kind == bucket_kind::replicated;
      b.origin = name->guid;
      if (!describe(b) && is_searchable_kind(b)) {
        // Automatic fsck at start: index files missing or stale are rebuilt from
        // the journal; a damaged journal is reported and the bucket left out.
        auto built = rebuild(b.dir, cfg_.create_bloomfilter);
        if (built) {
          note(notes, "index '" + cfg_.name + "': rebuilt index files of " + b.dir.string() + " (" +
                          b.problem + ")");
          describe(b);
        } else {
          b.problem = built.err().render();
          note(notes,
               "index '" + cfg_.name + "': bucket " + b.dir.string() +
                   " is unusable: " + b.problem + "; run fsck --repair",
               true);
        }
      }
      b.size_bytes = io::dir_size(b.dir);
      buckets_.push_back(std::move(b));
    }
    if (ec) return {errc::io_error, "list " + dir->string() + ": " + ec.message()};
  }
  next_id_ = bucket_id{next};
  // Roll on restart: every hot bucket is recovered from its journal and rolled.
  std::sort(hot_dirs.begin(), hot_dirs.end(), [](auto& a, auto& b) { return a.second < b.second; });
  for (auto& [dir, id] : hot_dirs) {
    recovery_report report;
    auto hot = hot_bucket::recover(dir, id, report);
    if (!hot) {
      note(notes,
           "index '" + cfg_.name + "': cannot recover hot bucket " + dir.string() + ": " +
               hot.err().render() + "; left in place",
           true);
      continue;
    }
    if (!report.problem.empty())
      note(notes,
           "index '" + cfg_.name + "': hot bucket " + dir.string() + ": cut torn tail (" +
               report.problem + "), kept " + std::to_string(report.events) + " events",
           true);
    auto rolled = hot->roll(cfg_.peer_guid, cfg_.create_bloomfilter);
    if (!rolled) return rolled.err();
    if (rolled->empty()) {
      note(notes, "index '" + cfg_.name + "': removed empty hot bucket " + dir.string());
      continue;
    }
    note(notes, "index '" + cfg_.name + "': recovered hot bucket " + dir.filename().string() +
                    " with " + std::to_string(report.events) + " events, rolled to " +
                    rolled->filename().string());
    bucket_info b;
    b.id = id;
    b.state = bucket_state::warm;
    b.dir = *rolled;
    b.origin = cfg_.peer_guid;
    describe(b);
    b.size_bytes = io::dir_size(b.dir);
    buckets_.push_back(std::move(b));
  }
  return save_next_id();
}

error index::save_next_id() {
  return io::write_file_atomic(cfg_.home_path / next_id_file, std::to_string(next_id_.value));
}

error index::open_hot(time_us) {
  auto id = next_id_;
  next_id_.value++;
  if (auto err = save_next_id()) return err;
  auto hot = hot_bucket::create(cfg_.home_path, id, {cfg_.journal_codec});
  if (!hot) return hot.err();
  // Sized like the last bucket that rolled, so that its term table is not
  // rebuilt as it grows; at most what half of one part's share of
  // maxHotIndexMemMB holds (a table slot takes up to 48 bytes per term).
  size_t most = cfg_.max_hot_index_mem_bytes / 2 / cfg_.parallel_hot_buckets / 48;
  hot->expect_terms(std::min(last_roll_terms_, most));
  hot_.push_back(std::make_unique<hot_bucket>(std::move(*hot)));
  hot_last_write_.push_back(write_seq_);
  return {};
}

error index::roll(size_t i) {
  auto& hot = hot_[i];
  auto id = hot->id();
  auto events = hot->events();
  int64_t newest = to_epoch_seconds(hot->max_time()), oldest = to_epoch_seconds(hot->min_time());
  if (events > 0) last_roll_terms_ = hot->index().terms();
  auto rolled = hot->roll(cfg_.peer_guid, cfg_.create_bloomfilter);
  if (!rolled) return rolled.err();
  hot_.erase(hot_.begin() + long(i));
  hot_last_write_.erase(hot_last_write_.begin() + long(i));
  if (!cfg_.peer_guid.empty()) {
    journal_progress p{id, {}, 0, true, rolled->empty(), newest, oldest};
    if (!rolled->empty()) {
      p.journal = *rolled / bucket_files::rawdata_dir / bucket_files::journal;
      std::error_code ec;
      p.durable_bytes = io::fs::file_size(p.journal, ec);
      if (ec) return {errc::io_error, "size of " + p.journal.string() + ": " + ec.message()};
    }
    progress_.push_back(std::move(p));
  }
  if (rolled->empty()) return {};
  bucket_info b;
  b.id = id;
  b.state = bucket_state::warm;
  b.dir = *rolled;
  b.origin = cfg_.peer_guid;
  if (!describe(b))
    return {errc::corruption, "rolled bucket " + rolled->string() + ": " + b.problem};
  b.size_bytes = io::dir_size(b.dir);
  buckets_.push_back(std::move(b));
  ++rolls_;
  log::info(component, "index '" + cfg_.name + "': rolled hot bucket " + std::to_string(id.value) +
                           " (" + std::to_string(events) + " events) to warm " +
                           rolled->filename().string());
  return {};
}

result<hot_bucket*> index::hot_for(time_us lo, time_us hi,
                                   const std::vector<const hot_bucket*>& taken) {
  std::vector<hot_facts> facts;
  facts.reserve(hot_.size());
  for (size_t i = 0; i < hot_.size(); ++i)
    facts.push_back({hot_[i]->min_time(), hot_[i]->max_time(), hot_[i]->events(),
                     hot_last_write_[i],
                     std::find(taken.begin(), taken.end(), hot_[i].get()) != taken.end()});
  auto choice = choose_hot_bucket(facts, lo, hi, cfg_);
  if (choice.kind == hot_choice::use) return hot_[choice.bucket].get();
  if (choice.kind == hot_choice::roll_then_open) {
    if (auto err = roll(choice.bucket)) return err;
  }
  if (auto err = open_hot(lo)) return err;
  return hot_.back().get();
}

error index::roll_full() {
  for (size_t i = 0; i < hot_.size();) {
    if (hot_[i]->size_estimate() >= cfg_.max_data_size_bytes) {
      if (auto err = roll(i)) return err;
    } else {
      ++i;
    }
  }
  for (;;) {
    hot_memory_.clear();
    for (auto& h : hot_) hot_memory_.push_back(h->index().memory_bytes());
    auto over = choose_memory_roll(hot_memory_, cfg_);
    if (!over) return {};
    if (auto err = roll(*over)) return err;
  }
}

error index::append(const event_view& ev) {
  if (cfg_.disabled) return {errc::index_disabled, "index '" + cfg_.name + "' is disabled"};
  auto hot = hot_for(ev.time, ev.time, {});
  if (!hot) return hot.err();
  if (auto err = (*hot)->append(ev)) return err;
  for (size_t i = 0; i < hot_.size(); ++i)
    if (hot_[i].get() == *hot) hot_last_write_[i] = ++write_seq_;
  return roll_full();
}

error index::append(std::span<const event_view> events) {
  size_t parts = std::min<size_t>(
      {cfg_.parallel_hot_buckets, cfg_.max_hot_buckets, events.size() / parallel_part_min_events});
  const time_us span = cfg_.max_hot_span_secs * us_per_sec;
  std::vector<std::span<const event_view>> cut;
  std::vector<std::pair<time_us, time_us>> ranges;
  for (size_t p = 0; p < parts; ++p) {
    auto part = events.subspan(events.size() * p / parts,
                               events.size() * (p + 1) / parts - events.size() * p / parts);
    auto [lo, hi] = std::minmax_element(part.begin(), part.end(),
                                        [](auto& a, auto& b) { return a.time < b.time; });
    if (hi->time - lo->time > span) break;  // no bucket could take it whole
    cut.push_back(part);
    ranges.emplace_back(lo->time, hi->time);
  }
  if (cfg_.disabled || parts < 2 || cut.size() < parts) {
    for (auto& ev : events)
      if (auto err = append(ev)) return err;
    return {};
  }
  std::vector<const hot_bucket*> taken;
  std::vector<hot_bucket*> targets;
  for (size_t p = 0; p < parts; ++p) {
    auto hot = hot_for(ranges[p].first, ranges[p].second, taken);
    if (!hot) return hot.err();
    taken.push_back(*hot);
    targets.push_back(*hot);
  }
  std::vector<error> errors(parts);
  util::run_parallel(parts, [&](size_t p) {
    for (auto& ev : cut[p]) {
      errors[p] = targets[p]->append(ev);
      if (errors[p]) return;
    }
  });
  for (size_t i = 0; i < hot_.size(); ++i)
    if (std::find(targets.begin(), targets.end(), hot_[i].get()) != targets.end())
      hot_last_write_[i] = ++write_seq_;
  for (auto& err : errors)
    if (err) return err;
  return roll_full();
}

error index::commit() {
  // The buckets written since the last commit sync at once (parallel writes
  // leave several), each on a thread of its own.
  std::vector<hot_bucket*> dirty;
  for (auto& h : hot_)
    if (h->uncommitted()) dirty.push_back(h.get());
  std::vector<uint64_t> before;
  for (auto& h : hot_) before.push_back(h->committed_bytes());
  std::vector<error> errors(dirty.size());
  util::run_parallel(dirty.size(), [&](size_t i) { errors[i] = dirty[i]->commit(); });
  // What did commit is reported even when another bucket failed.
  for (size_t i = 0; i < hot_.size(); ++i) {
    auto& h = hot_[i];
    // A new hot bucket reports its (synced) journal header too, so that its
    // targets learn of it with the first commit.
    if (!cfg_.peer_guid.empty() &&
        (h->committed_bytes() != before[i] || h->events() == 0 || before[i] == 0))
      progress_.push_back({h->id(), h->dir() / bucket_files::rawdata_dir / bucket_files::journal,
                           h->committed_bytes(), false, false, 0, 0});
  }
  for (auto& err : errors)
    if (err) return err;
  return {};
}

result<bucket_info> index::adopt_replica(const io::fs::path& dir) {
  auto name = bucket_name::parse(dir.filename().string());
  if (!name || name->kind != bucket_kind::replicated)
    return error{errc::invalid_argument, "not a replicated bucket: " + dir.string()};
  bucket_info b;
  b.id = name->id;
  b.state = bucket_state::cold;
  b.dir = dir;
  b.replicated = true;
  b.origin = name->guid;
  if (!describe(b))
    return error{errc::corruption, "replicated bucket " + dir.string() + ": " + b.problem};
  b.size_bytes = io::dir_size(b.dir);
  buckets_.push_back(b);
  return b;
}

error index::roll_hot_buckets() {
  while (!hot_.empty())
    if (auto err = roll(0)) return err;
  return {};
}

bucket_info* index::find(bucket_id id, const std::string& origin) {
  for (auto& b : buckets_)
    if (b.id == id && b.origin == origin) return &b;
  return nullptr;
}

error index::apply(const lifecycle_action& action) {
  auto* b = find(action.id, action.origin);
  if (!b)
    return {errc::not_found,
            "index '" + cfg_.name + "': no bucket " + std::to_string(action.id.value)};
  if (action.kind == action_kind::move_to_cold) {
    if (b->state != bucket_state::warm)
      return {errc::bad_state, "bucket " + b->dir.string() + " is not warm"};
    auto target = cfg_.cold_path / b->dir.filename();
    if (auto err = io::move_path(b->dir, target)) return err;
    log::info("BucketMover", "index '" + cfg_.name + "': moved bucket " +
                                 b->dir.filename().string() + " to cold (" + action.reason + ")");
    b->dir = target;
    b->state = bucket_state::cold;
    return {};
  }
  if (auto err = freeze_bucket(b->dir, cfg_)) return err;
  buckets_.erase(buckets_.begin() + (b - buckets_.data()));
  return {};
}

result<std::vector<lifecycle_action>> index::enforce_retention(int64_t now_secs) {
  auto plan = plan_retention(cfg_, facts(), now_secs);
  for (auto& action : plan)
    if (auto err = apply(action)) return err;
  return plan;
}

std::vector<bucket_info> index::buckets() const {
  std::vector<bucket_info> out;
  for (auto& h : hot_) {
    bucket_info b;
    b.id = h->id();
    b.state = bucket_state::hot;
    b.dir = h->dir();
    b.origin = cfg_.peer_guid;
    b.oldest = h->min_time();
    b.newest = h->max_time();
    b.events = h->events();
    b.size_bytes = h->size_estimate();
    b.searchable = true;
    out.push_back(std::move(b));
  }
  auto rest = buckets_;
  std::sort(rest.begin(), rest.end(), [](auto& a, auto& b) { return a.id < b.id; });
  out.insert(out.end(), rest.begin(), rest.end());
  return out;
}

std::vector<bucket_facts> index::facts() const {
  std::vector<bucket_facts> out;
  for (auto& h : hot_)
    out.push_back(
        {cfg_.name, h->id(), bucket_state::hot, h->max_time(), h->size_estimate(), cfg_.peer_guid});
  for (auto& b : buckets_)
    if (b.state != bucket_state::thawed && b.problem.empty())
      out.push_back({cfg_.name, b.id, b.state, b.newest, b.size_bytes, b.origin});
  return out;
}

error index::clean() {
  hot_.clear();
  hot_last_write_.clear();
  for (auto& b : buckets_)
    if (auto err = io::remove_all(b.dir)) return err;
  buckets_.clear();
  // Hot buckets and anything else bucket-like left in the paths go too.
  for (auto* dir : {&cfg_.home_path, &cfg_.cold_path, &cfg_.thawed_path}) {
    std::error_code ec;
    for (auto& entry : io::fs::directory_iterator(*dir, ec))
      if (entry.is_directory() && bucket_name::parse(entry.path().filename().string()))
        if (auto err = io::remove_all(entry.path())) return err;
  }
  log::info(component, "index '" + cfg_.name + "': cleaned event data; next bucket id " +
                           std::to_string(next_id_.value));
  return save_next_id();
}

std::vector<fsck_report> index::fsck(bool repair) {
  std::vector<fsck_report> reports;
  for (auto& h : hot_) {
    // An open hot bucket is checked, not repaired: its committed slices must scan clean.
    fsck_report r;
    r.dir = h->dir();
    auto path = h->dir() / bucket_files::rawdata_dir / bucket_files::journal;
    auto mapped = io::mapped_file::open(path);
    if (!mapped) {
      r.problems.push_back(mapped.err().render());
    } else if (auto scan = scan_journal(mapped->bytes().substr(0, h->committed_bytes())); !scan) {
      r.problems.push_back(path.string() + ": " + scan.err().message());
    } else if (!scan->clean()) {
      r.problems.push_back(path.string() + ": " + scan->problem);
    }
    reports.push_back(std::move(r));
  }
  for (auto& b : buckets_) {
    if (!is_searchable_kind(b)) {
      fsck_report r;
      r.dir = b.dir;
      if (!describe_journal_only(b)) r.problems.push_back(b.problem);
      reports.push_back(std::move(r));
      continue;
    }
    auto r = fsck_bucket(b.dir, repair, cfg_.create_bloomfilter);
    if (r.repaired || !b.problem.empty()) {
      describe(b);
      b.size_bytes = io::dir_size(b.dir);
    }
    for (auto& p : r.problems) log::warn(component, "fsck: " + p);
    reports.push_back(std::move(r));
  }
  return reports;
}

error index::refresh(const io::fs::path& dir) {
  std::error_code ec;
  for (auto& b : buckets_) {
    if (!io::fs::equivalent(b.dir, dir, ec)) continue;
    b.size_bytes = io::dir_size(b.dir);
    if (!describe(b)) return error{errc::corruption, b.dir.string() + ": " + b.problem};
    return {};
  }
  return error{errc::not_found, dir.string() + " is not a bucket of index '" + cfg_.name + "'"};
}

error index::close() { return roll_hot_buckets(); }

}  // namespace kura
