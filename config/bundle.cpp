// Reading, checking, installing and comparing configuration bundles.
#include "config/bundle.hpp"

#include <algorithm>
#include <cstdio>
#include <set>
#include <sstream>

#include "config/toml_support.hpp"
#include "core/index/store.hpp"
#include "core/search/lookup.hpp"
#include "core/util/hash.hpp"

namespace kura::config {
namespace {

const std::string lookup_prefix = std::string{bundle_lookup_dir} + "/";

bool builtin(const std::string& index) {
  auto names = builtin_indexes();
  return std::find(names.begin(), names.end(), index) != names.end();
}

std::string hex64(uint64_t v) {
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", (unsigned long long)v);
  return hex;
}

std::string megabytes(size_t bytes) { return std::to_string(bytes >> 20) + " MB"; }

/// A name write_bundle can install: `NAME` or `lookups/NAME`, NAME without a
/// directory and not hidden.
bool installable(const std::string& name) {
  std::string base = name.starts_with(lookup_prefix) ? name.substr(lookup_prefix.size()) : name;
  return !base.empty() && base.find('/') == std::string::npos && base.front() != '.';
}

/// The files of DIR a bundle takes: regular, not hidden, ending in `ext`.
/// Adds them to `b` as PREFIX + file name, within the bundle's limits.
error read_files(const io::fs::path& dir, const std::string& ext, const std::string& prefix,
                 size_t max_bytes, config_bundle& b, size_t& total) {
  std::error_code ec;
  if (!io::fs::exists(dir, ec)) return {};
  for (io::fs::directory_iterator it{dir, ec}, end; !ec && it != end; it.increment(ec)) {
    // As a shell globs `*.toml`: hidden files (an editor's .x.toml) are not
    // part of the bundle, and write_bundle could not install them.
    if (!it->is_regular_file() || it->path().extension() != ext ||
        it->path().filename().string().front() == '.')
      continue;
    if (b.files.size() == max_bundle_files)
      return error{errc::invalid_argument,
                   dir.string() + ": more than " + std::to_string(max_bundle_files) + " files"};
    auto size = it->file_size();
    if (size > max_bytes)
      return error{errc::invalid_argument,
                   it->path().string() + ": over " + megabytes(max_bytes) + " (the limit)"};
    total += size;
    if (total > max_bundle_bytes)
      return error{errc::invalid_argument, it->path().string() + ": the bundle is over " +
                                               megabytes(max_bundle_bytes) + " (the limit)"};
    auto text = io::read_file(it->path());
    if (!text) return text.err();
    b.files.push_back({prefix + it->path().filename().string(), std::move(*text)});
  }
  if (ec) return error{errc::io_error, dir.string() + ": " + ec.message()};
  return {};
}

/// Checks a lookup table of the bundle: its name, size and CSV.
error check_lookup(const bundle_file& f, const std::string& file) {
  auto base = f.name.substr(lookup_prefix.size());
  if (base.find('/') != std::string::npos || !base.ends_with(".csv") ||
      !search::lookup_file("lookups", base))
    return error{errc::invalid_argument,
                 file +
                     ": a lookup table's name is letters, digits, _ - and ., not starting "
                     "with a dot, and ends in .csv"};
  if (f.text.size() > max_lookup_bytes)
    return error{errc::invalid_argument,
                 file + ": over " + megabytes(max_lookup_bytes) + " (the limit of a lookup table)"};
  if (auto t = search::parse_csv(f.text); !t)
    return error{errc::invalid_argument, file + ": " + t.err().message()};
  return {};
}

}  // namespace

bool is_lookup(const bundle_file& f) { return f.name.starts_with(lookup_prefix); }

std::string bundle_checksum(const std::vector<bundle_file>& files) {
  if (files.empty()) return "";
  std::string all;
  for (auto& f : files) {
    all += f.name;
    all.push_back('\0');
    all += std::to_string(f.text.size());
    all.push_back('\0');
    all += f.text;
  }
  return hex64(hash::checksum64(all));
}

result<config_bundle> read_bundle(const io::fs::path& dir) {
  config_bundle b;
  size_t total = 0;
  if (auto err = read_files(dir, ".toml", "", max_toml_bytes, b, total)) return err;
  if (auto err =
          read_files(dir / bundle_lookup_dir, ".csv", lookup_prefix, max_lookup_bytes, b, total))
    return err;
  std::sort(b.files.begin(), b.files.end(), [](auto& x, auto& y) { return x.name < y.name; });
  b.checksum = bundle_checksum(b.files);
  return b;
}

error write_bundle(const config_bundle& bundle, const io::fs::path& dir) {
  auto fresh = io::fs::path{dir.string() + ".new"};
  auto old = io::fs::path{dir.string() + ".old"};
  if (auto err = io::remove_all(fresh)) return err;
  if (auto err = io::make_dirs(fresh)) return err;
  for (auto& f : bundle.files) {
    if (!installable(f.name))
      return error{errc::invalid_argument, "bundle file name '" + f.name + "'"};
    if (is_lookup(f))
      if (auto err = io::make_dirs(fresh / bundle_lookup_dir)) return err;
    if (auto err = io::write_file_atomic(fresh / f.name, f.text)) return err;
  }
  if (auto err = io::remove_all(old)) return err;
  std::error_code ec;
  if (io::fs::exists(dir, ec)) io::fs::rename(dir, old, ec);
  if (!ec) io::fs::rename(fresh, dir, ec);
  if (ec) return error{errc::io_error, "installing " + dir.string() + ": " + ec.message()};
  if (auto err = io::sync_dir(dir.parent_path())) return err;
  return io::remove_all(old);
}

result<io::fs::path> install_bundle_lookups(const config_bundle& bundle, const io::fs::path& root,
                                            const std::string& keep) {
  auto& sum = bundle.checksum;
  if (sum.empty() || sum.size() > 16 ||
      sum.find_first_not_of("0123456789abcdef") != std::string::npos)
    return error{errc::invalid_argument, "bundle checksum '" + sum + "'"};
  if (bundle_checksum(bundle.files) != sum)
    return error{errc::corruption, "the bundle's files do not match its checksum " + sum};
  auto dir = root / sum;
  std::error_code ec;
  if (!io::fs::exists(dir, ec)) {
    config_bundle tables{sum, {}};
    for (auto& f : bundle.files)
      if (is_lookup(f)) tables.files.push_back(f);
    if (auto err = write_bundle(tables, dir)) return err;
  }
  for (io::fs::directory_iterator it{root, ec}, end; !ec && it != end; it.increment(ec)) {
    auto name = it->path().filename().string();
    if (name != sum && name != keep)
      if (auto err = io::remove_all(it->path())) return err;
  }
  if (ec) return error{errc::io_error, root.string() + ": " + ec.message()};
  return dir / bundle_lookup_dir;
}

result<bundle_settings> parse_bundle(const config_bundle& bundle, const node_config& local) {
  bundle_settings out;
  std::map<std::string, std::string> defined_in;  // index -> file
  size_t total = 0;
  for (auto& f : bundle.files) total += f.text.size();
  if (total > max_bundle_bytes)
    return error{errc::invalid_argument,
                 "master-apps: the bundle is over " + megabytes(max_bundle_bytes) + " (the limit)"};
  if (bundle.files.size() > max_bundle_files)
    return error{errc::invalid_argument,
                 "master-apps: more than " + std::to_string(max_bundle_files) + " files"};
  for (auto& f : bundle.files) {
    const std::string file = "master-apps/" + f.name;
    if (is_lookup(f)) {
      if (auto err = check_lookup(f, file)) return err;
      out.lookups[f.name.substr(lookup_prefix.size())] = hex64(hash::checksum64(f.text));
      continue;
    }
    if (f.text.size() > max_toml_bytes)
      return error{errc::invalid_argument,
                   file + ": over " + megabytes(max_toml_bytes) + " (the limit)"};
    auto doc = detail::parse_document(f.text, file);
    if (!doc) return doc.err();
    static const std::set<std::string, std::less<>> allowed{"indexes", "volumes", "sourcetypes",
                                                            "transforms"};
    for (auto& [k, v] : *doc)
      if (!allowed.count(k.str()))
        return detail::expected(v, file, std::string{k.str()}, k.str(),
                                "a bundle section: [indexes.NAME], [volumes.NAME], "
                                "[sourcetypes.NAME] or [transforms.NAME] (node settings stay in "
                                "each node's own file)");
    auto parsed = parse_node_config(f.text, file, local.node.home.string());
    if (!parsed) return parsed.err();
    const toml::table* indexes = doc->get("indexes") ? doc->get("indexes")->as_table() : nullptr;
    for (auto& c : parsed->indexes) {
      const toml::node* where = indexes ? indexes->get(c.name) : nullptr;
      auto fail = [&](const std::string& what) -> error {
        return where ? detail::expected(*where, file, "indexes." + c.name, "repFactor", what)
                     : error{errc::invalid_argument, file + ": [indexes." + c.name + "] " + what};
      };
      if (!c.replicated)
        return fail("\"auto\": every index of the bundle is replicated (clustering.md §17.5)");
      if (auto [it, fresh] = defined_in.emplace(c.name, file); !fresh)
        return fail("one definition: index '" + c.name + "' is also defined in " + it->second);
      for (auto& mine : local.indexes)
        if (mine.name == c.name && !builtin(c.name))
          return fail("an index the peer's own file (" + local.file.string() +
                      ") does not define: '" + c.name +
                      "' is peer-local there; remove it from one of them");
      c.peer_guid.clear();
      out.indexes.push_back(c);
    }
    for (auto& v : parsed->store.volumes) out.volumes.push_back(v);
    for (auto& [name, rules] : parsed->sourcetypes) out.sourcetypes[name] = rules;
    for (auto& [name, st] : parsed->search_fields.sourcetypes)
      out.search_fields.sourcetypes[name] = st;
    for (auto& [name, t] : parsed->search_fields.transforms) out.search_fields.transforms[name] = t;
    std::ostringstream pipeline;
    for (auto* sec : {"sourcetypes", "transforms"})
      if (auto* t = doc->get(sec); t && t->is_table())
        pipeline << f.name << " [" << sec << "]\n" << *t->as_table() << "\n";
    out.sourcetype_sections += pipeline.str();
  }
  for (auto& mine : local.indexes)
    if (mine.replicated && !builtin(mine.name))
      return error{errc::invalid_argument,
                   local.file.string() + ": [indexes." + mine.name +
                       "] repFactor: expected 0 on a peer: a peer-local index is not "
                       "replicated; replicated indexes are defined in the master's bundle "
                       "(master-apps) (clustering.md §18.3)"};
  return out;
}

node_config with_bundle(node_config local, const bundle_settings& bundle) {
  for (auto& c : bundle.indexes) {
    auto same = [&](auto& x) { return x.name == c.name; };
    local.indexes.erase(std::remove_if(local.indexes.begin(), local.indexes.end(), same),
                        local.indexes.end());
    local.indexes.push_back(c);
  }
  for (auto& v : bundle.volumes) local.store.volumes.push_back(v);
  for (auto& [name, rules] : bundle.sourcetypes) local.sourcetypes[name] = rules;
  // The bundle's stanza replaces the peer's own one whole, as for the index-time keys.
  for (auto& [name, st] : bundle.search_fields.sourcetypes)
    local.search_fields.sourcetypes[name] = st;
  for (auto& [name, t] : bundle.search_fields.transforms) local.search_fields.transforms[name] = t;
  if (local.node.role == node_role::peer) {
    for (auto& name : builtin_indexes()) {
      auto it = std::find_if(local.indexes.begin(), local.indexes.end(),
                             [&](auto& x) { return x.name == name; });
      if (it == local.indexes.end())
        local.indexes.push_back(default_index_config(name, local.store.db_root));
    }
    for (auto& c : local.indexes)
      if (builtin(c.name)) c.replicated = true;
  }
  return local;
}

bundle_change compare_bundles(const bundle_settings& before, const bundle_settings& after) {
  bool added = false;
  for (auto& b : before.indexes) {
    auto it = std::find_if(after.indexes.begin(), after.indexes.end(),
                           [&](auto& a) { return a.name == b.name; });
    if (it == after.indexes.end() || !(*it == b)) return bundle_change::restart;
  }
  for (auto& a : after.indexes)
    if (std::none_of(before.indexes.begin(), before.indexes.end(),
                     [&](auto& b) { return a.name == b.name; }))
      added = true;
  if (before.volumes != after.volumes) return bundle_change::restart;
  // Sourcetype rules hold compiled patterns without equality: any change of
  // the set of names or of the files that define them restarts.
  if (before.sourcetype_sections != after.sourcetype_sections) return bundle_change::restart;
  // Lookup tables are read by each search: a new install is seen at once.
  return added || before.lookups != after.lookups ? bundle_change::live : bundle_change::none;
}

const char* to_string(bundle_change c) {
  switch (c) {
    case bundle_change::none:
      return "none";
    case bundle_change::live:
      return "live";
    case bundle_change::restart:
      return "restart";
  }
  return "?";
}

}  // namespace kura::config
