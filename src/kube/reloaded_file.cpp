#include "kube/reloaded_file.hpp"

#include <sys/stat.h>

#include <fstream>
#include <sstream>

namespace druid::kube {

ReloadedFile::ReloadedFile(std::string path, std::string initial)
    : path_(std::move(path)), contents_(std::move(initial)) {}

std::string ReloadedFile::contents() {
  struct stat st {};
  const std::lock_guard lock(mutex_);
  if (::stat(path_.c_str(), &st) != 0) return contents_;
  const Stamp stamp{st.st_mtim.tv_sec, st.st_mtim.tv_nsec, st.st_size, st.st_ino};
  if (loaded_ && stamp == stamp_) return contents_;
  std::ifstream in(path_, std::ios::binary);
  if (!in) return contents_;
  std::ostringstream text;
  text << in.rdbuf();
  if (!in.bad() && !text.str().empty()) {
    contents_ = text.str();
    stamp_ = stamp;
    loaded_ = true;
  }
  return contents_;
}

}  // namespace druid::kube
