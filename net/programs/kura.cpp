// kura: the admin actor shell (product.md §1).
//   kura [--uri HOST:PORT] [--secret-file F] [--json] COMMAND ARGS…   one command
//   kura [--uri HOST:PORT] [--secret-file F] [--json]                 interactive
// An actor on its own small actor system that talks to the node's admin actor
// (actors/interfaces/admin_actor.hpp), proving with each command that it
// knows the node's pass4SymmKey. Exit codes: 0 ok, 1 the command failed or
// the node cannot be reached, 2 usage or authentication.
#include <editline/readline.h>

#include <CLI/CLI.hpp>
#include <caf/io/all.hpp>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>

#include "actors/caf_types.hpp"
#include "actors/interfaces/admin_actor.hpp"
#include "net/admin/admin_auth.hpp"
#include "net/programs/program_cli.hpp"
#include "net/shell/admin_command.hpp"

namespace {

using kura::actors::admin_actor;

struct shell_options {
  std::string uri = "127.0.0.1:8089";
  std::string secret_file;
  bool json = false;
  int timeout_secs = 3600;
};

/// One connection to the node's admin actor.
class session {
 public:
  session(caf::actor_system& sys, admin_actor node, std::string secret, const shell_options& o)
      : self_(sys), node_(std::move(node)), secret_(std::move(secret)), opts_(o) {}

  /// Runs one command on the node; prints its output; returns the exit code.
  int run(const std::vector<std::string>& words) {
    auto timeout = std::chrono::seconds(opts_.timeout_secs);
    std::string nonce;
    int code = 0;
    auto failed = [&](caf::error& e) {
      std::fprintf(stderr, "error: the node at %s did not answer: %s\n", opts_.uri.c_str(),
                   self_->system().render(e).c_str());
      code = 1;
    };
    self_->request(node_, std::chrono::seconds(30), kura::actors::hello_atom::value)
        .receive([&](std::string& n) { nonce = std::move(n); }, failed);
    if (code != 0) return code;
    auto proof = kura::admin::proof(secret_, nonce, opts_.json, words);
    self_->request(node_, timeout, kura::actors::run_atom::value, nonce, proof, opts_.json, words)
        .receive(
            [&](int32_t exit_code, std::string& out, std::string& err) {
              std::fwrite(out.data(), 1, out.size(), stdout);
              std::fflush(stdout);
              std::fwrite(err.data(), 1, err.size(), stderr);
              code = exit_code;
            },
            failed);
    return code;
  }

 private:
  caf::scoped_actor self_;
  admin_actor node_;
  std::string secret_;
  const shell_options& opts_;
};

/// Checks a command locally (usage errors need no node); makes `add oneshot`'s
/// path absolute, since the node reads the file. Returns the words to send or
/// nullopt after printing the error.
std::optional<std::vector<std::string>> prepare(std::vector<std::string> words) {
  auto parsed = kura::shell::parse_command(words);
  if (!parsed) {
    std::fprintf(stderr, "error: %s\n", parsed.err().message().c_str());
    return std::nullopt;
  }
  if (parsed->what == kura::shell::verb::add_oneshot) {
    for (auto& w : words)
      if (w == parsed->path) {
        w = std::filesystem::absolute(w).string();
        break;
      }
  }
  return words;
}

bool is_help(const std::vector<std::string>& words) {
  return words.size() == 1 && words[0] == "help";
}

// Tab completion of command names at the start of a line.
char* complete_command(const char* text, int state) {
  static size_t next = 0;
  if (state == 0) next = 0;
  auto& words = kura::shell::command_words();
  while (next < words.size()) {
    auto& w = words[next++];
    if (w.compare(0, std::strlen(text), text) == 0) return strdup(w.c_str());
  }
  return nullptr;
}

char** completion(const char* text, int start, int) {
  rl_attempted_completion_over = 1;  // no file-name completion
  if (start != 0) return nullptr;
  return rl_completion_matches(text, complete_command);
}

int interactive(session& s) {
  std::string history =
      std::string{std::getenv("HOME") ? std::getenv("HOME") : "."} + "/.kura_history";
  read_history(history.c_str());
  rl_attempted_completion_function = completion;
  std::printf("kura shell: type help for the commands, exit to leave.\n");
  int last = 0;
  while (char* line = readline("kura> ")) {
    std::string text{line};
    std::free(line);
    auto words = kura::shell::split_line(text);
    if (!words) {
      std::fprintf(stderr, "error: %s\n", words.err().message().c_str());
      last = 2;
      continue;
    }
    if (words->empty()) continue;
    add_history(text.c_str());
    if ((*words)[0] == "exit" || (*words)[0] == "quit") break;
    if (is_help(*words)) {
      std::fputs(kura::shell::help_text().c_str(), stdout);
      continue;
    }
    auto prepared = prepare(std::move(*words));
    last = prepared ? s.run(*prepared) : 2;
  }
  write_history(history.c_str());
  return last;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"kura: the admin shell of a kura node"};
  shell_options o;
  std::vector<std::string> words;
  app.add_option("--uri", o.uri, "the node's admin port as HOST:PORT")->capture_default_str();
  app.add_option("--secret-file", o.secret_file,
                 "file holding the node's pass4SymmKey (default: $KURA_HOME/etc/pass4SymmKey or "
                 "./kura-home/etc/pass4SymmKey)");
  app.add_flag("--json", o.json, "print one JSON document per command");
  app.add_option("--timeout", o.timeout_secs, "seconds to wait for a command's answer")
      ->capture_default_str();
  app.prefix_command();
  if (auto rc = kura::programs::parse_command_line(app, argc, argv)) return *rc;
  words = app.remaining();

  if (is_help(words)) {
    std::fputs(kura::shell::help_text().c_str(), stdout);
    return 0;
  }
  std::optional<std::vector<std::string>> prepared;
  if (!words.empty() && !(prepared = prepare(words))) return 2;

  auto colon = o.uri.rfind(':');
  int port = colon == std::string::npos ? -1 : std::atoi(o.uri.c_str() + colon + 1);
  if (colon == std::string::npos || colon == 0 || port <= 0 || port > 65535) {
    std::fprintf(stderr, "error: --uri %s: expected HOST:PORT\n", o.uri.c_str());
    return 2;
  }
  auto secret_file = o.secret_file.empty() ? kura::admin::default_secret_file()
                                           : std::filesystem::path{o.secret_file};
  auto secret = kura::admin::read_secret(secret_file);
  if (!secret) {
    std::fprintf(stderr, "error: %s; pass the node's pass4SymmKey with --secret-file\n",
                 secret.err().message().c_str());
    return 2;
  }

  caf::actor_system_config cfg;
  cfg.load<caf::io::middleman>();
  cfg.set("scheduler.max-threads", size_t{1});
  kura::actors::register_kura_types(cfg);
  kura::actors::enable_connection_heartbeats(cfg);
  caf::actor_system sys{cfg};
  auto node = sys.middleman().remote_actor<admin_actor>(o.uri.substr(0, colon), uint16_t(port));
  if (!node) {
    std::fprintf(stderr, "error: cannot reach the node at %s: %s\n", o.uri.c_str(),
                 sys.render(node.error()).c_str());
    return 1;
  }
  int rc;
  {
    session s{sys, *node, *secret, o};
    rc = prepared ? s.run(*prepared) : interactive(s);
  }
  caf::anon_send_exit(
      *node,
      caf::exit_reason::user_shutdown);  // drops the proxy only; the node's actor is not ours
  return rc;
}
