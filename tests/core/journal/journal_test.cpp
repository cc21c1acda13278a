// The journal: round trips, the golden format, torn tails and corruption.
#include "core/journal/journal.hpp"

#include <doctest/doctest.h>
#include <snappy.h>

#include "core/journal/journal_format.hpp"
#include "core/testing.hpp"
#include "core/util/coding.hpp"
#include "core/util/hash.hpp"

using namespace kura;
using namespace kura::testing;

namespace {

std::vector<event> read_all(const std::string& bytes, journal_scan* scan_out = nullptr) {
  auto scan = scan_journal(bytes);
  REQUIRE(scan.has_value());
  std::vector<event> out;
  std::string scratch;
  for (auto& s : scan->slices) {
    auto err = decode_slice(bytes, s, scratch, [&](uint64_t, const event_view& v) {
      event e{v.time,
              std::string{v.host},
              std::string{v.source},
              std::string{v.sourcetype},
              {},
              std::string{v.raw},
              {}};
      for (auto& f : v.fields) e.fields.emplace_back(f.key, f.value);
      out.push_back(std::move(e));
    });
    REQUIRE_MESSAGE(!err, err.render());
  }
  if (scan_out) *scan_out = *scan;
  return out;
}

/// Writes `set` to a new journal at `path`, committed; returns the writer's slices.
std::vector<slice_info> write_journal(const io::fs::path& path, const event_set& set) {
  auto w = journal_writer::create(path);
  REQUIRE(w.has_value());
  for (auto& v : set.views()) REQUIRE(!w->append(v));
  REQUIRE(!w->commit());
  return w->slices();
}

}  // namespace

