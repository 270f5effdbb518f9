// Bindings of op registration from Python (kiln.relax.register_op,
// kiln.relax.remove_op; the Python face is python/kiln/relax/custom_op.py):
// a new op with its arguments, attributes, pattern kind, struct-info
// inference and legalization written in Python, entered in the same registry
// as the C++ ops, so that it parses, prints, legalizes and fuses like them.
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include "convert.h"
#include "kiln/relax/op.h"
#include "node.h"

namespace kiln::python {

relax::FLegalize PythonLegalize(const std::string& op_name, nb::handle f);  // legalize.cc

namespace {
using namespace kiln::relax;

OpPattern ToPattern(const std::string& op_name, const std::string& name) {
  for (OpPattern p : {OpPattern::kElementwise, OpPattern::kBroadcast, OpPattern::kInjective, OpPattern::kReduction,
                      OpPattern::kOutEWiseFusable, OpPattern::kOpaque}) {
    if (name == OpPatternName(p)) return p;
  }
  KILN_THROW() << "register_op(" << op_name << "): unknown pattern kind '" << name
               << "' (elementwise, broadcast, injective, reduction, output_fusible or opaque)";
}

AttrKind ToAttrKind(const std::string& op_name, const std::string& attr, const std::string& kind) {
  static const std::pair<const char*, AttrKind> kKinds[] = {
      {"int", AttrKind::kInt},
      {"float", AttrKind::kFloat},
      {"bool", AttrKind::kBool},
      {"str", AttrKind::kString},
      {"dtype", AttrKind::kDataType},
      {"int_list", AttrKind::kIntList},
      {"optional_int", AttrKind::kOptionalInt},
      {"optional_int_list", AttrKind::kOptionalIntList},
  };
  for (const auto& [name, k] : kKinds) {
    if (kind == name) return k;
  }
  KILN_THROW() << "register_op(" << op_name << "): attribute '" << attr << "' has unknown kind '" << kind
               << "' (int, float, bool, str, dtype, int_list, optional_int or optional_int_list)";
}

// infer(call) -> StructInfo as an FInferStructInfo. The Python function runs
// under the GIL (WrapCallable); its exceptions and wrong results become
// kiln::Errors naming the op.
FInferStructInfo PythonInfer(const std::string& op_name, nb::handle f) {
  runtime::Function fn = WrapCallable(f, op_name + " struct-info inference");
  return [fn, op_name](const CallNode* call) -> StructInfo {
    Any result = fn(runtime::ObjectRef(runtime::GetRef<CallNode>(call)));
    bool is_sinfo =
        result.kind() == Any::Kind::kObject && result.AsObject() && result.AsObject()->IsInstance<ir::StructInfoNode>();
    KILN_CHECK(is_sinfo) << op_name << ": the struct-info inference registered from Python returned "
                         << (result.is_none() ? "None" : "a " + result.TypeName()) << ", expected a StructInfo";
    return StructInfo(result.AsObject().As<ir::StructInfoNode>());
  };
}

// (name, kind, default or None, doc) tuples as attribute declarations.
std::vector<OpAttrSpec> ToAttrSpecs(const std::string& op_name, nb::handle attrs) {
  std::vector<OpAttrSpec> specs;
  for (nb::handle a : attrs) {
    nb::tuple t = nb::cast<nb::tuple>(a);
    KILN_CHECK(t.size() == 4) << "register_op(" << op_name << "): an attribute is (name, kind, default, doc)";
    std::string name = nb::cast<std::string>(t[0]);
    AttrKind kind = ToAttrKind(op_name, name, nb::cast<std::string>(t[1]));
    specs.push_back({name, kind, FromPython(t[2]), nb::cast<std::string>(t[3])});
  }
  return specs;
}

nb::object RegisterPythonOp(const std::string& name, const std::string& description,
                            const std::vector<std::string>& arg_names, bool variadic, int num_optional,
                            nb::handle attrs, const std::string& pattern, nb::handle infer, nb::handle legalize,
                            bool is_pure) {
  KILN_CHECK(PyCallable_Check(infer.ptr())) << "register_op(" << name << "): infer must be callable";
  KILN_CHECK(legalize.is_none() || PyCallable_Check(legalize.ptr()))
      << "register_op(" << name << "): legalize must be callable or None";
  KILN_CHECK(num_optional >= 0 && num_optional <= static_cast<int>(arg_names.size()))
      << "register_op(" << name << "): " << num_optional << " optional arguments of " << arg_names.size();
  OpPattern kind = ToPattern(name, pattern);
  // Everything checked before the name is taken: a failed call registers nothing.
  std::string full = name.find('.') == std::string::npos ? "relax." + name : name;
  FInferStructInfo f_infer = PythonInfer(full, infer);
  FLegalize f_legalize = legalize.is_none() ? FLegalize() : PythonLegalize(full, legalize);
  std::vector<OpAttrSpec> attr_specs = ToAttrSpecs(name, attrs);

  OpRegistration reg = RegisterOp(name);
  reg.Describe(description).Args(arg_names, variadic, num_optional).Pattern(kind).InferStructInfo(f_infer);
  for (OpAttrSpec& a : attr_specs) reg.Attr(std::move(a.name), a.kind, std::move(a.default_value), std::move(a.doc));
  if (f_legalize) reg.Legalize(f_legalize);
  if (!is_pure) reg.Impure();
  return Wrap(reg.op());
}

}  // namespace

void BindCustomOp(nb::module_& parent) {
  nb::module_ relax = nb::borrow<nb::module_>(parent.attr("relax"));
  relax.def(
      "_register_op", &RegisterPythonOp, nb::arg("name"), nb::arg("description"), nb::arg("arg_names"),
      nb::arg("variadic"), nb::arg("num_optional"), nb::arg("attrs"), nb::arg("pattern"), nb::arg("infer"),
      nb::arg("legalize").none(), nb::arg("is_pure"),
      "Registers a new op whose inference (and legalization) are Python callables; raises when the name is taken.");
  relax.def("_remove_op", &RemoveOp, nb::arg("name"), "Takes an op out of the registry.");
}

}  // namespace kiln::python
