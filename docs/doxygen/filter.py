"""Doxygen input filter (docs/doxygen/Doxyfile): Kiln's headers document declarations with plain
`//` comment blocks written as text to read as is (aligned fields such as
"Summary:" and "Runs after:"). This turns each block after `#pragma once`
into a `///` block wrapped in @verbatim, so Doxygen attaches it to the
declaration below and shows it unchanged."""
import sys

lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
out, seen_pragma, block = [], False, []


def flush():
    if block:
        indent = block[0][0]
        texts = [text[1:] if text.startswith(" ") else text for _, text in block]
        out.append(indent + "/** @verbatim")
        out.extend(texts)
        out.append("@endverbatim */")
        block.clear()


for line in lines:
    stripped = line.lstrip()
    if stripped.startswith("#pragma once"):
        seen_pragma = True
    if seen_pragma and stripped.startswith("//"):
        text = stripped[3:] if stripped.startswith("///") else stripped[2:]
        block.append((line[: len(line) - len(stripped)], text.replace("@endverbatim", "@ endverbatim").replace("*/", "* /")))
        continue
    flush()
    out.append(line)
flush()
sys.stdout.write("\n".join(out))
