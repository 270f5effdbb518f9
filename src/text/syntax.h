// The vocabulary of the text format shared by its printers and its parser:
// reserved words, what makes a name, and how literals are spelled (numbers
// with dtype suffixes, exact floats, quoted strings).
#pragma once

#include <optional>
#include <string>

#include "kiln/runtime/data_type.h"

namespace kiln::text {

using runtime::DataType;

// Keywords and builtin names of the format, and every dtype name: a local
// name the printer emits is never one of these.
bool IsReservedWord(const std::string& word);
// The words that start a builtin form in a relax expression (`if`, `const`,
// `shape`, ...): an op with such a short name prints by its full name.
bool IsRelaxExprWord(const std::string& word);
// The dtype called `word` ("float32", "int8x4", "void"), or nullopt.
std::optional<DataType> DTypeOfName(const std::string& word);
// [A-Za-z_][A-Za-z0-9_]*, optionally dotted ("relax.nn.conv2d").
bool IsIdentifier(const std::string& text, bool allow_dots = false);

// Literal suffixes: int64 and float32 literals have none; other dtypes are
// "i32", "u8", "f16", "bf16", ... Empty optional when the dtype has no
// literal form (bool, handle, vectors).
std::optional<std::string> LiteralSuffix(DataType dtype);
// The dtype of a literal suffix ("" gives the default for ints or floats).
std::optional<DataType> DTypeOfSuffix(const std::string& suffix, bool is_float);

// The shortest decimal that reads back as exactly `v` ("0.1", "1.0",
// "1e+20", "-0.0"), or "inf", "-inf", "nan".
std::string FormatFloat(double v);
// Parses decimal digits (as FormatFloat writes them); nullopt when malformed.
std::optional<double> ParseFloat(const std::string& text);
// Parses a decimal magnitude, negated when `negative`. For an unsigned
// dtype, values up to 2^64 - 1 wrap into int64 (the bits of a uint64);
// nullopt when out of range.
std::optional<int64_t> ParseInt(const std::string& digits, bool negative, bool is_unsigned);

// A double-quoted string with \" \\ \n \t \r and \xHH escapes: always ASCII.
std::string Quote(const std::string& value);

}  // namespace kiln::text
