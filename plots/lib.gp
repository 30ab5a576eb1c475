# lib.gp — shared settings of the dlmkl figures (gnuplot >= 5.2, Debian gnuplot-nox).
# Each figure script is run as
#   gnuplot -e "data='results/q1_adaptivity.csv'; outdir='results'; plotdir='plots'" plots/q1_adaptivity.gp
# and loads this file. Rows and columns are selected by plots/csv.awk (POSIX awk), which reads the
# CSV written by `dlmkl sweep` directly.

if (!exists("plotdir")) plotdir = "plots"
if (!exists("outdir")) outdir = "results"
if (!exists("data")) print "set data='FILE.csv' with -e"; exit status 2

# sel(cols, where): a gnuplot data source of the selected columns (tab-separated)
sel(cols, where) = sprintf("< awk -f '%s/csv.awk' -v cols='%s' -v where='%s' '%s'", plotdir, cols, where, data)
# first value of one column among the matching rows (a string; "" if none)
first(col, where) = system(sprintf("awk -f '%s/csv.awk' -v max=1 -v cols='%s' -v where='%s' '%s'", plotdir, col, where, data))
# "set Xtics (...)" for categories: cols must give index, label[, a, b]; fmt is a printf format
tics(axis, cols, where, fmt) = system(sprintf("awk -f '%s/csv.awk' -v cols='%s' -v where='%s' '%s' | awk -f '%s/tics.awk' -v axis=%s -v fmt='%s'", plotdir, cols, where, data, plotdir, axis, fmt))

set datafile separator "\t"
set datafile missing "NaN"
set termoption noenhanced
set encoding utf8

# one colour and point type per schedule, the same in every figure
color(s) = s eq "balanced" ? "#1f77b4" : s eq "cosine" ? "#17becf" : s eq "linear" ? "#9edae5" : \
           s eq "iid:cosine" ? "#bcbd22" : s eq "composition" ? "#8c564b" : \
           s eq "random-tc" ? "#d62728" : s eq "random-dtc" ? "#ff7f0e" : \
           s eq "chen-tc" ? "#2ca02c" : s eq "chen-dtc" ? "#98df8a" : s eq "optimal" ? "#000000" : "#7f7f7f"
ptype(s) = s eq "balanced" ? 5 : s eq "cosine" ? 13 : s eq "iid:cosine" ? 9 : s eq "composition" ? 11 : \
           s eq "random-tc" ? 7 : s eq "random-dtc" ? 7 : s eq "chen-tc" ? 3 : s eq "chen-dtc" ? 2 : \
           s eq "optimal" ? 6 : 1
# chen-tc / chen-dtc with zeta picked from K (the CSV's zeta_fallback = 1) that find no zeta >= 2
# fitting in K iterations fall back to zeta = 1: a single step, KL = TC. Every figure drawing them
# marks those points with an open diamond of the schedule's colour, and says so in its key.
chen = "chen-tc chen-dtc"
# a positive value where zeta_fallback f is 1, else NaN (select the rows with their zeta_fallback
# column rather than with a condition, so that a panel without such rows draws nothing silently)
fbpos(x, f) = f == 1 ? pos(x) : NaN
fbpt = 12
fbps = 2.2
fbtitle = "chen-* fell back to ζ=1"
# line width: the randomized schedules (the subject of Zhao & Cai) and optimal drawn thicker
lwidth(s) = (s eq "random-tc" || s eq "random-dtc" || s eq "optimal") ? 2.5 : 1.3

# Positive values only on log axes. A KL of exactly 0 (e.g. a schedule that never reveals two
# dependent tokens together) comes out of the differences of entropies as 0 up to rounding,
# ~1e-12 bits at these sizes (DLMKL_RESIDUE_REL = 1e-9 times the entropy scale bounds it);
# below `tiny` bits a value is drawn as exact 0, i.e. left out, and its line stops.
tiny = 1e-9
pos(x) = x > tiny ? x : NaN

# the terminals: PNG (pngcairo) and SVG
font = "DejaVu Sans,11"
setterm(fmt, w, h) = (fmt eq "png") ? \
    sprintf("set terminal pngcairo noenhanced size %d,%d font '%s' linewidth 1.2 background '#ffffff'", w, h, font) : \
    sprintf("set terminal svg noenhanced size %d,%d dynamic font '%s' background '#ffffff'", w, h, font)
