// The channel ledger and its file: one line per channel,
// "<watermark> <seq> <seq> … <channel>\n", then "checksum <16 hex digits>\n"
// (XXH3-64 of everything before that line).
#include "core/ingest/channel_ledger.hpp"

#include "core/io/checksummed_text.hpp"

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
  return io::write_checksummed_text(file_, text);
}

result<channel_ledger> channel_ledger::open(const io::fs::path& file) {
  channel_ledger ledger;
  ledger.file_ = file;
  auto text = io::read_checksummed_text(file);
  if (!text) return error{errc::corruption, "channel ledger " + text.err().message()};
  if (!*text) return ledger;
  auto bad = [&](const std::string& why) { return error{errc::corruption, "channel ledger " + file.string() + ": " + why}; };
  const std::string& body = **text;
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
