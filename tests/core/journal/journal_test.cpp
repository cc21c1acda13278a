// The journal: round trips, the golden format, torn tails and corruption, for
// its three slice codecs (Snappy, zstd in columns, zstd in rows).
#include "core/journal/journal.hpp"

#include <doctest/doctest.h>
#include <snappy.h>
#include <zstd.h>

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
  slice_scratch scratch;
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
std::vector<slice_info> write_journal(const io::fs::path& path, const event_set& set,
                                      journal_options opts = {}) {
  auto w = journal_writer::create(path, opts);
  REQUIRE(w.has_value());
  for (auto& v : set.views()) REQUIRE(!w->append(v));
  REQUIRE(!w->commit());
  return w->slices();
}

/// Recomputes the checksum of the slice at `offset` whose payload is `payload` bytes
/// (so that a test's damage gets past the frame check and reaches the decoder).
void reseal(std::string& bytes, size_t offset, uint32_t payload) {
  std::string_view all{bytes};
  auto sum = hash::checksum64(all.substr(offset, 24), all.substr(offset + 32, payload));
  std::string fixed;
  coding::put_fixed64(fixed, sum);
  bytes.replace(offset + 24, 8, fixed);
}

/// decode_slice on every slice of `scan`; the first error, or none.
error decode_all(const std::string& bytes, journal_scan& scan) {
  slice_scratch scratch;
  for (auto& s : scan.slices)
    if (auto err = decode_slice(bytes, s, scratch, [](uint64_t, const event_view&) {})) return err;
  return {};
}

/// A way a journal's slices are written. Slices of 64 KiB here, so that a few thousand
/// events fill several (the default sizes have a test of their own).
struct layout {
  const char* name;
  journal_options opts;
  char byte;        // the file header's codec byte
  char slice_byte;  // the codec byte of slices of lines of one shape
};
const layout layouts[] = {
    {"snappy", {journal_compression::snappy, 0, 64 * 1024}, 'C', 'C'},
    {"zstd columns", {journal_compression::zstd, 0, 64 * 1024}, 'K', 'K'},
    // What zstd journals held before the column layout: still read and continued.
    {"zstd rows", {journal_compression::zstd, 0, 64 * 1024, true}, 'Z', 'Z'},
};
const layout& zstd_columns = layouts[1];

}  // namespace

