# Question 3 — rates in L: kl_expected against L on log-log axes, at a fixed number of iterations
# (K = 4, top row) and at a fixed ratio (L/K = 4, bottom row), one column per family, one line per
# schedule. Lines: closed-form profiles (to L = 8192); open circles in the Markov panels: exact
# enumeration of the same chain (L <= 16), which must sit on the lines. A KL of exactly 0 has no
# point on a log axis: a line that stops (or is absent, like optimal on copy and parity) has
# reached 0, which the figure says. The legend is built from dummy (NaN) plots in a column of its
# own right of the panels, so it lists every schedule whatever the data and covers no data.
if (!exists("plotdir")) plotdir = "plots"
load plotdir."/lib.gp"
schedules = "balanced iid:cosine random-tc random-dtc chen-tc chen-dtc optimal"
families = "copy parity markov perm"
regimes = "K4 r4"
W = "positions_spec=random"
set logscale xy
set grid xtics ytics lc rgb "#dddddd"
set format y "%.0e"
set xtics ("4" 4, "16" 16, "64" 64, "256" 256, "1024" 1024, "4096" 4096) nomirror
set ytics nomirror
set key Left reverse spacing 1.3 samplen 3 box lc rgb "#cccccc" font ",10"
fam_title(f) = f eq "copy" ? "copy (uniform over the 2 constant strings)" : f eq "parity" ? "parity (even parity on L bits)" : \
               f eq "markov" ? "markov (binary, stay = 0.9, stationary)" : "perm (uniform permutation of [L], V = L)"

do for [fmt in "png svg"] {
    eval setterm(fmt, 2000, 950)
    set output sprintf("%s/q3_rates_L.%s", outdir, fmt)
    set multiplot layout 2,4 title "Rates in L: exact kl_expected (bits) against the length L; top: K = 4 iterations, bottom: K = L/4; lines: closed-form profiles, circles: exact enumeration" \
        margins 0.045, 0.865, 0.075, 0.90 spacing 0.05, 0.115
    do for [r = 1:2] {
        do for [i = 1:words(families)] {
            f = word(families, i)
            reg = word(regimes, r)
            w = W.";section=".f."_".reg
            set title sprintf("%s, %s", fam_title(f), r == 1 ? "K = 4" : "K = L/4")
            set xlabel "L (tokens)"
            set ylabel "kl_expected (bits)"
            # whole decades around every positive value (lines at the frame would be hidden)
            set xrange [*:*]; set yrange [*:*]   # stats honours the current ranges
            stats sel("kl_expected", w) using (pos($1)) nooutput
            set yrange [10.0**floor(log10(STATS_min / 1.3)):10.0**ceil(log10(STATS_max * 1.3))]
            set xrange [3.5:10000]
            # the legend and the note on KL = 0, drawn once (with the last panel) right of the panels
            if (r == 2 && i == words(families)) {
                set key at screen 0.875, 0.66 left center
                set label 1 "A line that stops, or is absent,\nhas reached KL = 0 exactly\n(no point on a log axis),\ne.g. optimal on copy and parity." \
                    at screen 0.875, 0.40 left font ",10"
            } else { unset key; unset label 1 }
            if (f eq "markov") {
                plot for [s in schedules] sel("L,kl_expected", w.";schedule=".s) using 1:(pos($2)) \
                         with lines lc rgb color(s) lw lwidth(s) notitle, \
                     for [s in chen] sel("L,kl_expected,zeta_fallback", w.";schedule=".s) using 1:(fbpos($2, $3)) \
                         with points lc rgb color(s) pt fbpt ps fbps lw 1.5 notitle, \
                     for [s in schedules] sel("L,kl_expected", W.";section=markov_enum_".reg.";schedule=".s) \
                         using 1:(pos($2)) with points pt 6 ps 1.3 lc rgb color(s) notitle
            } else {
                plot for [s in schedules] sel("L,kl_expected", w.";schedule=".s) using 1:(pos($2)) \
                         with lines lc rgb color(s) lw lwidth(s) notitle, \
                     for [s in chen] sel("L,kl_expected,zeta_fallback", w.";schedule=".s) using 1:(fbpos($2, $3)) \
                         with points lc rgb color(s) pt fbpt ps fbps lw 1.5 notitle, \
                     for [s in schedules] NaN with lines lc rgb color(s) lw lwidth(s) title s, \
                     NaN with points pt 6 ps 1.3 lw 1.3 lc rgb "#555555" title "exact enumeration", \
                     NaN with points lc rgb "#555555" pt fbpt ps fbps lw 1.5 title fbtitle
            }
        }
    }
    unset label 1
    unset multiplot
    set output
}
