// Opening a search's parts over the node's own buckets.
#include "actors/search_coordinator.hpp"

#include "actors/blocking_ask.hpp"
#include "core/search/parser.hpp"

namespace kura::actors {
namespace {

/// Asks a local actor and waits (local actors always answer: no timeout).
template <class T, class Handle, class... Ts>
result<T> ask(caf::scoped_actor& self, const Handle& to, Ts&&... message) {
  return ask_and_wait<T>(self, to, caf::infinite, std::forward<Ts>(message)...);
}

/// One opened cursor as the part reads it.
struct open_cursor {
  cursor_actor owner;
  uint64_t id = 0;
  uint32_t batch = 64;  // grows: a `head 10` reads little, a full export reads in big batches
  bool done = false;
};

}  // namespace

void local_parts::close() {
  if (!cursors || !self) return;
  for (auto& [owner, id] : *cursors) (*self)->send(owner, close_atom::value, id);
  cursors->clear();
}

result<local_parts> open_local_parts(caf::actor_system& sys, const peer_actor& peer,
                                     std::string_view text, const search::search_options& options,
                                     primacy_filter_ptr filter, size_t first_rank) {
  auto q = search::parse_query(text, options.now);
  if (!q) return q.err();
  local_parts out;
  out.q = std::make_unique<search::query>(std::move(*q));
  out.self = std::make_shared<caf::scoped_actor>(sys);
  out.cursors = std::make_shared<std::vector<std::pair<cursor_actor, uint64_t>>>();
  auto& self = *out.self;
  auto targets =
      ask<std::vector<search_target>>(self, peer, targets_atom::value, out.q->names_index, filter);
  if (!targets) return targets.err();

  // Open a cursor on every owner at once (they run their parts in parallel), then collect.
  using open_handle =
      decltype(self->request(std::declval<cursor_actor>(), caf::infinite, open_atom::value,
                             std::declval<search::cursor_request>()));
  std::vector<open_handle> pending;
  size_t rank = first_rank;
  for (auto& t : *targets) {
    pending.push_back(self->request(t.owner, caf::infinite, open_atom::value,
                                    search::cursor_request{std::string{text}, options, rank,
                                                           t.skip_hot}));
    rank += t.buckets;
  }
  error failed;
  std::vector<std::shared_ptr<open_cursor>> opened_cursors;
  for (size_t i = 0; i < pending.size(); ++i) {
    pending[i].receive(
        [&](opened_ptr& opened) {
          auto c = std::make_shared<open_cursor>(open_cursor{(*targets)[i].owner, opened->id});
          c->done = opened->id == 0;
          opened_cursors.push_back(c);
          auto me = out.self;
          out.parts.push_back(search::remote_part(
              std::move(*opened),
              [c, me]() -> result<search::row_batch> {
                auto batch = ask<batch_ptr>(*me, c->owner, next_atom::value, c->id, c->batch);
                if (!batch) return batch.err();
                c->batch = std::min<uint32_t>(c->batch * 4, 4096);
                c->done = (*batch)->done;
                return std::move(**batch);
              },
              [c, me](const std::string& key, const Roaring& ordinals) {
                auto r = ask<ok_atom>(*me, c->owner, delete_atom::value, key,
                                      ordinals_ptr{std::make_shared<const Roaring>(ordinals)});
                return r ? error{} : r.err();
              }));
        },
        [&](caf::error& e) {
          if (!failed) failed = from_caf(e);
        });
  }
  for (auto& c : opened_cursors)
    if (!c->done) out.cursors->emplace_back(c->owner, c->id);
  if (failed) {
    out.close();
    return failed;
  }
  return out;
}

}  // namespace kura::actors
