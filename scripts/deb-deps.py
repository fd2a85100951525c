#!/usr/bin/env python3
"""Checks a .deb's declared dependencies against what its programs need.

Usage: deb-deps.py DEPENDS-FILE BINARY... [-- SONAME...]

Every shared library a binary links directly (its ELF NEEDED entries), and
each extra SONAME (libraries loaded at run time, like the tray's), must be
provided by an installed package that the declared dependencies reach: a
package named there, a dependency of one of those (recursively), or an
essential package (which Debian never asks packages to declare). Each
declared dependency must itself be installed on this machine. Exits 1 with
the libraries that nothing declared would bring.
"""

import re
import subprocess
import sys


def installed_packages():
    """Installed packages from dpkg's status file: name -> fields."""
    pkgs = {}
    for para in open("/var/lib/dpkg/status").read().split("\n\n"):
        fields = {}
        key = None
        for line in para.splitlines():
            if line.startswith((" ", "\t")) and key:
                fields[key] += " " + line.strip()
            elif ":" in line:
                key, _, value = line.partition(":")
                fields[key] = value.strip()
        if "Package" in fields and "install ok installed" in fields.get("Status", ""):
            name = fields["Package"]
            pkgs[name] = fields
            pkgs[f"{name}:{fields.get('Architecture', '')}"] = fields
    return pkgs


def names(relation):
    """Package names of a Depends-style field (every alternative)."""
    out = []
    for part in relation.split(","):
        for alt in part.split("|"):
            name = re.sub(r"\(.*?\)|\[.*?\]|<.*?>", "", alt).strip()
            if name:
                out.append(name)
    return out


def closure(start, pkgs):
    """Every installed package reached from `start` through Depends and Pre-Depends."""
    provides = {}
    for fields in pkgs.values():
        for p in names(fields.get("Provides", "")):
            provides.setdefault(p.split(":")[0], set()).add(fields["Package"])
    seen, todo = set(), list(start)
    while todo:
        name = todo.pop().split(":")[0]
        if name in seen:
            continue
        seen.add(name)
        targets = [name] if name in pkgs else sorted(provides.get(name, ()))
        for target in targets:
            seen.add(target)
            fields = pkgs.get(target, {})
            todo += names(fields.get("Depends", "")) + names(fields.get("Pre-Depends", ""))
    return seen


def needed(binary):
    out = subprocess.run(["objdump", "-p", binary], capture_output=True, text=True, check=True).stdout
    return re.findall(r"^\s*NEEDED\s+(\S+)", out, re.M)


def owner(soname):
    """The installed package holding the library `soname`."""
    cache = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True, check=True).stdout
    paths = re.findall(rf"^\s*{re.escape(soname)} \(.*x86-64.*\) => (\S+)", cache, re.M)
    for path in paths:
        for candidate in (path, path.replace("/usr/lib/", "/lib/", 1), path.replace("/lib/", "/usr/lib/", 1)):
            r = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True)
            if r.returncode == 0:
                return r.stdout.split(":")[0].split(",")[0].strip()
    return None


def main():
    args = sys.argv[1:]
    extra = args[args.index("--") + 1:] if "--" in args else []
    args = args[: args.index("--")] if "--" in args else args
    depends_file, binaries = args[0], args[1:]
    declared = names(open(depends_file).read())
    pkgs = installed_packages()
    missing = [d for d in declared if d.split(":")[0] not in pkgs]
    if missing:
        sys.exit(f"declared but not installed here (so not checkable): {missing}")
    essential = [f["Package"] for f in pkgs.values() if f.get("Essential") == "yes"]
    reached = closure(declared + essential, pkgs)
    problems = []
    sonames = sorted({s for b in binaries for s in needed(b)} | set(extra))
    for soname in sonames:
        pkg = owner(soname)
        if pkg is None:
            problems.append(f"{soname}: no installed package holds it")
        elif pkg.split(":")[0] not in reached:
            problems.append(f"{soname}: from {pkg}, which no declared dependency brings")
    if problems:
        sys.exit("missing dependencies:\n  " + "\n  ".join(problems))
    print(f"{len(sonames)} libraries, all from declared dependencies")


main()
