// The configuration bundle (product.md §7, clustering.md §17-18): reading and
// installing master-apps/slave-apps, checking a bundle against a peer's own
// file, merging it in, and what a change of bundle takes.
#include "config/bundle.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <set>

#include "core/index/store.hpp"
#include "core/testing.hpp"

using namespace kura;
using namespace kura::config;

namespace {

const char* const peer_home = "/k/peer1";

/// A peer's own file: role peer, home /k/peer1, plus `extra` (its own sections).
node_config peer_config(const std::string& extra = {}) {
  std::string text = std::string{"[node]\nname = \"peer1\"\nhome = \""} + peer_home +
                     "\"\nrole = \"peer\"\n[clustering]\nmaster_uri = \"master:8089\"\n"
                     "pass4SymmKey = \"s3cret-key\"\n" +
                     extra;
  auto c = parse_node_config(text, "/k/peer1/etc/kura.toml");
  REQUIRE_MESSAGE(c.has_value(), c.err().message());
  return *c;
}

config_bundle make_bundle(std::vector<bundle_file> files) {
  std::sort(files.begin(), files.end(), [](auto& x, auto& y) { return x.name < y.name; });
  config_bundle b;
  b.files = std::move(files);
  b.checksum = bundle_checksum(b.files);
  return b;
}

bundle_settings settings_of(std::vector<bundle_file> files,
                            const node_config& local = peer_config()) {
  auto s = parse_bundle(make_bundle(std::move(files)), local);
  REQUIRE_MESSAGE(s.has_value(), s.err().message());
  return *s;
}

std::string bundle_error(std::vector<bundle_file> files, const node_config& local = peer_config()) {
  auto s = parse_bundle(make_bundle(std::move(files)), local);
  REQUIRE_MESSAGE(!s.has_value(), "the bundle was accepted");
  CHECK(s.err().code() == errc::invalid_argument);
  return s.err().message();
}

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

const index_config* find_index(const std::vector<index_config>& v, const std::string& name) {
  for (auto& i : v)
    if (i.name == name) return &i;
  return nullptr;
}

size_t count_index(const std::vector<index_config>& v, const std::string& name) {
  return size_t(std::count_if(v.begin(), v.end(), [&](auto& i) { return i.name == name; }));
}

std::set<std::string> names_in(const io::fs::path& dir) {
  std::set<std::string> out;
  for (auto& e : io::fs::directory_iterator{dir}) out.insert(e.path().filename().string());
  return out;
}

const std::string web_index = "[indexes.web]\nrepFactor = \"auto\"\nmaxHotBuckets = 4\n";

}  // namespace

TEST_CASE("bundle: read_bundle takes DIR/*.toml only, sorted, and a missing DIR is no bundle") {
  testing::temp_dir dir;
  auto apps = dir / "master-apps";
  io::fs::create_directories(apps / "sub");
  testing::spit(apps / "zeta.toml", "[indexes.z]\nrepFactor = \"auto\"\n");
  testing::spit(apps / "alpha.toml", web_index);
  testing::spit(apps / "notes.txt", "not toml\n");
  testing::spit(apps / ".draft.toml", "[indexes.draft]\nrepFactor = \"auto\"\n");  // hidden
  testing::spit(apps / "alpha.toml.bak", "old\n");
  testing::spit(apps / "sub" / "inner.toml", "[indexes.inner]\nrepFactor = \"auto\"\n");
  io::fs::create_directories(apps / "dir.toml");  // a directory, not a file

  auto b = read_bundle(apps);
  REQUIRE_MESSAGE(b.has_value(), b.err().message());
  REQUIRE(b->files.size() == 2);
  CHECK(b->files[0].name == "alpha.toml");
  CHECK(b->files[0].text == web_index);
  CHECK(b->files[1].name == "zeta.toml");
  CHECK(b->files[1].text == "[indexes.z]\nrepFactor = \"auto\"\n");
  CHECK(b->checksum.size() == 16);
  CHECK(b->checksum.find_first_not_of("0123456789abcdef") == std::string::npos);
  CHECK(b->checksum == bundle_checksum(b->files));

  // What read_bundle returns, write_bundle installs.
  REQUIRE(!write_bundle(*b, dir / "slave-apps"));
  auto installed = read_bundle(dir / "slave-apps");
  REQUIRE(installed.has_value());
  CHECK(installed->checksum == b->checksum);

  auto none = read_bundle(dir / "nowhere");
  REQUIRE_MESSAGE(none.has_value(), none.err().message());
  CHECK(none->files.empty());
  CHECK(none->checksum.empty());

  // An existing directory without .toml files is no bundle either.
  io::fs::create_directories(dir / "empty");
  testing::spit(dir / "empty" / "readme.md", "x");
  auto empty = read_bundle(dir / "empty");
  REQUIRE(empty.has_value());
  CHECK(empty->files.empty());
  CHECK(empty->checksum.empty());
}

