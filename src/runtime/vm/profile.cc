// The VM's profiler: one run with every packed call timed, as a table.
#include <algorithm>
#include <chrono>
#include <cstdio>

#include "vm_object.h"

namespace kiln::runtime::vm {

ProfileReport VirtualMachineObj::Profile(int64_t func, const Any* args, int num_args) {
  KILN_CHECK(profile_ == nullptr) << "VirtualMachine: profile called while a profile is running";
  std::vector<CallStat> stats(callees_.size());
  profile_ = &stats;
  auto start = std::chrono::steady_clock::now();
  try {
    Invoke(func, args, num_args);
    if (device().device_type != kDLCPU) DeviceAPI::Get(device())->Synchronize(device());
  } catch (...) {
    profile_ = nullptr;
    throw;
  }
  profile_ = nullptr;
  auto report = MakeObject<ProfileReportObj>();
  report->function = exec_->functions[func].name;
  report->total_us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count();
  for (size_t i = 0; i < stats.size(); ++i) {
    if (stats[i].calls == 0) continue;
    const VMFunction& f = exec_->functions[i];
    report->rows.push_back(
        {f.name, f.kind == FuncKind::kKernel ? "kernel" : "global", stats[i].calls, stats[i].ns / 1e3});
  }
  std::stable_sort(
      report->rows.begin(), report->rows.end(),
      [](const ProfileReportObj::Row& a, const ProfileReportObj::Row& b) { return a.total_us > b.total_us; });
  return report;
}

std::string ProfileReportObj::Table() const {
  size_t width = 32;
  for (const Row& r : rows) width = std::max(width, r.name.size() + 2);
  std::string out;
  char buf[512];
  auto line = [&](const std::string& name, const std::string& kind, const std::string& calls, double total,
                  double mean) {
    char mean_text[32] = "";
    if (mean >= 0) std::snprintf(mean_text, sizeof(mean_text), "%.3f", mean);
    std::snprintf(buf, sizeof(buf), "%-*s %-8s %7s %12.2f %11s %7.1f%%\n", static_cast<int>(width), name.c_str(),
                  kind.c_str(), calls.c_str(), total, mean_text, total_us > 0 ? 100.0 * total / total_us : 0.0);
    out += buf;
  };
  std::snprintf(buf, sizeof(buf), "%-*s %-8s %7s %12s %11s %8s\n", static_cast<int>(width),
                ("profile of " + function).c_str(), "kind", "calls", "total (us)", "mean (us)", "share");
  out += buf;
  double packed = 0;
  for (const Row& r : rows) {
    line(r.name, r.kind, std::to_string(r.calls), r.total_us, r.total_us / r.calls);
    packed += r.total_us;
  }
  line("(VM: checks, interpreter, calls)", "", "", std::max(0.0, total_us - packed), -1);
  line("total", "", "", total_us, -1);
  return out;
}

}  // namespace kiln::runtime::vm
