// bucket_table: the master's copies, counts and primacy decisions.
#include "core/cluster/bucket_table.hpp"

#include <algorithm>
#include <limits>
#include <utility>

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
template <class Copies>
bool copies_valid(const Copies& copies) {
  int primaries = 0;
  for (const auto& c : copies) primaries += c.primary ? 1 : 0;
  return primaries == 1;
}

/// At least rf settled copies, sf of them searchable, one primary.
template <class Copies>
bool copies_complete(bucket_state_kind state, const Copies& copies, uint32_t rf, uint32_t sf) {
  uint64_t settled = 0, searchable = 0;
  for (const auto& c : copies) {
    if (!copy_settled(state, c.state)) continue;
    ++settled;
    if (c.searchable) ++searchable;
  }
  return settled >= rf && searchable >= sf && copies_valid(copies);
}

bool has_primary(const std::vector<copy_view>& copies) {
  return std::any_of(copies.begin(), copies.end(), [](const copy_view& c) { return c.primary; });
}

/// The copy of peer number `peer`, or end(). Copies are few (about rf): a linear search.
template <class Copies>
auto find_copy(Copies& copies, uint32_t peer) {
  return std::find_if(copies.begin(), copies.end(),
                      [&](const copy_view& c) { return c.peer == peer; });
}

/// Adds one copy of a bucket in state `bucket` to its peer's counts: an unsettled copy
/// counts only if it is primary (its peer searches it all the same).
void count_copy(peer_counts& out, bucket_state_kind bucket, const copy_view& c) {
  if (c.primary) ++out.primaries;
  if (!copy_settled(bucket, c.state)) return;
  ++out.buckets;
  if (c.searchable) ++out.searchable;
}

/// Removes one `h` from an unordered list of handles.
void erase_handle(std::vector<uint32_t>& list, uint32_t h) {
  auto it = std::find(list.begin(), list.end(), h);
  if (it == list.end()) return;
  *it = list.back();
  list.pop_back();
}

}  // namespace

bool bucket_record::valid() const { return copies_valid(copies); }

bool bucket_record::complete(uint32_t rf, uint32_t sf) const {
  return copies_complete(state, copies, rf, sf);
}

std::optional<std::string> bucket_record::primary() const {
  for (const auto& c : copies)
    if (c.primary) return c.peer;
  return std::nullopt;
}

uint32_t bucket_table::name_pool::intern(const std::string& name) {
  auto [it, added] = numbers_.try_emplace(name, static_cast<uint32_t>(names_.size()));
  if (added) names_.push_back(name);
  return it->second;
}

std::optional<uint32_t> bucket_table::name_pool::find(const std::string& name) const {
  auto it = numbers_.find(name);
  if (it == numbers_.end()) return std::nullopt;
  return it->second;
}

bucket_table::bucket_table(uint64_t last_generation) : generation_(last_generation) {}

uint32_t bucket_table::intern_peer(const std::string& guid) {
  uint32_t n = peers_.intern(guid);
  if (by_peer_.size() <= n) {
    by_peer_.resize(n + 1);
    by_origin_.resize(n + 1);
  }
  return n;
}

bucket_table::packed_key bucket_table::intern_key(const bucket_key& key) {
  return packed_key{indexes_.intern(key.index), intern_peer(key.origin), key.local_id.value};
}

std::optional<bucket_table::packed_key> bucket_table::pack(const bucket_key& key) const {
  auto index = indexes_.find(key.index);
  auto origin = peers_.find(key.origin);
  if (!index || !origin) return std::nullopt;
  return packed_key{*index, *origin, key.local_id.value};
}

uint64_t bucket_table::hash_of(const packed_key& k) {
  // murmur3's 64-bit finalizer: every bit of the key moves the low bits.
  uint64_t h = k.local_id ^ (((uint64_t{k.index} << 32) | k.origin) * 0x9e3779b97f4a7c15ULL);
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  return h ^ (h >> 33);
}

