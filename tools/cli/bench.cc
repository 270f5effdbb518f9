// `kiln bench MODEL`: times one function of a model (a compiled .so, or a
// .kir/.onnx compiled first) call by call on given or random inputs, with a
// progress line on stderr, and prints latency percentiles.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iomanip>
#include <iostream>
#include <numeric>

#include "commands.h"
#include "inputs.h"
#include "model.h"

namespace kiln::cli {

namespace {

using Clock = std::chrono::steady_clock;

// The nearest-rank percentile `p` (0..100) of sorted samples.
double Percentile(const std::vector<double>& sorted, double p) {
  size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
  return sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1];
}

std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) >= 0x20) out += c;
  }
  return out + "\"";
}

// Rewrites the progress line on stderr at most every 100 ms (and always for
// the last call).
class Progress {
 public:
  void Update(const char* phase, int done, int total, double last_ms) {
    Clock::time_point now = Clock::now();
    if (done != total && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    std::fprintf(stderr, "\r%s %d/%d  last %.3f ms   ", phase, done, total, last_ms);
    std::fflush(stderr);
  }
  void Finish() {
    std::fprintf(stderr, "\n");
    std::fflush(stderr);
  }

 private:
  Clock::time_point last_{};
};

int Run(const Args& args) {
  const std::string& model = args.positional()[0];
  CompileOptions options;
  options.target = args.Get("target", options.target);
  options.pipeline = args.Get("pipeline", options.pipeline);
  std::string function = args.Get("function", "main");
  int repeat = args.GetInt("repeat", 100, 1);
  int warmup = args.GetInt("warmup", 10, 0);
  bool json = args.Has("json");

  LoadedModel loaded = LoadModel(model, options);
  const runtime::vm::VMFunction& fn = FindFunction(loaded, model, function);
  InputOptions input_options;
  input_options.inputs = args.GetAll("input");
  input_options.shapes = args.GetAll("shape");
  input_options.random_rest = true;
  Arguments arguments = MakeArguments(fn, input_options);
  runtime::Function f = loaded.vm.GetFunction(function);
  auto call = [&] {
    Clock::time_point start = Clock::now();
    f.CallPacked(arguments.values.data(), static_cast<int>(arguments.values.size()));
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  };

  Progress progress;
  for (int i = 0; i < warmup; ++i) progress.Update("warm-up", i + 1, warmup, call());
  std::vector<double> ms;
  for (int i = 0; i < repeat; ++i) {
    ms.push_back(call());
    progress.Update("run", i + 1, repeat, ms.back());
  }
  progress.Finish();

  std::vector<double> sorted = ms;
  std::sort(sorted.begin(), sorted.end());
  double mean = std::accumulate(ms.begin(), ms.end(), 0.0) / static_cast<double>(ms.size());
  double p50 = Percentile(sorted, 50), p90 = Percentile(sorted, 90), p99 = Percentile(sorted, 99);
  std::cout << std::fixed << std::setprecision(4);
  if (json) {
    std::cout << "{\"model\": " << JsonString(model) << ", \"function\": " << JsonString(function)
              << ", \"runs\": " << repeat << ", \"warmup\": " << warmup << ", \"compile_s\": "
              << (loaded.compile_seconds < 0 ? std::string("null") : std::to_string(loaded.compile_seconds))
              << ", \"p50_ms\": " << p50 << ", \"p90_ms\": " << p90 << ", \"p99_ms\": " << p99
              << ", \"min_ms\": " << sorted.front() << ", \"mean_ms\": " << mean << "}\n";
    return 0;
  }
  std::cout << "model     " << model;
  if (loaded.compile_seconds >= 0) {
    std::cout << std::setprecision(2) << " (compiled in " << loaded.compile_seconds << " s, pipeline "
              << options.pipeline << ", target " << options.target << ")" << std::setprecision(4);
  }
  std::cout << "\nfunction  " << fn.Signature() << "\n";
  for (const std::string& note : arguments.notes) std::cout << "input     " << note << "\n";
  std::cout << "runs      " << repeat << " after " << warmup << " warm-up\n"
            << "latency   p50 " << p50 << " ms  p90 " << p90 << " ms  p99 " << p99 << " ms  min " << sorted.front()
            << " ms  mean " << mean << " ms\n";
  return 0;
}

}  // namespace

Command BenchCommand() {
  Command c;
  c.name = "bench";
  c.summary = "time a model call by call and print latency percentiles";
  c.usage =
      "kiln bench MODEL.so|MODEL.onnx|MODEL.kir [--input NAME=FILE.npy ...] [--shape NAME=1x3x224x224 ...] "
      "[options]";
  c.options = {
      {"input", "NAME=FILE.npy", "the argument NAME (the others are random)", true, 'i'},
      {"shape", "NAME=DIMS", "the shape of random argument NAME, for symbolic dims (1x3x224x224)", true},
      {"repeat", "N", "timed calls (default 100)"},
      {"warmup", "N", "calls before timing (default 10)"},
      {"function", "NAME", "the function to time (default main)"},
      {"json", "", "print the results as one JSON object"},
  };
  for (OptionSpec& o : CompileOptionSpecs()) c.options.push_back(o);
  c.min_positional = c.max_positional = 1;
  c.run = Run;
  return c;
}

}  // namespace kiln::cli
