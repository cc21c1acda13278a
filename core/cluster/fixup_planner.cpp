// fixup_planner: one scan of the bucket table collects what each warm or cold bucket
// lacks; then tasks are handed out in priority order to the least busy peers.
#include "core/cluster/fixup_planner.hpp"

#include <algorithm>
#include <iterator>
#include <limits>
#include <map>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <utility>

namespace kura::cluster {

const char* to_string(fixup_kind kind) {
  static constexpr const char* names[] = {"primary", "searchable", "replicate"};
  auto i = static_cast<size_t>(kind);
  return i < std::size(names) ? names[i] : names[0];
}

namespace {

constexpr uint32_t no_peer = std::numeric_limits<uint32_t>::max();

/// What a peer may do in this plan (fixup_peers).
enum class role : uint8_t { up, restarting, leaving };

/// The peers of one plan, numbered in GUID order so that comparing numbers breaks ties by
/// GUID; with their task and copy counts as the plan hands out tasks.
class peer_book {
 public:
  peer_book(const fixup_peers& peers, const bucket_table& table, uint32_t tasks_per_peer)
      : limit_(tasks_per_peer), of_number_(table.peer_numbers(), no_peer) {
    // A GUID named in several sets takes the first of up, restarting, leaving.
    std::map<std::string_view, role> all;
    for (const auto& g : peers.leaving) all[g] = role::leaving;
    for (const auto& g : peers.restarting) all[g] = role::restarting;
    for (const auto& g : peers.up) all[g] = role::up;
    auto copies = table.copies_per_peer();
    peers_.reserve(all.size());
    index_.reserve(all.size() * 2);
    for (const auto& [guid, r] : all) {
      std::string g(guid);
      auto c = copies.find(g);
      auto i = static_cast<uint32_t>(peers_.size());
      index_.emplace(guid, i);
      if (auto n = table.peer_number(g)) of_number_[*n] = i;
      peers_.push_back({guid, r, 0, c == copies.end() ? 0 : c->second});
      if (r == role::up) ++up_count_;
    }
    for (uint32_t i = 0; i < peers_.size(); ++i)
      if (peers_[i].r == role::up && free(i)) free_up_.insert(rank(i));
  }

  /// The number of `guid`, or no_peer when it is in none of the sets.
  uint32_t find(std::string_view guid) const {
    auto it = index_.find(guid);
    return it == index_.end() ? no_peer : it->second;
  }
  /// The number of the table's peer number `n`, or no_peer when it is in none of the sets.
  uint32_t of_number(uint32_t n) const { return n < of_number_.size() ? of_number_[n] : no_peer; }
  role role_of(uint32_t i) const { return peers_[i].r; }
  std::string_view guid(uint32_t i) const { return peers_[i].guid; }
  uint32_t up_count() const { return up_count_; }
  /// The peer has a task slot left.
  bool free(uint32_t i) const { return peers_[i].tasks < limit_; }

  /// One more task for peer i (an end of a running or new task).
  void add_task(uint32_t i) {
    update(i, [&] { ++peers_[i].tasks; });
  }
  /// Peer i will hold one more copy (the target of a new replicate task).
  void add_copy(uint32_t i) {
    update(i, [&] { ++peers_[i].copies; });
  }

  /// Of `candidates`, the free peer with the fewest tasks, then copies, then lowest GUID;
  /// no_peer when none is free.
  uint32_t best_of(const std::vector<uint32_t>& candidates) const {
    uint32_t best = no_peer;
    for (uint32_t i : candidates)
      if (free(i) && (best == no_peer || rank(i) < rank(best))) best = i;
    return best;
  }

  /// The free up peer with the fewest tasks, then copies, then lowest GUID, that is not in
  /// `excluded`; no_peer when none.
  uint32_t best_up_except(const std::vector<uint32_t>& excluded) const {
    for (const auto& r : free_up_) {
      uint32_t i = std::get<2>(r);
      if (std::find(excluded.begin(), excluded.end(), i) == excluded.end()) return i;
    }
    return no_peer;
  }

 private:
  struct peer {
    std::string_view guid;  // points into fixup_peers
    role r;
    uint32_t tasks;
    uint64_t copies;
  };
  using rank_type = std::tuple<uint32_t, uint64_t, uint32_t>;

  rank_type rank(uint32_t i) const { return {peers_[i].tasks, peers_[i].copies, i}; }

  /// Applies `change` to peer i and keeps free_up_ in step.
  template <class F>
  void update(uint32_t i, F change) {
    bool listed = peers_[i].r == role::up && free(i);
    if (listed) free_up_.erase(rank(i));
    change();
    if (peers_[i].r == role::up && free(i)) free_up_.insert(rank(i));
  }

