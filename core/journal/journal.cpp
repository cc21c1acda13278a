// Journal writer, scanner and slice decoder. See FORMAT.md.
#include "core/journal/journal.hpp"

#include <snappy.h>

#include <algorithm>
#include <optional>

#include "core/journal/columns.hpp"
#include "core/journal/journal_format.hpp"
#include "core/util/coding.hpp"
#include "core/util/hash.hpp"
#include "core/util/zstd_frame.hpp"

namespace kura {

namespace jf = journal_format;

namespace {

/// The codec byte of a new journal's slices.
char codec_byte(const journal_options& opts) {
  if (opts.compression == journal_compression::snappy) return jf::codec_snappy;
  return opts.zstd_rows ? jf::codec_zstd : jf::codec_zstd_column_kinds;
}

size_t slice_target(char codec) {
  switch (codec) {
    case jf::codec_snappy:
      return jf::slice_target_snappy;
    case jf::codec_zstd_column_kinds:
      return jf::slice_target_columns;
    default:
      return jf::slice_target_zstd;
  }
}

/// Snappy journals keep version 1 (readable by older peers); others are version 2.
std::string file_header(char codec) {
  std::string h{jf::file_magic};
  if (codec == jf::codec_snappy) {
    coding::put_fixed32(h, jf::version_snappy);
    coding::put_fixed32(h, 0);
  } else {
    coding::put_fixed32(h, jf::version_codec);
    h.push_back(codec);
    h.append(3, '\0');
  }
  return h;
}

bool is_zstd(char codec) {
  return codec == jf::codec_zstd || codec == jf::codec_zstd_columns ||
         codec == jf::codec_zstd_column_kinds;
}

error corrupt(uint64_t offset, std::string what) {
  return {errc::corruption,
          "journal slice at offset " + std::to_string(offset) + ": " + std::move(what)};
}

}  // namespace

std::string_view to_string(journal_compression c) {
  return c == journal_compression::zstd ? "zstd" : "snappy";
}

// -- writer ---------------------------------------------------------------------

result<journal_writer> journal_writer::create(const io::fs::path& path, journal_options opts) {
  std::error_code ec;
  if (io::fs::exists(path, ec))
    return error{errc::already_exists, "journal " + path.string() + " exists"};
  auto file = io::append_file::open(path);
  if (!file) return file.err();
  journal_writer w;
  w.opts_ = opts;
  w.codec_ = codec_byte(opts);
  w.slice_target_ = opts.slice_target ? opts.slice_target : slice_target(w.codec_);
  w.file_ = std::move(*file);
  if (auto err = w.file_.append(file_header(w.codec_))) return err;
  if (auto err = w.file_.sync()) return err;
  if (auto err = io::sync_dir(path.parent_path())) return err;
  w.synced_size_ = w.file_.size();
  return w;
}

result<journal_writer> journal_writer::reopen(const io::fs::path& path, const journal_scan& scan) {
  if (!scan.clean())
    return error{errc::bad_state,
                 "journal " + path.string() + " must be repaired before appending"};
  auto file = io::append_file::open(path);
  if (!file) return file.err();
  journal_writer w;
  w.opts_.compression = scan.compression;
  // A `T` journal goes on in rows: its header promises readers slices they know.
  w.codec_ = scan.codec == jf::codec_zstd_columns ? jf::codec_zstd : scan.codec;
  w.slice_target_ = slice_target(w.codec_);
  w.file_ = std::move(*file);
  w.slices_ = scan.slices;
  w.next_ordinal_ = scan.events;
  w.synced_size_ = w.file_.size();
  return w;
}

error journal_writer::append(const event_view& ev) {
  uint8_t flags = 0;
  bool first = slice_events_ == 0;
  if (first || ev.host != last_host_) flags |= jf::flag_host;
  if (first || ev.source != last_source_) flags |= jf::flag_source;
  if (first || ev.sourcetype != last_sourcetype_) flags |= jf::flag_sourcetype;
  if (!ev.fields.empty()) flags |= jf::flag_fields;
  buffer_.push_back(char(flags));
  coding::put_varint(buffer_, coding::zigzag(ev.time - (first ? 0 : prev_time_)));
  if (flags & jf::flag_host) {
    coding::put_string(buffer_, ev.host);
    last_host_.assign(ev.host);
  }
  if (flags & jf::flag_source) {
    coding::put_string(buffer_, ev.source);
    last_source_.assign(ev.source);
  }
  if (flags & jf::flag_sourcetype) {
    coding::put_string(buffer_, ev.sourcetype);
    last_sourcetype_.assign(ev.sourcetype);
  }
  coding::put_string(buffer_, ev.raw);
  if (flags & jf::flag_fields) {
    coding::put_varint(buffer_, ev.fields.size());
    for (auto& f : ev.fields) {
      coding::put_string(buffer_, f.key);
      coding::put_string(buffer_, f.value);
    }
  }
  slice_min_ = first ? ev.time : std::min(slice_min_, ev.time);
  slice_max_ = first ? ev.time : std::max(slice_max_, ev.time);
  prev_time_ = ev.time;
  ++slice_events_;
  if (sample_events_ == 0 && buffer_.size() >= jf::layout_sample_bytes) {
    sample_events_ = slice_events_;
    sample_bytes_ = buffer_.size();
  }
  ++next_ordinal_;
  dirty_ = true;
  if (buffer_.size() >= slice_target_) return seal_slice();
  return {};
}

result<size_t> journal_writer::compress(std::string_view payload,
                                        const std::vector<size_t>& streams,
                                        std::string& compressed) {
  size_t clen = 0;
  if (codec_ == jf::codec_snappy) {
    compressed.resize(jf::slice_header_size + snappy::MaxCompressedLength(payload.size()));
    snappy::RawCompress(payload.data(), payload.size(), compressed.data() + jf::slice_header_size,
                        &clen);
    return clen;
  }
  compressed.resize(jf::slice_header_size);
  auto frame = zstd_.append(payload, streams, opts_.zstd_level ? opts_.zstd_level : jf::zstd_level,
                            compressed);
  if (!frame) return error{frame.err().code(), "journal: " + frame.err().message()};
  return *frame;
}

error journal_writer::seal_slice() {
  if (slice_events_ == 0) return {};
  // Buffers for this slice only: a hot bucket holds its uncompressed records alone between
  // slices (the node's memory grows with its hot buckets' open slices, not twice or thrice).
  std::string columns, compressed;
  std::vector<size_t> streams;  // where the column layout's streams start
  std::string_view payload = buffer_;
  char codec = codec_;
  std::optional<size_t> clen;  // set once `compressed` holds the payload's frame
  if (codec_ == jf::codec_zstd_column_kinds) {
    auto layout = choose_layout(columns, streams, compressed);
    if (!layout) return layout.err();
    if (layout->columns) {
      if (!layout->encoded)
        if (auto err = journal_columns::from_rows(buffer_, slice_events_, plan_, columns, streams))
          return err;
      payload = columns;
    } else {
      codec = jf::codec_zstd;
      streams.clear();
    }
    if (layout->encoded) clen = layout->compressed_size;
  }
  if (!clen) {
    auto compressed_size = compress(payload, streams, compressed);
    if (!compressed_size) return compressed_size.err();
    clen = *compressed_size;
  }
  compressed.resize(jf::slice_header_size + *clen);
  std::string header{jf::slice_magic};
  header.push_back(codec);
  coding::put_fixed32(header, uint32_t(*clen));
  coding::put_fixed32(header, uint32_t(payload.size()));
  coding::put_fixed32(header, slice_events_);
  coding::put_fixed64(header, next_ordinal_ - slice_events_);
  std::string_view stored{compressed.data() + jf::slice_header_size, *clen};
  coding::put_fixed64(header, hash::checksum64(header, stored));
  std::copy(header.begin(), header.end(), compressed.begin());
  slice_info info;
  info.offset = file_.size();
  info.size = uint32_t(compressed.size());
  info.raw_size = uint32_t(payload.size());
  info.events = slice_events_;
  info.first_ordinal = next_ordinal_ - slice_events_;
  info.min_time = slice_min_;
  info.max_time = slice_max_;
  if (auto err = file_.append(compressed)) return err;
  slices_.push_back(info);
  buffer_.clear();
  slice_events_ = 0;
  sample_events_ = 0;
  return {};
}

result<journal_writer::layout_choice> journal_writer::choose_layout(std::string& columns,
                                                                    std::vector<size_t>& streams,
                                                                    std::string& compressed) {
  bool whole = sample_events_ == 0;  // a slice smaller than a sample is its own sample
  uint32_t events = whole ? slice_events_ : sample_events_;
  std::string_view sample =
      std::string_view{buffer_}.substr(0, whole ? buffer_.size() : sample_bytes_);
  // The sample does not move the plan on unless it is the slice.
  auto plan = plan_;
  if (auto err = journal_columns::from_rows(sample, events, plan, columns, streams)) return err;
  std::string as_rows;
  auto columns_size = compress(columns, streams, compressed);
  if (!columns_size) return columns_size.err();
  auto rows_size = compress(sample, {}, as_rows);
  if (!rows_size) return rows_size.err();
  layout_choice choice{*columns_size <= *rows_size, whole, 0};
  if (!whole) {
    columns.clear();
  } else {
    if (choice.columns) plan_ = plan;
    if (!choice.columns) compressed.swap(as_rows);
    choice.compressed_size = choice.columns ? *columns_size : *rows_size;
  }
  return choice;
}

error journal_writer::commit() {
  if (!dirty_) return {};
  if (auto err = seal_slice()) return err;
  if (auto err = file_.sync()) return err;
  dirty_ = false;
  synced_size_ = file_.size();
  return {};
}

// -- reader ---------------------------------------------------------------------

namespace {

/// Checks the slices of `bytes` from `pos` on, the first one numbered
/// `scan.events`, filling `scan` (see scan_journal). Codec bytes other than
/// Snappy's are refused when `snappy_only` (a version 1 file).
void scan_slices(std::string_view bytes, uint64_t pos, journal_scan& scan, bool snappy_only) {
  scan.valid_end = pos;
  while (pos < bytes.size()) {
    auto stop = [&](std::string why) {
      scan.problem = "slice at offset " + std::to_string(pos) + ": " + std::move(why) + "; " +
                     std::to_string(bytes.size() - pos) + " bytes after it dropped";
    };
    if (bytes.size() - pos < jf::slice_header_size) {
      stop("torn header");
      break;
    }
    const char* h = bytes.data() + pos;
    if (std::string_view{h, jf::slice_magic.size()} != jf::slice_magic) {
      stop("bad slice magic");
      break;
    }
    uint32_t payload = coding::get_fixed32(h + 4);
    uint32_t raw = coding::get_fixed32(h + 8);
    uint32_t events = coding::get_fixed32(h + 12);
    uint64_t first = coding::get_fixed64(h + 16);
    uint64_t sum = coding::get_fixed64(h + 24);
    if (payload > jf::max_slice_bytes || raw > jf::max_slice_bytes || events == 0 || events > raw) {
      stop("implausible sizes");
      break;
    }
    if (bytes.size() - pos - jf::slice_header_size < payload) {
      stop("torn payload");
      break;
    }
    std::string_view body{h + jf::slice_header_size, payload};
    if (hash::checksum64({h, jf::slice_checked_header}, body) != sum) {
      stop("checksum mismatch");
      break;
    }
    if (h[3] != jf::codec_snappy && (snappy_only || !is_zstd(h[3]))) {
      stop(std::string{"codec byte "} + std::to_string(uint8_t(h[3])) + " unknown" +
           (snappy_only ? " in a version 1 journal" : ""));
      break;
    }
    if (first != scan.events) {
      stop("ordinal " + std::to_string(first) + " out of sequence, expected " +
           std::to_string(scan.events));
      break;
    }
    scan.slices.push_back(
        {pos, uint32_t(jf::slice_header_size + payload), raw, events, first, 0, 0});
    scan.events += events;
    pos += jf::slice_header_size + payload;
    scan.valid_end = pos;
  }
}

/// Whether a checked file header is version 1 (Snappy slices only).
bool is_version_1(std::string_view bytes) {
  return coding::get_fixed32(bytes.data() + 8) == jf::version_snappy;
}

/// The codec byte a file header names. Errors: corruption.
result<char> check_file_header(std::string_view bytes) {
  if (bytes.size() < jf::file_header_size || bytes.substr(0, 8) != jf::file_magic)
    return error{errc::corruption, "journal header: bad magic or file shorter than 16 bytes"};
  uint32_t version = coding::get_fixed32(bytes.data() + 8);
  if (version == jf::version_snappy) return jf::codec_snappy;
  if (version != jf::version_codec)
    return error{errc::corruption,
                 "journal header: unsupported version " + std::to_string(version)};
  char codec = bytes[12];
  if (bytes.substr(13, 3) != std::string_view{"\0\0\0", 3} ||
      (codec != jf::codec_snappy && !is_zstd(codec)))
    return error{errc::corruption, "journal header: unknown codec byte " +
                                       std::to_string(uint8_t(codec)) + " in version 2"};
  return codec;
}

}  // namespace

result<journal_scan> scan_journal(std::string_view bytes) {
  journal_scan scan;
  scan.file_size = bytes.size();
  auto codec = check_file_header(bytes);
  if (!codec) return codec.err();
  scan.codec = *codec;
  scan.compression = is_zstd(*codec) ? journal_compression::zstd : journal_compression::snappy;
  scan_slices(bytes, jf::file_header_size, scan, is_version_1(bytes));
  return scan;
}

result<uint64_t> check_journal_part(std::string_view part, uint64_t offset,
                                    uint64_t first_ordinal) {
  journal_scan scan;
  scan.file_size = part.size();
  scan.events = first_ordinal;
  uint64_t pos = 0;
  bool snappy_only = false;  // after the header, the part's own version is not known
  if (offset == 0) {
    if (auto codec = check_file_header(part); !codec) return codec.err();
    pos = jf::file_header_size;
    snappy_only = is_version_1(part);
  } else if (offset < jf::file_header_size) {
    return error{errc::corruption,
                 "journal part at offset " + std::to_string(offset) + ": inside the file header"};
  }
  scan_slices(part, pos, scan, snappy_only);
  if (!scan.clean())
    return error{errc::corruption,
                 "journal part at offset " + std::to_string(offset) + ": " + scan.problem};
  return scan.events - first_ordinal;
}

namespace {

/// Uncompresses a slice's payload into `scratch` (exactly `slice.raw_size` bytes).
/// Errors: corruption (unknown codec, bad length, undecodable payload).
error decompress(char codec, std::string_view body, const slice_info& slice, std::string& scratch) {
  if (codec == jf::codec_snappy) {
    size_t ulen = 0;
    if (!snappy::GetUncompressedLength(body.data(), body.size(), &ulen) || ulen != slice.raw_size)
      return corrupt(slice.offset, "bad compressed length");
    scratch.resize(ulen);
    if (!snappy::RawUncompress(body.data(), body.size(), scratch.data()))
      return corrupt(slice.offset, "undecodable payload");
    return {};
  }
  if (!is_zstd(codec))
    return corrupt(slice.offset, "unknown codec byte " + std::to_string(uint8_t(codec)));
  switch (zstd_frame::decode(body, slice.raw_size, scratch)) {
    case zstd_frame::status::ok:
      if (scratch.size() == slice.raw_size) return {};
      [[fallthrough]];
    case zstd_frame::status::bad_size:
      return corrupt(slice.offset, "bad compressed length");
    case zstd_frame::status::undecodable:
      return corrupt(slice.offset, "undecodable payload");
    case zstd_frame::status::no_memory:
      break;
  }
  return {errc::io_error, "journal: cannot allocate a zstd context"};
}

}  // namespace

error decode_slice(std::string_view bytes, slice_info& slice, slice_scratch& scratch,
                   const std::function<void(uint64_t, const event_view&)>& fn) {
  if (slice.offset > bytes.size() || bytes.size() - slice.offset < slice.size ||
      slice.size < jf::slice_header_size)
    return corrupt(slice.offset, "outside the file");
  const char* h = bytes.data() + slice.offset;
  std::string_view body{h + jf::slice_header_size, slice.size - jf::slice_header_size};
  if (hash::checksum64({h, jf::slice_checked_header}, body) != coding::get_fixed64(h + 24))
    return corrupt(slice.offset, "checksum mismatch");
  // The records are read from `r`; in the column layout a record's raw is not there
  // but in scratch.text, rebuilt.
  bool with_kinds = h[3] == jf::codec_zstd_column_kinds;
  bool columns = with_kinds || h[3] == jf::codec_zstd_columns;
  std::string_view records;
  if (columns) {
    if (auto err = decompress(h[3], body, slice, scratch.payload)) return err;
    if (auto err = journal_columns::take_apart(scratch.payload, slice.events, with_kinds, records,
                                               scratch.text, scratch.raw_ends))
      return corrupt(slice.offset, err.message());
  } else {
    if (auto err = decompress(h[3], body, slice, scratch.text)) return err;
    records = scratch.text;
  }
  auto read_raw = [&](coding::reader& r, uint32_t i, std::string_view& raw) {
    if (!columns) return r.string(raw);
    uint32_t begin = i == 0 ? 0 : scratch.raw_ends[i - 1];
    raw = std::string_view{scratch.text}.substr(begin, scratch.raw_ends[i] - begin);
    return true;
  };
  coding::reader r{records};
  event_view ev;
  time_us prev = 0;
  for (uint32_t i = 0; i < slice.events; ++i) {
    uint8_t flags;
    uint64_t delta;
    if (!r.byte(flags) || (flags & ~jf::known_flags) || !r.varint(delta))
      return corrupt(slice.offset, "bad record " + std::to_string(i));
    if (i == 0 && (flags & 7) != 7) return corrupt(slice.offset, "first record lacks metadata");
    ev.time = (i == 0 ? 0 : prev) + coding::unzigzag(delta);
    if ((flags & jf::flag_host) && !r.string(ev.host)) break;
    if ((flags & jf::flag_source) && !r.string(ev.source)) break;
    if ((flags & jf::flag_sourcetype) && !r.string(ev.sourcetype)) break;
    if (!read_raw(r, i, ev.raw)) break;
    ev.fields.clear();
    if (flags & jf::flag_fields) {
      uint64_t n;
      if (!r.varint(n) || n > r.remaining()) break;
      for (uint64_t k = 0; k < n; ++k) {
        field_view f;
        if (!r.string(f.key) || !r.string(f.value)) break;
        ev.fields.push_back(f);
      }
      if (!r.ok()) break;
    }
    slice.min_time = i == 0 ? ev.time : std::min(slice.min_time, ev.time);
    slice.max_time = i == 0 ? ev.time : std::max(slice.max_time, ev.time);
    prev = ev.time;
    fn(slice.first_ordinal + i, ev);
  }
  if (!r.ok()) return corrupt(slice.offset, "truncated record");
  if (!r.at_end()) return corrupt(slice.offset, "trailing bytes after the last record");
  return {};
}

}  // namespace kura
