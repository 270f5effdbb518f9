// Structural equality and hashing of relax expressions, struct info and whole
// IRModules modulo variable names, built on tir's comparator and hasher so that
// symbolic shape variables map consistently between graph and loop code.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <type_traits>

#include "kiln/ir/module.h"
#include "kiln/relax/expr.h"

namespace kiln::relax {

// Definitions match by position: relax Vars bound by function parameters and
// bindings, and the symbolic tir Vars that first appear (bare, as a
// dimension or value) in a parameter's or a match_cast's struct info; those
// mappings carry into struct info, ShapeExprs and PrimValues that follow.
// Struct info is part of equality: a Var's always, any other expression's
// when both sides have it. Ops compare by identity, GlobalVars by name,
// constants by dtype, shape and bytes. Modules need the same function names
// in the same order and the same attributes; each function is compared on
// its own. Free variables follow tir::StructuralEqual's map_free_vars rule.
bool StructuralEqual(const Expr& a, const Expr& b, bool map_free_vars = false);
bool StructuralEqual(const ir::IRModule& a, const ir::IRModule& b, bool map_free_vars = false);

// Objects equal under StructuralEqual with the same map_free_vars hash equal;
// the hash never reads addresses, so it is stable across processes.
size_t StructuralHash(const Expr& e, bool map_free_vars = false);
size_t StructuralHash(const ir::IRModule& m, bool map_free_vars = false);

// nullopt when equal, else the first difference with its path, e.g.
// "function 'main' / body / blocks[0] / bindings[2] / value / args[1]:
// lhs Var 'x' vs rhs Var 'y' (different variables)".
std::optional<std::string> FindMismatch(const Expr& a, const Expr& b, bool map_free_vars = false);
std::optional<std::string> FindMismatch(const ir::IRModule& a, const ir::IRModule& b, bool map_free_vars = false);

namespace detail {
bool StructInfoStructuralEqual(const StructInfo& a, const StructInfo& b, bool map_free_vars);
size_t StructInfoStructuralHash(const StructInfo& s, bool map_free_vars);
std::optional<std::string> StructInfoMismatch(const StructInfo& a, const StructInfo& b, bool map_free_vars);
template <typename T>
using IfStructInfo = std::enable_if_t<std::is_base_of_v<ir::StructInfoNode, T>>;
}  // namespace detail

// The same for struct info of any kind. Templates only so that expression
// handles (which Ref would also convert to StructInfo) choose the Expr ones.
template <typename S1, typename S2, typename = detail::IfStructInfo<S1>, typename = detail::IfStructInfo<S2>>
bool StructuralEqual(const Ref<S1>& a, const Ref<S2>& b, bool map_free_vars = false) {
  return detail::StructInfoStructuralEqual(StructInfo(a), StructInfo(b), map_free_vars);
}
template <typename S, typename = detail::IfStructInfo<S>>
size_t StructuralHash(const Ref<S>& s, bool map_free_vars = false) {
  return detail::StructInfoStructuralHash(StructInfo(s), map_free_vars);
}
template <typename S1, typename S2, typename = detail::IfStructInfo<S1>, typename = detail::IfStructInfo<S2>>
std::optional<std::string> FindMismatch(const Ref<S1>& a, const Ref<S2>& b, bool map_free_vars = false) {
  return detail::StructInfoMismatch(StructInfo(a), StructInfo(b), map_free_vars);
}

}  // namespace kiln::relax
