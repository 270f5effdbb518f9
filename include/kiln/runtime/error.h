// Errors. kiln::Error is what a user sees for bad input: a message that names
// what was wrong and where, plus the C++ place that raised it. InternalError
// marks a broken invariant of Kiln itself (a bug to report).
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>

namespace kiln {

class Error : public std::runtime_error {
 public:
  Error(const std::string& message, const char* file = "", int line = 0);
  // The message alone, without the C++ location.
  const std::string& message() const { return message_; }
  // "src/runtime/ndarray.cc:42", or "" when unknown.
  const std::string& where() const { return where_; }

 private:
  std::string message_;
  std::string where_;
};

class InternalError : public Error {
 public:
  using Error::Error;
};

namespace detail {
// Collects a message with operator<< and throws when it goes out of scope.
template <typename E>
class Thrower {
 public:
  Thrower(const char* file, int line) : file_(file), line_(line) {}
  [[noreturn]] ~Thrower() noexcept(false) { throw E(stream_.str(), file_, line_); }
  template <typename T>
  Thrower& operator<<(const T& value) {
    stream_ << value;
    return *this;
  }

 private:
  std::ostringstream stream_;
  const char* file_;
  int line_;
};
}  // namespace detail
}  // namespace kiln

// KILN_THROW() << "unknown dtype \"" << s << "\"";  raises kiln::Error.
#define KILN_THROW() ::kiln::detail::Thrower<::kiln::Error>(__FILE__, __LINE__)
// KILN_CHECK(cond) << "message";  raises kiln::Error when cond is false.
#define KILN_CHECK(cond) \
  if (!(cond)) ::kiln::detail::Thrower<::kiln::Error>(__FILE__, __LINE__)
// KILN_ICHECK(cond) << "detail";  an internal invariant of Kiln itself.
#define KILN_ICHECK(cond) \
  if (!(cond))            \
  ::kiln::detail::Thrower<::kiln::InternalError>(__FILE__, __LINE__) << "internal check failed: " #cond ": "
