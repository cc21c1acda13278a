// Cursors over search parts, and the coordinator's source reading them.
#include "core/search/cursor_table.hpp"

#include <deque>

#include "core/search/parser.hpp"

namespace kura::search {

result<cursor_opened> cursor_table::open(const cursor_request& request,
                                         const std::vector<const bucket_view*>& buckets,
                                         std::shared_ptr<void> keep) {
  auto now = std::chrono::steady_clock::now();
  std::erase_if(cursors_, [&](auto& entry) { return now - entry.second.last_use > idle_limit; });
  auto q = parse_query(request.text, request.options.now);
  if (!q) return q.err();
  auto owned = std::make_unique<query>(std::move(*q));
  auto part = execute_part(*owned, buckets, request.first_rank, request.options);
  if (!part) return part.err();
  return open_part(std::move(*part), std::move(keep), std::move(owned));
}

cursor_opened cursor_table::open_part(search_part part, std::shared_ptr<void> keep,
                                      std::unique_ptr<query> q) {
  cursor_opened opened;
  opened.aggregate = std::move(part.aggregate);
  opened.bucket_indexes = part.bucket_indexes;
  opened.summary = *part.summary;
  if (part.events) {
    opened.upper_time = part.events->upper_time();
    opened.id = next_id_++;
    cursors_.emplace(opened.id, cursor{std::move(q),
                                       std::move(part),
                                       std::move(keep),
                                       {},
                                       0,
                                       std::chrono::steady_clock::now()});
  }
  return opened;
}

result<std::optional<ranked_row>> cursor_table::take(cursor& c) {
  if (!c.part.events) {
    if (c.detached_next == c.detached.size()) return std::optional<ranked_row>{};
    return std::optional<ranked_row>{std::move(c.detached[c.detached_next++])};
  }
  auto key = c.part.events->peek();
  if (!key) return key.err();
  if (!*key) return std::optional<ranked_row>{};
  return std::optional<ranked_row>{ranked_row{**key, c.part.events->take()}};
}

result<row_batch> cursor_table::next(uint64_t id, size_t max_rows) {
  auto it = cursors_.find(id);
  if (it == cursors_.end())
    return error{errc::not_found,
                 "search cursor " + std::to_string(id) + " is not open (closed or idle too long)"};
  auto& c = it->second;
  c.last_use = std::chrono::steady_clock::now();
  row_batch batch;
  while (batch.rows.size() < max_rows) {
    auto r = take(c);
    if (!r) {
      cursors_.erase(it);
      return r.err();
    }
    if (!*r) {
      batch.done = true;
      break;
    }
    batch.rows.push_back(std::move(**r));
  }
  batch.events_read = c.part.summary->events_read;
  if (batch.done) cursors_.erase(it);
  return batch;
}

void cursor_table::close(uint64_t id) { cursors_.erase(id); }

error cursor_table::detach_all() {
  for (auto it = cursors_.begin(); it != cursors_.end();) {
    auto& c = it->second;
    error failed;
    while (c.part.events) {
      auto r = take(c);
      if (!r) {
        failed = r.err();
        break;
      }
      if (!*r) break;
      c.detached.push_back(std::move(**r));
    }
    // The rows are in memory now: release the source, the views and the query.
    c.part.events.reset();
    c.part.state.reset();
    c.keep.reset();
    if (failed) {
      it = cursors_.erase(it);  // the coordinator's next read reports not_found
      continue;
    }
    ++it;
  }
  return {};
}

namespace {

class cursor_source final : public row_source {
 public:
  cursor_source(time_us upper, std::function<result<row_batch>()> fetch,
                std::shared_ptr<search_summary> summary)
      : upper_(upper), fetch_(std::move(fetch)), summary_(std::move(summary)) {}

  time_us upper_time() const override { return rows_.empty() ? upper_ : rows_.front().key.time; }

  result<std::optional<rank_key>> peek() override {
    while (rows_.empty() && !done_) {
      auto batch = fetch_();
      if (!batch) return batch.err();
      done_ = batch->done;
      summary_->events_read = batch->events_read;
      for (auto& r : batch->rows) rows_.push_back(std::move(r));
    }
    if (rows_.empty()) return std::optional<rank_key>{};
    return std::optional<rank_key>{rows_.front().key};
  }

  row take() override {
    row r = std::move(rows_.front().fields);
    rows_.pop_front();
    return r;
  }

 private:
  time_us upper_;
  std::function<result<row_batch>()> fetch_;
  std::shared_ptr<search_summary> summary_;
  std::deque<ranked_row> rows_;
  bool done_ = false;
};

}  // namespace

search_part remote_part(
    cursor_opened opened, std::function<result<row_batch>()> fetch,
    std::function<error(const std::string& bucket_key, const Roaring& ordinals)> mark_deleted) {
  search_part part;
  part.summary = std::make_shared<search_summary>(opened.summary);
  part.aggregate = std::move(opened.aggregate);
  part.bucket_indexes = std::move(opened.bucket_indexes);
  part.mark_deleted = std::move(mark_deleted);
  if (opened.id != 0)
    part.events =
        std::make_unique<cursor_source>(opened.upper_time, std::move(fetch), part.summary);
  else
    part.events = merge_sources({});
  return part;
}

}  // namespace kura::search
