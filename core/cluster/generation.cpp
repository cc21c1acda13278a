// primacy_book: a peer's primacy exceptions per generation.
#include "core/cluster/generation.hpp"

#include <cassert>
#include <iterator>

namespace kura::cluster {

primacy_book::primacy_book(size_t capacity) : capacity_(capacity) {
  assert(capacity >= 1 && "primacy_book needs room for at least one generation");
}

void primacy_book::record(uint64_t generation, const primacy_exceptions& exceptions) {
  entry e;
  e.demoted.insert(exceptions.demoted.begin(), exceptions.demoted.end());
  e.promoted.insert(exceptions.promoted.begin(), exceptions.promoted.end());
  by_generation_[generation] = std::move(e);
  while (by_generation_.size() > capacity_) by_generation_.erase(by_generation_.begin());
}

bool primacy_book::is_primary(const bucket_key& key, uint64_t generation,
                              const std::string& my_guid) const {
  bool original = key.origin == my_guid;
  // The newest record at or before `generation`: generations the peer missed (it was
  // down, or the announcement is still on its way) inherit the last one it knew.
  auto it = by_generation_.upper_bound(generation);
  if (it == by_generation_.begin()) return original;
  const entry& e = std::prev(it)->second;
  if (original) return !e.demoted.contains(key);
  return e.promoted.contains(key);
}

uint64_t primacy_book::newest() const {
  return by_generation_.empty() ? 0 : by_generation_.rbegin()->first;
}

std::vector<uint64_t> primacy_book::generations() const {
  std::vector<uint64_t> out;
  out.reserve(by_generation_.size());
  for (const auto& [id, e] : by_generation_) out.push_back(id);
  return out;
}

}  // namespace kura::cluster
