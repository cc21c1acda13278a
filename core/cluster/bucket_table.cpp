// bucket_table: the master's copies, counts and primacy decisions.
#include "core/cluster/bucket_table.hpp"

#include <algorithm>
#include <limits>

namespace kura::cluster {

const char* to_string(bucket_state_kind state) {
  switch (state) {
    case bucket_state_kind::hot:
      return "hot";
    case bucket_state_kind::warm:
      return "warm";
    case bucket_state_kind::cold:
      return "cold";
  }
  return "hot";
}

std::optional<bucket_state_kind> parse_bucket_state(std::string_view text) {
  if (text == "hot") return bucket_state_kind::hot;
  if (text == "warm") return bucket_state_kind::warm;
  if (text == "cold") return bucket_state_kind::cold;
  return std::nullopt;
}

namespace {

/// Exactly one copy is primary.
bool copies_valid(const std::vector<copy_record>& copies) {
  return std::count_if(copies.begin(), copies.end(),
                       [](const copy_record& c) { return c.primary; }) == 1;
}

/// At least rf copies, sf searchable, one primary.
bool copies_complete(const std::vector<copy_record>& copies, uint32_t rf, uint32_t sf) {
  auto searchable = std::count_if(copies.begin(), copies.end(),
                                  [](const copy_record& c) { return c.searchable; });
  return copies.size() >= rf && static_cast<uint64_t>(searchable) >= sf && copies_valid(copies);
}

}  // namespace

bool bucket_record::valid() const { return copies_valid(copies); }

bool bucket_record::complete(uint32_t rf, uint32_t sf) const {
  return copies_complete(copies, rf, sf);
}

std::optional<std::string> bucket_record::primary() const {
  for (const auto& c : copies)
    if (c.primary) return c.peer;
  return std::nullopt;
}

namespace {

/// The copy of `peer` in a vector sorted by peer, or end().
template <class Copies>
auto find_copy(Copies& copies, const std::string& peer) {
  auto it = std::lower_bound(copies.begin(), copies.end(), peer,
                             [](const copy_record& c, const std::string& p) { return c.peer < p; });
  return (it != copies.end() && it->peer == peer) ? it : copies.end();
}

bool has_primary(const std::vector<copy_record>& copies) {
  return std::any_of(copies.begin(), copies.end(), [](const copy_record& c) { return c.primary; });
}

}  // namespace

bucket_table::bucket_table(uint64_t last_generation) : generation_(last_generation) {}

bucket_table::entry& bucket_table::upsert(const bucket_key& key, bucket_state_kind state) {
  auto [it, inserted] = buckets_.try_emplace(key);
  if (inserted) {
    it->second.state = state;
    it->second.born = generation_;
  }
  return it->second;
}

void bucket_table::put_copy(const bucket_key& key, entry& e, const std::string& peer,
                            bool searchable) {
  auto it = find_copy(e.copies, peer);
  if (it == e.copies.end()) {
    auto pos =
        std::lower_bound(e.copies.begin(), e.copies.end(), peer,
                         [](const copy_record& c, const std::string& p) { return c.peer < p; });
    it = e.copies.insert(pos, copy_record{peer, searchable, false});
    by_peer_[peer].insert(key);
  } else {
    it->searchable = searchable;
    // Only a copy with index files can serve searches.
    if (!searchable) it->primary = false;
  }
  // The source's copy is the initial primary (§5.4). Only for a bucket that entered the
  // table in this generation: the exceptions the origin got at the start of the
  // generation did not mention it, so the origin already searches it. An older bucket
  // without primary waits for the next generation, because the origin was told (demoted)
  // not to search it.
  if (peer == key.origin && searchable && e.born == generation_ && !has_primary(e.copies))
    it->primary = true;
}

void bucket_table::drop_copy(const bucket_key& key, const std::string& peer) {
  auto b = buckets_.find(key);
  if (b != buckets_.end()) {
    auto& copies = b->second.copies;
    auto it = find_copy(copies, peer);
    if (it != copies.end()) copies.erase(it);
  }
  auto p = by_peer_.find(peer);
  if (p != by_peer_.end()) {
    p->second.erase(key);
    if (p->second.empty()) by_peer_.erase(p);
  }
}

void bucket_table::apply_report(const std::string& peer, const std::vector<copy_report>& copies) {
  // First entry per key wins: a peer never holds two copies of a bucket (§5.1).
  std::map<bucket_key, const copy_report*> reported;
  for (const auto& c : copies) reported.try_emplace(c.key, &c);

  if (auto p = by_peer_.find(peer); p != by_peer_.end()) {
    std::vector<bucket_key> gone;
    for (const auto& key : p->second)
      if (!reported.contains(key)) gone.push_back(key);
    for (const auto& key : gone) drop_copy(key, peer);
  }
  for (const auto& [key, c] : reported) {
    entry& e = upsert(key, c->state);
    // Copies of one bucket converge to the same journal; a target that lags behind
    // must not move the bucket back (a smaller size, hot after warm).
    e.state = std::max(e.state, c->state);
    e.size_bytes = std::max(e.size_bytes, c->size_bytes);
    e.events = std::max(e.events, c->events);
    put_copy(key, e, peer, c->searchable);
  }
}

void bucket_table::add_copy(const bucket_key& key, const std::string& peer, bool searchable,
                            bucket_state_kind state) {
  entry& e = upsert(key, state);
  put_copy(key, e, peer, searchable);
}

void bucket_table::set_state(const bucket_key& key, bucket_state_kind state, uint64_t size_bytes,
                             uint64_t events) {
  auto it = buckets_.find(key);
  if (it == buckets_.end()) return;
  it->second.state = state;
  it->second.size_bytes = size_bytes;
  it->second.events = events;
}

void bucket_table::remove_peer(const std::string& peer) {
  auto p = by_peer_.find(peer);
  if (p == by_peer_.end()) return;
  std::set<bucket_key> keys = std::move(p->second);
  by_peer_.erase(p);
  for (const auto& key : keys) {
    auto b = buckets_.find(key);
    if (b == buckets_.end()) continue;
    auto it = find_copy(b->second.copies, peer);
    if (it != b->second.copies.end()) b->second.copies.erase(it);
  }
}

void bucket_table::forget(const bucket_key& key) {
  auto b = buckets_.find(key);
  if (b == buckets_.end()) return;
  for (const auto& c : b->second.copies) {
    auto p = by_peer_.find(c.peer);
    if (p == by_peer_.end()) continue;
    p->second.erase(key);
    if (p->second.empty()) by_peer_.erase(p);
  }
  buckets_.erase(b);
}

uint64_t bucket_table::new_generation(const std::set<std::string>& up_peers) {
  ++generation_;
  std::map<std::string, uint64_t> primaries;                // per up peer, as assigned so far
  std::vector<std::map<bucket_key, entry>::iterator> open;  // buckets still without primary

  // 1. Keep every primary whose peer is up: primacy moves only when a peer goes down.
  for (auto it = buckets_.begin(); it != buckets_.end(); ++it) {
    entry& e = it->second;
    bool kept = false;
    for (auto& c : e.copies) {
      if (!c.primary) continue;
      if (up_peers.contains(c.peer) && c.searchable) {
        ++primaries[c.peer];
        kept = true;
      } else {
        c.primary = false;
      }
    }
    if (!kept) open.push_back(it);
  }

  // 2. The origin's copy: the peer that ingested the data searches it by default, so this
  // needs no exception on the wire and restores the initial layout where possible.
  std::vector<entry*> rest;
  for (auto it : open) {
    entry& e = it->second;
    auto c = find_copy(e.copies, it->first.origin);
    if (c != e.copies.end() && c->searchable && up_peers.contains(c->peer)) {
      c->primary = true;
      ++primaries[c->peer];
    } else {
      rest.push_back(&e);
    }
  }

  // 3. The least loaded searchable copy, so a lost peer's search load spreads over the
  // survivors instead of landing on the lowest GUID. Copies are sorted by GUID, and a
  // strict `<` keeps the first of equals: ties go to the lowest GUID.
  // A hot bucket's copies on its targets are still being received: their index files
  // are built when the source rolls, so only the origin's copy can serve it.
  for (entry* e : rest) {
    copy_record* best = nullptr;
    uint64_t best_count = std::numeric_limits<uint64_t>::max();
    if (e->state == bucket_state_kind::hot) continue;
    for (auto& c : e->copies) {
      if (!c.searchable || !up_peers.contains(c.peer)) continue;
      uint64_t n = primaries[c.peer];
      if (n < best_count) {
        best = &c;
        best_count = n;
      }
    }
    if (best) {
      best->primary = true;
      ++primaries[best->peer];
    }
  }
  return generation_;
}

uint64_t bucket_table::primaries_assignable(const std::set<std::string>& up_peers) const {
  uint64_t n = 0;
  for (const auto& [key, e] : buckets_) {
    if (has_primary(e.copies)) continue;
    if (std::any_of(e.copies.begin(), e.copies.end(), [&](const copy_record& c) {
          return c.searchable && up_peers.contains(c.peer) &&
                 (e.state != bucket_state_kind::hot || c.peer == key.origin);
        }))
      ++n;
  }
  return n;
}

bool bucket_table::valid() const {
  for (const auto& [key, e] : buckets_)
    if (!copies_valid(e.copies)) return false;
  return true;
}

bool bucket_table::complete(uint32_t rf, uint32_t sf) const {
  for (const auto& [key, e] : buckets_)
    if (!copies_complete(e.copies, rf, sf)) return false;
  return true;
}

bucket_counts bucket_table::counts(uint32_t rf, uint32_t sf) const {
  bucket_counts out;
  for (const auto& [key, e] : buckets_) {
    ++out.total;
    if (copies_valid(e.copies)) ++out.valid;
    if (copies_complete(e.copies, rf, sf)) ++out.complete;
  }
  return out;
}

peer_counts bucket_table::counts_of(const std::string& peer) const {
  peer_counts out;
  auto p = by_peer_.find(peer);
  if (p == by_peer_.end()) return out;
  for (const auto& key : p->second) {
    auto b = buckets_.find(key);
    if (b == buckets_.end()) continue;
    auto c = find_copy(b->second.copies, peer);
    if (c == b->second.copies.end()) continue;
    ++out.buckets;
    if (c->primary) ++out.primaries;
    if (c->searchable) ++out.searchable;
  }
  return out;
}

std::map<std::string, peer_counts> bucket_table::peer_summary() const {
  std::map<std::string, peer_counts> out;
  for (const auto& [key, e] : buckets_) {
    for (const auto& c : e.copies) {
      auto& pc = out[c.peer];
      ++pc.buckets;
      if (c.primary) ++pc.primaries;
      if (c.searchable) ++pc.searchable;
    }
  }
  return out;
}

std::map<std::string, uint64_t> bucket_table::copies_per_peer() const {
  std::map<std::string, uint64_t> out;
  for (const auto& [peer, keys] : by_peer_) out[peer] = keys.size();
  return out;
}

bucket_record bucket_table::to_record(const bucket_key& key, const entry& e) {
  return bucket_record{key, e.state, e.size_bytes, e.events, e.copies};
}

std::vector<bucket_record> bucket_table::snapshot() const {
  std::vector<bucket_record> out;
  out.reserve(buckets_.size());
  for (const auto& [key, e] : buckets_) out.push_back(to_record(key, e));
  return out;
}

std::optional<bucket_record> bucket_table::find(const bucket_key& key) const {
  auto b = buckets_.find(key);
  if (b == buckets_.end()) return std::nullopt;
  return to_record(key, b->second);
}

std::vector<std::string> bucket_table::copies_of(const bucket_key& key) const {
  std::vector<std::string> out;
  auto b = buckets_.find(key);
  if (b == buckets_.end()) return out;
  for (const auto& c : b->second.copies) out.push_back(c.peer);
  return out;
}

std::optional<std::string> bucket_table::primary_of(const bucket_key& key) const {
  auto b = buckets_.find(key);
  if (b == buckets_.end()) return std::nullopt;
  for (const auto& c : b->second.copies)
    if (c.primary) return c.peer;
  return std::nullopt;
}

primacy_exceptions bucket_table::primary_exceptions(const std::string& peer) const {
  primacy_exceptions out;
  for (const auto& [key, e] : buckets_) {
    auto c = find_copy(e.copies, peer);
    bool primary_here = c != e.copies.end() && c->primary;
    if (key.origin == peer) {
      if (!primary_here) out.demoted.push_back(key);
    } else if (primary_here) {
      out.promoted.push_back(key);
    }
  }
  return out;
}

}  // namespace kura::cluster
