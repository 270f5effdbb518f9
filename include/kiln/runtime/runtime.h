// Everything of the runtime layer in one include, and the names the rest of
// Kiln uses without the runtime:: prefix.
#pragma once

#include "kiln/runtime/any.h"
#include "kiln/runtime/data_type.h"
#include "kiln/runtime/device.h"
#include "kiln/runtime/error.h"
#include "kiln/runtime/function.h"
#include "kiln/runtime/module.h"
#include "kiln/runtime/ndarray.h"
#include "kiln/runtime/object.h"
#include "kiln/runtime/thread_pool.h"
#include "kiln/runtime/timer.h"
#include "kiln/runtime/version.h"

namespace kiln {
using runtime::Any;
using runtime::DataType;
using runtime::Device;
using runtime::Function;
using runtime::Module;
using runtime::NDArray;
using runtime::ObjectRef;
using runtime::Ref;
}  // namespace kiln
