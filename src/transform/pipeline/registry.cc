// The registry of named pipelines (include/kiln/transform/pipeline.h); the
// pipelines themselves are the other files of this folder.
#include <map>
#include <mutex>

#include "kiln/runtime/error.h"
#include "kiln/transform/pipeline.h"

namespace kiln::transform {
namespace {

struct Registry {
  std::mutex mutex;
  std::map<std::string, PipelineFactory> makers;
};
Registry& GetRegistry() {
  static Registry* r = new Registry();
  return *r;
}

}  // namespace

void RegisterPipeline(const std::string& name, PipelineFactory make) {
  Registry& r = GetRegistry();
  std::lock_guard<std::mutex> lock(r.mutex);
  KILN_CHECK(r.makers.emplace(name, std::move(make)).second) << "pipeline '" << name << "' is already registered";
}

std::vector<std::string> ListPipelines() {
  Registry& r = GetRegistry();
  std::lock_guard<std::mutex> lock(r.mutex);
  std::vector<std::string> names;
  for (const auto& [name, make] : r.makers) names.push_back(name);
  return names;
}

std::vector<Pass> GetPipelinePasses(const std::string& name, const std::string& target,
                                    const PipelineOptions& options) {
  PipelineFactory make;
  {
    Registry& r = GetRegistry();
    std::lock_guard<std::mutex> lock(r.mutex);
    auto it = r.makers.find(name);
    if (it != r.makers.end()) make = it->second;
  }
  if (!make) {
    std::string known;
    for (const std::string& n : ListPipelines()) known += (known.empty() ? "" : ", ") + n;
    KILN_THROW() << "unknown pipeline '" << name << "' (known: " << known << ")";
  }
  return make(target, options);
}

Pass GetPipeline(const std::string& name, const std::string& target, const PipelineOptions& options) {
  return Sequential(GetPipelinePasses(name, target, options), "pipeline." + name);
}

std::string TargetKind(const std::string& target) {
  size_t begin = target.find_first_not_of(' ');
  if (begin == std::string::npos) return "";
  size_t end = target.find(' ', begin);
  return target.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
}

}  // namespace kiln::transform