TEST_CASE("bundle: the checksum follows every file's name and text") {
  testing::temp_dir one, two;
  testing::spit(one / "a.toml", web_index);
  testing::spit(one / "b.toml", "[volumes.v]\npath = \"/v\"\n");
  testing::spit(two / "b.toml", "[volumes.v]\npath = \"/v\"\n");
  testing::spit(two / "a.toml", web_index);
  auto a = read_bundle(one.path), b = read_bundle(two.path);
  REQUIRE(a.has_value());
  REQUIRE(b.has_value());
  CHECK(a->checksum == b->checksum);
  CHECK(!a->checksum.empty());

  // One byte of one file's text.
  testing::spit(two / "b.toml", "[volumes.v]\npath = \"/w\"\n");
  auto changed_text = read_bundle(two.path);
  REQUIRE(changed_text.has_value());
  CHECK(changed_text->checksum != a->checksum);

  // Same texts, one file renamed.
  testing::spit(two / "b.toml", "[volumes.v]\npath = \"/v\"\n");
  io::fs::rename(two / "b.toml", two / "c.toml");
  auto renamed = read_bundle(two.path);
  REQUIRE(renamed.has_value());
  CHECK(renamed->checksum != a->checksum);

  // Text moved from one file to the other keeps the concatenation but not the bundle.
  CHECK(bundle_checksum({{"a.toml", "xy"}, {"b.toml", "z"}}) !=
        bundle_checksum({{"a.toml", "x"}, {"b.toml", "yz"}}));
  // A file whose text looks like the next file's name is still another bundle.
  CHECK(bundle_checksum({{"a.toml", "x"}, {"b.toml", "y"}}) !=
        bundle_checksum({{"a.toml", std::string{"xb.toml\0\0y", 10}}}));
  CHECK(bundle_checksum({{"a.toml", "x"}}) == bundle_checksum({{"a.toml", "x"}}));
  CHECK(bundle_checksum({{"a.toml", "x"}}) != bundle_checksum({{"a.toml", "x"}, {"b.toml", ""}}));
  CHECK(bundle_checksum({}).empty());
}

TEST_CASE("bundle: write_bundle replaces the directory whole, byte for byte") {
  testing::temp_dir dir;
  auto slave = dir / "etc" / "slave-apps";
  io::fs::create_directories(slave / "old-app");
  testing::spit(slave / "old.toml", "[indexes.old]\nrepFactor = \"auto\"\n");
  testing::spit(slave / "stray.txt", "left by hand\n");
  testing::spit(slave / "old-app" / "x.toml", "x\n");

  static const char raw[] = "# no newline at the end\r\n[indexes.w]\t\0x\xff";
  const std::string binaryish{raw, sizeof raw - 1};
  auto bundle = make_bundle({{"indexes.toml", web_index}, {"raw.toml", binaryish}});
  REQUIRE(!write_bundle(bundle, slave));
  CHECK(names_in(slave) == std::set<std::string>{"indexes.toml", "raw.toml"});
  CHECK(testing::slurp(slave / "indexes.toml") == web_index);
  CHECK(testing::slurp(slave / "raw.toml") == binaryish);
  // Nothing is left beside it.
  CHECK(names_in(dir / "etc") == std::set<std::string>{"slave-apps"});

  auto back = read_bundle(slave);
  REQUIRE(back.has_value());
  CHECK(back->checksum == bundle.checksum);

  // A second install replaces the first one whole.
  auto next = make_bundle({{"other.toml", "[volumes.v]\npath = \"/v\"\n"}});
  REQUIRE(!write_bundle(next, slave));
  CHECK(names_in(slave) == std::set<std::string>{"other.toml"});
  CHECK(testing::slurp(slave / "other.toml") == "[volumes.v]\npath = \"/v\"\n");

  // An empty bundle leaves an empty directory.
  REQUIRE(!write_bundle(config_bundle{}, slave));
  CHECK(io::fs::is_directory(slave));
  CHECK(names_in(slave).empty());

  // Into a directory that does not exist yet.
  auto fresh = dir / "new-home" / "etc" / "slave-apps";
  REQUIRE(!write_bundle(bundle, fresh));
  CHECK(names_in(fresh) == std::set<std::string>{"indexes.toml", "raw.toml"});
}

