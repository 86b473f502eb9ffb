#pragma once
// A program the backup server runs (etcdctl for a restore, a temporary etcd to
// replay deltas): output to a log file, a stop with SIGTERM then SIGKILL, and
// waiting with a deadline. The process is killed when this object goes away.

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace druid::localenv::backup {

class BackupChildProcess {
 public:
  // Throws std::runtime_error when fork fails. `env` is added to this process's environment.
  BackupChildProcess(const std::string& program, const std::vector<std::string>& args,
                     const std::map<std::string, std::string>& env,
                     const std::filesystem::path& log_file);
  ~BackupChildProcess();
  BackupChildProcess(const BackupChildProcess&) = delete;
  BackupChildProcess& operator=(const BackupChildProcess&) = delete;

  // The exit code (128 + signal when killed), nullopt if still running at the deadline.
  std::optional<int> wait(std::chrono::milliseconds timeout);
  // SIGTERM, then SIGKILL after `grace`; returns the exit code.
  int stop(std::chrono::milliseconds grace = std::chrono::seconds(10));

 private:
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
};

// Runs a program to its end (at most `timeout`); the exit code, or nullopt on timeout.
std::optional<int> run_to_completion(const std::string& program,
                                     const std::vector<std::string>& args,
                                     const std::map<std::string, std::string>& env,
                                     const std::filesystem::path& log_file,
                                     std::chrono::milliseconds timeout);

}  // namespace druid::localenv::backup
