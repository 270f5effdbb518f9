// The registry of tensor intrinsics for Schedule::Tensorize, and the checks
// an intrinsic's description and implementation pass when registered.
#include "kiln/tir/schedule/tensor_intrin.h"

#include <map>
#include <mutex>
#include <optional>
#include <unordered_set>

#include "analysis_nest.h"
#include "kiln/runtime/edit_distance.h"
#include "kiln/runtime/error.h"
#include "kiln/tir/functor.h"
#include "state.h"

namespace kiln::tir {
namespace {

std::mutex& RegistryMutex() {
  static std::mutex m;
  return m;
}
std::map<std::string, TensorIntrin>& Registry() {
  static std::map<std::string, TensorIntrin> r;
  return r;
}

// The buffers a statement loads from or stores to.
class AccessedBuffers : public StmtVisitor {
 public:
  std::unordered_set<const BufferNode*> buffers;

 protected:
  void VisitExpr_(const BufferLoadNode* op) override {
    buffers.insert(op->buffer.get());
    StmtVisitor::VisitExpr_(op);
  }
  void VisitStmt_(const BufferStoreNode* op) override {
    buffers.insert(op->buffer.get());
    StmtVisitor::VisitStmt_(op);
  }
};

bool UsesVar(const Stmt& s, const Var& v) {
  bool found = false;
  PreOrderVisit(s, [&](const PrimExpr& e) { found |= e.get() == v.get(); });
  return found;
}

// The description is loops around one block (inside a root block without
// iteration variables, or not), which describes an update: no init, no
// predicate; it accesses every parameter buffer.
void CheckDescription(const std::string& name, const PrimFunc& desc) {
  Stmt body = desc->body;
  if (const BlockNode* root = body.as<BlockNode>(); root && root->iter_vars.empty()) body = root->body;
  std::optional<schedule::LoopNest> nest = schedule::AsLoopNest(body);
  KILN_CHECK(nest) << "tensor intrinsic '" << name
                   << "': the description must be loops around one block (in a root block or not)";
  KILN_CHECK(!nest->block->init) << "tensor intrinsic '" << name << "': the description's block '" << nest->block->name
                                 << "' has an init; describe the update alone (tensorize keeps the program's init)";
  KILN_CHECK(!nest->block->predicate) << "tensor intrinsic '" << name << "': the description's block '"
                                      << nest->block->name << "' has a predicate";
  AccessedBuffers accessed;
  accessed.VisitStmt(nest->block->body);
  for (const auto& [param, buffer] : desc->buffer_map) {
    KILN_CHECK(accessed.buffers.count(buffer.get()))
        << "tensor intrinsic '" << name << "': the description never accesses buffer '" << buffer->name << "'";
  }
}

// The implementation has no blocks with iteration variables (it is placed
// inside the tensorized block), and a buffer whose data pointer it uses
// declares its elem_offset as a variable, bound to the region's offset.
void CheckImplementation(const std::string& name, const PrimFunc& impl) {
  for (const BlockNode* b : schedule::AllBlocks(impl->body)) {
    KILN_CHECK(b->iter_vars.empty()) << "tensor intrinsic '" << name << "': the implementation has block '" << b->name
                                     << "' with iteration variables; write it as plain statements";
  }
  for (const auto& [param, buffer] : impl->buffer_map) {
    if (!UsesVar(impl->body, buffer->data)) continue;
    KILN_CHECK(buffer->elem_offset.as<VarNode>())
        << "tensor intrinsic '" << name << "': the implementation uses the data pointer of '" << buffer->name
        << "', so that buffer must declare its elem_offset as a variable (bound to the region's offset)";
  }
}

}  // namespace

void TensorIntrin::Register(const std::string& name, PrimFunc desc, PrimFunc impl, bool override) {
  KILN_CHECK(desc && impl) << "tensor intrinsic '" << name << "': description and implementation are required";
  KILN_CHECK(desc->buffer_map.size() == impl->buffer_map.size())
      << "tensor intrinsic '" << name << "': the description has " << desc->buffer_map.size()
      << " buffers, the implementation " << impl->buffer_map.size();
  for (size_t i = 0; i < desc->buffer_map.size(); ++i) {
    const Buffer& d = desc->buffer_map[i].second;
    const Buffer& m = impl->buffer_map[i].second;
    KILN_CHECK(d->dtype == m->dtype && d->shape.size() == m->shape.size())
        << "tensor intrinsic '" << name << "': buffer " << i << " ('" << d->name << "') differs in dtype or rank "
        << "between description and implementation";
    for (size_t k = 0; k < d->shape.size(); ++k) {
      std::optional<int64_t> a = ConstIntValue(d->shape[k]), b = ConstIntValue(m->shape[k]);
      KILN_CHECK(!a || !b || *a == *b) << "tensor intrinsic '" << name << "': buffer " << i << " ('" << d->name
                                       << "') has extent " << *a << " in dimension " << k << " in the description, "
                                       << *b << " in the implementation";
    }
  }
  size_t blocks = 0;
  for (const BlockNode* b : schedule::AllBlocks(desc->body)) blocks += b->iter_vars.empty() ? 0 : 1;
  KILN_CHECK(blocks == 1) << "tensor intrinsic '" << name << "': the description must compute one block, not "
                          << blocks;
  CheckDescription(name, desc);
  CheckImplementation(name, impl);
  std::lock_guard<std::mutex> lock(RegistryMutex());
  KILN_CHECK(override || !Registry().count(name)) << "tensor intrinsic '" << name << "' is already registered";
  Registry()[name] = TensorIntrin{std::move(desc), std::move(impl)};
}

const TensorIntrin& TensorIntrin::Get(const std::string& name) {
  std::lock_guard<std::mutex> lock(RegistryMutex());
  auto it = Registry().find(name);
  if (it == Registry().end()) {
    std::vector<std::string> names;
    for (const auto& [n, i] : Registry()) names.push_back(n);
    std::string hint = runtime::ClosestName(name, names);
    KILN_THROW() << "no tensor intrinsic '" << name << "'" << (hint.empty() ? "" : " (did you mean '" + hint + "'?)");
  }
  return it->second;
}

std::vector<std::string> TensorIntrin::ListNames() {
  std::lock_guard<std::mutex> lock(RegistryMutex());
  std::vector<std::string> names;
  for (const auto& [n, i] : Registry()) names.push_back(n);
  return names;
}

}  // namespace kiln::tir
