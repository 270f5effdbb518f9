// Trace: handles and values as text, instructions, and the trace's entry
// points (parsing in trace_parse.cc, replay in trace_replay.cc).
#include "kiln/tir/schedule/trace.h"

#include <algorithm>
#include <charconv>
#include <string>

#include "kiln/runtime/edit_distance.h"
#include "kiln/runtime/error.h"
#include "trace_internal.h"

namespace kiln::tir {
namespace {

const char* KindName(TraceValue::Kind k) {
  switch (k) {
    case TraceValue::Kind::kNone: return "None";
    case TraceValue::Kind::kBool: return "a bool";
    case TraceValue::Kind::kInt: return "an integer";
    case TraceValue::Kind::kFloat: return "a float";
    case TraceValue::Kind::kString: return "a string";
    case TraceValue::Kind::kBlock: return "a block";
    case TraceValue::Kind::kLoop: return "a loop";
    case TraceValue::Kind::kExpr: return "a sampled value";
    case TraceValue::Kind::kList: return "a list";
  }
  return "?";
}

const TraceValue& Expect(const TraceValue& v, TraceValue::Kind k, const std::string& what) {
  KILN_CHECK(v.kind == k) << "trace: " << what << " must be " << KindName(k) << ", not " << KindName(v.kind);
  return v;
}

std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace

// ---- TraceValue ----------------------------------------------------------------------

bool TraceValue::AsBool(const std::string& what) const {
  if (kind == Kind::kInt) return i != 0;
  return Expect(*this, Kind::kBool, what).i != 0;
}
int64_t TraceValue::AsInt(const std::string& what) const {
  return Expect(*this, Kind::kInt, what).i;
}
double TraceValue::AsFloat(const std::string& what) const {
  if (kind == Kind::kInt) return static_cast<double>(i);
  return Expect(*this, Kind::kFloat, what).f;
}
const std::string& TraceValue::AsString(const std::string& what) const {
  return Expect(*this, Kind::kString, what).s;
}
BlockRV TraceValue::AsBlock(const std::string& what) const {
  return BlockRV{Expect(*this, Kind::kBlock, what).i};
}
LoopRV TraceValue::AsLoop(const std::string& what) const {
  return LoopRV{Expect(*this, Kind::kLoop, what).i};
}
ExprRV TraceValue::AsExpr(const std::string& what) const {
  return ExprRV{Expect(*this, Kind::kExpr, what).i};
}
const std::vector<TraceValue>& TraceValue::AsList(const std::string& what) const {
  return Expect(*this, Kind::kList, what).list;
}
std::vector<int64_t> TraceValue::AsIntList(const std::string& what) const {
  std::vector<int64_t> out;
  for (const TraceValue& v : AsList(what)) out.push_back(v.AsInt(what));
  return out;
}

std::string TraceValue::ToText() const {
  switch (kind) {
    case Kind::kNone: return "None";
    case Kind::kBool: return i ? "True" : "False";
    case Kind::kInt: return std::to_string(i);
    case Kind::kFloat: {
      char buf[32];
      auto r = std::to_chars(buf, buf + sizeof(buf), f);  // the shortest text that reads back exactly
      std::string s(buf, r.ptr);
      if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
      return s;
    }
    case Kind::kString: return Quote(s);
    case Kind::kBlock: return "b" + std::to_string(i);
    case Kind::kLoop: return "l" + std::to_string(i);
    case Kind::kExpr: return "v" + std::to_string(i);
    case Kind::kList: {
      std::string out = "[";
      for (size_t k = 0; k < list.size(); ++k) out += (k ? ", " : "") + list[k].ToText();
      return out + "]";
    }
  }
  return "?";
}

bool TraceValue::operator==(const TraceValue& o) const {
  return kind == o.kind && i == o.i && f == o.f && s == o.s && list == o.list;
}

// ---- Instruction and Trace --------------------------------------------------------------

const TraceValue& Instruction::Arg(const std::string& name) const {
  for (const auto& [n, v] : args) {
    if (n == name) return v;
  }
  KILN_THROW() << "trace: instruction " << kind << " has no argument '" << name << "'";
}

std::string Instruction::ToText() const {
  std::string out;
  for (size_t i = 0; i < outputs.size(); ++i) out += (i ? ", " : "") + outputs[i].ToText();
  if (!outputs.empty()) out += " = ";
  out += "sch." + kind + "(";
  for (size_t i = 0; i < args.size(); ++i) {
    if (i) out += ", ";
    if (i > 0 && !args[i].first.empty()) out += args[i].first + "=";
    out += args[i].second.ToText();
  }
  if (!decision.is_none()) out += std::string(args.empty() ? "" : ", ") + "decision=" + decision.ToText();
  return out + ")";
}

std::string Trace::ToText() const {
  std::string out;
  for (const Instruction& inst : insts_) out += inst.ToText() + "\n";
  return out;
}

Trace Trace::FromText(const std::string& text) {
  Trace t = trace::Parse(text);
  std::vector<std::string> kinds = trace::PrimitiveNames();
  for (size_t i = 0; i < t.insts_.size(); ++i) {
    const std::string& kind = t.insts_[i].kind;
    if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end()) {
      std::string hint = runtime::ClosestName(kind, kinds);
      KILN_THROW() << "trace line " << i + 1 << ": unknown primitive '" << kind << "'"
                   << (hint.empty() ? "" : " (did you mean '" + hint + "'?)");
    }
  }
  return t;
}

void Trace::ApplyTo(Schedule& sch) const {
  trace::ReplayMap m;
  for (size_t i = 0; i < insts_.size(); ++i) {
    const Instruction& inst = insts_[i];
    try {
      KILN_CHECK(trace::Apply(sch, inst, m)) << "unknown primitive '" << inst.kind << "'";
    } catch (const InternalError&) {
      throw;
    } catch (const Error& e) {
      KILN_THROW() << "trace line " << i + 1 << " (" << inst.ToText() << "): " << e.message();
    }
  }
}

Trace Trace::WithDecision(size_t inst, TraceValue decision) const {
  KILN_CHECK(inst < insts_.size()) << "trace: no instruction " << inst;
  Trace t = *this;
  t.insts_[inst].decision = std::move(decision);
  return t;
}

}  // namespace kiln::tir
