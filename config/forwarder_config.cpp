// The forwarder's TOML file.
#include "config/forwarder_config.hpp"

#include <unistd.h>

#include <cstdlib>
#include <set>

#include "config/toml_support.hpp"

namespace kura::config {

using detail::expected;
using detail::reader;

result<uint64_t> parse_size(std::string_view text) {
  size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  if (digits == 0 || digits > 12)
    return error{errc::invalid_argument, "a size like 7MB, 512KB, 1GB or bytes"};
  uint64_t n = std::stoull(std::string{text.substr(0, digits)});
  auto unit = text.substr(digits);
  if (unit.empty() || unit == "B") return n;
  if (unit == "KB") return n * 1024;
  if (unit == "MB") return n * 1024 * 1024;
  if (unit == "GB") return n * 1024 * 1024 * 1024;
  return error{errc::invalid_argument, "a size like 7MB, 512KB, 1GB or bytes"};
}

namespace {

std::string host_name() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0 || !buf[0]) return "localhost";
  return buf;
}

/// index, sourcetype, host, source (and path for monitors).
error input_key(const reader& rd, const toml::node& v, const std::string& key, input_settings& in,
                bool monitor) {
  if (key == "index") return rd.string(v, key, in.index);
  if (key == "sourcetype") return rd.string(v, key, in.sourcetype);
  if (key == "host") return rd.string(v, key, in.host);
  if (key == "source") return rd.string(v, key, in.source);
  if (monitor && key == "path") return rd.string(v, key, in.path);
  return expected(v, rd.file, rd.section, key,
                  monitor ? "one of path, index, sourcetype, host, source"
                          : "one of index, sourcetype, host, source");
}

}  // namespace

result<forwarder_config> parse_forwarder_config(std::string_view text, const std::string& file,
                                                const std::string& kura_home_env) {
  auto parsed = detail::parse_document(text, file);
  if (!parsed) return parsed.err();
  const toml::table& doc = *parsed;
  forwarder_config cfg;
  cfg.file = file;
  static const std::set<std::string, std::less<>> sections{"forwarder", "tcpout", "monitor",
                                                           "stdin"};
  for (auto& [k, v] : doc)
    if (!sections.count(k.str()) || !v.is_table())
      return expected(v, file, std::string{k.str()}, k.str(),
                      "a section: [forwarder], [tcpout], [monitor.NAME] or [stdin]");

  std::string home;
  auto err =
      detail::each_key(doc, file, "forwarder",
                       [&](const std::string& key, const toml::node& v, const reader& rd) -> error {
                         if (key == "name") return rd.string(v, key, cfg.name);
                         if (key == "home") return rd.string(v, key, home);
                         return expected(v, file, "forwarder", key, "one of name, home");
                       });
  if (err) return err;
  if (cfg.name.empty()) cfg.name = host_name();
  if (home.empty()) home = kura_home_env;
  if (home.empty())
    return error{
        errc::invalid_argument,
        file + ": [forwarder] home: expected a directory (or the KURA_HOME environment variable)"};
  cfg.home = home;

  const toml::node* tcpout = doc.get("tcpout");
  if (!tcpout)
    return error{errc::invalid_argument,
                 file + ": [tcpout]: expected a section with server = [\"host:port\", …]"};
  err = detail::each_key(
      doc, file, "tcpout",
      [&](const std::string& key, const toml::node& v, const reader& rd) -> error {
        if (key == "server") {
          if (auto e = rd.strings(v, key, cfg.servers)) return e;
          for (auto& s : cfg.servers) {
            auto colon = s.rfind(':');
            int port = colon == std::string::npos ? 0 : std::atoi(s.c_str() + colon + 1);
            if (colon == 0 || colon == std::string::npos || port <= 0 || port > 65535)
              return expected(v, file, "tcpout", key,
                              "\"host:port\" entries (\"" + s + "\" is not)");
          }
          return {};
        }
        auto seconds = [&](std::chrono::seconds& out, int64_t max) -> error {
          int64_t s = 0;
          if (auto e = rd.integer(v, key, s, 1, max)) return e;
          out = std::chrono::seconds{s};
          return {};
        };
        if (key == "autoLBFrequency") return seconds(cfg.auto_lb_frequency, 86400);
        if (key == "useACK") return rd.boolean(v, key, cfg.use_ack);
        if (key == "maxQueueSize") {
          std::string size;
          if (auto e = rd.string(v, key, size)) return e;
          auto bytes = parse_size(size);
          if (!bytes || *bytes < 64 * 1024)
            return expected(v, file, "tcpout", key, "a size of at least 64KB, like 7MB");
          cfg.max_queue_bytes = *bytes;
          return {};
        }
        if (key == "ackTimeout") return seconds(cfg.ack_timeout, 3600);
        return expected(v, file, "tcpout", key,
                        "one of server, autoLBFrequency, useACK, maxQueueSize, ackTimeout");
      });
  if (err) return err;
  if (cfg.servers.empty())
    return expected(*tcpout, file, "tcpout", "server", "at least one \"host:port\"");

  err = detail::each_table(
      doc, file, "monitor",
      [&](const std::string& name, const toml::table& t, const reader& rd) -> error {
        input_settings in;
        in.name = name;
        for (auto& [k, v] : t)
          if (auto e = input_key(rd, v, std::string{k.str()}, in, true)) return e;
        if (in.path.empty()) return expected(t, file, rd.section, "path", "a file path or glob");
        cfg.monitors.push_back(std::move(in));
        return {};
      });
  if (err) return err;
  if (auto* s = doc.get("stdin")) {
    input_settings in;
    in.name = "stdin";
    in.source = "stdin";
    reader rd{file, "stdin"};
    for (auto& [k, v] : *s->as_table())
      if (auto e = input_key(rd, v, std::string{k.str()}, in, false)) return e;
    cfg.stdin_input = std::move(in);
  }
  if (cfg.monitors.empty() && !cfg.stdin_input)
    return error{errc::invalid_argument,
                 file + ": no inputs: expected [monitor.NAME] sections or [stdin]"};
  for (auto& m : cfg.monitors)
    if (m.host.empty()) m.host = cfg.name;
  if (cfg.stdin_input && cfg.stdin_input->host.empty()) cfg.stdin_input->host = cfg.name;
  return cfg;
}

result<forwarder_config> load_forwarder_config(const io::fs::path& file) {
  return detail::load_file(file, parse_forwarder_config);
}

}  // namespace kura::config
