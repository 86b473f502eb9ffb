#pragma once
// A small file that is replaced under a running process: the projected
// service-account token the kubelet rotates (bound tokens expire within an
// hour) and the CA bundle a cluster rotates. contents() re-reads it when its
// modification time, size or inode changed since the last read (the kubelet
// swaps a symlinked directory, which changes the inode), so a request costs
// one stat(); an unreadable or empty file keeps the last good contents, as
// client-go keeps the last good token. Thread-safe.

#include <mutex>
#include <string>

namespace druid::kube {

class ReloadedFile {
 public:
  // `initial`: what the file held when the configuration was loaded, served
  // until a read succeeds.
  explicit ReloadedFile(std::string path, std::string initial = {});

  std::string contents();
  const std::string& path() const { return path_; }

 private:
  struct Stamp {
    long long sec = 0, nsec = 0, size = 0;
    unsigned long long inode = 0;
    friend bool operator==(const Stamp&, const Stamp&) = default;
  };

  std::string path_;
  std::mutex mutex_;
  std::string contents_;
  Stamp stamp_;
  bool loaded_ = false;
};

}  // namespace druid::kube