std::optional<uint32_t> bucket_table::lookup(const packed_key& k) const {
  if (index_.empty()) return std::nullopt;
  size_t mask = index_.size() - 1;
  for (size_t i = hash_of(k) & mask;; i = (i + 1) & mask) {
    uint32_t h = index_[i];
    if (h == no_slot) return std::nullopt;
    if (slots_[h].key == k) return h;
  }
}

void bucket_table::index_place(uint32_t h) {
  size_t mask = index_.size() - 1;
  size_t i = hash_of(slots_[h].key) & mask;
  while (index_[i] != no_slot) i = (i + 1) & mask;
  index_[i] = h;
}

void bucket_table::index_insert(uint32_t h) {
  if ((live_ + 1) * 2 > index_.size()) {
    // Rehash the live slots (h is not live yet) into twice the places.
    index_.assign(std::max<size_t>(64, index_.size() * 2), no_slot);
    for (uint32_t x = 0; x < slots_.size(); ++x)
      if (slots_[x].live) index_place(x);
  }
  index_place(h);
}

void bucket_table::index_erase(uint32_t h) {
  size_t mask = index_.size() - 1;
  size_t i = hash_of(slots_[h].key) & mask;
  while (index_[i] != h) i = (i + 1) & mask;
  // Entries after the hole that could not sit at their home place (taken) move back into it,
  // unless their home lies cyclically in (hole, here].
  for (size_t j = (i + 1) & mask; index_[j] != no_slot; j = (j + 1) & mask) {
    size_t home = hash_of(slots_[index_[j]].key) & mask;
    bool stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
    if (stays) continue;
    index_[i] = index_[j];
    i = j;
  }
  index_[i] = no_slot;
}

uint32_t bucket_table::upsert(const bucket_key& key, bucket_state_kind state) {
  packed_key k = intern_key(key);
  if (auto h = lookup(k)) return *h;
  uint32_t h;
  if (!free_.empty()) {
    h = free_.back();
    free_.pop_back();
  } else {
    h = static_cast<uint32_t>(slots_.size());
    slots_.emplace_back();
  }
  entry& e = slots_[h];
  e = entry{};
  e.key = k;
  e.state = state;
  e.born = generation_;
  index_insert(h);
  e.live = true;
  by_origin_[k.origin].push_back(h);
  ++live_;
  return h;
}

void bucket_table::put_copy(uint32_t h, uint32_t peer, bool searchable, bucket_state_kind state) {
  entry& e = slots_[h];
  auto it = find_copy(e.copies, peer);
  if (it == e.copies.end()) {
    const std::string& guid = peers_.name(peer);
    auto pos = std::find_if(e.copies.begin(), e.copies.end(),
                            [&](const copy_view& c) { return guid < peers_.name(c.peer); });
    it = e.copies.insert(pos, copy_view{peer, searchable, false, state});
    by_peer_[peer].push_back(h);
  } else {
    it->searchable = searchable;
    it->state = state;
    // Only a copy with index files can serve searches.
    if (!searchable) it->primary = false;
  }
  // The source's copy is the initial primary (§5.4). Only for a bucket that entered the
  // table in this generation: the exceptions the origin got at the start of the
  // generation did not mention it, so the origin already searches it. An older bucket
  // without primary waits for the next generation, because the origin was told (demoted)
  // not to search it.
  if (peer == e.key.origin && searchable && e.born == generation_ && !has_primary(e.copies))
    it->primary = true;
}

void bucket_table::drop_copy(uint32_t h, uint32_t peer) {
  auto& copies = slots_[h].copies;
  auto it = find_copy(copies, peer);
  if (it == copies.end()) return;
  copies.erase(it);
  erase_handle(by_peer_[peer], h);
}

const std::vector<uint32_t>& bucket_table::list_of(const std::vector<std::vector<uint32_t>>& lists,
                                                   uint32_t peer) {
  static const std::vector<uint32_t> none;
  return peer < lists.size() ? lists[peer] : none;
}

