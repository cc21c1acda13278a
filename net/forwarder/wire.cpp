// Frame codec of the forwarder protocol.
#include "net/forwarder/wire.hpp"

#include "core/util/coding.hpp"
#include "core/util/hash.hpp"
#include "forwarder_generated.h"

namespace kura::wire {

namespace fb = kura::fbs::forwarder;

result<std::string> encode(const message& m) {
  flatbuffers::FlatBufferBuilder b(1024);
  flatbuffers::Offset<fb::Frame> frame;
  if (auto* blk = std::get_if<block>(&m)) {
    auto data = b.CreateVector(reinterpret_cast<const uint8_t*>(blk->data.data()), blk->data.size());
    auto off = fb::CreateBlock(b, b.CreateString(blk->channel), blk->seq, b.CreateString(blk->index),
                               b.CreateString(blk->host), b.CreateString(blk->source),
                               b.CreateString(blk->sourcetype), data);
    frame = fb::CreateFrame(b, fb::Message::Block, off.Union());
  } else {
    auto& a = std::get<ack>(m);
    auto off = fb::CreateAck(b, b.CreateString(a.channel), a.seq, fb::AckStatus(uint8_t(a.status)),
                             b.CreateString(a.message));
    frame = fb::CreateFrame(b, fb::Message::Ack, off.Union());
  }
  fb::FinishFrameBuffer(b, frame);
  if (b.GetSize() > max_frame_bytes)
    return error{errc::invalid_argument, "frame of " + std::to_string(b.GetSize()) + " bytes exceeds " +
                                             std::to_string(max_frame_bytes)};
  std::string_view payload{reinterpret_cast<const char*>(b.GetBufferPointer()), b.GetSize()};
  std::string out;
  out.reserve(frame_header_bytes + payload.size());
  coding::put_fixed32(out, uint32_t(payload.size()));
  coding::put_fixed32(out, hash::checksum32(payload));
  out += payload;
  return out;
}

result<std::optional<message>> frame_reader::next() {
  if (pending() < frame_header_bytes) return std::optional<message>{};
  const char* h = buffer_.data() + start_;
  uint32_t size = coding::get_fixed32(h);
  uint32_t sum = coding::get_fixed32(h + 4);
  if (size == 0 || size > max_frame_bytes)
    return error{errc::corruption, "frame length " + std::to_string(size) + " out of range (at most " +
                                       std::to_string(max_frame_bytes) + ")"};
  if (pending() < frame_header_bytes + size) return std::optional<message>{};
  // Copy to an aligned buffer: FlatBuffers reads scalars at their natural alignment.
  std::string payload{h + frame_header_bytes, size};
  start_ += frame_header_bytes + size;
  if (start_ > (1u << 16) && start_ * 2 > buffer_.size()) {
    buffer_.erase(0, start_);
    start_ = 0;
  }
  if (hash::checksum32(payload) != sum) return error{errc::corruption, "frame checksum mismatch"};
  flatbuffers::Verifier v(reinterpret_cast<const uint8_t*>(payload.data()), payload.size());
  if (!fb::VerifyFrameBuffer(v)) return error{errc::corruption, "frame fails the FlatBuffers verifier"};
  auto* f = fb::GetFrame(payload.data());
  auto str = [](const flatbuffers::String* s) { return s ? s->str() : std::string{}; };
  if (auto* b = f->message_as_Block()) {
    if (!b->channel() || b->channel()->size() == 0 || b->seq() == 0 || !b->data())
      return error{errc::corruption, "block without channel, sequence number or data"};
    block out{str(b->channel()), b->seq(), str(b->index()), str(b->host()), str(b->source()), str(b->sourcetype()),
              std::string{reinterpret_cast<const char*>(b->data()->data()), b->data()->size()}};
    return std::optional<message>{std::move(out)};
  }
  if (auto* a = f->message_as_Ack()) {
    if (!a->channel() || uint8_t(a->status()) > uint8_t(fb::AckStatus::MAX))
      return error{errc::corruption, "ack without channel or with an unknown status"};
    return std::optional<message>{ack{str(a->channel()), a->seq(), ack_status(uint8_t(a->status())), str(a->message())}};
  }
  return error{errc::corruption, "frame carries no known message"};
}

}  // namespace kura::wire
