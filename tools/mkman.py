#!/usr/bin/env python3
"""mkman.py DLMKL VERSION OUT: write the man page dlmkl(1) from the program's own help texts.

The page is `dlmkl --help`, then `dlmkl COMMAND --help` for every command that the main help lists,
then `dlmkl help specs`, `dlmkl help schedules` and `dlmkl help config`, set verbatim (the help texts are already laid out for a terminal), so the page and the
program's help cannot drift: the build regenerates the page whenever the program changes."""
import re
import subprocess
import sys


def run(exe, *args):
    r = subprocess.run([exe, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    if r.returncode != 0:
        sys.exit(f"mkman.py: '{exe} {' '.join(args)}' exited with {r.returncode}: {r.stderr.decode()}")
    return r.stdout.decode("utf-8")


def roff(text):
    """Verbatim text as roff: escape backslashes, protect leading '.' and '\''."""
    out = []
    for line in text.rstrip("\n").split("\n"):
        line = line.replace("\\", "\\e")
        if line.startswith((".", "'")):
            line = "\\&" + line
        out.append(line)
    return "\n".join(out)


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: mkman.py DLMKL VERSION OUT")
    exe, version, out = sys.argv[1:]
    main_help = run(exe, "--help")
    # the commands are the indented words of the "Commands:" block of the main help
    block = main_help.split("Commands:\n", 1)[1]
    commands = []
    for line in block.split("\n"):
        m = re.match(r"  ([a-z]+)\s", line)
        if not m:
            break
        commands.append(m.group(1))
    first = main_help.split("\n", 1)[0]
    summary = first.split("\u2014", 1)[-1].strip() if "\u2014" in first else first
    page = [
        f'.TH DLMKL 1 "" "dlmkl {version}" "User Commands"',
        ".SH NAME",
        f"dlmkl \\- {roff(summary)}",
        ".SH SYNOPSIS",
        ".B dlmkl",
        ".I COMMAND",
        "[options]",
        ".SH DESCRIPTION",
        "This page is generated from the program's help texts: \\fBdlmkl --help\\fR and",
        "\\fBdlmkl\\fR \\fICOMMAND\\fR \\fB--help\\fR print the same text.",
        ".PP",
        ".nf",
        roff(main_help.split("\n", 1)[1]),
        ".fi",
        ".SH COMMANDS",
    ]
    for c in commands:
        if c != "help":
            page += [".SS " + c, ".nf", roff(run(exe, c, "--help")), ".fi"]
    for title, topic in (("SPECS", "specs"), ("SCHEDULES", "schedules"), ("SWEEP CONFIGS", "config")):
        page += [".SH " + title, ".nf", roff(run(exe, "help", topic)), ".fi"]
    page += [".SH SEE ALSO", "The README of the dlmkl sources; experiments/README.md for sweep configs."]
    with open(out, "w", encoding="utf-8") as f:
        f.write("\n".join(page) + "\n")


if __name__ == "__main__":
    main()
