// Archive, script or delete.
#include "core/index/freezer.hpp"

#include <spawn.h>
#include <sys/wait.h>

#include "core/bucket/bucket_files.hpp"
#include "core/log.hpp"

extern char** environ;

namespace kura {
namespace {

constexpr const char* component = "BucketMover";

error archive(const io::fs::path& dir, const io::fs::path& archive_root) {
  auto target = archive_root / dir.filename();
  auto staging = archive_root / (dir.filename().string() + ".archiving");
  if (auto err = io::remove_all(staging)) return err;
  if (auto err = io::make_dirs(staging / bucket_files::rawdata_dir)) return err;
  auto rel = io::fs::path{bucket_files::rawdata_dir} / bucket_files::journal;
  if (auto err = io::copy_file_durable(dir / rel, staging / rel)) return err;
  if (auto err = io::remove_all(target)) return err;  // a half-finished earlier attempt
  return io::move_path(staging, target);
}

error run_script(const std::string& script, const io::fs::path& dir) {
  // The bucket path is passed as $1, so that no quoting of it is needed.
  std::string command = script + " \"$1\"";
  std::string path = dir.string();
  const char* argv[] = {"/bin/sh", "-c", command.c_str(), "kura-coldToFrozen", path.c_str(), nullptr};
  pid_t pid;
  if (posix_spawn(&pid, "/bin/sh", nullptr, nullptr, const_cast<char**>(argv), environ) != 0)
    return {errc::script_failed, "coldToFrozenScript: cannot start /bin/sh"};
  int status = 0;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return {errc::script_failed, "coldToFrozenScript: waitpid failed"};
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return {errc::script_failed, "coldToFrozenScript \"" + script + "\" failed for " + path + " (status " +
                                     std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) + ")"};
  return {};
}

}  // namespace

error freeze_bucket(const io::fs::path& dir, const index_config& cfg) {
  if (auto err = io::check_failure("freeze")) return err;
  auto name = dir.filename().string();
  if (!cfg.cold_to_frozen_dir.empty()) {
    if (auto err = io::make_dirs(cfg.cold_to_frozen_dir)) return err;
    if (auto err = archive(dir, cfg.cold_to_frozen_dir)) return err;
    log::info(component, "index '" + cfg.name + "': froze bucket " + name + ", archived to " +
                             (cfg.cold_to_frozen_dir / name).string());
  } else if (!cfg.cold_to_frozen_script.empty()) {
    if (auto err = run_script(cfg.cold_to_frozen_script, dir)) return err;
    log::info(component, "index '" + cfg.name + "': froze bucket " + name + " after coldToFrozenScript");
  } else {
    log::info(component, "index '" + cfg.name + "': froze bucket " + name +
                             ": deleted (no coldToFrozenDir or coldToFrozenScript set)");
  }
  return io::remove_all(dir);
}

}  // namespace kura
