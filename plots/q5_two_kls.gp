# Question 5 — the two KLs. Left: kl_output = KL(p || law of the output) against kl_expected =
# E KL(p || q_path) for every row (random positions), log-log, one colour per schedule; the
# diagonal is equality (kl_output <= kl_expected always, by convexity). Middle and right: the ratio
# kl_output / kl_expected against K for the Markov chain (L = 10) with random and left-to-right
# positions: where the gap is large, the bounded quantity overstates the sampler's real error.
# One legend for the three panels, in a column of its own on the right (dummy NaN plots), with a
# note: a KL of exactly 0 has no point on a log axis, and the ratio is undefined where
# kl_expected = 0, so such points are left out and lines stop there.
if (!exists("plotdir")) plotdir = "plots"
load plotdir."/lib.gp"
schedules = "balanced cosine iid:cosine composition random-tc random-dtc optimal"
set grid xtics ytics lc rgb "#dddddd"
set xtics nomirror
set ytics nomirror
ratio(a, b) = (b > tiny && a == a) ? a / b : NaN

do for [fmt in "png svg"] {
    eval setterm(fmt, 2000, 640)
    set output sprintf("%s/q5_two_kls.%s", outdir, fmt)
    set multiplot layout 1,3 title "The two KLs: kl_output = KL(p || law of the sampler's output) against kl_expected = E KL(p || q_path), the quantity the papers bound" \
        margins 0.045, 0.845, 0.1, 0.87 spacing 0.055, 0.1
    unset key

    set title "every distribution and K, random positions (bits)"
    set logscale xy
    set xtics autofreq
    set format x "%.0e"
    set format y "%.0e"
    set xlabel "kl_expected (bits)"
    set ylabel "kl_output (bits)"
    # from the decade of the smallest positive value (no point cut off) to 20 bits
    set xrange [*:*]; set yrange [*:*]   # stats honours the current ranges
    stats sel("kl_expected,kl_output", "positions_spec=random") using (pos($1)) nooutput
    vlo = STATS_min
    stats sel("kl_expected,kl_output", "positions_spec=random") using (pos($2)) nooutput
    vlo = STATS_min < vlo ? STATS_min : vlo
    vlo = 10.0**floor(log10(vlo / 1.2))
    set xrange [vlo:20]
    set yrange [vlo:20]
    plot for [s in schedules] sel("kl_expected,kl_output", "positions_spec=random;schedule=".s) \
             using (pos($1)):(pos($2)) with points pt ptype(s) ps 0.8 lc rgb color(s) notitle, \
         x with lines lc rgb "black" dt 2 notitle

    unset logscale x
    set format x "%g"
    set logscale y
    set format y "%g"
    set xrange [0.5:10.5]
    set yrange [0.03:1.5]
    set xtics 1
    set xlabel "K (iterations)"
    set ylabel "kl_output / kl_expected"
    do for [p in "random l2r"] {
        w = "section=markov;positions_spec=".p
        set title sprintf("%s, %s positions%s", first("dist", w), p, p eq "l2r" ? " (fixed sizes: ratio 1)" : "")
        # the legend of all three panels and the note on KL = 0, once, right of the panels
        if (p eq "l2r") {
            set key at screen 0.855, 0.62 left center Left reverse spacing 1.3 samplen 3 box lc rgb "#cccccc" font ",10"
            set label 1 "No point, or a line that stops:\nkl_expected = 0 exactly there\n(no point on a log axis; the\nratio is undefined)." at screen 0.855, 0.22 left font ",10"
        }
        plot for [s in schedules] sel("K,kl_output,kl_expected", w.";schedule=".s) \
                 using 1:(ratio($2, $3)) with linespoints pt ptype(s) ps 0.8 lc rgb color(s) lw lwidth(s) notitle, \
             1 with lines lc rgb "black" notitle, \
             for [s in schedules] NaN with linespoints pt ptype(s) ps 0.8 lc rgb color(s) lw lwidth(s) title s, \
             NaN with lines lc rgb "black" dt 2 title "kl_output = kl_expected (left)", \
             NaN with lines lc rgb "black" title "ratio 1"
        unset label 1
    }
    unset multiplot
    set output
}
