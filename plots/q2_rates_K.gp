# Question 2 — rates in K: kl_expected against K on log-log axes, one panel per distribution of
# the bank, one line per schedule, with the reference lines TC/K and DTC/K (dashed). A point at
# KL = 0 (exact) cannot be drawn on a log axis: a line that stops has reached 0.
if (!exists("plotdir")) plotdir = "plots"
load plotdir."/lib.gp"
schedules = "balanced cosine iid:cosine random-tc random-dtc chen-tc chen-dtc optimal"
sections = "parity mds copy mixprod markov ising2d"
W = "positions_spec=random"
set logscale xy
set grid xtics ytics mxtics mytics lc rgb "#dddddd"
set format y "%.0e"
set xtics nomirror
set ytics nomirror
set xtics (1, 2, 3, 4, 6, 8, 12, 16)
set key inside bottom left Left reverse spacing 1.0 samplen 2 opaque box lc rgb "#cccccc" font ",9"

do for [fmt in "png svg"] {
    eval setterm(fmt, 1700, 1000)
    set output sprintf("%s/q2_rates_K.%s", outdir, fmt)
    set multiplot layout 2,3 title "Rates in K: exact kl_expected against the number of iterations K (random positions); dashed: TC/K (black), DTC/K (grey); a line that stops has reached KL = 0"
    do for [i = 1:words(sections)] {
        sec = word(sections, i)
        w = W.";section=".sec
        set title sprintf("%s\nTC = %.3g bits, DTC = %.3g bits", first("dist", w), real(first("TC", w)), real(first("DTC", w)))
        set xlabel "K (iterations)"
        set ylabel "kl_expected (bits)"
        set xrange [0.9:real(first("L", w)) * 1.1]
        set yrange [1e-3:*]
        if (i == 1) { set key } else { unset key }
        plot for [s in schedules] sel("K,kl_expected", w.";schedule_spec=".s) using 1:(pos($2)) \
                 with linespoints lc rgb color(s) pt ptype(s) ps 0.8 lw lwidth(s) title s, \
             sel("K,bound_tc_over_K", w.";schedule_spec=balanced") using 1:(pos($2)) with lines dt 2 lw 2 lc rgb "black" title "TC/K", \
             sel("K,bound_dtc_over_K", w.";schedule_spec=balanced") using 1:(pos($2)) with lines dt 2 lw 2 lc rgb "#999999" title "DTC/K"
    }
    unset multiplot
    set output
}