TEST_CASE("bundle: write_bundle refuses a file name with a directory in it") {
  testing::temp_dir dir;
  auto slave = dir / "slave-apps";
  io::fs::create_directories(slave);
  testing::spit(slave / "kept.toml", web_index);
  for (std::string name : {"sub/evil.toml", "../evil.toml", "/tmp/evil.toml", ""}) {
    CAPTURE(name);
    auto bundle = make_bundle({{"a.toml", web_index}, {name, "x = 1\n"}});
    auto err = write_bundle(bundle, slave);
    REQUIRE(err);
    CHECK(err.code() == errc::invalid_argument);
    // The installed bundle is untouched.
    CHECK(names_in(slave) == std::set<std::string>{"kept.toml"});
    CHECK(testing::slurp(slave / "kept.toml") == web_index);
  }
  CHECK_FALSE(io::fs::exists(dir / "evil.toml"));
  CHECK_FALSE(io::fs::exists(slave / "sub"));
}

TEST_CASE("bundle: a replicated index gets its paths under the peer's home") {
  auto s = settings_of({{"indexes.toml",
                         "[indexes.web]\nrepFactor = \"auto\"\nmaxHotBuckets = 4\n"
                         "[indexes.app]\nrepFactor = \"auto\"\n"
                         "homePath = \"$KURA_HOME/fast/app/db\"\n"}});
  REQUIRE(s.indexes.size() == 2);
  auto* web = find_index(s.indexes, "web");
  REQUIRE(web);
  CHECK(web->replicated);
  CHECK(web->max_hot_buckets == 4);
  CHECK(web->home_path == io::fs::path{"/k/peer1/var/lib/kura/web/db"});
  CHECK(web->cold_path == io::fs::path{"/k/peer1/var/lib/kura/web/colddb"});
  CHECK(web->thawed_path == io::fs::path{"/k/peer1/var/lib/kura/web/thaweddb"});
  CHECK(web->peer_guid.empty());
  auto* app = find_index(s.indexes, "app");
  REQUIRE(app);
  CHECK(app->replicated);
  CHECK(app->home_path == io::fs::path{"/k/peer1/fast/app/db"});
  CHECK(app->cold_path == io::fs::path{"/k/peer1/var/lib/kura/app/colddb"});

  // The same bundle resolves under another peer's home.
  auto other = parse_node_config(
      "[node]\nhome = \"/elsewhere/p2\"\nrole = \"peer\"\n[clustering]\nmaster_uri = "
      "\"master:8089\"\npass4SymmKey = \"s3cret-key\"\n",
      "p2.toml");
  REQUIRE(other.has_value());
  auto s2 = settings_of({{"indexes.toml", web_index}}, *other);
  REQUIRE(s2.indexes.size() == 1);
  CHECK(s2.indexes[0].home_path == io::fs::path{"/elsewhere/p2/var/lib/kura/web/db"});

  // Volumes and sourcetypes come along; an index uses a volume of its own file.
  auto s3 =
      settings_of({{"storage.toml",
                    "[volumes.big]\npath = \"/mnt/big\"\nmaxVolumeDataSizeMB = 300000\n"
                    "[indexes.idx1]\nrepFactor = \"auto\"\nhomePath = \"volume:big/idx1/db\"\n"
                    "coldPath = \"volume:big/idx1/colddb\"\n"},
                   {"props.toml", "[sourcetypes.web_access]\nTRUNCATE = 5000\n"}});
  REQUIRE(s3.volumes.size() == 1);
  CHECK(s3.volumes[0].name == "big");
  CHECK(s3.volumes[0].max_volume_data_size_mb == 300000);
  auto* idx1 = find_index(s3.indexes, "idx1");
  REQUIRE(idx1);
  CHECK(idx1->home_path == io::fs::path{"/mnt/big/idx1/db"});
  CHECK(idx1->home_volume == "big");
  CHECK(s3.sourcetypes.count("web_access") == 1);
  CHECK(contains(s3.sourcetype_sections, "web_access"));

  // An empty bundle sets nothing.
  auto none = parse_bundle(config_bundle{}, peer_config());
  REQUIRE(none.has_value());
  CHECK(none->indexes.empty());
  CHECK(none->volumes.empty());
  CHECK(none->sourcetypes.empty());
}

