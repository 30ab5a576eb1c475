# Question 1 — the adaptivity table: K·KL/TC and K·KL/DTC (kl_over_tc_K, kl_over_dtc_K) of every
# schedule (columns) for every distribution of the bank (rows), at K = L/r (r = 2 by default: set
# r=4 with -e for K = L/4), as two heat maps with the numbers written in. A schedule adapts to TC
# (DTC) when its column stays bounded on the left (right) map across the whole bank, whatever the
# distribution. The colour scale is logarithmic and covers the values of both maps (from the
# smallest positive one up to the largest, which can exceed K); a KL of exactly 0 (kl_expected
# below `tiny`) gets a colour of its own, grey, shown at the foot of the colour box. A cell where
# chen-tc/chen-dtc fell back to zeta = 1 (the CSV's zeta_fallback) says "ζ = 1" under its value.
if (!exists("plotdir")) plotdir = "plots"
load plotdir."/lib.gp"
if (!exists("r")) r = 2
W = sprintf("r=%d;positions_spec=random", r)
rowid = "#section+seed+m"
rowlab = "@section+seed+m"

# the range of the positive values of both maps
stats sel("kl_over_tc_K,kl_over_dtc_K,kl_expected", W) using ($3 > tiny ? $1 : NaN) nooutput
vlo = STATS_min; vhi = STATS_max
stats sel("kl_over_tc_K,kl_over_dtc_K,kl_expected", W) using ($3 > tiny ? $2 : NaN) nooutput
vlo = STATS_min < vlo ? STATS_min : vlo
vhi = STATS_max > vhi ? STATS_max : vhi
cblo = 10.0**floor(log10(vlo))     # the lowest colour of the scale (a whole decade)
cbhi = vhi * 1.05
zval = cblo / 2.5                  # where an exact 0 is drawn: the grey strip below cblo
# the palette, by value on the log scale, diverging about 1 (on the rate): blue below, white at 1,
# red above; an exact 0 has a grey strip of its own below the lowest colour
pal = sprintf("set palette defined (%.6f '#a6a6a6', %.6f '#a6a6a6', %.6f '#2166ac'", log10(zval), log10(cblo), log10(cblo))
do for [a in "0.1:#67a9cf 0.4:#d1e5f0 1:#f7f7f7 1.6:#fddbc7 3:#ef8a62 8:#b2182b"] {
    av = real(a[1:strstrt(a, ":") - 1]); ac = a[strstrt(a, ":") + 1:]
    if (av > cblo && av < cbhi) { pal = pal.sprintf(", %.6f '%s'", log10(av), ac) }
}
pal = pal.sprintf(", %.6f '#67001f')", log10(cbhi))
eval pal
set logscale cb
set cbrange [zval / 1.0001:cbhi]
set cbtics scale 0.5 nomirror
set cbtics ("0" sqrt(zval * cblo))
do for [e = floor(log10(cblo)):ceil(log10(cbhi))] {
    do for [m in "1 2 5"] {
        v = real(m) * 10.0**e
        if (v >= cblo * 0.999 && v <= cbhi) { eval sprintf("set cbtics add ('%g' %.12g)", v, v) }
    }
}
set mcbtics 1

set view map
set xtics rotate by 35 right nomirror
set ytics nomirror
set yrange [] reverse
set tics scale 0
unset key
# the colour value of a cell (v the ratio, k its kl_expected) and its label; white text on dark cells
cv(v, k) = k > tiny ? (v < cblo ? cblo : v) : zval
lab(v, k) = v != v ? "" : k <= tiny ? "0" : v < 0.01 ? sprintf("%.1g", v) : v < 10 ? sprintf("%.2f", v) : sprintf("%.0f", v)
dark(v, k) = k > tiny && (v >= 5 || v <= 0.03)

do for [fmt in "png svg"] {
    eval setterm(fmt, 1800, 820)
    set ytics nomirror
    set output sprintf("%s/q1_adaptivity.%s", outdir, fmt)
    set multiplot layout 1,2 title sprintf("Adaptivity: exact normalised errors at K = L/%d (K = %s for L = %s binary tokens; the MDS code has L = 7 symbols of F7, K = %s)\n\"ζ = 1\" under a value: chen-* with ζ picked from K fell back to ζ = 1 (no ζ ≥ 2 fits in K iterations: one step, KL = TC)", r, first("K", W.";section=parity"), first("L", W.";section=parity"), first("K", W.";section=mds"))
    eval tics("x", "#schedule,schedule", W, "%s")
    eval tics("y", rowid.",".rowlab.",TC,DTC", W, "%s  (TC %.2g, DTC %.2g)")
    set lmargin 42
    set rmargin 2
    set title "K · kl_expected / TC      (a column that stays small adapts to TC)"
    unset colorbox
    plot sel("#schedule,".rowid.",kl_over_tc_K,kl_expected,zeta_fallback", W) using 1:2:(cv($3, $4)) with image, \
         ''                                              using 1:2:(dark($3, $4) ? "" : lab($3, $4)) with labels font ",10" tc rgb "black", \
         ''                                              using 1:2:(dark($3, $4) ? lab($3, $4) : "") with labels font ",10" tc rgb "white", \
         ''                                              using 1:($2 + 0.32):($5 == 1 && !dark($3, $4) ? "ζ = 1" : "") with labels font ",7" tc rgb "black", \
         ''                                              using 1:($2 + 0.32):($5 == 1 && dark($3, $4) ? "ζ = 1" : "") with labels font ",7" tc rgb "white"
    set lmargin 3
    set rmargin 14
    unset ytics
    set title "K · kl_expected / DTC      (a column that stays small adapts to DTC)"
    set colorbox user origin 0.935, 0.2 size 0.012, 0.66
    set cblabel "normalised error, log scale (grey: KL = 0 exactly)"
    plot sel("#schedule,".rowid.",kl_over_dtc_K,kl_expected,zeta_fallback", W) using 1:2:(cv($3, $4)) with image, \
         ''                                              using 1:2:(dark($3, $4) ? "" : lab($3, $4)) with labels font ",10" tc rgb "black", \
         ''                                              using 1:2:(dark($3, $4) ? lab($3, $4) : "") with labels font ",10" tc rgb "white", \
         ''                                              using 1:($2 + 0.32):($5 == 1 && !dark($3, $4) ? "ζ = 1" : "") with labels font ",7" tc rgb "black", \
         ''                                              using 1:($2 + 0.32):($5 == 1 && dark($3, $4) ? "ζ = 1" : "") with labels font ",7" tc rgb "white"
    unset cblabel
    unset multiplot
    set output
}
