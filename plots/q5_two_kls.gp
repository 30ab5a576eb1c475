# Question 5 — the two KLs. Left: kl_output = KL(p || law of the output) against kl_expected =
# E KL(p || q_path) for every row (random positions), log-log, one colour per schedule; the
# diagonal is equality (kl_output <= kl_expected always, by convexity). Middle and right: the ratio
# kl_output / kl_expected against K for the Markov chain (L = 10) with random and left-to-right
# positions: where the gap is large, the bounded quantity overstates the sampler's real error.
if (!exists("plotdir")) plotdir = "plots"
load plotdir."/lib.gp"
schedules = "balanced cosine iid:cosine composition random-tc random-dtc optimal"
set grid xtics ytics lc rgb "#dddddd"
set xtics nomirror
set ytics nomirror
ratio(a, b) = (b > tiny && a == a) ? a / b : NaN

do for [fmt in "png svg"] {
    eval setterm(fmt, 1800, 640)
    set output sprintf("%s/q5_two_kls.%s", outdir, fmt)
    set multiplot layout 1,3 title "The two KLs: kl_output = KL(p || law of the sampler's output) against kl_expected = E KL(p || q_path), the quantity the papers bound"

    set title "every distribution and K, random positions (bits)"
    set logscale xy
    set xtics autofreq
    set format x "%.0e"
    set format y "%.0e"
    set xlabel "kl_expected (bits)"
    set ylabel "kl_output (bits)"
    set xrange [1e-3:20]
    set yrange [1e-3:20]
    set key inside bottom right Left reverse spacing 1.0 samplen 1 opaque box lc rgb "#cccccc" font ",9"
    plot for [s in schedules] sel("kl_expected,kl_output", "positions_spec=random;schedule_spec=".s) \
             using (pos($1)):(pos($2)) with points pt ptype(s) ps 0.8 lc rgb color(s) title s, \
         x with lines lc rgb "black" dt 2 title "kl_output = kl_expected"

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
        if (p eq "random") { unset key } else { set key inside bottom left Left reverse font ",9" }
        plot for [s in schedules] sel("K,kl_output,kl_expected", w.";schedule_spec=".s) \
                 using 1:(ratio($2, $3)) with linespoints pt ptype(s) ps 0.8 lc rgb color(s) lw lwidth(s) title s, \
             1 with lines lc rgb "black" notitle
    }
    unset multiplot
    set output
}
