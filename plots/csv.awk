# csv.awk — select rows and columns of a dlmkl sweep CSV for gnuplot (POSIX awk: mawk or gawk).
#
#   awk -f plots/csv.awk -v cols='K,kl_expected' -v where='section=markov;schedule=balanced' FILE.csv
#
# Prints the chosen columns of the matching rows, tab-separated, in file order:
#   cols   comma-separated output fields, each
#            NAME          the column's value ("NaN" if empty, so gnuplot skips it);
#            #A+B+...      0-based index of the first appearance of the joined values of columns
#                          A, B, ... among matching rows (a category number for x or y);
#            @A+B+...      a category label: the value of A, then B=value, ... for the non-empty
#                          ones, joined by spaces (spaces inside values become '_')
#   where  ';'-separated conditions NAME=VALUE or NAME!=VALUE (VALUE may be empty); all must hold
#   max    stop after this many output rows (default: all)
# Quoted CSV fields (with commas or "" inside) are handled. A missing column is an error.

function csvsplit(line, f,    n, i, c, q, cur) {
    # no quote on the line: a plain split (linear time; rows with long `sizes` cells are ~1 MB)
    if (index(line, "\"") == 0) return split(line, f, ",")
    n = 0; cur = ""; q = 0
    for (i = 1; i <= length(line); i++) {
        c = substr(line, i, 1)
        if (q) {
            if (c == "\"") {
                if (substr(line, i + 1, 1) == "\"") { cur = cur "\""; i++ }
                else q = 0
            } else cur = cur c
        } else if (c == "\"") q = 1
        else if (c == ",") { f[++n] = cur; cur = "" }
        else cur = cur c
    }
    f[++n] = cur
    return n
}

function colidx(name) {
    if (!(name in H)) { printf "csv.awk: no column '%s' in %s\n", name, FILENAME > "/dev/stderr"; bad = 1; exit 2 }
    return H[name]
}

# the values of columns A+B+... joined by sep; with named != 0 every column after the first is
# written NAME=VALUE
function joined(spec, f, sep, named,    parts, k, n, s, v) {
    n = split(spec, parts, "+"); s = ""
    for (k = 1; k <= n; k++) {
        v = f[colidx(parts[k])]
        if (v == "") continue
        gsub(/ /, "_", v)
        if (named && k > 1) v = parts[k] "=" v
        s = (s == "" ? v : s sep v)
    }
    return s
}

BEGIN { FS = "\n"; OFS = "\t" }

NR == 1 {
    sub(/\r$/, "")
    nh = csvsplit($0, hf)
    for (i = 1; i <= nh; i++) H[hf[i]] = i
    nc = split(cols, C, ",")
    nw = (where == "") ? 0 : split(where, W, ";")
    for (j = 1; j <= nw; j++) {
        if (index(W[j], "!=")) { p = index(W[j], "!="); WN[j] = substr(W[j], 1, p - 1); WV[j] = substr(W[j], p + 2); WNEG[j] = 1 }
        else { p = index(W[j], "="); WN[j] = substr(W[j], 1, p - 1); WV[j] = substr(W[j], p + 1); WNEG[j] = 0 }
        WI[j] = colidx(WN[j])
    }
    for (j = 1; j <= nc; j++) {
        c1 = substr(C[j], 1, 1)
        if (c1 != "#" && c1 != "@") colidx(C[j])
    }
    next
}

{
    sub(/\r$/, "")
    if ($0 == "") next
    csvsplit($0, f)
    for (j = 1; j <= nw; j++) {
        eq = (f[WI[j]] == WV[j])
        if (eq == WNEG[j]) next
    }
    out = ""
    for (j = 1; j <= nc; j++) {
        c1 = substr(C[j], 1, 1)
        if (c1 == "#") {
            key = joined(substr(C[j], 2), f, "\034", 0)
            if (!((j, key) in CAT)) CAT[j, key] = NCAT[j]++
            v = CAT[j, key]
        } else if (c1 == "@") {
            v = joined(substr(C[j], 2), f, " ", 1)
            if (v == "") v = "-"
        } else {
            v = f[colidx(C[j])]
            if (v == "") v = "NaN"
        }
        out = (j == 1) ? v : out OFS v
    }
    print out
    if (max != "" && ++nout >= max + 0) exit 0
}