TEST_CASE("bundle: an index without repFactor = \"auto\" is refused, naming file, line and key") {
  auto msg =
      bundle_error({{"indexes.toml", "# new indexes\n\n[indexes.web]\nmaxHotBuckets = 4\n"}});
  CHECK(msg.rfind("master-apps/indexes.toml:3:", 0) == 0);
  CHECK(contains(msg, "[indexes.web]"));
  CHECK(contains(msg, "repFactor"));
  CHECK(contains(msg, "auto"));

  // repFactor = 0 written out is no better; the valid index of another file does not help.
  auto zero = bundle_error({{"a.toml", web_index},
                            {"b.toml",
                             "[indexes.ok]\nrepFactor = \"auto\"\n[indexes.web2]\n"
                             "repFactor = 0\n"}});
  CHECK(zero.rfind("master-apps/b.toml:3:", 0) == 0);
  CHECK(contains(zero, "[indexes.web2] repFactor"));
}

TEST_CASE("bundle: node settings and unknown sections are refused, naming the section") {
  for (std::string section : {"node", "http", "receiver", "clustering", "diskUsage", "stuff"}) {
    CAPTURE(section);
    auto msg = bundle_error(
        {{"ok.toml", web_index}, {"bad.toml", web_index + "\n[" + section + "]\nport = 1\n"}});
    CHECK(msg.rfind("master-apps/bad.toml:", 0) == 0);
    CHECK(contains(msg, "[" + section + "]"));
  }
  auto top = bundle_error({{"bad.toml", "port = 8088\n"}});
  CHECK(top.rfind("master-apps/bad.toml:1:", 0) == 0);
  CHECK(contains(top, "port"));
}

TEST_CASE("bundle: syntax errors and bad values name file, line and column") {
  auto syntax =
      bundle_error({{"a.toml", web_index}, {"broken.toml", "[indexes.x]\nrepFactor = \n"}});
  CHECK(syntax.rfind("master-apps/broken.toml:2:", 0) == 0);
  auto header = bundle_error({{"broken.toml", "\n[indexes.x\n"}});
  CHECK(header.rfind("master-apps/broken.toml:2:", 0) == 0);
  // The node file's checks apply too, with the master-apps name.
  auto value =
      bundle_error({{"idx.toml", "[indexes.web]\nrepFactor = \"auto\"\nmaxHotBuckets = 0\n"}});
  CHECK(value.rfind("master-apps/idx.toml:3:17: [indexes.web] maxHotBuckets: expected", 0) == 0);
  auto key = bundle_error({{"idx.toml", "[indexes.web]\nrepFactor = \"auto\"\nbogus = 1\n"}});
  CHECK(key.rfind("master-apps/idx.toml:3:", 0) == 0);
  CHECK(contains(key, "bogus"));
  // A volume of another file is unknown here.
  auto vol = bundle_error({{"a.toml", "[volumes.v]\npath = \"/v\"\n"},
                           {"b.toml",
                            "[indexes.i]\nrepFactor = \"auto\"\nhomePath = "
                            "\"volume:v/i/db\"\n"}});
  CHECK(vol.rfind("master-apps/b.toml:3:", 0) == 0);
}

TEST_CASE("bundle: an index defined in two files is refused, naming both") {
  auto msg = bundle_error(
      {{"first.toml", web_index}, {"second.toml", "[indexes.web]\nrepFactor = \"auto\"\n"}});
  CHECK(contains(msg, "master-apps/first.toml"));
  CHECK(contains(msg, "master-apps/second.toml"));
  CHECK(contains(msg, "web"));
  // Also for a built-in index.
  auto main = bundle_error({{"a.toml", "[indexes.main]\nrepFactor = \"auto\"\n"},
                            {"b.toml", "[indexes.main]\nrepFactor = \"auto\"\n"}});
  CHECK(contains(main, "master-apps/a.toml"));
  CHECK(contains(main, "master-apps/b.toml"));
}

TEST_CASE("bundle: an index of the peer's own file may not be in the bundle, a built-in one may") {
  auto local = peer_config("[indexes.web]\nmaxHotBuckets = 2\n");
  auto msg = bundle_error({{"indexes.toml", web_index}}, local);
  CHECK(msg.rfind("master-apps/indexes.toml:1:", 0) == 0);
  CHECK(contains(msg, "web"));
  CHECK(contains(msg, "/k/peer1/etc/kura.toml"));

  for (std::string name : builtin_indexes()) {
    CAPTURE(name);
    auto own = peer_config("[indexes." + name + "]\nmaxHotBuckets = 2\n");
    auto s = settings_of(
        {{"indexes.toml", "[indexes." + name + "]\nrepFactor = \"auto\"\nmaxHotBuckets = 7\n"}},
        own);
    REQUIRE(s.indexes.size() == 1);
    CHECK(s.indexes[0].name == name);
    CHECK(s.indexes[0].max_hot_buckets == 7);
    CHECK(s.indexes[0].replicated);
  }
}

