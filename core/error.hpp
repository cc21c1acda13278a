// Error codes and the result type every core API returns. No exceptions cross a
// core module's API; a function returns `error` (ok when code == errc::ok) or
// `result<T>`. actors/error.hpp will register errc with CAF.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <variant>

namespace kura {

/// Every error a core function can report. Zero means success.
enum class errc : uint8_t {
  ok = 0,
  /// A file or directory could not be read, written, renamed or synced.
  io_error,
  /// Bytes on disk fail a check: checksum, magic, bounds, verifier.
  corruption,
  /// A file or bucket that was asked for does not exist.
  not_found,
  /// The caller passed something malformed (a name, a size, a config value).
  invalid_argument,
  /// The object exists already (index name, bucket directory).
  already_exists,
  /// The index is disabled and refuses writes.
  index_disabled,
  /// Free disk space is below minFreeSpace: writes are refused (Detention).
  disk_full,
  /// A request is valid but the object is in a state that forbids it.
  bad_state,
  /// A coldToFrozenScript or another child process failed.
  script_failed,
  /// The cluster cannot serve this now (not enough peers registered, a node
  /// did not answer in time); trying again later may succeed.
  unavailable,
  /// A node could not prove that it knows the cluster's secret.
  unauthenticated,
  /// Data is on disk on this peer but not on every replication target of its
  /// bucket: it is not acknowledged, and a client that sends it again may
  /// store it twice (unlike unavailable, which stores nothing).
  not_replicated,
};

/// The name of an error code ("corruption"), for messages and logs.
const char* to_string(errc code);

/// An error code with a message that names what failed (path, offset, bucket).
class error {
 public:
  /// Success.
  error() = default;
  /// A failure; `message` should name the object and the cause.
  error(errc code, std::string message) : code_(code), message_(std::move(message)) {}

  errc code() const { return code_; }
  const std::string& message() const { return message_; }
  explicit operator bool() const { return code_ != errc::ok; }
  /// "corruption: journal /x/rawdata/journal: slice at 4096: checksum mismatch".
  std::string render() const;

 private:
  errc code_ = errc::ok;
  std::string message_;
};

/// A value or an error. Check with `if (!r)` / `r.has_value()` before `*r`.
template <class T>
class result {
 public:
  result(T value) : v_(std::move(value)) {}
  result(error err) : v_(std::move(err)) {}
  bool has_value() const { return v_.index() == 0; }
  explicit operator bool() const { return has_value(); }
  T& operator*() { return std::get<0>(v_); }
  const T& operator*() const { return std::get<0>(v_); }
  T* operator->() { return &std::get<0>(v_); }
  const T* operator->() const { return &std::get<0>(v_); }
  /// Requires: !has_value().
  const error& err() const { return std::get<1>(v_); }

 private:
  std::variant<T, error> v_;
};

}  // namespace kura
