// Helpers shared by the runtime tests.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "kiln/runtime/error.h"

namespace kiln::testing {

// A fresh directory under the system's temp folder, removed at scope exit.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

inline TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "kiln-test-XXXXXX").string();
  path_ = mkdtemp(tmpl.data());
}
inline TempDir::~TempDir() {
  std::filesystem::remove_all(path_);
}

}  // namespace kiln::testing

// Expects `stmt` to raise kiln::Error whose message contains `text`.
#define EXPECT_KILN_ERROR(stmt, text)                                             \
  do {                                                                            \
    try {                                                                         \
      stmt;                                                                       \
      ADD_FAILURE() << "no kiln::Error from " #stmt;                              \
    } catch (const ::kiln::Error& e) {                                            \
      EXPECT_NE(std::string(e.what()).find(text), std::string::npos) << e.what(); \
    }                                                                             \
  } while (0)