void bucket_table::apply_report(const std::string& peer, const std::vector<copy_report>& copies) {
  uint32_t p = intern_peer(peer);
  // Slot of every entry; the first entry per key wins: a peer never holds two copies of a
  // bucket (§5.1).
  std::vector<std::pair<uint32_t, uint32_t>> reported;  // (slot, entry index)
  reported.reserve(copies.size());
  for (uint32_t i = 0; i < copies.size(); ++i)
    reported.emplace_back(upsert(copies[i].key, copies[i].state), i);
  std::stable_sort(reported.begin(), reported.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  reported.erase(std::unique(reported.begin(), reported.end(),
                             [](const auto& a, const auto& b) { return a.first == b.first; }),
                 reported.end());

  std::vector<uint32_t> gone;
  for (uint32_t h : by_peer_[p]) {
    auto it = std::lower_bound(reported.begin(), reported.end(), h,
                               [](const auto& r, uint32_t x) { return r.first < x; });
    if (it == reported.end() || it->first != h) gone.push_back(h);
  }
  for (uint32_t h : gone) drop_copy(h, p);
  for (const auto& [h, i] : reported) {
    const copy_report& c = copies[i];
    entry& e = slots_[h];
    // Copies of one bucket converge to the same journal; a target that lags behind
    // must not move the bucket back (a smaller size, hot after warm).
    e.state = std::max(e.state, c.state);
    e.size_bytes = std::max(e.size_bytes, c.size_bytes);
    e.events = std::max(e.events, c.events);
    put_copy(h, p, c.searchable, c.state);
  }
}

void bucket_table::add_copy(const bucket_key& key, const std::string& peer, bool searchable,
                            bucket_state_kind state) {
  uint32_t h = upsert(key, state);
  uint32_t p = intern_peer(peer);
  slots_[h].state = std::max(slots_[h].state, state);
  put_copy(h, p, searchable, state);
}

std::optional<uint32_t> bucket_table::handle_of(const bucket_key& key) const {
  auto k = pack(key);
  if (!k) return std::nullopt;
  return lookup(*k);
}

void bucket_table::set_state(const bucket_key& key, bucket_state_kind state, uint64_t size_bytes,
                             uint64_t events) {
  auto h = handle_of(key);
  if (!h) return;
  entry& e = slots_[*h];
  e.state = state;
  e.size_bytes = size_bytes;
  e.events = events;
}

void bucket_table::remove_peer(const std::string& peer) {
  auto p = peers_.find(peer);
  if (!p || *p >= by_peer_.size()) return;
  std::vector<uint32_t> held = std::move(by_peer_[*p]);
  by_peer_[*p] = {};
  for (uint32_t h : held) {
    auto& copies = slots_[h].copies;
    auto it = find_copy(copies, *p);
    if (it != copies.end()) copies.erase(it);
  }
}

void bucket_table::forget(const bucket_key& key) {
  auto h = handle_of(key);
  if (!h) return;
  entry& e = slots_[*h];
  for (const auto& c : e.copies) erase_handle(by_peer_[c.peer], *h);
  erase_handle(by_origin_[e.key.origin], *h);
  index_erase(*h);
  e = entry{};  // frees the copies
  free_.push_back(*h);
  --live_;
}

bool bucket_table::key_less(uint32_t a, uint32_t b) const {
  const packed_key& x = slots_[a].key;
  const packed_key& y = slots_[b].key;
  if (x.index != y.index) return indexes_.name(x.index) < indexes_.name(y.index);
  if (x.local_id != y.local_id) return x.local_id < y.local_id;
  if (x.origin != y.origin) return peers_.name(x.origin) < peers_.name(y.origin);
  return false;
}

uint64_t bucket_table::new_generation(const std::set<std::string>& up_peers) {
  ++generation_;
  std::vector<char> up(peers_.size(), 0);
  for (const auto& g : up_peers)
    if (auto n = peers_.find(g)) up[*n] = 1;
  std::vector<uint64_t> primaries(peers_.size(), 0);  // per peer, as assigned so far
  std::vector<uint32_t> open;                         // buckets still without primary

  // 1. Keep every primary whose peer is up: primacy moves only when a peer goes down.
  for (uint32_t h = 0; h < slots_.size(); ++h) {
    entry& e = slots_[h];
    if (!e.live) continue;
    bool kept = false;
    for (auto& c : e.copies) {
      if (!c.primary) continue;
      if (up[c.peer] && c.searchable) {
        ++primaries[c.peer];
        kept = true;
      } else {
        c.primary = false;
      }
    }
    if (!kept) open.push_back(h);
  }

  // 2. The origin's copy: the peer that ingested the data searches it by default, so this
  // needs no exception on the wire and restores the initial layout where possible.
  // Unsettled copies (a cut stream, or a roll their peer has not reported) never gain
  // primacy: their index files may miss the end of the bucket.
  std::vector<uint32_t> rest;
  for (uint32_t h : open) {
    entry& e = slots_[h];
    auto c = find_copy(e.copies, e.key.origin);
    if (c != e.copies.end() && c->searchable && copy_settled(e.state, c->state) && up[c->peer]) {
      c->primary = true;
      ++primaries[c->peer];
    } else {
      rest.push_back(h);
    }
  }

  // 3. The least loaded searchable copy, so a lost peer's search load spreads over the
  // survivors instead of landing on the lowest GUID. Buckets go in key order, so the
  // result does not depend on where they sit; copies are sorted by GUID, and a strict `<`
  // keeps the first of equals: ties go to the lowest GUID.
  // A hot bucket's copies on its targets are still being received: their index files
  // are built when the source rolls, so only the origin's copy can serve it.
  std::sort(rest.begin(), rest.end(), [&](uint32_t a, uint32_t b) { return key_less(a, b); });
  for (uint32_t h : rest) {
    entry& e = slots_[h];
    if (e.state == bucket_state_kind::hot) continue;
    copy_view* best = nullptr;
    uint64_t best_count = std::numeric_limits<uint64_t>::max();
    for (auto& c : e.copies) {
      if (!c.searchable || !copy_settled(e.state, c.state) || !up[c.peer]) continue;
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
  std::vector<char> up(peers_.size(), 0);
  for (const auto& g : up_peers)
    if (auto n = peers_.find(g)) up[*n] = 1;
  uint64_t n = 0;
  for (const entry& e : slots_) {
    if (!e.live || has_primary(e.copies)) continue;
    if (std::any_of(e.copies.begin(), e.copies.end(), [&](const copy_view& c) {
          return c.searchable && copy_settled(e.state, c.state) && up[c.peer] &&
                 (e.state != bucket_state_kind::hot || c.peer == e.key.origin);
        }))
      ++n;
  }
  return n;
}

bool bucket_table::valid() const {
  for (const entry& e : slots_)
    if (e.live && !copies_valid(e.copies)) return false;
  return true;
}

bool bucket_table::complete(uint32_t rf, uint32_t sf) const {
  for (const entry& e : slots_)
    if (e.live && !copies_complete(e.state, e.copies, rf, sf)) return false;
  return true;
}

bucket_counts bucket_table::counts(uint32_t rf, uint32_t sf) const {
  bucket_counts out;
  for (const entry& e : slots_) {
    if (!e.live) continue;
    ++out.total;
    if (copies_valid(e.copies)) ++out.valid;
    if (copies_complete(e.state, e.copies, rf, sf)) ++out.complete;
  }
  return out;
}

peer_counts bucket_table::counts_of(const std::string& peer) const {
  peer_counts out;
  auto p = peers_.find(peer);
  if (!p) return out;
  for (uint32_t h : list_of(by_peer_, *p)) {
    const entry& e = slots_[h];
    auto c = find_copy(e.copies, *p);
    if (c != e.copies.end()) count_copy(out, e.state, *c);
  }
  return out;
}

std::map<std::string, peer_counts> bucket_table::peer_summary() const {
  std::vector<peer_counts> counts(peers_.size());
  for (const entry& e : slots_)
    if (e.live)
      for (const auto& c : e.copies) count_copy(counts[c.peer], e.state, c);
  std::map<std::string, peer_counts> out;
  for (uint32_t p = 0; p < by_peer_.size(); ++p)
    if (!by_peer_[p].empty()) out[peers_.name(p)] = counts[p];
  return out;
}

std::map<std::string, uint64_t> bucket_table::copies_per_peer() const {
  std::map<std::string, uint64_t> out;
  for (uint32_t p = 0; p < by_peer_.size(); ++p)
    if (!by_peer_[p].empty()) out[peers_.name(p)] = by_peer_[p].size();
  return out;
}

std::optional<uint32_t> bucket_table::peer_number(const std::string& guid) const {
  return peers_.find(guid);
}

bucket_key bucket_table::key_of(uint32_t handle) const {
  const packed_key& k = slots_[handle].key;
  return bucket_key{indexes_.name(k.index), bucket_id{k.local_id}, peers_.name(k.origin)};
}

bucket_record bucket_table::to_record(uint32_t h) const {
  const entry& e = slots_[h];
  bucket_record r{key_of(h), e.state, e.size_bytes, e.events, {}};
  r.copies.reserve(e.copies.size());
  for (const auto& c : e.copies)
    r.copies.push_back(copy_record{peers_.name(c.peer), c.searchable, c.primary, c.state});
  return r;
}

std::vector<bucket_record> bucket_table::snapshot() const {
  std::vector<uint32_t> handles;
  handles.reserve(live_);
  for (uint32_t h = 0; h < slots_.size(); ++h)
    if (slots_[h].live) handles.push_back(h);
  std::sort(handles.begin(), handles.end(), [&](uint32_t a, uint32_t b) { return key_less(a, b); });
  std::vector<bucket_record> out;
  out.reserve(handles.size());
  for (uint32_t h : handles) out.push_back(to_record(h));
  return out;
}

std::optional<bucket_record> bucket_table::find(const bucket_key& key) const {
  auto h = handle_of(key);
  if (!h) return std::nullopt;
  return to_record(*h);
}

std::vector<std::string> bucket_table::copies_of(const bucket_key& key) const {
  std::vector<std::string> out;
  auto h = handle_of(key);
  if (!h) return out;
  for (const auto& c : slots_[*h].copies) out.push_back(peers_.name(c.peer));
  return out;
}

std::optional<std::string> bucket_table::primary_of(const bucket_key& key) const {
  auto h = handle_of(key);
  if (!h) return std::nullopt;
  for (const auto& c : slots_[*h].copies)
    if (c.primary) return peers_.name(c.peer);
  return std::nullopt;
}

primacy_exceptions bucket_table::primary_exceptions(const std::string& peer) const {
  primacy_exceptions out;
  auto p = peers_.find(peer);
  if (!p) return out;
  auto primary_here = [&](const entry& e) {
    auto c = find_copy(e.copies, *p);
    return c != e.copies.end() && c->primary;
  };
  // Only the peer's own buckets can be demoted, only its copies promoted.
  std::vector<uint32_t> demoted, promoted;
  for (uint32_t h : list_of(by_origin_, *p))
    if (!primary_here(slots_[h])) demoted.push_back(h);
  for (uint32_t h : list_of(by_peer_, *p))
    if (slots_[h].key.origin != *p && primary_here(slots_[h])) promoted.push_back(h);
  auto by_key = [&](uint32_t a, uint32_t b) { return key_less(a, b); };
  std::sort(demoted.begin(), demoted.end(), by_key);
  std::sort(promoted.begin(), promoted.end(), by_key);
  for (uint32_t h : demoted) out.demoted.push_back(key_of(h));
  for (uint32_t h : promoted) out.promoted.push_back(key_of(h));
  return out;
}

}  // namespace kura::cluster
