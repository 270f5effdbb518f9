// Edit distance between names, for "did you mean ...?" in error messages.
#pragma once

#include <string>
#include <vector>

namespace kiln::runtime {

// The Levenshtein distance: insertions, deletions and substitutions.
size_t EditDistance(const std::string& a, const std::string& b);

// The candidate closest to `name` within `max_distance` edits, or "".
std::string ClosestName(const std::string& name, const std::vector<std::string>& candidates, size_t max_distance = 3);

}  // namespace kiln::runtime