TEST_CASE("journal: events round-trip through slices") {
  temp_dir dir;
  auto set = make_events(5000, 1'700'000'000'000'000);
  CHECK(write_journal(dir / "journal", set).size() > 1);
  auto back = read_all(slurp(dir / "journal"));
  REQUIRE(back.size() == set.events.size());
  for (size_t i = 0; i < back.size(); ++i) CHECK(back[i] == set.events[i]);
}

TEST_CASE("journal: the on-disk format matches the golden bytes") {
  temp_dir dir;
  auto w = journal_writer::create(dir / "journal");
  REQUIRE(w.has_value());
  REQUIRE(!w->append({1'000'000, "h", "s", "st", "hi", {}}));
  REQUIRE(!w->commit());
  auto bytes = slurp(dir / "journal");
  // File header: magic, version 1, reserved 0.
  CHECK(bytes.substr(0, 16) == std::string("KURAJRNL\x01\x00\x00\x00\x00\x00\x00\x00", 16));
  // Slice header: magic, payload size, raw size, 1 event, first ordinal 0.
  CHECK(bytes.substr(16, 4) == "KSLC");
  uint32_t raw_size = coding::get_fixed32(bytes.data() + 24);
  // Record: flags 7, zigzag(1000000) varint, "h", "s", "st", "hi".
  CHECK(raw_size == 1 + 3 + 2 + 2 + 3 + 3);
  CHECK(coding::get_fixed32(bytes.data() + 28) == 1);
  CHECK(coding::get_fixed64(bytes.data() + 32) == 0);
  CHECK(bytes.size() == 16 + 32 + coding::get_fixed32(bytes.data() + 20));
  std::string record;
  REQUIRE(snappy::Uncompress(bytes.data() + 48, bytes.size() - 48, &record));
  CHECK(record == std::string("\x07\x80\x89\x7a\x01h\x01s\x02st\x02hi", 14));
  CHECK(
      coding::get_fixed64(bytes.data() + 40) ==
      hash::checksum64(std::string_view{bytes}.substr(16, 24), std::string_view{bytes}.substr(48)));
}

TEST_CASE("journal: a torn tail at any offset keeps every complete slice and reports the cut") {
  temp_dir dir;
  auto set = make_events(3000, 1'700'000'000'000'000);
  auto slices = write_journal(dir / "journal", set);
  auto full = slurp(dir / "journal");
  for (size_t cut = 16; cut < full.size(); cut += 997) {
    auto torn = full.substr(0, cut);
    auto scan = scan_journal(torn);
    REQUIRE(scan.has_value());
    size_t complete = 0;
    uint64_t events = 0;
    for (auto& s : slices)
      if (s.offset + s.size <= cut) {
        ++complete;
        events += s.events;
      }
    CHECK(scan->slices.size() == complete);
    CHECK(scan->events == events);
    bool at_boundary = cut == 16;
    for (auto& s : slices) at_boundary |= s.offset + s.size == cut;
    CHECK(scan->clean() == at_boundary);
    CHECK(read_all(torn).size() == events);
  }
}

TEST_CASE("journal: a flipped byte anywhere is detected, never decoded as data") {
  temp_dir dir;
  auto set = make_events(1500, 1'700'000'000'000'000);
  write_journal(dir / "journal", set);
  auto full = slurp(dir / "journal");
  for (size_t at = 0; at < full.size(); at += 331) {
    auto bad = full;
    bad[at] = char(bad[at] ^ 0x5a);
    auto scan = scan_journal(bad);
    if (at < 16) {
      // Magic or version damaged: the header is rejected (reserved bytes are not checked).
      if (at < 12) CHECK(!scan.has_value());
      continue;
    }
    REQUIRE(scan.has_value());
    CHECK(!scan->clean());
    CHECK(scan->problem.find("offset") != std::string::npos);
    for (auto& s : scan->slices) CHECK(s.offset + s.size <= at);
  }
}

TEST_CASE("journal: junk and empty files are rejected with corruption") {
  CHECK(scan_journal("").err().code() == errc::corruption);
  CHECK(scan_journal(std::string(100, 'x')).err().code() == errc::corruption);
  std::string header = "KURAJRNL" + std::string("\x09\x00\x00\x00\x00\x00\x00\x00", 8);
  CHECK(scan_journal(header).err().message().find("version") != std::string::npos);
}

TEST_CASE("journal: reopening a clean journal appends after it with continuing ordinals") {
  temp_dir dir;
  auto set = make_events(200, 1'700'000'000'000'000);
  auto views = set.views();
  {
    auto w = journal_writer::create(dir / "journal");
    REQUIRE(w.has_value());
    for (size_t i = 0; i < 100; ++i) REQUIRE(!w->append(views[i]));
    REQUIRE(!w->commit());
  }
  auto scan = scan_journal(slurp(dir / "journal"));
  REQUIRE(scan.has_value());
  auto w = journal_writer::reopen(dir / "journal", *scan);
  REQUIRE(w.has_value());
  for (size_t i = 100; i < 200; ++i) REQUIRE(!w->append(views[i]));
  REQUIRE(!w->commit());
  auto back = read_all(slurp(dir / "journal"));
  REQUIRE(back.size() == 200);
  CHECK(back[150] == set.events[150]);
}

TEST_CASE("journal: a failed write is reported, not swallowed") {
  temp_dir dir;
  auto w = journal_writer::create(dir / "journal");
  REQUIRE(w.has_value());
  REQUIRE(!w->append({1, "h", "s", "st", "x", {}}));
  io::arm_failure("fsync");
  auto err = w->commit();
  CHECK(err.code() == errc::io_error);
  io::disarm_all_failures();
}

TEST_CASE(
    "journal: a replicated part is accepted only as whole, checked slices that continue the copy") {
  temp_dir dir;
  auto set = make_events(3000, 1'700'000'000'000'000);
  auto slices = write_journal(dir / "journal", set);
  REQUIRE(slices.size() >= 3);
  auto full = slurp(dir / "journal");
  std::string_view all{full};
  // Header plus the first slice, then the rest: each part counts its events.
  uint64_t first_end = slices[0].offset + slices[0].size;
  auto head = check_journal_part(all.substr(0, first_end), 0, 0);
  REQUIRE(head.has_value());
  CHECK(*head == slices[0].events);
  auto rest = check_journal_part(all.substr(first_end), first_end, slices[0].events);
  REQUIRE(rest.has_value());
  CHECK(*head + *rest == set.events.size());
  // An empty part (a commit that added nothing) is fine.
  CHECK(check_journal_part(all.substr(first_end, 0), first_end, slices[0].events).has_value());

  // A part that continues with the wrong ordinal (a gap or a replay) is refused.
  auto gap = check_journal_part(all.substr(first_end), first_end, slices[0].events + 1);
  REQUIRE(!gap.has_value());
  CHECK(gap.err().code() == errc::corruption);
  CHECK(gap.err().message().find("out of sequence") != std::string::npos);
  // A part cut inside a slice (torn) is refused, naming the offset.
  auto torn =
      check_journal_part(all.substr(first_end, slices[1].size - 1), first_end, slices[0].events);
  REQUIRE(!torn.has_value());
  CHECK(torn.err().message().find("journal part at offset " + std::to_string(first_end)) !=
        std::string::npos);
  // A flipped byte anywhere in a slice fails its checksum (or its framing).
  for (uint64_t at = 0; at < slices[1].size; at += 97) {
    std::string bad{all.substr(first_end, slices[1].size)};
    bad[at] = char(bad[at] ^ 0x20);
    CHECK_MESSAGE(!check_journal_part(bad, first_end, slices[0].events).has_value(), "flip at ",
                  at);
  }
  // Not a journal at offset 0; inside the file header elsewhere.
  CHECK(!check_journal_part("not a journal at all", 0, 0).has_value());
  CHECK(!check_journal_part(all.substr(8, 8), 8, 0).has_value());
}
