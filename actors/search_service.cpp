// A peer's side of a search head's search: one detached cursor actor per
// search holds the peer's parts combined into one (combine_parts) and hands
// out encoded row batches.
#include "actors/search_service.hpp"

#include "actors/search_coordinator.hpp"
#include "core/log.hpp"
#include "core/search/search_wire.hpp"

namespace kura::actors {
namespace {

using peer_cursor_actor = remote_cursor_actor::extend<
    // INTERNAL (from the service): open the search.
    caf::replies_to<open_atom, search_request>::with<remote_cursor_actor, std::string, std::string>,
    // INTERNAL: the idle check.
    caf::reacts_to<tick_atom>>;

// The handle is not the first member: a C++20 aggregate whose first member
// can be built from the actor pointer would be built from it (actors/README.md).
/// Rows sent with the answer to open.
constexpr uint32_t first_batch_rows = 256;

struct cursor_state {
  std::shared_ptr<const cluster_view> view;
  peer_actor peer;
  search::cursor_table table;  // holds the one cursor
  uint64_t id = 0;
  std::chrono::steady_clock::time_point last_use = std::chrono::steady_clock::now();
  static inline const char* name = "peer_cursor";
};

using cursor_ptr = peer_cursor_actor::stateful_pointer<cursor_state>;

/// What the table's cursor keeps alive: the search (the combined part points
/// into it) and the local parts' cursors, closed when dropped.
struct local_keep {
  local_parts parts;
  ~local_keep() { parts.close(); }
};

/// What every search of this peer's events runs with: its name and rules.
using search_base = std::shared_ptr<const search::search_options>;

peer_cursor_actor::behavior_type peer_cursor(cursor_ptr self, peer_actor peer,
                                             std::shared_ptr<const cluster_view> view,
                                             search_base base) {
  self->state.peer = std::move(peer);
  self->state.view = std::move(view);
  self->set_default_handler(caf::drop);
  self->delayed_send(self, std::chrono::minutes(1), tick_atom::value);
  return {
      [=](open_atom,
          const search_request& req) -> caf::result<remote_cursor_actor, std::string, std::string> {
        search::search_options options = *base;
        options.now = req.now;
        if (req.has_earliest) options.earliest = req.earliest;
        if (req.has_latest) options.latest = req.latest;
        auto view = self->state.view;
        auto generation = req.generation;
        auto filter = std::make_shared<const primacy_filter>(
            [view, generation](const std::string& index, bucket_id id, const std::string& origin) {
              return view->is_primary(cluster::bucket_key{index, id, origin}, generation);
            });
        auto opened = open_local_parts(self->system(), self->state.peer, req.text, options, filter,
                                       req.first_rank);
        if (!opened) {
          self->quit();
          return to_caf(opened.err());
        }
        auto combined = search::combine_parts(*opened->q, std::move(opened->parts), options);
        if (!combined) {
          opened->close();
          self->quit();
          return to_caf(combined.err());
        }
        auto keep = std::make_shared<local_keep>();
        keep->parts = std::move(*opened);
        auto result = self->state.table.open_part(std::move(*combined), keep);
        self->state.id = result.id;
        auto bytes = search::encode_cursor_opened(result);  // while `keep` holds the search
        std::string first;
        if (result.id != 0) {
          // The first rows go with the answer (a needle search is done then).
          auto batch = self->state.table.next(result.id, first_batch_rows);
          if (!batch) {
            self->quit();
            return to_caf(batch.err());
          }
          first = search::encode_row_batch(*batch);
          if (batch->done) self->quit();
        } else {
          self->quit();  // nothing to read: an aggregation or no events
        }
        return caf::result<remote_cursor_actor, std::string, std::string>{
            remote_cursor_actor{self}, std::move(bytes), std::move(first)};
      },
      [=](next_atom, uint32_t max_rows) -> caf::result<std::string> {
        self->state.last_use = std::chrono::steady_clock::now();
        auto batch = self->state.table.next(self->state.id, std::min<uint32_t>(max_rows, 65536));
        if (!batch) {
          self->quit();
          return to_caf(batch.err());
        }
        if (batch->done) self->quit();
        return search::encode_row_batch(*batch);
      },
      [=](close_atom) { self->quit(); },
      [=](tick_atom) {
        if (std::chrono::steady_clock::now() - self->state.last_use >
            search::cursor_table::idle_limit) {
          log::info("SearchService", "a search head's cursor was idle too long; closed");
          self->quit();
          return;
        }
        self->delayed_send(self, std::chrono::minutes(1), tick_atom::value);
      },
  };
}

struct service_state {
  std::shared_ptr<const cluster_view> view;  // not first: see cursor_state
  peer_actor peer;
  search_base base;
  static inline const char* name = "search_service";
};

search_service_actor::behavior_type service(
    search_service_actor::stateful_pointer<service_state> self, peer_actor peer,
    std::shared_ptr<const cluster_view> view, search_base base) {
  self->state.base = std::move(base);
  self->state.peer = std::move(peer);
  self->state.view = std::move(view);
  // A cursor that fails must not take the service with it; the node's stop does.
  self->set_exit_handler([=](caf::exit_msg& m) {
    if (m.reason == caf::exit_reason::user_shutdown || m.reason == caf::exit_reason::kill)
      self->quit(m.reason);
  });
  return {
      [=](search_atom, const search_request& req) {
        // Linked: when the node stops (the service ends), cursors no search head
        // closed end with it instead of keeping the node up until they idle out.
        auto cursor = self->spawn<caf::detached + caf::linked>(peer_cursor, self->state.peer,
                                                               self->state.view, self->state.base);
        return self->delegate(cursor, open_atom::value, req);
      },
      [=](delete_atom, const std::string& bucket,
          const std::string& bytes) -> caf::result<ok_atom> {
        // Bytes from the network: a bitmap that does not read back whole is refused.
        std::optional<Roaring> ordinals;
        try {
          ordinals = Roaring::readSafe(bytes.data(), bytes.size());
        } catch (const std::exception&) {
        }
        if (!ordinals || ordinals->getSizeInBytes() != bytes.size())
          return to_caf({errc::invalid_argument,
                         "| delete for bucket " + bucket + ": the event ordinals do not decode"});
        return self->delegate(self->state.peer, delete_atom::value, bucket,
                              ordinals_ptr{std::make_shared<const Roaring>(std::move(*ordinals))});
      },
  };
}

}  // namespace

search_service_actor spawn_search_service(caf::actor_system& sys, peer_actor peer,
                                          std::shared_ptr<const cluster_view> view,
                                          std::string server_name,
                                          std::shared_ptr<const search::field_rules> field_rules,
                                          const search::search_limits& limits) {
  auto base = std::make_shared<search::search_options>();
  base->limits = limits;
  base->server_name = std::move(server_name);
  base->extractions = std::move(field_rules);
  return sys.spawn(service, std::move(peer), std::move(view), search_base{std::move(base)});
}

}  // namespace kura::actors