TEST_CASE("journal: events round-trip through slices with every codec") {
  for (auto& l : layouts) {
    CAPTURE(std::string{l.name});
    temp_dir dir;
    auto set = make_events(5000, 1'700'000'000'000'000);
    CHECK(write_journal(dir / "journal", set, l.opts).size() > 1);
    journal_scan scan;
    auto back = read_all(slurp(dir / "journal"), &scan);
    CHECK(scan.compression == l.opts.compression);
    CHECK(scan.codec == l.byte);
    REQUIRE(back.size() == set.events.size());
    for (size_t i = 0; i < back.size(); ++i) CHECK(back[i] == set.events[i]);
  }
}

TEST_CASE(
    "journal: zstd columns are the default, sealed at 1 MiB of records (rows 256 KiB, Snappy 64 "
    "KiB)") {
  auto set = make_events(25000, 1'700'000'000'000'000);
  const journal_options rows{journal_compression::zstd, 0, 0, true};
  // In the row layout raw_size is the record bytes: each slice but the last was sealed
  // by the event that crossed the target.
  for (auto [opts, target] :
       {std::pair{rows, size_t(256 * 1024)},
        std::pair{journal_options{journal_compression::snappy}, size_t(64 * 1024)},
        std::pair{journal_options{journal_compression::zstd, 0, 1024 * 1024, true},
                  size_t(1024 * 1024)}}) {
    temp_dir dir;
    auto slices = write_journal(dir / "journal", set, opts);
    REQUIRE(slices.size() >= 2);
    for (size_t i = 0; i + 1 < slices.size(); ++i) {
      CHECK(slices[i].raw_size >= target);
      CHECK(slices[i].raw_size < target + 4096);
    }
  }
  // The default (columns) cuts where rows with a 1 MiB target do: the same events per slice.
  temp_dir a, b;
  auto columns = write_journal(a / "journal", set);
  auto same_cut =
      write_journal(b / "journal", set, {journal_compression::zstd, 0, 1024 * 1024, true});
  REQUIRE(columns.size() >= 2);
  REQUIRE(columns.size() == same_cut.size());
  for (size_t i = 0; i < columns.size(); ++i) CHECK(columns[i].events == same_cut[i].events);
  CHECK(slurp(a / "journal")[16 + 3] == 'K');
  CHECK(default_journal_compression == journal_compression::zstd);
}

TEST_CASE("journal: the on-disk format matches the golden bytes") {
  temp_dir dir;
  auto w = journal_writer::create(dir / "journal", {journal_compression::snappy});
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
  for (auto& l : layouts) {
    CAPTURE(std::string{l.name});
    temp_dir dir;
    auto set = make_events(3000, 1'700'000'000'000'000);
    auto slices = write_journal(dir / "journal", set, l.opts);
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
}

TEST_CASE("journal: a zstd journal is version 2, its header's codec byte K (or Z before columns)") {
  // Today's default (K), and a journal in rows only as written before the column layout
  // (Z). The one event takes 112 bytes in columns (columns_test pins them) and 14 in rows,
  // so both hold the same row slice.
  for (auto [opts, codec] :
       {std::pair{journal_options{journal_compression::zstd}, 'K'},
        std::pair{journal_options{journal_compression::zstd, 0, 0, true}, 'Z'}}) {
    CAPTURE(codec);
    temp_dir dir;
    auto w = journal_writer::create(dir / "journal", opts);
    REQUIRE(w.has_value());
    REQUIRE(!w->append({1'000'000, "h", "s", "st", "hi", {}}));
    REQUIRE(!w->commit());
    auto bytes = slurp(dir / "journal");
    CHECK(bytes.substr(0, 16) ==
          std::string("KURAJRNL\x02\x00\x00\x00", 12) + codec + std::string(3, '\0'));
    CHECK(bytes.substr(16, 4) == "KSLZ");
    uint32_t payload = coding::get_fixed32(bytes.data() + 20);
    CHECK(bytes.size() == 16 + 32 + payload);
    CHECK(coding::get_fixed32(bytes.data() + 24) == 14);
    std::string record(14, '\0');
    // The payload is one zstd frame (libzstd decodes it on its own).
    CHECK(ZSTD_decompress(record.data(), record.size(), bytes.data() + 48, payload) == 14);
    CHECK(record == std::string("\x07\x80\x89\x7a\x01h\x01s\x02st\x02hi", 14));
    CHECK(coding::get_fixed64(bytes.data() + 40) ==
          hash::checksum64(std::string_view{bytes}.substr(16, 24),
                           std::string_view{bytes}.substr(48)));
  }
}

TEST_CASE("journal: lines of one shape are written in columns (K), each slice decided apart") {
  temp_dir dir;
  auto set = make_events(20000, 1'700'000'000'000'000);
  auto slices = write_journal(dir / "journal", set, zstd_columns.opts);
  auto bytes = slurp(dir / "journal");
  REQUIRE(slices.size() > 3);
  for (auto& s : slices) CHECK(bytes[s.offset + 3] == 'K');
  // A slice too short to gain from columns, then ones that gain: one journal, both layouts.
  temp_dir mixed;
  auto w = journal_writer::create(mixed / "journal", zstd_columns.opts);
  REQUIRE(w.has_value());
  REQUIRE(!w->append({1'000'000, "h", "s", "st", "hi", {}}));
  REQUIRE(!w->commit());
  for (auto& v : set.views()) REQUIRE(!w->append(v));
  REQUIRE(!w->commit());
  bytes = slurp(mixed / "journal");
  CHECK(bytes[w->slices()[0].offset + 3] == 'Z');
  CHECK(bytes[w->slices()[1].offset + 3] == 'K');
  auto back = read_all(bytes);
  REQUIRE(back.size() == set.events.size() + 1);
  CHECK(back[0].raw == "hi");
  for (size_t i = 0; i < set.events.size(); ++i) CHECK(back[i + 1] == set.events[i]);
}

TEST_CASE(
    "journal: a torn or flipped zstd journal keeps every complete slice, never decodes junk") {
  temp_dir dir;
  auto set = make_events(3000, 1'700'000'000'000'000);
  auto slices = write_journal(dir / "journal", set, zstd_columns.opts);
  REQUIRE(slices.size() >= 2);
  auto full = slurp(dir / "journal");
  for (size_t cut = 16; cut < full.size(); cut += 1499) {
    auto torn = full.substr(0, cut);
    auto scan = scan_journal(torn);
    REQUIRE(scan.has_value());
    uint64_t events = 0;
    for (auto& s : slices)
      if (s.offset + s.size <= cut) events += s.events;
    CHECK(scan->events == events);
    CHECK(read_all(torn).size() == events);
  }
  for (size_t at = 16; at < full.size(); at += 1013) {
    auto bad = full;
    bad[at] = char(bad[at] ^ 0x5a);
    auto scan = scan_journal(bad);
    REQUIRE(scan.has_value());
    CHECK(!scan->clean());
    for (auto& s : scan->slices) CHECK(s.offset + s.size <= at);
  }
}

TEST_CASE("journal: a damaged zstd payload behind a valid checksum is corruption, not a crash") {
  temp_dir dir;
  auto set = make_events(1500, 1'700'000'000'000'000);
  auto slices = write_journal(dir / "journal", set, zstd_columns.opts);
  auto full = slurp(dir / "journal");
  auto& s0 = slices[0];
  uint32_t payload = s0.size - 32;
  size_t errors = 0, tries = 0;
  for (uint32_t at = 0; at < payload; at += 7) {
    auto bad = full;
    bad[s0.offset + 32 + at] = char(bad[s0.offset + 32 + at] ^ 0x41);
    reseal(bad, s0.offset, payload);
    auto scan = scan_journal(bad);
    REQUIRE(scan.has_value());
    REQUIRE(scan->clean());  // the frame is fine: only the decoder can tell
    ++tries;
    slice_scratch scratch;
    uint32_t seen = 0;
    auto err =
        decode_slice(bad, scan->slices[0], scratch, [&](uint64_t, const event_view&) { ++seen; });
    if (err) {
      CHECK(err.code() == errc::corruption);
      CHECK(err.message().find("offset 16") != std::string::npos);
      ++errors;
    }
  }
  // Some damage breaks the frame's or the columns' structure; a flipped literal decodes to
  // other bytes (the more so in a block of one stream, or one stored raw). The slice
  // checksum, not the decoder, is what finds damage from disk.
  CHECK(errors * 10 > tries);

  // A truncated frame (payload_size and checksum made to match the shorter payload).
  for (uint32_t keep : {0u, 1u, 5u, payload / 2, payload - 1}) {
    CAPTURE(keep);
    std::string cut = full.substr(0, s0.offset + 32 + keep);
    std::string size;
    coding::put_fixed32(size, keep);
    cut.replace(s0.offset + 4, 4, size);
    reseal(cut, s0.offset, keep);
    auto scan = scan_journal(cut);
    REQUIRE(scan.has_value());
    REQUIRE(scan->slices.size() == 1);
    auto err = decode_all(cut, *scan);
    CHECK(err.code() == errc::corruption);
  }
}

TEST_CASE("journal: a wrong codec byte stops the scan or fails the decode, never crashes") {
  temp_dir dir;
  auto set = make_events(3000, 1'700'000'000'000'000);
  auto zs = write_journal(dir / "z", set, zstd_columns.opts);
  auto ss = write_journal(dir / "s", set, layouts[0].opts);
  auto rs = write_journal(dir / "r", set, layouts[2].opts);
  REQUIRE(zs.size() >= 2);
  auto zfull = slurp(dir / "z"), sfull = slurp(dir / "s"), rfull = slurp(dir / "r");

  // An unknown codec byte behind a valid checksum: the scan stops at that slice.
  auto unknown = zfull;
  unknown[zs[1].offset + 3] = 'X';
  reseal(unknown, zs[1].offset, zs[1].size - 32);
  auto scan = scan_journal(unknown);
  REQUIRE(scan.has_value());
  CHECK(scan->slices.size() == 1);
  CHECK(scan->problem.find("codec byte 88 unknown") != std::string::npos);

  // Z in a version 1 (Snappy) journal: refused too.
  auto z_in_v1 = sfull;
  z_in_v1[ss[0].offset + 3] = 'Z';
  reseal(z_in_v1, ss[0].offset, ss[0].size - 32);
  scan = scan_journal(z_in_v1);
  REQUIRE(scan.has_value());
  CHECK(scan->slices.empty());
  CHECK(scan->problem.find("version 1 journal") != std::string::npos);

  // A payload labelled with another codec passes the frame check; the decoder refuses it.
  auto relabelled = [](std::string bytes, const slice_info& s, char codec) {
    bytes[s.offset + 3] = codec;
    reseal(bytes, s.offset, s.size - 32);
    auto scan = scan_journal(bytes);
    REQUIRE(scan.has_value());
    return decode_all(bytes, *scan).code();
  };
  // zstd columns as Snappy; Snappy as zstd rows (in a version 2 file); columns as rows and
  // rows as columns.
  CHECK(relabelled(zfull, zs[0], 'C') == errc::corruption);
  auto v2 = sfull;
  v2.replace(8, 8, std::string("\x02\x00\x00\x00Z\x00\x00\x00", 8));
  CHECK(relabelled(v2, ss[0], 'Z') == errc::corruption);
  CHECK(relabelled(zfull, zs[0], 'Z') == errc::corruption);
  CHECK(relabelled(rfull, rs[0], 'T') == errc::corruption);
  CHECK(relabelled(rfull, rs[0], 'K') == errc::corruption);
  CHECK(relabelled(zfull, zs[0], 'T') == errc::corruption);

  // A version 2 header with an unknown codec byte or non-zero padding: the file is refused.
  for (auto header : {std::string("\x02\x00\x00\x00Q\x00\x00\x00", 8),
                      std::string("\x02\x00\x00\x00Z\x00\x01\x00", 8)}) {
    auto bad = zfull;
    bad.replace(8, 8, header);
    auto r = scan_journal(bad);
    REQUIRE(!r.has_value());
    CHECK(r.err().code() == errc::corruption);
  }
}

TEST_CASE("journal: a reopened journal keeps its own codec whatever the default says") {
  for (auto& l : layouts) {
    CAPTURE(std::string{l.name});
    temp_dir dir;
    auto set = make_events(3000, 1'700'000'000'000'000);
    auto views = set.views();
    {
      auto w = journal_writer::create(dir / "journal", l.opts);
      REQUIRE(w.has_value());
      for (size_t i = 0; i < 1000; ++i) REQUIRE(!w->append(views[i]));
      REQUIRE(!w->commit());
    }
    auto scan = scan_journal(slurp(dir / "journal"));
    REQUIRE(scan.has_value());
    CHECK(scan->compression == l.opts.compression);
    auto w = journal_writer::reopen(dir / "journal", *scan);
    REQUIRE(w.has_value());
    CHECK(w->compression() == l.opts.compression);
    for (size_t i = 1000; i < 3000; ++i) REQUIRE(!w->append(views[i]));
    REQUIRE(!w->commit());
    auto bytes = slurp(dir / "journal");
    for (auto& s : w->slices()) CHECK(bytes[s.offset + 3] == l.slice_byte);
    auto back = read_all(bytes);
    REQUIRE(back.size() == 3000);
    CHECK(back[2500] == set.events[2500]);
  }
}

TEST_CASE("journal: a journal of T slices, written before column kinds, still reads back") {
  // data/journal_T: make_events(3000, 1'700'000'000'000'000) written on 2026-12-01 by the
  // writer of the first column layout, in 64 KiB slices.
  auto bytes = slurp(io::fs::path{KURA_TESTS_DIR} / "core/journal/data/journal_T");
  REQUIRE(!bytes.empty());
  journal_scan scan;
  auto back = read_all(bytes, &scan);
  CHECK(scan.codec == 'T');
  REQUIRE(scan.slices.size() == 5);
  for (auto& s : scan.slices) CHECK(bytes[s.offset + 3] == 'T');
  auto set = make_events(3000, 1'700'000'000'000'000);
  REQUIRE(back.size() == set.events.size());
  for (size_t i = 0; i < back.size(); ++i) CHECK(back[i] == set.events[i]);
  // Reopened, it is continued with Z slices: a reader that knows T journals reads them
  // (one that does not know K would cut the journal at a K slice).
  temp_dir dir;
  spit(dir / "journal", bytes);
  auto w = journal_writer::reopen(dir / "journal", scan);
  REQUIRE(w.has_value());
  auto more = make_events(2000, 1'800'000'000'000'000, 1'000'000, 2);
  for (auto& v : more.views()) REQUIRE(!w->append(v));
  REQUIRE(!w->commit());
  auto grown = slurp(dir / "journal");
  CHECK(w->slices().size() > 5);
  for (size_t i = 5; i < w->slices().size(); ++i) CHECK(grown[w->slices()[i].offset + 3] == 'Z');
  auto all = read_all(grown);
  REQUIRE(all.size() == 5000);
  CHECK(all[2999] == set.events[2999]);
  CHECK(all[4999] == more.events[1999]);
}