TEST_CASE("bundle: a peer-local index with repFactor = \"auto\" is refused") {
  auto local = peer_config("[indexes.mine]\nrepFactor = \"auto\"\n");
  // With any bundle, even none.
  for (auto files : {std::vector<bundle_file>{}, std::vector<bundle_file>{{"i.toml", web_index}}}) {
    auto s = parse_bundle(make_bundle(files), local);
    REQUIRE(!s.has_value());
    auto msg = s.err().message();
    CHECK(contains(msg, "/k/peer1/etc/kura.toml"));
    CHECK(contains(msg, "[indexes.mine]"));
    CHECK(contains(msg, "repFactor"));
    CHECK(contains(msg, "master-apps"));
  }
  // A peer-local index with repFactor 0 (or unset) is fine, and so is a built-in one with "auto".
  auto fine = peer_config(
      "[indexes.mine]\nrepFactor = 0\n[indexes.scratch]\n[indexes._internal]\nrepFactor = "
      "\"auto\"\n");
  auto s = parse_bundle(make_bundle({{"i.toml", web_index}}), fine);
  REQUIRE_MESSAGE(s.has_value(), s.err().message());
}

TEST_CASE("bundle: with_bundle adds the bundle's indexes, built-in ones are replicated on a peer") {
  auto local =
      peer_config("[indexes.mine]\nmaxHotBuckets = 2\n[indexes.main]\nmaxHotBuckets = 5\n");
  auto s = settings_of({{"indexes.toml", web_index + "[indexes.main]\nrepFactor = \"auto\"\n"
                                                     "maxHotBuckets = 8\n"}},
                       local);
  auto merged = with_bundle(local, s);
  auto& ix = merged.indexes;
  for (auto name : {"web", "main", "_internal", "_audit", "mine"}) {
    CAPTURE(name);
    CHECK(count_index(ix, name) == 1);
  }
  CHECK(ix.size() == 5);
  auto* web = find_index(ix, "web");
  REQUIRE(web);
  CHECK(web->replicated);
  CHECK(web->max_hot_buckets == 4);
  auto* main = find_index(ix, "main");
  REQUIRE(main);
  CHECK(main->replicated);
  CHECK(main->max_hot_buckets == 8);  // the bundle's definition replaced the local one
  for (auto name : {"_internal", "_audit"}) {
    auto* b = find_index(ix, name);
    REQUIRE(b);
    CHECK(b->replicated);
    CHECK(b->home_path == io::fs::path{"/k/peer1/var/lib/kura"} / name / "db");
  }
  auto* mine = find_index(ix, "mine");
  REQUIRE(mine);
  CHECK_FALSE(mine->replicated);
  CHECK(mine->max_hot_buckets == 2);
  // The node's own settings are kept.
  CHECK(merged.node.name == "peer1");
  CHECK(merged.node.role == node_role::peer);
  CHECK(merged.clustering.master_uris == std::vector<std::string>{"master:8089"});

  // Without a bundle a peer still replicates main, _internal and _audit.
  auto bare = with_bundle(peer_config(), bundle_settings{});
  CHECK(bare.indexes.size() == builtin_indexes().size());
  for (auto& name : builtin_indexes()) {
    auto* b = find_index(bare.indexes, name);
    REQUIRE(b);
    CHECK(b->replicated);
  }
  CHECK(find_index(bare.indexes, "main")->home_path ==
        io::fs::path{"/k/peer1/var/lib/kura/defaultdb/db"});

  // Volumes and sourcetypes of the bundle join the node's.
  auto s2 = settings_of({{"v.toml", "[volumes.big]\npath = \"/mnt/big\"\n"},
                         {"p.toml", "[sourcetypes.web_access]\nTRUNCATE = 5000\n"}});
  auto merged2 = with_bundle(peer_config("[volumes.own]\npath = \"/own\"\n"), s2);
  REQUIRE(merged2.store.volumes.size() == 2);
  CHECK(merged2.sourcetypes.count("web_access") == 1);
}

TEST_CASE("bundle: with_bundle on a standalone node does not make built-in indexes replicated") {
  auto local =
      parse_node_config("[node]\nhome = \"/k/s\"\n[indexes.main]\nmaxHotBuckets = 5\n", "s.toml");
  REQUIRE(local.has_value());
  auto merged = with_bundle(*local, bundle_settings{});
  auto* main = find_index(merged.indexes, "main");
  REQUIRE(main);
  CHECK_FALSE(main->replicated);
  CHECK(merged.indexes.size() == 1);
}

