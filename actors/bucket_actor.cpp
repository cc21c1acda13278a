// The actor of one warm, cold or thawed bucket.
#include "actors/interfaces/bucket_actor.hpp"

namespace kura::actors {
namespace {

struct bucket_actor_state {
  std::shared_ptr<search::bucket_view> view;
  search::cursor_table cursors;
  static inline const char* name = "bucket";
};

/// Reading a bucket failed in a way a reopen from disk may mend.
bool is_damage(const error& e) {
  return e.code() == errc::corruption || e.code() == errc::io_error;
}

bucket_actor::behavior_type bucket(bucket_actor::stateful_pointer<bucket_actor_state> self,
                                   std::shared_ptr<search::bucket_view> view) {
  self->state.view = std::move(view);
  // Replies with the error; damage also ends the actor so its index actor reopens the bucket.
  auto fail = [self](const error& e) {
    if (is_damage(e)) self->quit(to_caf(e));
    return to_caf(e);
  };
  return {
      [=](open_atom, const search::cursor_request& request) -> caf::result<opened_ptr> {
        auto opened = self->state.cursors.open(request, {self->state.view.get()}, self->state.view);
        if (!opened) return fail(opened.err());
        return std::make_shared<search::cursor_opened>(std::move(*opened));
      },
      [=](next_atom, uint64_t id, uint32_t max_rows) -> caf::result<batch_ptr> {
        auto batch = self->state.cursors.next(id, max_rows);
        if (!batch) return fail(batch.err());
        return std::make_shared<search::row_batch>(std::move(*batch));
      },
      [=](close_atom, uint64_t id) { self->state.cursors.close(id); },
      [=](delete_atom, const std::string&, const ordinals_ptr& ordinals) -> caf::result<ok_atom> {
        auto& v = self->state.view;
        if (auto err = add_deletes(v->dir(), *ordinals)) return fail(err);
        // Reopen so later searches see the marks (open cursors keep the old view alive).
        auto reopened = search::open_bucket_view(v->dir(), v->index());
        if (!reopened) return fail(reopened.err());
        v = std::move(*reopened);
        return ok_atom::value;
      },
  };
}

}  // namespace

bucket_actor spawn_bucket_actor(caf::local_actor* parent,
                                std::shared_ptr<search::bucket_view> view) {
  return parent->spawn(bucket, std::move(view));
}

}  // namespace kura::actors
