# Question 4 — the bounds against the truth: each bound divided by the exact kl_expected of the
# schedule it is about, against K, one panel per distribution. A valid bound stays above the line
# ratio = 1; the height above it is how loose the bound is. Balanced sizes: Li & Cai (2025)
# (2^ceil(log2 smax) - 1)/L (TC + DTC) and the sharper (smax - 1) Z_L; Chen, Cong & Li (2026)
# Thm 9 for their schedules: TC/(zeta - 1) (chen-tc) and DTC/(zeta - 1) (chen-dtc). Where the
# truth is 0 (all sizes 1) the ratio is undefined and left out; chen-* with zeta = 1 (a single
# step, when K is too small for zeta >= 2) has no Thm 9 bound; the figure says both. The legend is a
# column of its own right of the panels (dummy NaN plots), so it covers no data.
if (!exists("plotdir")) plotdir = "plots"
load plotdir."/lib.gp"
sections = "parity copy markov ising2d mixprod random"
W = "positions_spec=random"
set logscale y
set grid xtics ytics lc rgb "#dddddd"
set xtics nomirror
set ytics nomirror
set key Left reverse spacing 1.3 samplen 3 box lc rgb "#cccccc" font ",10"
# "1 bit", "2.5 bits": a value in bits with the unit in the right number
bits(x) = sprintf("%.3g %s", x, sprintf("%.3g", x) eq "1" ? "bit" : "bits")
ratio(b, k) = (k > tiny && b == b) ? b / k : NaN

do for [fmt in "png svg"] {
    eval setterm(fmt, 2000, 1000)
    set output sprintf("%s/q4_bounds.%s", outdir, fmt)
    set multiplot layout 2,3 title "Bounds against the exact truth: bound / kl_expected (1 = tight; below 1 would be a violated bound), random positions\nno point where the truth is exactly 0 (ratio undefined) or, for chen-*, where zeta = 1 (a single step: no Thm 9 bound)" \
        margins 0.045, 0.785, 0.07, 0.88 spacing 0.055, 0.125
    do for [i = 1:words(sections)] {
        sec = word(sections, i)
        w = W.";section=".sec
        set title sprintf("%s\nTC = %s, DTC = %s", first("dist", w), bits(real(first("TC", w))), bits(real(first("DTC", w))))
        set xlabel "K (iteration budget)"
        set ylabel "bound / kl_expected"
        set xrange [0.5:real(first("L", w)) + 0.5]
        set yrange [0.8:*]
        # the legend, once, in a column of its own right of the panels
        if (i == 1) { set key at screen 0.795, 0.66 left center } else { unset key }
        plot sel("K,bound_li_cai,kl_expected", w.";schedule=balanced") using 1:(ratio($2, $3)) \
                 with linespoints lc rgb color("balanced") pt 5 ps 0.8 lw 2 notitle, \
             sel("K,bound_zl,kl_expected", w.";schedule=balanced") using 1:(ratio($2, $3)) \
                 with linespoints lc rgb "#9467bd" dt 2 pt 4 ps 0.9 lw 2 notitle, \
             sel("K,bound_chen,kl_expected", w.";schedule=chen-tc") using 1:(ratio($2, $3)) \
                 with linespoints lc rgb color("chen-tc") pt 3 ps 1 lw 2 notitle, \
             sel("K,bound_chen,kl_expected", w.";schedule=chen-dtc") using 1:(ratio($2, $3)) \
                 with linespoints lc rgb "#5aa05a" dt 3 pt 2 ps 1 lw 2 notitle, \
             1 with lines lc rgb "black" lw 1 notitle, \
             NaN with linespoints lc rgb color("balanced") pt 5 ps 0.8 lw 2 title "Li & Cai, balanced sizes", \
             NaN with linespoints lc rgb "#9467bd" dt 2 pt 4 ps 0.9 lw 2 title "(smax - 1) Z_L, balanced sizes", \
             NaN with linespoints lc rgb color("chen-tc") pt 3 ps 1 lw 2 title "Chen et al. Thm 9, chen-tc: TC/(zeta-1)", \
             NaN with linespoints lc rgb "#5aa05a" dt 3 pt 2 ps 1 lw 2 title "Chen et al. Thm 9, chen-dtc: DTC/(zeta-1)", \
             NaN with lines lc rgb "black" lw 1 title "ratio 1 (the bound is exact)"
    }
    unset multiplot
    set output
}
