// What trace.cc shares with its parser (trace_parse.cc) and its replay
// table (trace_replay.cc).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "kiln/runtime/error.h"
#include "kiln/tir/schedule/schedule.h"
#include "kiln/tir/schedule/trace.h"

namespace kiln::tir::trace {

// The instructions of a trace's text; raises kiln::Error with line:column.
Trace Parse(const std::string& text);

// Maps the handles of the recorded trace to those of the schedule replaying it.
struct ReplayMap {
  std::map<int64_t, TraceValue> rvs;

  TraceValue Map(const TraceValue& v) const {
    switch (v.kind) {
      case TraceValue::Kind::kBlock:
      case TraceValue::Kind::kLoop:
      case TraceValue::Kind::kExpr: {
        auto it = rvs.find(v.i);
        KILN_CHECK(it != rvs.end() && it->second.kind == v.kind)
            << "trace: handle " << v.ToText() << " is used before an instruction defines it";
        return it->second;
      }
      case TraceValue::Kind::kList: {
        std::vector<TraceValue> out;
        for (const TraceValue& x : v.list) out.push_back(Map(x));
        return TraceValue::List(std::move(out));
      }
      default: return v;
    }
  }
  template <typename RV>
  void Define(const std::vector<TraceValue>& recorded, const std::vector<RV>& actual) {
    KILN_CHECK(recorded.size() == actual.size())
        << "trace: the instruction gave " << actual.size() << " results where the trace has " << recorded.size();
    for (size_t i = 0; i < actual.size(); ++i) rvs[recorded[i].i] = TraceValue::Of(actual[i]);
  }
};

// Runs one instruction on `sch`; false when its kind is unknown.
bool Apply(Schedule& sch, const Instruction& inst, ReplayMap& m);
// The primitives a trace may name.
std::vector<std::string> PrimitiveNames();

}  // namespace kiln::tir::trace
