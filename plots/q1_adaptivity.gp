# Question 1 — the adaptivity table: K·KL/TC and K·KL/DTC (kl_over_tc_K, kl_over_dtc_K) of every
# schedule (columns) for every distribution of the bank (rows), at K = L/r (r = 2 by default: set
# r=4 with -e for K = L/4), as two heat maps with the numbers written in. A schedule adapts to TC (DTC) when its column stays bounded on the left
# (right) map across the whole bank, whatever the distribution.
if (!exists("plotdir")) plotdir = "plots"
load plotdir."/lib.gp"
if (!exists("r")) r = 2
W = sprintf("r=%d;positions_spec=random", r)
rowid = "#section+seed+m"
rowlab = "@section+seed+m"
set view map
set palette defined (0 "#f7fbff", 0.5 "#c6dbef", 1 "#6baed6", 1.5 "#fdae6b", 2 "#e6550d", 3 "#7f0000")
set cbrange [0:3]
set cbtics ("0" 0, "0.5" 0.5, "1" 1, "1.5" 1.5, "2" 2, ">= 3" 3)
set xtics rotate by 35 right nomirror
set ytics nomirror
set yrange [] reverse
set tics scale 0
unset key
clip(x) = x > 3 ? 3 : x
lab(x) = x != x ? "" : x < 0.005 ? "0" : x < 10 ? sprintf("%.2f", x) : sprintf("%.0f", x)

do for [fmt in "png svg"] {
    eval setterm(fmt, 1700, 820)
    set ytics nomirror
    set output sprintf("%s/q1_adaptivity.%s", outdir, fmt)
    set multiplot layout 1,2 title sprintf("Adaptivity: exact normalised errors at K = L/%d (K = %s for L = %s binary tokens; the MDS code has L = 7 symbols of F7, K = %s)", r, first("K", W.";section=parity"), first("L", W.";section=parity"), first("K", W.";section=mds"))
    eval tics("x", "#schedule_spec,schedule_spec", W, "%s")
    eval tics("y", rowid.",".rowlab.",TC,DTC", W, "%s  (TC %.2g, DTC %.2g)")
    set lmargin 34
    set rmargin 2
    set title "K · kl_expected / TC      (a column that stays small adapts to TC)"
    unset colorbox
    plot sel("#schedule_spec,".rowid.",kl_over_tc_K", W) using 1:2:(clip($3)) with image, \
         ''                                              using 1:2:($3 < 2 ? lab($3) : "") with labels font ",10" tc rgb "black", \
         ''                                              using 1:2:($3 >= 2 ? lab($3) : "") with labels font ",10" tc rgb "white"
    set lmargin 3
    set rmargin 12
    unset ytics
    set title "K · kl_expected / DTC      (a column that stays small adapts to DTC)"
    set colorbox user origin 0.94, 0.25 size 0.012, 0.6
    set cblabel "normalised error (colour saturates at 3)"
    plot sel("#schedule_spec,".rowid.",kl_over_dtc_K", W) using 1:2:(clip($3)) with image, \
         ''                                               using 1:2:($3 < 2 ? lab($3) : "") with labels font ",10" tc rgb "black", \
         ''                                              using 1:2:($3 >= 2 ? lab($3) : "") with labels font ",10" tc rgb "white"
    unset cblabel
    unset multiplot
    set output
}
