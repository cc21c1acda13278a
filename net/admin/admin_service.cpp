// The shell's commands, run on the node.
#include "net/admin/admin_service.hpp"

#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>

#include "net/search/export_format.hpp"
#include "net/shell/admin_command.hpp"
#include "net/status/status_json.hpp"

namespace kura::admin {
namespace {

using shell::verb;
using json_doc = nlohmann::ordered_json;

admin_reply failed(const error& e) { return {1, "", "error: " + e.message() + "\n"}; }

admin_reply done(bool as_json, json_doc doc, std::string text) {
  if (as_json) return {0, doc.dump(2) + "\n", ""};
  return {0, std::move(text), ""};
}

/// Rows shown as an aligned table (the text form of the lists).
std::string table(const std::vector<search::row>& rows) {
  exporting::result_writer w{exporting::format::table};
  std::string out;
  for (auto& r : rows) out += w.write(r);
  return out + w.finish();
}

search::value text(std::string s) { return search::value{std::move(s)}; }
search::value number(double n) { return search::value{n}; }

admin_reply search(node_api& node, const shell::admin_command& c, bool as_json) {
  auto format = exporting::parse_format(c.output);
  if (!format) return {2, "", "error: " + format.err().message() + "\n"};
  // --earliest/--latest become the search's own time terms.
  std::string text_query;
  if (c.earliest) text_query += "earliest=\"" + *c.earliest + "\" ";
  if (c.latest) text_query += "latest=\"" + *c.latest + "\" ";
  text_query += c.query;
  search::search_options options;
  options.now = std::chrono::duration_cast<std::chrono::microseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  exporting::result_writer writer{*format};
  std::string out;
  std::vector<std::string> objects;
  size_t rows = 0;
  bool truncated = false;
  auto summary = node.search(text_query, options, [&](const search::row& r) {
    if (rows == max_shell_rows) {
      truncated = true;
      return false;
    }
    ++rows;
    if (as_json)
      objects.push_back(exporting::row_object(r));
    else
      out += writer.write(r);
    return true;
  });
  if (!summary) return failed(summary.err());
  std::string warnings;
  for (auto& w : summary->warnings) warnings += "warning: " + w + "\n";
  if (truncated)
    warnings += "warning: results stop at " + std::to_string(max_shell_rows) +
                "; use /services/search/jobs/export for more\n";
  if (as_json) {
    std::string doc = "{\"results\":[";
    for (size_t i = 0; i < objects.size(); ++i) {
      if (i) doc += ',';
      doc += objects[i];
    }
    json_doc s{{"results", summary->results},
               {"buckets_searched", summary->buckets_searched},
               {"buckets_skipped", summary->buckets_skipped},
               {"events_read", summary->events_read},
               {"deleted", summary->deleted},
               {"warnings", summary->warnings}};
    doc += "],\"summary\":" + s.dump() + "}\n";
    return {0, std::move(doc), std::move(warnings)};
  }
  return {0, out + writer.finish(), std::move(warnings)};
}

admin_reply oneshot(node_admin& admin, const shell::admin_command& c, bool as_json,
                    const std::string& node_name) {
  io::fs::path file{c.path};
  input_meta meta;
  meta.source = file.string();
  meta.host = c.host.empty() ? node_name : c.host;
  meta.sourcetype = c.sourcetype.empty() ? file.stem().string() : c.sourcetype;
  meta.index = c.index.empty() ? "main" : c.index;
  auto stored = admin.ingest_file(meta, file);
  if (!stored) return failed(stored.err());
  return done(as_json,
              {{"file", meta.source},
               {"index", meta.index},
               {"sourcetype", meta.sourcetype},
               {"events", *stored}},
              "Oneshot '" + meta.source + "' added: " + std::to_string(*stored) +
                  " events into index " + meta.index + " (sourcetype " + meta.sourcetype + ").\n");
}

admin_reply list_indexes(node_api& node, bool as_json) {
  auto indexes = node.indexes();
  if (as_json) return {0, json_doc::parse(status::index_list(indexes)).dump(2) + "\n", ""};
  std::vector<search::row> rows;
  for (auto& idx : indexes) {
    uint64_t events = 0, bytes = 0;
    for (auto& b : idx.buckets) events += b.events, bytes += b.size_bytes;
    search::row r;
    r.set("index", text(idx.name));
    r.set("events", number(double(events)));
    r.set("size_mb", number(double(bytes / (1024 * 1024))));
    r.set("buckets", number(double(idx.buckets.size())));
    r.set("disabled", text(idx.disabled ? "yes" : "no"));
    r.set("home_path", text(idx.home_path));
    rows.push_back(std::move(r));
  }
  return {0, table(rows), ""};
}

admin_reply list_buckets(node_api& node, const std::string& index_name, bool as_json) {
  auto indexes = node.indexes();
  auto doc = status::bucket_list(indexes, index_name);
  if (!doc) return failed(doc.err());
  auto parsed = json_doc::parse(*doc);
  if (as_json) return {0, parsed.dump(2) + "\n", ""};
  std::vector<search::row> rows;
  for (auto& b : parsed["buckets"]) {
    search::row r;
    r.set("index", text(b["index"].get<std::string>()));
    r.set("id", number(b["id"].get<double>()));
    r.set("state", text(b["state"].get<std::string>()));
    r.set("events", number(b["events"].get<double>()));
    r.set("dir", text(b["dir"].get<std::string>()));
    if (!b["problem"].is_null() && !b["problem"].get<std::string>().empty())
      r.set("problem", text(b["problem"].get<std::string>()));
    rows.push_back(std::move(r));
  }
  return {0, rows.empty() ? "no buckets\n" : table(rows), ""};
}

admin_reply fsck(node_admin& admin, const shell::admin_command& c, bool as_json) {
  auto reports = admin.fsck(c.all ? "" : c.index, c.repair);
  if (!reports) return failed(reports.err());
  json_doc list = json_doc::array();
  size_t damaged = 0, repaired = 0;
  std::string out;
  for (auto& r : *reports) {
    if (!r.ok()) ++damaged;
    if (r.repaired) ++repaired;
    list.push_back({{"dir", r.dir.string()},
                    {"ok", r.ok()},
                    {"problems", r.problems},
                    {"repaired", r.repaired}});
    for (auto& p : r.problems)
      out += r.dir.string() + ": " + p + (r.repaired ? " (repaired)" : "") + "\n";
  }
  size_t unrepaired = c.repair ? damaged - std::min(damaged, repaired) : damaged;
  out += "fsck: " + std::to_string(reports->size()) + " buckets checked, " +
         std::to_string(damaged) + " damaged, " + std::to_string(repaired) + " repaired\n";
  admin_reply reply = done(as_json,
                           {{"buckets", list},
                            {"checked", reports->size()},
                            {"damaged", damaged},
                            {"repaired", repaired}},
                           out);
  if (unrepaired > 0) {
    reply.exit_code = 1;
    reply.err = "error: " + std::to_string(unrepaired) + " damaged buckets" +
                (c.repair ? " could not be repaired\n" : "; run fsck --repair\n");
  }
  return reply;
}

/// A command that changes something and answers with one sentence.
admin_reply simple(error err, bool as_json, json_doc doc, std::string sentence) {
  if (err) return failed(err);
  return done(as_json, std::move(doc), sentence + "\n");
}

/// The master's cluster commands: the documents of product.md §7, or tables.
admin_reply cluster_command(node_api& node, const shell::admin_command& c, bool as_json) {
  auto s = node.cluster_master_status();
  if (!s) return failed(s.err());
  if (c.what == verb::show_cluster_bundle_status) {
    if (as_json) return {0, status::bundle_status(*s) + "\n", ""};
    std::vector<search::row> rows;
    for (auto& p : s->peers) {
      search::row r;
      r.add("peer", text(p.name));
      r.add("active_bundle", text(p.active_bundle));
      r.add("status", text(status::peer_bundle_status(*s, p)));
      rows.push_back(std::move(r));
    }
    return {0,
            "active bundle " + (s->active_bundle.empty() ? "(none applied)" : s->active_bundle) +
                (s->rolling_restart.empty() ? "" : "\nrolling restart: " + s->rolling_restart) +
                "\n" + table(rows),
            ""};
  }
  if (c.what == verb::list_cluster_generation) {
    if (as_json) return {0, status::master_generation(*s) + "\n", ""};
    std::vector<search::row> rows;
    for (auto& p : s->generation_peers) {
      search::row r;
      r.add("peer", text(p.name));
      r.add("guid", text(p.guid));
      r.add("host_port", text(p.host_port));
      rows.push_back(std::move(r));
    }
    return {0, "Generation " + std::to_string(s->generation) + "\n" + table(rows), ""};
  }
  std::vector<search::row> peers;
  for (auto& p : s->peers) {
    search::row r;
    r.add("peer", text(p.name));
    r.add("status", text(p.status));
    r.add("host_port", text(p.host_port));
    r.add("buckets", number(double(p.buckets)));
    r.add("primaries", number(double(p.primaries)));
    r.add("searchable", number(double(p.searchable)));
    r.add("last_heartbeat_secs_ago", number(std::round(p.last_heartbeat_secs_ago * 10) / 10));
    r.add("guid", text(p.guid));
    peers.push_back(std::move(r));
  }
  if (c.what == verb::list_cluster_peers) {
    if (as_json) return {0, status::master_peers(*s) + "\n", ""};
    return {0, table(peers), ""};
  }
  if (as_json) return {0, status::master_info(*s) + "\n", ""};
  auto yes = [](bool b) { return b ? "yes" : "no"; };
  std::string out =
      "generation " + std::to_string(s->generation) + "\nvalid " + yes(s->valid) + "\ncomplete " +
      yes(s->complete) + "\nindexing ready " + yes(s->indexing_ready) + "\nreplication_factor " +
      std::to_string(s->replication_factor) + "\nsearch_factor " +
      std::to_string(s->search_factor) + "\npeers up " + std::to_string(s->peers_up) +
      "\nbuckets " + std::to_string(s->buckets_total) + " (valid " +
      std::to_string(s->buckets_valid) + ", complete " + std::to_string(s->buckets_complete) +
      ")\nfixup tasks pending " +
      std::to_string(s->fixup_primary + s->fixup_searchable + s->fixup_replicate) + " (primary " +
      std::to_string(s->fixup_primary) + ", searchable " + std::to_string(s->fixup_searchable) +
      ", replicate " + std::to_string(s->fixup_replicate) + "), " +
      std::to_string(s->fixup_bytes_to_go) + " bytes to go\n" +
      (s->rolling_restart.empty() ? "" : "rolling restart " + s->rolling_restart + "\n");
  if (c.verbose) {
    for (auto& task : s->fixup_running) out += "fixup running: " + task + "\n";
    out += "\n" + table(peers);
  }
  return {0, out, ""};
}

}  // namespace

admin_reply run_command(node_api& node, node_admin& admin, const std::vector<std::string>& words,
                        bool as_json, const std::string& user) {
  auto parsed = shell::parse_command(words);
  if (!parsed) return {2, "", "error: " + parsed.err().message() + "\n"};
  auto& c = *parsed;
  std::string joined;
  for (auto& w : words) joined += (joined.empty() ? "" : " ") + w;
  if (c.what != verb::help) node.audit(user, c.what == verb::search ? "search" : "admin", joined);
  // The node's name, asked for only by the commands that show it.
  auto node_name = [&] { return node.server_info().name; };
  switch (c.what) {
    case verb::search:
      return search(node, c, as_json);
    case verb::add_oneshot:
      return oneshot(admin, c, as_json, node_name());
    case verb::list_indexes:
      return list_indexes(node, as_json);
    case verb::add_index:
      return simple(admin.add_index(c.name), as_json, {{"index", c.name}, {"added", true}},
                    "Index \"" + c.name + "\" added.");
    case verb::remove_index:
      return simple(admin.remove_index(c.name), as_json, {{"index", c.name}, {"removed", true}},
                    "Index \"" + c.name + "\" removed with its data.");
    case verb::disable_index:
      return simple(admin.set_index_disabled(c.name, true), as_json,
                    {{"index", c.name}, {"disabled", true}}, "Index \"" + c.name + "\" disabled.");
    case verb::enable_index:
      return simple(admin.set_index_disabled(c.name, false), as_json,
                    {{"index", c.name}, {"disabled", false}}, "Index \"" + c.name + "\" enabled.");
    case verb::clean_eventdata: {
      if (!c.force)
        return {2, "",
                "error: clean eventdata deletes every event of " +
                    (c.index.empty() ? std::string{"every index"} : "index " + c.index) +
                    "; add -f to confirm\n"};
      std::string which = c.index.empty() ? "every index" : "index " + c.index;
      return simple(admin.clean_eventdata(c.index), as_json,
                    {{"index", c.index.empty() ? "*" : c.index}, {"cleaned", true}},
                    "Event data of " + which + " deleted.");
    }
    case verb::roll_hot_buckets:
      return simple(admin.roll_hot_buckets(c.index), as_json,
                    {{"index", c.index.empty() ? "*" : c.index}, {"rolled", true}},
                    "Hot buckets of " +
                        (c.index.empty() ? std::string{"every index"} : "index " + c.index) +
                        " rolled to warm.");
    case verb::list_buckets:
      return list_buckets(node, c.index, as_json);
    case verb::fsck:
      return fsck(admin, c, as_json);
    case verb::rebuild:
      return simple(admin.rebuild(c.path), as_json, {{"bucket", c.path}, {"rebuilt", true}},
                    "Bucket " + c.path + " rebuilt from its journal.");
    case verb::stop: {
      auto name = node_name();
      admin.request_stop();
      return done(as_json, {{"node", name}, {"stopping", true}}, "Stopping node " + name + ".\n");
    }
    case verb::help:
      return done(as_json, {{"commands", shell::help_text()}}, shell::help_text());
    case verb::list_cluster_peers:
    case verb::show_cluster_status:
    case verb::list_cluster_generation:
      return cluster_command(node, c, as_json);
    case verb::offline: {
      auto name = node_name();
      if (auto err = admin.offline(c.enforce_counts)) return failed(err);
      admin.request_stop();
      return done(as_json, {{"node", name}, {"offline", true}, {"enforce_counts", c.enforce_counts}},
                  "Peer " + name + " is offline" +
                      (c.enforce_counts ? " (the cluster is complete without it)" : "") +
                      "; it shuts down now.\n");
    }
    case verb::edit_cluster_config: {
      json_doc doc;
      std::string sentence;
      auto settings = c.settings;
      // Both factors at once: each step must keep search_factor <= replication_factor,
      // so search_factor goes first when it fits under the current replication_factor.
      auto rf = std::find_if(settings.begin(), settings.end(),
                             [](auto& s) { return s.first == "replication_factor"; });
      auto sf = std::find_if(settings.begin(), settings.end(),
                             [](auto& s) { return s.first == "search_factor"; });
      if (rf != settings.end() && sf != settings.end())
        if (auto now = node.cluster_master_status(); now && sf->second <= now->replication_factor)
          std::iter_swap(rf, sf);  // rf was first (the parser's order)
      for (auto& [key, value] : settings) {
        if (auto err = admin.edit_cluster_config(key, value)) return failed(err);
        bool count = key == "replication_factor" || key == "search_factor";
        if (count)
          doc[key] = uint32_t(value);
        else
          doc[key] = value;
        sentence += (sentence.empty() ? "" : ", ") + key + " = " +
                    (count ? std::to_string(uint32_t(value)) : std::to_string(value) + " s");
      }
      return done(as_json, doc, "Cluster settings changed: " + sentence + ".\n");
    }
    case verb::apply_cluster_bundle: {
      auto summary = admin.apply_cluster_bundle(c.dry_run);
      if (!summary) return failed(summary.err());
      return done(as_json, {{"applied", !c.dry_run}, {"dry_run", c.dry_run}, {"summary", *summary}},
                  *summary + "\n");
    }
    case verb::show_cluster_bundle_status:
      return cluster_command(node, c, as_json);
    case verb::rolling_restart: {
      if (auto err = admin.rolling_restart(c.percent)) return failed(err);
      return done(as_json, {{"rolling_restart", true}, {"percent_peers_to_restart", c.percent}},
                  "Rolling restart of the peers started, " + std::to_string(c.percent) +
                      " % at a time; follow it with show cluster-status.\n");
    }
  }
  return {2, "", "error: unknown command\n"};
}

}  // namespace kura::admin
