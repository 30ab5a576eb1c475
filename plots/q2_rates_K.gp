# Question 2 — rates in K: kl_expected against K on log-log axes, one panel per distribution of
# the bank, one line per schedule, with the reference lines TC/K and DTC/K (dashed). A point at
# KL = 0 (exact) cannot be drawn on a log axis: a line that stops has reached 0 (said in the
# figure). The legend sits in its own column right of the panels, so it covers no data.
if (!exists("plotdir")) plotdir = "plots"
load plotdir."/lib.gp"
schedules = "balanced cosine iid:cosine random-tc random-dtc chen-tc chen-dtc optimal"
sections = "parity mds copy mixprod markov ising2d"
W = "positions_spec=random"
# "1 bit", "2.5 bits": a value in bits with the unit in the right number
bits(x) = sprintf("%.3g %s", x, sprintf("%.3g", x) eq "1" ? "bit" : "bits")
set logscale xy
set grid xtics ytics mxtics mytics lc rgb "#dddddd"
set format y "%.0e"
set xtics nomirror
set ytics nomirror
set xtics (1, 2, 3, 4, 6, 8, 12, 16)
set key Left reverse spacing 1.3 samplen 3 box lc rgb "#cccccc" font ",10" width 1

do for [fmt in "png svg"] {
    eval setterm(fmt, 1850, 1000)
    set output sprintf("%s/q2_rates_K.%s", outdir, fmt)
    set multiplot layout 2,3 title "Rates in K: exact kl_expected against the number of iterations K (random positions)" \
        margins 0.05, 0.855, 0.07, 0.895 spacing 0.065, 0.125
    do for [i = 1:words(sections)] {
        sec = word(sections, i)
        w = W.";section=".sec
        set title sprintf("%s\nTC = %s, DTC = %s", first("dist", w), bits(real(first("TC", w))), bits(real(first("DTC", w))))
        set xlabel "K (iterations)"
        set ylabel "kl_expected (bits)"
        # whole decades around every drawn value (a fixed floor would cut lines that are still > 0)
        set xrange [*:*]; set yrange [*:*]   # stats honours the current ranges
        stats sel("kl_expected,bound_tc_over_K,bound_dtc_over_K", w) using (pos($1)) nooutput
        ylo = STATS_min; yhi = STATS_max
        stats sel("kl_expected,bound_tc_over_K,bound_dtc_over_K", w) using (pos($2) < pos($3) ? pos($2) : pos($3)) nooutput
        ylo = STATS_min < ylo ? STATS_min : ylo
        stats sel("kl_expected,bound_tc_over_K,bound_dtc_over_K", w) using (pos($2) > pos($3) ? pos($2) : pos($3)) nooutput
        yhi = STATS_max > yhi ? STATS_max : yhi
        set yrange [10.0**floor(log10(ylo / 1.3)):10.0**ceil(log10(yhi * 1.3))]
        set xrange [0.9:real(first("L", w)) * 1.1]
        # the legend and the note on KL = 0, drawn once (with the last panel) right of the panels
        if (i == words(sections)) {
            set key at screen 0.87, 0.66 left center
            set label 1 "A line that stops has reached\nKL = 0 exactly (no point on a\nlog axis), e.g. optimal on\nparity from K = 2." at screen 0.87, 0.42 left font ",10"
        } else { unset key; unset label 1 }
        plot for [s in schedules] sel("K,kl_expected", w.";schedule=".s) using 1:(pos($2)) \
                 with linespoints lc rgb color(s) pt ptype(s) ps 0.8 lw lwidth(s) notitle, \
             sel("K,bound_tc_over_K", w.";schedule=balanced") using 1:(pos($2)) with lines dt 2 lw 2 lc rgb "black" notitle, \
             sel("K,bound_dtc_over_K", w.";schedule=balanced") using 1:(pos($2)) with lines dt 2 lw 2 lc rgb "#999999" notitle, \
             for [s in chen] sel("K,kl_expected,zeta_fallback", w.";schedule=".s) using 1:(fbpos($2, $3)) \
                 with points lc rgb color(s) pt fbpt ps fbps lw 1.5 notitle, \
             for [s in schedules] NaN with linespoints lc rgb color(s) pt ptype(s) ps 0.8 lw lwidth(s) title s, \
             NaN with points lc rgb "#555555" pt fbpt ps fbps lw 1.5 title fbtitle, \
             NaN with lines dt 2 lw 2 lc rgb "black" title "TC/K", \
             NaN with lines dt 2 lw 2 lc rgb "#999999" title "DTC/K"
    }
    unset label 1
    unset multiplot
    set output
}
