// The channel ledger and its file: one line per channel,
// "<watermark> <seq> <seq> … <channel>\n", then "checksum <16 hex digits>\n"
// (XXH3-64 of everything before that line).
#include "core/ingest/channel_ledger.hpp"

#include <charconv>
#include <cstdio>
#include <sstream>

#include "core/util/hash.hpp"

namespace kura {

bool channel_ledger::contains(std::string_view channel, uint64_t seq) const {
  auto it = channels_.find(channel);
  if (it == channels_.end()) return false;
  return seq <= it->second.watermark || it->second.above.count(seq);
}

void channel_ledger::record(std::string_view channel, uint64_t seq) {
  auto it = channels_.find(channel);
  if (it == channels_.end()) it = channels_.emplace(std::string{channel}, channel_state{}).first;
  auto& s = it->second;
  if (seq <= s.watermark) return;
  s.above.insert(seq);
  while (!s.above.empty() && *s.above.begin() == s.watermark + 1) {
    ++s.watermark;
    s.above.erase(s.above.begin());
  }
  while (s.above.size() > max_above) s.above.erase(std::prev(s.above.end()));
}

error channel_ledger::save() const {
  std::string text;
  for (auto& [channel, s] : channels_) {
    text.append(std::to_string(s.watermark));
    for (auto seq : s.above) text.append(" ").append(std::to_string(seq));
    text.append(" ").append(channel).append("\n");
  }
  char sum[40];
  std::snprintf(sum, sizeof sum, "checksum %016llx\n", (unsigned long long)hash::checksum64(text));
  text.append(sum);
  return io::write_file_atomic(file_, text);
}

result<channel_ledger> channel_ledger::open(const io::fs::path& file) {
  channel_ledger ledger;
  ledger.file_ = file;
  auto bytes = io::read_file(file);
  if (!bytes) return bytes.err().code() == errc::not_found ? result<channel_ledger>{std::move(ledger)} : bytes.err();
  auto bad = [&](const std::string& why) { return error{errc::corruption, "channel ledger " + file.string() + ": " + why}; };
  // The file ends with exactly "checksum <16 lowercase hex digits>\n".
  constexpr size_t line_size = 9 + 16 + 1;
  if (bytes->size() < line_size) return bad("no checksum line");
  size_t at = bytes->size() - line_size;
  std::string_view line{bytes->data() + at, line_size};
  if (line.substr(0, 9) != "checksum " || line.back() != '\n' || (at > 0 && (*bytes)[at - 1] != '\n'))
    return bad("no checksum line");
  char expected[20];
  std::snprintf(expected, sizeof expected, "%016llx", (unsigned long long)hash::checksum64({bytes->data(), at}));
  if (line.substr(9, 16) != expected) return bad("checksum mismatch");
  std::string_view body{bytes->data(), at};
  std::istringstream in{std::string{body}};
  for (std::string line; std::getline(in, line);) {
    // Numbers first; the channel is the rest of the line (it may contain spaces).
    size_t pos = 0;
    channel_state s;
    bool first = true;
    while (pos < line.size()) {
      size_t end = line.find(' ', pos);
      if (end == std::string::npos) break;
      uint64_t v;
      auto [p, ec] = std::from_chars(line.data() + pos, line.data() + end, v);
      if (ec != std::errc{} || p != line.data() + end) break;
      if (first) s.watermark = v;
      else s.above.insert(v);
      first = false;
      pos = end + 1;
    }
    if (first || pos >= line.size()) return bad("bad line \"" + line + "\"");
    ledger.channels_.emplace(line.substr(pos), std::move(s));
  }
  return ledger;
}

}  // namespace kura