  uint32_t limit_;
  uint32_t up_count_ = 0;
  std::vector<peer> peers_;
  std::unordered_map<std::string_view, uint32_t> index_;
  /// By the table's peer number.
  std::vector<uint32_t> of_number_;
  /// Up peers with a free slot, best first.
  std::set<rank_type> free_up_;
};

/// Running tasks of one bucket.
struct running_work {
  uint32_t searchable = 0, replicate = 0, replicate_searchable = 0;
  /// Peers converting their copy (searchable tasks).
  std::vector<uint32_t> converting;
  /// Peers receiving a copy (replicate tasks), up or not.
  std::vector<uint32_t> receiving;
};

/// A task one bucket needs and that no running task of its kind covers.
struct need {
  bucket_key key;
  uint64_t bytes;
  /// searchable: peers whose copy can be converted; replicate: peers that can stream it.
  std::vector<uint32_t> candidates;
  /// replicate: up peers that may not receive it (counted copy, origin, running target).
  std::vector<uint32_t> excluded;
  /// replicate: up peers holding an unsettled copy, not excluded (resume first).
  std::vector<uint32_t> resume;
  /// replicate: the new copy gets index files.
  bool searchable = false;
};

bool contains(const std::vector<uint32_t>& v, uint32_t x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

uint64_t at_least_zero(int64_t n) { return n > 0 ? static_cast<uint64_t>(n) : 0; }

/// The per-plan state: peers, running work, and the needs found by the scan.
class planner {
 public:
  planner(const bucket_table& table, const fixup_peers& peers, const fixup_limits& limits,
          const std::vector<fixup_task>& running)
      : table_(table), limits_(limits), book_(peers, table, limits.tasks_per_peer) {
    for (const auto& t : running) note_running(t);
  }

  /// Looks at one bucket.
  void scan(const bucket_view& b);

  /// Hands out tasks: searchable before replicate, buckets without primary first, then
  /// by key (so the plan depends on the table's contents, not on where buckets sit).
  fixup_plan finish();

 private:
  void note_running(const fixup_task& t);

  const bucket_table& table_;
  fixup_limits limits_;
  peer_book book_;
  fixup_counts left_;
  /// By bucket handle.
  std::unordered_map<uint32_t, running_work> running_;
  /// searchable / replicate needs, of buckets without primary ([0]) and with one ([1]).
  std::vector<need> searchable_[2], replicate_[2];
  /// Scratch for scan, reused across buckets.
  std::vector<uint32_t> convertible_, sources_, excluded_, resume_;
};

void planner::note_running(const fixup_task& t) {
  // A primary "task" is never started (a new generation does it): nothing runs.
  if (t.kind == fixup_kind::primary) return;
  uint32_t p = book_.find(t.peer);
  uint32_t q = t.kind == fixup_kind::replicate ? book_.find(t.target) : no_peer;
  if (p != no_peer) book_.add_task(p);
  if (q != no_peer) book_.add_task(q);
  if (t.kind == fixup_kind::searchable)
    ++left_.searchable;
  else
    ++left_.replicate;
  left_.bytes_to_go += t.bytes;
  // A bucket the table no longer knows (forgotten) has nothing more to plan.
  auto h = table_.handle_of(t.key);
  if (!h) return;
  auto& w = running_[*h];
  if (t.kind == fixup_kind::searchable) {
    ++w.searchable;
    if (p != no_peer) w.converting.push_back(p);
  } else {
    ++w.replicate;
    if (t.searchable) ++w.replicate_searchable;
    if (q != no_peer) w.receiving.push_back(q);
  }
}

void planner::scan(const bucket_view& b) {
  // Hot buckets are still streaming: no task (the master rolls a dead source's copies).
  if (b.state == bucket_state_kind::hot) return;
  static const running_work idle;
  const running_work* run = nullptr;
  if (!running_.empty())
    if (auto it = running_.find(b.handle); it != running_.end()) run = &it->second;
  const running_work& w = run ? *run : idle;
  if (!run) {
    // Most buckets are healthy: count first, and collect candidates only when one lacks
    // something (a healthy bucket adds nothing to the plan or to `left`).
    uint64_t counted = 0, searchable = 0;
    bool primary_up = false;
    for (const auto& c : b.copies) {
      uint32_t p = book_.of_number(c.peer);
      if (p == no_peer) continue;
      role r = book_.role_of(p);
      primary_up = primary_up || (c.primary && r == role::up);
      if (r == role::leaving || !b.settled(c)) continue;
      ++counted;
      if (c.searchable) ++searchable;
    }
    if (primary_up && counted >= limits_.replication_factor && searchable >= limits_.search_factor)
      return;
  }

  convertible_.clear();
  sources_.clear();
  excluded_.clear();
  resume_.clear();
  int64_t counted = 0, counted_searchable = 0;
  bool primary_up = false, searchable_up = false;
  for (const auto& c : b.copies) {
    uint32_t p = book_.of_number(c.peer);
    if (p == no_peer) continue;  // down, not yet removed: neither counts nor works
    role r = book_.role_of(p);
    if (c.primary && r == role::up) primary_up = true;
    if (!b.settled(c)) {
      // A cut stream: a replicate task to this peer resumes it.
      if (r == role::up) resume_.push_back(p);
      continue;
    }
    if (r != role::restarting) sources_.push_back(p);
    if (r == role::leaving) continue;
    ++counted;
    if (c.searchable) ++counted_searchable;
    if (r != role::up) continue;
    excluded_.push_back(p);
    if (c.searchable)
      searchable_up = true;
    else if (!contains(w.converting, p))
      convertible_.push_back(p);
  }
  // The origin refuses copies of its own buckets; a running target already gets one.
  auto exclude = [&](uint32_t p) {
    if (p == no_peer || book_.role_of(p) != role::up || contains(excluded_, p)) return;
    excluded_.push_back(p);
    std::erase(resume_, p);
  };
  exclude(book_.of_number(b.origin));
  for (uint32_t p : w.receiving) exclude(p);

  // Searchable copies to come: conversions first, then searchable new copies.
  int64_t searchable_need = static_cast<int64_t>(limits_.search_factor) - counted_searchable -
                            w.searchable - w.replicate_searchable;
  uint64_t conversions = std::min<uint64_t>(at_least_zero(searchable_need), convertible_.size());
  int64_t still_unsearchable = searchable_need - static_cast<int64_t>(conversions);
  int64_t copy_need = static_cast<int64_t>(limits_.replication_factor) - counted - w.replicate;
  uint64_t targets = book_.up_count() - excluded_.size();
  uint64_t copies_to_make =
      sources_.empty() ? 0 : std::min<uint64_t>(at_least_zero(copy_need), targets);

  bool no_primary = !primary_up;
  if (no_primary && (searchable_up || conversions > 0 || w.searchable > 0 ||
                     w.replicate_searchable > 0 || (copies_to_make > 0 && still_unsearchable > 0)))
    ++left_.primary;
  left_.searchable += conversions;
  left_.replicate += copies_to_make;
  left_.bytes_to_go += (conversions + copies_to_make) * b.size_bytes;

  // At most one task per bucket and kind at a time: a running one covers the kind.
  int slot = no_primary ? 0 : 1;
  bool convert = conversions > 0 && w.searchable == 0;
  bool copy = copies_to_make > 0 && w.replicate == 0;
  if (!convert && !copy) return;
  bucket_key key = table_.key_of(b.handle);
  if (convert) searchable_[slot].push_back({key, b.size_bytes, convertible_, {}, {}, false});
  if (copy)
    replicate_[slot].push_back(
        {std::move(key), b.size_bytes, sources_, excluded_, resume_, still_unsearchable > 0});
}

fixup_plan planner::finish() {
  fixup_plan plan;
  auto by_key = [](const need& a, const need& b) { return a.key < b.key; };
  for (auto* lists : {searchable_, replicate_})
    for (int i = 0; i < 2; ++i) std::sort(lists[i].begin(), lists[i].end(), by_key);
  for (auto& list : searchable_) {
    for (const auto& n : list) {
      uint32_t p = book_.best_of(n.candidates);
      if (p == no_peer) continue;  // every holder is busy: counted in left, started later
      book_.add_task(p);
      plan.start.push_back(
          {fixup_kind::searchable, n.key, std::string(book_.guid(p)), {}, false, n.bytes});
    }
  }
  for (auto& list : replicate_) {
    for (const auto& n : list) {
      uint32_t target = book_.best_of(n.resume);
      if (target == no_peer) target = book_.best_up_except(n.excluded);
      if (target == no_peer) continue;
      uint32_t source = book_.best_of(n.candidates);
      if (source == no_peer) continue;
      book_.add_task(source);
      book_.add_task(target);
      book_.add_copy(target);
      plan.start.push_back({fixup_kind::replicate, n.key, std::string(book_.guid(source)),
                            std::string(book_.guid(target)), n.searchable, n.bytes});
    }
  }
  plan.left = left_;
  return plan;
}

}  // namespace

fixup_plan plan_fixup(const bucket_table& table, const fixup_peers& peers,
                      const fixup_limits& limits, const std::vector<fixup_task>& running) {
  planner p(table, peers, limits, running);
  table.for_each_bucket([&](const bucket_view& b) { p.scan(b); });
  return p.finish();
}

}  // namespace kura::cluster
