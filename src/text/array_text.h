// Constants in the text format. Small arrays print inline as nested lists of
// exact literals; the rest go to the module's meta section as base64 of their
// bytes. Both forms read back bit for bit.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "kiln/runtime/ndarray.h"

namespace kiln::text {

using runtime::DataType;
using runtime::NDArray;

// At most this many elements print inline.
constexpr int64_t kMaxInlineElements = 16;

// True when `array` prints inline: few elements, a scalar dtype with a
// literal form, and no NaN (whose payload a literal would lose).
bool PrintsInline(const NDArray& array);
// "[[1.0, 2.0], [3.0, 4.0]]"; a 0-d array is its one literal.
std::string InlineArrayText(const NDArray& array);
// Writes the literal `text` (as lexed: digits, "inf", "nan", "True",
// "False"; negated when `negative`) into element `index` of a CPU array.
// Returns false when the literal is not a value of the array's dtype.
bool WriteElement(const NDArray& array, int64_t index, const std::string& text, bool negative, bool is_float);

// The array's bytes (compact, little-endian as in memory) in base64.
std::string ArrayBase64(const NDArray& array);
// A CPU array from base64 bytes; an error message when they do not match.
NDArray ArrayFromBase64(const std::vector<int64_t>& shape, DataType dtype, const std::string& base64,
                        std::string* error);

// The number of elements of `shape`, or nullopt above 2^40 or for a
// negative dimension (limits what a text can ask to allocate).
std::optional<int64_t> CheckedNumel(const std::vector<int64_t>& shape);

}  // namespace kiln::text
