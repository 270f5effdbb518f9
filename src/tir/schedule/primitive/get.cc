// get_block, get_loops, get_child_blocks, get_producers, get_consumers:
// handles for what a function contains.
#include <sstream>

#include "../primitives.h"

namespace kiln::tir::schedule {
namespace {

std::vector<BlockRef> Refs(const std::string& func, const std::vector<const BlockNode*>& blocks) {
  std::vector<BlockRef> out;
  for (const BlockNode* b : blocks) out.push_back({func, b->name});
  return out;
}

}  // namespace

BlockRef GetBlock(const ScheduleState& s, const std::string& name, const std::string& func) {
  if (!func.empty()) {
    s.Find(BlockRef{func, name}, "get_block");  // raises with a suggestion when absent
    return {func, name};
  }
  std::vector<std::string> funcs = s.FuncNames();
  KILN_SCHEDULE_CHECK(!funcs.empty(), "get_block") << "the module has no PrimFunc";
  if (funcs.size() == 1) return GetBlock(s, name, funcs[0]);
  std::vector<std::string> holders;
  for (const std::string& f : funcs) {
    if (s.Exists(BlockRef{f, name})) holders.push_back(f);
  }
  if (holders.size() == 1) return {holders[0], name};
  std::ostringstream os;
  os << (holders.empty() ? "no function has a block '" : "several functions have a block '") << name
     << "'; pass func= (functions:";
  for (const std::string& f : (holders.empty() ? funcs : holders)) os << " " << f;
  os << ")";
  Fail("get_block", os.str());
}

std::vector<LoopRef> GetLoops(const ScheduleState& s, const BlockRef& block) {
  std::vector<LoopRef> out;
  for (const ForNode* f : s.Find(block, "get_loops").loops()) out.push_back({block.func, f->loop_var});
  return out;
}

std::vector<BlockRef> GetChildBlocks(const ScheduleState& s, const BlockRef& block) {
  return Refs(block.func, ChildBlocks(s.Find(block, "get_child_blocks").stmt()));
}

std::vector<BlockRef> GetChildBlocks(const ScheduleState& s, const LoopRef& loop) {
  return Refs(loop.func, ChildBlocks(s.Find(loop, "get_child_blocks").stmt()));
}

std::vector<BlockRef> GetProducers(const ScheduleState& s, const BlockRef& block) {
  Located loc = s.Find(block, "get_producers");
  if (!loc.scope()) return {};
  return Refs(block.func, Producers(loc.scope(), loc.block()));
}

std::vector<BlockRef> GetConsumers(const ScheduleState& s, const BlockRef& block) {
  Located loc = s.Find(block, "get_consumers");
  if (!loc.scope()) return {};
  return Refs(block.func, Consumers(loc.scope(), loc.block()));
}

}  // namespace kiln::tir::schedule