TEST_CASE("bundle: compare_bundles says what a change of bundle takes") {
  const std::string base =
      "[indexes.web]\nrepFactor = \"auto\"\nmaxDataSize = 100\nmaxHotBuckets = 3\n";
  const std::string props = "[sourcetypes.web_access]\nTRUNCATE = 5000\n";
  auto before = settings_of({{"indexes.toml", base}, {"props.toml", props}});

  CHECK(compare_bundles(before, before) == bundle_change::none);
  CHECK(compare_bundles(before, settings_of({{"indexes.toml", base}, {"props.toml", props}})) ==
        bundle_change::none);
  CHECK(compare_bundles(bundle_settings{}, bundle_settings{}) == bundle_change::none);

  // A new index, in the same file or a new one: live.
  CHECK(compare_bundles(
            before, settings_of({{"indexes.toml", base + "[indexes.app]\nrepFactor = \"auto\"\n"},
                                 {"props.toml", props}})) == bundle_change::live);
  CHECK(compare_bundles(before, settings_of({{"indexes.toml", base},
                                             {"more.toml", "[indexes.app]\nrepFactor = \"auto\"\n"},
                                             {"props.toml", props}})) == bundle_change::live);
  CHECK(compare_bundles(bundle_settings{}, settings_of({{"indexes.toml", base}})) ==
        bundle_change::live);

  // A changed setting of an existing index: restart.
  CHECK(compare_bundles(before, settings_of({{"indexes.toml",
                                              "[indexes.web]\nrepFactor = \"auto\"\nmaxDataSize = "
                                              "200\nmaxHotBuckets = 3\n"},
                                             {"props.toml", props}})) == bundle_change::restart);
  CHECK(compare_bundles(before, settings_of({{"indexes.toml",
                                              "[indexes.web]\nrepFactor = \"auto\"\nmaxDataSize = "
                                              "100\nmaxHotBuckets = 5\n"},
                                             {"props.toml", props}})) == bundle_change::restart);
  // Even with a new index beside it.
  CHECK(compare_bundles(before, settings_of({{"indexes.toml",
                                              "[indexes.web]\nrepFactor = \"auto\"\nmaxDataSize = "
                                              "100\nmaxHotBuckets = 5\n[indexes.app]\nrepFactor = "
                                              "\"auto\"\n"},
                                             {"props.toml", props}})) == bundle_change::restart);

  // An index that left the bundle: restart.
  auto two = settings_of(
      {{"indexes.toml", base + "[indexes.app]\nrepFactor = \"auto\"\n"}, {"props.toml", props}});
  CHECK(compare_bundles(two, before) == bundle_change::restart);
  CHECK(compare_bundles(before, settings_of({{"props.toml", props}})) == bundle_change::restart);

  // A sourcetype changed, added or removed: restart.
  CHECK(compare_bundles(
            before, settings_of({{"indexes.toml", base},
                                 {"props.toml", "[sourcetypes.web_access]\nTRUNCATE = 6000\n"}})) ==
        bundle_change::restart);
  CHECK(compare_bundles(before, settings_of({{"indexes.toml", base},
                                             {"props.toml",
                                              props + "[sourcetypes.other]\nTRUNCATE = 10\n"}})) ==
        bundle_change::restart);
  CHECK(compare_bundles(before, settings_of({{"indexes.toml", base}})) == bundle_change::restart);

  // A volume changed: restart.
  auto vol = [](const std::string& path) {
    return settings_of({{"v.toml", "[volumes.big]\npath = \"" + path + "\"\n"}});
  };
  CHECK(compare_bundles(vol("/mnt/a"), vol("/mnt/a")) == bundle_change::none);
  CHECK(compare_bundles(vol("/mnt/a"), vol("/mnt/b")) == bundle_change::restart);

  CHECK(std::string{to_string(bundle_change::none)} == "none");
  CHECK(std::string{to_string(bundle_change::live)} == "live");
  CHECK(std::string{to_string(bundle_change::restart)} == "restart");
}

