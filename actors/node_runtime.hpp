// A running node: its actor system, the peer actor and the index and bucket
// actors under it, behind node_api (what HTTP and the receiving port ask) and
// node_admin (what the shell asks). The header has no CAF in it, so that the
// wire code compiles without it; callers block on actor replies (they run on
// HTTP and connection threads, never on actor threads).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "actors/node_api.hpp"
#include "actors/node_settings.hpp"

namespace caf {
class actor_system;
}

namespace kura::actors {
struct door_args;
}

namespace kura {

class node_runtime final : public node_api, public node_admin {
 public:
  /// Starts the actor system with `settings.workers` threads and opens every
  /// index. `with_middleman` loads CAF's network layer (needed to publish the
  /// admin actor). Errors: as store::open.
  static result<std::unique_ptr<node_runtime>> start(const node_settings& settings,
                                                     bool with_middleman,
                                                     std::vector<std::string>* notes = nullptr);
  /// Stops (as stop()) if still running.
  ~node_runtime() override;

  // node_api
  error ingest(std::vector<ingest_event> events) override;
  error ingest_async(std::vector<ingest_event> events, std::function<void(error)> done) override;
  error ingest_raw(std::span<const raw_input> inputs, time_us now) override;
  result<event_stream> open_raw_stream(const input_meta& meta) override;
  void ingest_raw_async(std::span<const raw_input> inputs, time_us now,
                        std::function<void(error)> done) override;
  result<search::search_summary> search(std::string_view text,
                                        const search::search_options& options,
                                        const search::row_sink& emit) override;
  server_status server_info() override;
  std::vector<index_status> indexes() override;
  bool accepting() override;
  activity recent_activity() override;
  void audit(const std::string& user, const std::string& action, const std::string& info) override;
  result<master_status> cluster_master_status() override;
  result<peer_cluster_status> cluster_peer_status() override;
  result<std::vector<searchhead_master_status>> cluster_searchhead_status() override;

  // node_admin
  error add_index(const std::string& name) override;
  error remove_index(const std::string& name) override;
  error set_index_disabled(const std::string& name, bool disabled) override;
  error clean_eventdata(const std::string& name) override;
  error roll_hot_buckets(const std::string& name) override;
  result<std::vector<fsck_report>> fsck(const std::string& name, bool repair) override;
  error rebuild(const std::string& bucket_dir) override;
  result<uint64_t> ingest_file(const input_meta& meta, const io::fs::path& file) override;
  void request_stop() override;
  error offline(bool enforce_counts) override;
  error edit_cluster_config(const std::string& key, double value) override;
  result<std::string> apply_cluster_bundle(bool dry_run) override;
  error rolling_restart(uint32_t percent) override;

  /// Called by request_stop (the program wires it to its graceful stop).
  void on_stop_request(std::function<void()> fn);
  /// Called when the master restarts this peer (rolling restart): the program
  /// stops gracefully and starts itself again.
  void on_restart_request(std::function<void()> fn);
  /// Applies retention now (it also runs on its own timer).
  error enforce_retention();
  /// Collects log lines and stores them in `_internal` about once a second
  /// (source = the log file, sourcetype kura_node).
  void index_own_log(std::string source);
  /// Queues one log line for `_internal` (the program's log sink calls it);
  /// WARN and ERROR lines are also kept for recent_activity().
  void queue_log_line(std::string line);
  /// Rolls every hot bucket, stops the actors. Errors: io_error.
  error stop();

  caf::actor_system& system();
  /// Gives the node's door the actors of its cluster role (master, search service).
  void fill_door(actors::door_args& args) const;

 private:
  struct impl;
  explicit node_runtime(std::unique_ptr<impl> i);
  std::unique_ptr<impl> impl_;
};

}  // namespace kura
