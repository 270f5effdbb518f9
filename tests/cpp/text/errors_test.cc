// Malformed text: each case must raise kiln::Error naming the line and
// column and saying what is wrong, with the source line and a caret.
#include "text_fixtures.h"

namespace kiln::text {
namespace {

struct BadText {
  const char* text;
  const char* message;  // expected in the error, with its line:column
};

// A module around a relax function body (the body starts on line 3).
std::string InMain(const std::string& body) {
  return "module {\n  func @main(x: Tensor((n, 4), float32), c: Prim(bool)) -> Tensor((n, 4), float32) {\n" + body +
         "\n  }\n}\n";
}

// A module around a PrimFunc body (the body starts on line 3).
std::string InPrim(const std::string& body) {
  return "module {\n  prim @k(A: Buffer((n,), float32), B: Buffer((4,), float16), m: int32) {\n" + body + "\n  }\n}\n";
}

void ExpectErrors(const std::vector<std::pair<std::string, std::string>>& cases) {
  testing::RegisterTestOps();
  for (const auto& [text, message] : cases) {
    SCOPED_TRACE(text);
    EXPECT_KILN_ERROR(Parse(text), message);
  }
}

TEST(TextErrors, RelaxMistakesNameTheirPlace) {
  ExpectErrors({
      {InMain("    y = test.matmull(x, x)\n    return y"), "<text>:3:9: unknown op \"test.matmull\" (did you mean"},
      {InMain("    y = test.relu(z)\n    return y"), "3:19: undefined name 'z'"},
      {InMain("    y = test.relu(x, x)\n    return y"), "3:9: test.relu takes 1 arguments (x), got 2"},
      {InMain("    y = test.concat()\n    return y"),
       "3:9: test.concat takes at least 1 arguments (first, rest), got 0"},
      {InMain("    w: Tensor((4, 2), float16) = const([[1.0, 2.0]], float16)\n    y = test.matmul(x, w)\n    return y"),
       "4:9: test.matmul: dtypes float32 and float16 differ"},
      {InMain("    y = test.sum(x, axes=[1])\n    return y"),
       "3:9: test.sum: unknown attribute 'axes' (it takes: axis, keepdims)"},
      {InMain("    y = test.sum(x, keepdims=3)\n    return y"), "attribute 'keepdims' must be a bool, got int"},
      {InMain("    y = test.sum(x, axis=[1], axis=[2])\n    return y"), "3:31: attribute 'axis' is given twice"},
      {InMain("    y = test.sum(keepdims=True, x)\n    return y"), "3:33: positional arguments come before keyword"},
      {InMain("    y = test.opaque(x)\n    return y"), "3:5: cannot infer the struct info of 'y'; annotate it"},
      {InMain("    y: Tensor((n, 4), float32) = x\n    y: Tensor((n, 4), float32) = x\n    return y"),
       "4:5: 'y' is already defined"},
      {InMain("    with dataflow {\n      lv = test.relu(x)\n    }\n    return lv"), "6:12: undefined name 'lv'"},
      {InMain("    output y = x\n    return y"), "3:5: 'output' marks a variable that leaves a dataflow block"},
      {InMain("    y = x"), "4:3: expected 'return' to end the function (return <value>), got '}'"},
      {InMain("    y = n\n    return y"), "3:9: 'n' is a symbolic dimension: write prim(n) or shape(...)"},
      {InMain("    t = (x, x)\n    y = t[2]\n    return x"),
       "4:10: tuple index 2 is out of range for a tuple of 2 fields"},
      {InMain("    y = x[0]\n    return x"), "3:10: item 0 of a value that is not a tuple: Tensor((n, 4), float32)"},
      {InMain("    y = @nowhere(x)\n    return x"), "3:9: undefined function @nowhere"},
      {InMain("    y = meta[3]\n    return x"), "3:14: meta[3] is not in the meta section (it has 0 entries)"},
      {InMain("    y: Tensr((n,), float32) = x\n    return x"), "3:8: expected struct info (Tensor, Tuple, Shape"},
      {InMain("    y: Tensor((n,), float32, ndim=1) = x\n    return x"), "3:30: expected Tensor((shape), dtype)"},
      {InMain("    y = if c { x }\n    return y"), "3:19: expected 'else' after the then branch"},
      {InMain("    y = const([[1, 2], [3]], int32)\n    return x"),
       "3:24: the rows of a constant must all have the same shape"},
      {InMain("    y = const([1.5], int32)\n    return x"), "3:16: number 1.5 is not a value of dtype int32"},
      {InMain("    y = const([300], int8)\n    return x"), "3:16: number 300 is not a value of dtype int8"},
      {InMain("    y = match_cast(x)\n    return x"), "3:21: expected ',' between the value and the struct info"},
      {InMain("    return match_cast(x, Object)"), "3:12: match_cast(value, struct info) can only be the value"},
      {InMain("    for: Object = x\n    return x"), "3:5: 'for' is a reserved word and cannot name a variable"},
      {"module {\n  func @f(x: Tensor((n,), float32)) -> Object {\n    return x\n  }\n  func @f() -> Object {\n"
       "    return x\n  }\n}\n",
       "5:8: function @f is defined twice"},
  });
}

TEST(TextErrors, TirMistakesNameTheirPlace) {
  ExpectErrors({
      {InPrim("    A[0] = A[0] + 1.0f16"), "3:17: tir.Add: operands have different dtypes float32 and float16"},
      {InPrim("    B[0] = A[0]"), "3:5: store of a float32 value into buffer 'B' of dtype float16"},
      {InPrim("    A[0, 1] = 1.0"), "3:5: store of buffer 'A' with 2 indices; it has 1 dimensions"},
      {InPrim("    A[q] = 1.0"), "3:7: undefined name 'q'"},
      {InPrim("    A = 1.0"), "3:7: expected '[' after the buffer (a store is A[i] = value), got '='"},
      {InPrim("    m = 1"), "3:5: 'm' is not a buffer: only buffer elements can be assigned"},
      {InPrim("    A[0] + A"), "3:12: 'A' is a buffer: load from it (A[i]) or take A.data"},
      {InPrim("    A[0] + 1.0 = 2.0"), "3:10: expected '=' after the buffer element, got '+'"},
      {InPrim("    let x = 1i7\n    A[x] = 0.0"), "3:13: unknown literal suffix 'i7'"},
      {InPrim("    let x = 99999999999999999999\n    A[x] = 0.0"),
       "3:13: integer literal 99999999999999999999 is out of range"},
      {InPrim("    let x = 1"), "3:5: 'let' needs statements after it (its body) or braces"},
      {InPrim("    for i in forever(4) {\n    }"),
       "3:14: expected range, parallel, vectorized, unrolled or thread_binding"},
      {InPrim("    for i in range(4.0) {\n    }"), "3:19: a loop extent must be an integer"},
      {InPrim("    for i in range(4, thread=\"x\") {\n    }"),
       "3:5: loop over 'i': a thread tag goes with thread_binding"},
      {"module {\n  prim @k(A: Buffer((4,), float32)) {\n    for i in range(4) {\n      A[i] = 0.0\n",
       "5:1: expected '}' to close the '{' at 3:23, got the end of the text"},
      {InPrim("    reads(A[0])"),
       "3:5: 'reads' is a reserved word; call an intrinsic of that name as call(\"reads\", ...)"},
      {InPrim("    exp()"), "3:5: exp() needs dtype=... (its dtype is its last argument's otherwise)"},
      {InPrim("    ramp(0, 1, n)"), "3:5: ramp: lanes must be an integer literal from 2 to 65535"},
      {InPrim("    select(True, 1)"), "3:5: select takes 3 arguments, got 2"},
      {InPrim("    block \"b\" {\n      where(True)\n      where(False)\n    }"), "5:7: a block has one 'where'"},
      {InPrim("    block \"b\" {\n      vi: int64 = spatial(4, 0i32)\n    }"),
       "3:5: block 'b': iteration variable 'vi' of dtype int64 bound to a value of dtype int32"},
      {InPrim("    block \"b\" {\n      reads(C[0])\n    }"), "4:13: 'C' is not a buffer in scope"},
      {InPrim("    alloc T: Buffer((4,), float32, scope=\"texture\")\n    T[0] = 0.0"),
       "3:11: buffer 'T': unknown scope"},
      {InPrim("    A[0] = !1.0"), "3:12: tir.Not: operand must be bool"},
      {InPrim("    A[0] = 1.0 +"), "3:17: expected an expression, got the end of the line"},
      {InPrim("    A[0] = (1.0"), "4:3: expected ')' to close the '(' at 3:12, got '}'"},
      {"module {\n  prim @k(n: SizeVar(float32)) {\n  }\n}", "2:14: a SizeVar must be an integer, not float32"},
      {"module {\n  prim @k[q](A: Buffer((4,), float32)) {\n  }\n}", "2:12: expected ':' after the variable"},
  });
}

TEST(TextErrors, LexicalAndStructuralMistakes) {
  ExpectErrors({
      {"", "1:1: expected 'module' at the start of the text, got the end of the text"},
      {"module {\n  func @f() -> Object {\n    return \"open\n  }\n}", "3:12: unterminated string"},
      {"module {\n  func @f() -> Object {\n    return \"\\q\"\n  }\n}", "3:14: unknown escape \\q"},
      {"module {\n  $\n}", "2:3: unexpected character '$'"},
      {"module {\n  \xc3\xa9\n}", "2:3: unexpected byte"},
      {"module {\n  func @f() -> Object {\n    return 1.\n  }\n}", "3:13: malformed number"},
      {"module {\n  attrs {\"a\": 1, \"a\": 2}\n}", "2:18: attribute \"a\" is given twice"},
      {"module {\n  attrs {\"a\": device(\"tpu\")}\n}", "2:22: unknown device"},
      {"module {\n  meta {\n    1 = array((1,), int8, \"AA==\")\n  }\n}",
       "3:5: meta entries are numbered 0, 1, 2, ... in order"},
      {"module {\n  meta {\n    0 = array((2,), int8, \"AA==\")\n  }\n}",
       "3:27: meta[0]: the data has 1 bytes; the array needs 2"},
      {"module {\n  meta {\n    0 = array((1,), int8, \"A!==\")\n  }\n}", "3:27: meta[0]: malformed base64 data"},
      {"module {\n  func @f(x: Object) -> Object {\n    return x\n  }\n}\nmodule {",
       "6:1: expected the end of the text, got 'module'"},
      {"module {\n  class @f() {\n  }\n}", "2:3: expected func, prim or meta, got 'class'"},
      {"module {\n  impure prim @f() {\n  }\n}", "2:10: 'impure' goes with relax functions (func)"},
  });
}

TEST(TextErrors, DeepNestingIsAnErrorNotACrash) {
  std::string deep = InMain("    return " + std::string(5000, '(') + "x" + std::string(5000, ')'));
  EXPECT_KILN_ERROR(Parse(deep), "3:511: the text nests deeper than 500 levels");
  std::string tir_deep = InPrim("    A[0] = " + std::string(100000, '-') + "1.0");
  EXPECT_KILN_ERROR(Parse(tir_deep), "the text nests deeper than 500 levels");
  std::string blocks = "module {\n  prim @k() {\n" + std::string(1000, '{') + "\n}}";
  EXPECT_KILN_ERROR(Parse(blocks), "3:1: expected an expression, got '{'");
}

TEST(TextErrors, MessagesShowTheLineAndACaret) {
  testing::RegisterTestOps();
  try {
    Parse(InMain("    y = test.matmull(x, x)\n    return y"), "model.kir");
    FAIL() << "no error";
  } catch (const Error& e) {
    std::string expected = "model.kir:3:9: unknown op \"test.matmull\"";
    EXPECT_EQ(e.message().substr(0, expected.size()), expected);
    std::string tail = "\n      y = test.matmull(x, x)\n          ^";
    ASSERT_GE(e.message().size(), tail.size());
    EXPECT_EQ(e.message().substr(e.message().size() - tail.size()), tail);
  }
}

}  // namespace
}  // namespace kiln::text
