// The version of Kiln; pyproject.toml reads it from here.
#pragma once

#define KILN_VERSION "0.1.0"
