// The ONNX importer from C++: a small model built with the protobuf classes
// imports with a symbolic dim; bad input (truncated bytes, unsupported ops and
// opsets, missing external data) raises kiln::Error naming the node; and 300
// mutations of the model (fixed seed) each raise kiln::Error or import, never
// crash (the ASan build runs this too).
#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "kiln/frontend/onnx.h"
#include "kiln/relax/printer.h"
#include "kiln/runtime/error.h"
#include "kiln_onnx/onnx.pb.h"

namespace kiln::frontend {
namespace {

using kiln_onnx::TensorProto;

void AddInput(kiln_onnx::GraphProto* g, const std::string& name, std::vector<std::string> dims) {
  auto* in = g->add_input();
  in->set_name(name);
  auto* t = in->mutable_type()->mutable_tensor_type();
  t->set_elem_type(TensorProto::FLOAT);
  for (const std::string& d : dims) {
    auto* dim = t->mutable_shape()->add_dim();
    if (std::isdigit(static_cast<unsigned char>(d[0]))) {
      dim->set_dim_value(std::stoll(d));
    } else {
      dim->set_dim_param(d);
    }
  }
}

kiln_onnx::NodeProto* AddNode(kiln_onnx::GraphProto* g, const std::string& op, std::vector<std::string> in,
                              std::vector<std::string> out, const std::string& name) {
  auto* n = g->add_node();
  n->set_op_type(op);
  n->set_name(name);
  for (const auto& i : in) n->add_input(i);
  for (const auto& o : out) n->add_output(o);
  return n;
}

// y = reshape(relu(x @ w), [0, -1]) with x: (n, 4), w: (4, 3).
kiln_onnx::ModelProto SmallModel(int64_t opset = 13) {
  kiln_onnx::ModelProto m;
  m.set_ir_version(8);
  auto* o = m.add_opset_import();
  o->set_domain("");
  o->set_version(opset);
  auto* g = m.mutable_graph();
  g->set_name("g");
  AddInput(g, "x", {"n", "4"});
  auto* w = g->add_initializer();
  w->set_name("w");
  w->set_data_type(TensorProto::FLOAT);
  w->add_dims(4);
  w->add_dims(3);
  for (int i = 0; i < 12; ++i) w->add_float_data(0.1f * static_cast<float>(i));
  auto* shape = g->add_initializer();
  shape->set_name("shape");
  shape->set_data_type(TensorProto::INT64);
  shape->add_dims(2);
  shape->add_int64_data(0);
  shape->add_int64_data(-1);
  AddNode(g, "MatMul", {"x", "w"}, {"m"}, "mm");
  AddNode(g, "Relu", {"m"}, {"r"}, "act");
  AddNode(g, "Reshape", {"r", "shape"}, {"y"}, "flat");
  g->add_output()->set_name("y");
  return m;
}

std::string Bytes(const kiln_onnx::ModelProto& m) { return m.SerializeAsString(); }

std::string ErrorOf(const std::string& bytes, const std::string& base_dir = "") {
  try {
    FromONNXBytes(bytes, base_dir);
  } catch (const Error& e) {
    return e.message();
  }
  return "";
}

TEST(ONNXImport, SmallModelWithSymbolicDim) {
  ir::IRModule mod = FromONNXBytes(Bytes(SmallModel()));
  std::string text = relax::ToText(mod);
  EXPECT_NE(text.find("x: Tensor((n, 4), float32)"), std::string::npos) << text;
  EXPECT_NE(text.find("Tensor((n, 3), float32)"), std::string::npos) << text;
}

TEST(ONNXImport, ErrorsNameTheProblem) {
  std::string bytes = Bytes(SmallModel());
  EXPECT_NE(ErrorOf(bytes.substr(0, bytes.size() / 2)).find("not a valid ModelProto"), std::string::npos);
  EXPECT_NE(ErrorOf(Bytes(SmallModel(10))).find("opset 10 is not supported"), std::string::npos);

  kiln_onnx::ModelProto m = SmallModel();
  m.mutable_graph()->mutable_node(1)->set_op_type("Hardmax");
  AddNode(m.mutable_graph(), "Det", {"y"}, {"d"}, "det");
  EXPECT_EQ(ErrorOf(Bytes(m)),
            "ONNX: 2 unsupported ops: Hardmax (first at node 'act' (Hardmax)); Det (first at node 'det' (Det))");

  m = SmallModel();
  auto* perm = AddNode(m.mutable_graph(), "Transpose", {"y"}, {"t"}, "tr")->add_attribute();
  perm->set_name("perm");
  perm->set_type(kiln_onnx::AttributeProto::INTS);
  perm->add_ints(0);
  perm->add_ints(7);
  EXPECT_NE(ErrorOf(Bytes(m)).find("node 'tr' (Transpose): axis 7 is out of range"), std::string::npos);
}

TEST(ONNXImport, MissingExternalData) {
  kiln_onnx::ModelProto m = SmallModel();
  TensorProto* w = m.mutable_graph()->mutable_initializer(0);
  w->clear_float_data();
  w->set_data_location(TensorProto::EXTERNAL);
  auto* kv = w->add_external_data();
  kv->set_key("location");
  kv->set_value("weights.bin");
  std::string dir = std::filesystem::temp_directory_path().string();
  std::filesystem::remove(dir + "/weights.bin");
  EXPECT_NE(ErrorOf(Bytes(m), dir).find("missing external data file"), std::string::npos);
}

TEST(ONNXImport, FuzzedBytesRaiseOrImport) {
  std::string base = Bytes(SmallModel());
  std::mt19937 rng(1234);
  auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
  int errors = 0;
  for (int iter = 0; iter < 300; ++iter) {
    std::string b = base;
    switch (iter % 4) {
      case 0:
        for (size_t k = 0, n = 1 + pick(8); k < n; ++k) b[pick(b.size())] = static_cast<char>(rng());
        break;
      case 1: b.resize(pick(b.size())); break;
      case 2: b.insert(pick(b.size()), std::string(1 + pick(16), static_cast<char>(rng()))); break;
      default: b.erase(pick(b.size()), 1 + pick(16)); break;
    }
    try {
      FromONNXBytes(b);
    } catch (const Error&) {
      ++errors;
    }
  }
  EXPECT_GT(errors, 100);
}

}  // namespace
}  // namespace kiln::frontend
