// CodeGenC, parallel loops: the body is outlined into a KilnParallelLambda
// (`<function>_parallel_<k>`) that runs one contiguous chunk of the range per
// task, fed by a closure struct holding the range and the variables the body
// uses, and launched through __kiln_runtime_api->parallel_launch, the entry
// point the llvm target calls too.
#include "codegen_c.h"
#include "kiln/runtime/error.h"

namespace kiln::codegen {

using namespace tir;

void CodeGenC::EmitParallelFor(const ForNode* op) {
  std::vector<Var> captured;
  for (const Var& v : UsedVars(op->body)) {
    if (IsBound(v)) captured.push_back(v);
  }
  std::string min = Emit(op->min);
  std::string extent = Emit(op->extent);
  FlushDeclarations();
  std::string lambda = function_name_ + "_parallel_" + std::to_string(parallel_count_++);
  std::string closure_type = lambda + "_closure";

  // The closure: {min, extent, captured variables...}; a vector variable
  // travels as a pointer to its lanes, a buffer as its typed data pointer.
  std::vector<std::string> field_types, fields, values = {"(int64_t)" + min, "(int64_t)" + extent};
  for (const Var& v : captured) {
    auto it = pointer_types_.find(v.get());
    if (it != pointer_types_.end()) {
      field_types.push_back(it->second + "*");
    } else if (v.dtype().lanes() > 1) {
      field_types.push_back(Type(v.dtype().element_of()) + "*");
    } else {
      field_types.push_back(Type(v.dtype()));
    }
    fields.push_back(Lookup(v));
    values.push_back(Lookup(v));
  }
  std::string decl = "typedef struct {\n  int64_t min;\n  int64_t extent;\n";
  for (size_t i = 0; i < fields.size(); ++i) decl += "  " + field_types[i] + " " + fields[i] + ";\n";
  decl += "} " + closure_type + ";\n";

  // The lambda, written as a function of its own.
  FunctionState caller = std::move(state_);
  std::string caller_lane = std::move(lane_);
  BeginFunction();
  Line() << "const " << closure_type << "* kiln_closure = (const " << closure_type << "*)closure;";
  for (size_t i = 0; i < captured.size(); ++i) {
    bool pointer = field_types[i].back() == '*';
    std::string name = Bind(captured[i]);
    Line() << field_types[i] << (pointer ? " restrict " : " ") << name << " = kiln_closure->" << fields[i] << ";";
  }
  // Task t of n runs [min + t * chunk, min + (t + 1) * chunk) clipped to the
  // range, with chunk = ceil(extent / n).
  Line() << "int64_t kiln_extent = kiln_closure->extent;";
  Line() << "int64_t kiln_chunk = (kiln_extent + num_tasks - 1) / num_tasks;";
  Line() << "int64_t kiln_lo = (int64_t)task_id * kiln_chunk, kiln_hi = kiln_lo + kiln_chunk;";
  Line() << "if (kiln_lo > kiln_extent) kiln_lo = kiln_extent;";
  Line() << "if (kiln_hi > kiln_extent) kiln_hi = kiln_extent;";
  std::string type = Type(op->loop_var.dtype());
  std::string var = Bind(op->loop_var);
  EmitLoop(type, var, "(" + type + ")(kiln_closure->min + kiln_lo)", "(" + type + ")(kiln_closure->min + kiln_hi)",
           op->body);
  Unbind(op->loop_var);
  Line() << "return 0;";
  for (const Var& v : captured) Unbind(v);
  std::string body = EndFunction();
  AddDefinition(decl + "\nstatic int32_t " + lambda + "(int32_t task_id, int32_t num_tasks, void* closure) {" + body +
                "\n}\n");
  state_ = std::move(caller);
  lane_ = std::move(caller_lane);

  // The launch.
  std::string closure = FreshName(lambda + "_args");
  std::string rc = FreshName("rc_" + lambda);
  Line() << "{";
  Indent();
  std::ostream& os = Line();
  os << closure_type << " " << closure << " = {";
  for (size_t i = 0; i < values.size(); ++i) os << (i ? ", " : "") << values[i];
  os << "};";
  Line() << "int32_t " << rc << " = __kiln_runtime_api->parallel_launch(" << lambda << ", &" << closure << ", 0);";
  std::ostream& fail = Line();
  fail << "if (" << rc << " != 0) {";
  for (auto it = state_.workspaces.rbegin(); it != state_.workspaces.rend(); ++it) {
    fail << " __kiln_runtime_api->free_workspace(1, 0, " << *it << ");";
  }
  fail << " return " << rc << "; }";
  Dedent();
  Line() << "}";
}

}  // namespace kiln::codegen
