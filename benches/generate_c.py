#!/usr/bin/env python3
"""Generates a large driver file from a mock driver, for benchmarks.

The driver's routines are copied again and again with numbered names,
until the file has at least the requested number of lines. Every copy is
a real routine that uses the lock APIs, so the weaver has as much to do
per line as in the original driver.

usage: generate_c.py DRIVER_DIR LINES OUTPUT
"""
import re
import sys


def main():
    directory, lines, output = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    source = open(f"{directory}/driver.c").read()
    header = open(f"{directory}/driver.h").read()
    roles = re.findall(r"^(DRIVER_\w+|IO_\w+_ROUTINE|KDEFERRED_ROUTINE|KSERVICE_ROUTINE) (\w+);", header, re.M)
    # The routines and macros after the includes are what gets copied.
    head, body = source.split('#include "driver.h"\n', 1)
    names = sorted(set(re.findall(r"^([A-Z][A-Za-z]+)\(", body, re.M)), key=len, reverse=True)
    macros = re.findall(r"^#define (\w+)", body, re.M)
    out = [head, '#include "driver.h"\n']
    count = len(out[0].splitlines()) + 1
    copy = 0
    while count < lines:
        text = body
        for name in names + macros:
            text = re.sub(rf"\b{name}\b", f"{name}_{copy}", text)
        # Each copy declares its routines' roles, as the header does.
        declarations = "".join(f"{role} {name}_{copy};\n" for role, name in roles)
        out.append(declarations + text)
        count += len(declarations.splitlines()) + len(text.splitlines())
        copy += 1
    open(output, "w").write("".join(out))
    print(f"{output}: {count} lines, {copy} copies of {directory}/driver.c")


if __name__ == "__main__":
    main()