TEST_CASE("bundle: lookups/*.csv are part of it, named lookups/NAME.csv, and in the checksum") {
  testing::temp_dir dir;
  auto apps = dir / "master-apps";
  io::fs::create_directories(apps / "lookups" / "sub");
  testing::spit(apps / "indexes.toml", web_index);
  testing::spit(apps / "lookups" / "geo.csv", "ip,city\r\n10.0.0.1,Paris\r\n");
  testing::spit(apps / "lookups" / ".geo.csv", "hidden\n");
  testing::spit(apps / "lookups" / "notes.txt", "not a table\n");
  testing::spit(apps / "lookups" / "sub" / "deep.csv", "a\n1\n");
  testing::spit(apps / "top.csv", "a\n1\n");  // a CSV outside lookups/ is not a lookup
  auto b = read_bundle(apps);
  REQUIRE_MESSAGE(b.has_value(), b.err().message());
  REQUIRE(b->files.size() == 2);
  CHECK(b->files[0].name == "indexes.toml");
  CHECK(b->files[1].name == "lookups/geo.csv");
  CHECK(b->files[1].text == "ip,city\r\n10.0.0.1,Paris\r\n");
  CHECK(is_lookup(b->files[1]));
  CHECK_FALSE(is_lookup(b->files[0]));

  auto before = b->checksum;
  testing::spit(apps / "lookups" / "geo.csv", "ip,city\r\n10.0.0.1,Lyon\r\n");
  CHECK(read_bundle(apps)->checksum != before);
  auto s = parse_bundle(*read_bundle(apps), peer_config());
  REQUIRE_MESSAGE(s.has_value(), s.err().message());
  CHECK(s->lookups.size() == 1);
  CHECK(s->lookups.count("geo.csv") == 1);
  CHECK(s->indexes.size() == 1);
}

TEST_CASE("bundle: write_bundle installs lookups/ beside the TOML files, byte for byte") {
  testing::temp_dir dir;
  auto slave = dir / "slave-apps";
  const std::string csv = "k,v\r\n\"a, b\",1\r\n";
  auto bundle = make_bundle({{"indexes.toml", web_index}, {"lookups/kv.csv", csv}});
  REQUIRE(!write_bundle(bundle, slave));
  CHECK(names_in(slave) == std::set<std::string>{"indexes.toml", "lookups"});
  CHECK(names_in(slave / "lookups") == std::set<std::string>{"kv.csv"});
  CHECK(testing::slurp(slave / "lookups" / "kv.csv") == csv);
  CHECK(read_bundle(slave)->checksum == bundle.checksum);
  // The next bundle without lookups replaces it whole.
  REQUIRE(!write_bundle(make_bundle({{"indexes.toml", web_index}}), slave));
  CHECK(names_in(slave) == std::set<std::string>{"indexes.toml"});
  for (std::string name : {"lookups/sub/x.csv", "other/x.csv", "lookups/.x.csv", "lookups/"}) {
    CAPTURE(name);
    CHECK(write_bundle(make_bundle({{name, "a\n"}}), slave).code() == errc::invalid_argument);
  }
  CHECK(names_in(slave) == std::set<std::string>{"indexes.toml"});
}

TEST_CASE("bundle: a bad lookup table is refused, naming the file and the CSV line") {
  auto err = bundle_error(
      {{"indexes.toml", web_index}, {"lookups/geo.csv", "ip,city\r\n1,a\r\n2,\"open\r\n3,c\r\n"}});
  CHECK(contains(err, "master-apps/lookups/geo.csv: CSV line 3: unterminated quoted field"));
  err = bundle_error({{"lookups/geo.csv", "a,b\n1,2,3\n"}});
  CHECK(contains(err, "master-apps/lookups/geo.csv: CSV line 2"));
  err = bundle_error({{"lookups/empty.csv", ""}});
  CHECK(contains(err, "master-apps/lookups/empty.csv: CSV line 1: no header"));
  err = bundle_error({{"lookups/dup.csv", "a,a\n"}});
  CHECK(contains(err, "master-apps/lookups/dup.csv: CSV line 1"));
  for (std::string name :
       {"lookups/bad name.csv", "lookups/geo.txt", "lookups/sub/geo.csv", "lookups/.geo.csv"}) {
    CAPTURE(name);
    err = bundle_error({{name, "a\n1\n"}});
    CHECK(contains(err, "master-apps/" + name + ": a lookup table's name"));
  }
  // A table of just a header is valid.
  CHECK(settings_of({{"lookups/geo.csv", "ip,city\n"}}).lookups.size() == 1);
}

TEST_CASE("bundle: the size limits of lookup tables and of the bundle") {
  std::string row = "0123456789abcdef,0123456789abcdef\n";
  std::string big = "k,v\n";
  while (big.size() <= max_lookup_bytes) big += row;
  auto err = bundle_error({{"lookups/big.csv", big}});
  CHECK(contains(err, "master-apps/lookups/big.csv: over 16 MB"));

  std::string fits = "k,v\n";
  while (fits.size() + row.size() <= max_lookup_bytes) fits += row;
  std::vector<bundle_file> files;
  for (int i = 0; i < 4; ++i) files.push_back({"lookups/t" + std::to_string(i) + ".csv", fits});
  CHECK(settings_of(files).lookups.size() == 4);  // 64 MB in all: at the limit
  files.push_back({"lookups/one-more.csv", "k\n" + std::string(1000, '1') + "\n"});
  CHECK(contains(bundle_error(files), "the bundle is over 64 MB"));

  // read_bundle refuses them before reading them all.
  testing::temp_dir dir;
  io::fs::create_directories(dir / "apps" / "lookups");
  testing::spit(dir / "apps" / "lookups" / "big.csv", big);
  auto r = read_bundle(dir / "apps");
  REQUIRE(!r.has_value());
  CHECK(contains(r.err().message(), "big.csv: over 16 MB"));
}

TEST_CASE("bundle: a change of lookup tables alone is live") {
  const std::string props = "[sourcetypes.web_access]\nTRUNCATE = 5000\n";
  auto with = [&](std::vector<bundle_file> extra) {
    std::vector<bundle_file> files{{"indexes.toml", web_index}, {"props.toml", props}};
    for (auto& f : extra) files.push_back(f);
    return settings_of(files);
  };
  auto before = with({{"lookups/geo.csv", "k,v\n1,a\n"}});
  CHECK(compare_bundles(before, with({{"lookups/geo.csv", "k,v\n1,a\n"}})) == bundle_change::none);
  CHECK(compare_bundles(before, with({{"lookups/geo.csv", "k,v\n1,b\n"}})) == bundle_change::live);
  CHECK(compare_bundles(before, with({})) == bundle_change::live);
  CHECK(compare_bundles(before, with({{"lookups/geo.csv", "k,v\n1,a\n"},
                                      {"lookups/more.csv", "k\n"}})) == bundle_change::live);
  // With another change that needs one, still a restart.
  CHECK(compare_bundles(before, settings_of({{"indexes.toml", web_index},
                                             {"lookups/geo.csv", "k,v\n1,b\n"}})) ==
        bundle_change::restart);
}

TEST_CASE("bundle: install_bundle_lookups writes ROOT/<checksum>/lookups and keeps one other") {
  testing::temp_dir dir;
  auto root = dir / "cluster-lookups" / "master_8089";
  auto one = make_bundle({{"indexes.toml", web_index}, {"lookups/geo.csv", "k,v\n1,a\n"}});
  auto installed = install_bundle_lookups(one, root, "");
  REQUIRE_MESSAGE(installed.has_value(), installed.err().message());
  CHECK(*installed == root / one.checksum / "lookups");
  CHECK(names_in(root) == std::set<std::string>{one.checksum});
  CHECK(names_in(*installed) == std::set<std::string>{"geo.csv"});  // no TOML
  CHECK(testing::slurp(*installed / "geo.csv") == "k,v\n1,a\n");
  // Again: nothing changes.
  CHECK(*install_bundle_lookups(one, root, one.checksum) == *installed);

  auto two = make_bundle({{"lookups/geo.csv", "k,v\n1,b\n"}});
  auto second = install_bundle_lookups(two, root, one.checksum);
  REQUIRE(second.has_value());
  CHECK(names_in(root) == std::set<std::string>{one.checksum, two.checksum});
  CHECK(testing::slurp(*second / "geo.csv") == "k,v\n1,b\n");
  CHECK(testing::slurp(*installed / "geo.csv") == "k,v\n1,a\n");  // searches in flight
  auto three = make_bundle({{"indexes.toml", web_index}});        // no lookups at all
  REQUIRE(install_bundle_lookups(three, root, two.checksum).has_value());
  CHECK(names_in(root) == std::set<std::string>{two.checksum, three.checksum});

  auto tampered = two;
  tampered.files[0].text = "k,v\n1,c\n";
  auto bad = install_bundle_lookups(tampered, root, "");
  REQUIRE(!bad.has_value());
  CHECK(bad.err().code() == errc::corruption);
  for (std::string sum : {"", "../../etc", "XYZ"}) {
    CAPTURE(sum);
    auto b = two;
    b.checksum = sum;
    CHECK(install_bundle_lookups(b, root, "").err().code() == errc::invalid_argument);
  }
  CHECK(names_in(root) == std::set<std::string>{two.checksum, three.checksum});
}
