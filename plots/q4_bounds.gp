# Question 4 — the bounds against the truth: each bound divided by the exact kl_expected of the
# schedule it is about, against K, one panel per distribution. A valid bound stays above the line
# ratio = 1; the height above it is how loose the bound is. Balanced sizes: Li & Cai (2025)
# (2^ceil(log2 smax) - 1)/L (TC + DTC) and the sharper (smax - 1) Z_L; Chen, Cong & Li (2026)
# Thm 9 for their schedules: TC/(zeta - 1) (chen-tc) and DTC/(zeta - 1) (chen-dtc). Where the
# truth is 0 (all sizes 1) the ratio is undefined and left out; chen-* with zeta = 1 (a single
# step, when K is too small for zeta >= 2) has no Thm 9 bound.
if (!exists("plotdir")) plotdir = "plots"
load plotdir."/lib.gp"
sections = "parity copy markov ising2d mixprod random"
W = "positions_spec=random"
set logscale y
set grid xtics ytics lc rgb "#dddddd"
set xtics nomirror
set ytics nomirror
set key inside top left Left width -4 reverse spacing 1.0 samplen 3 opaque box lc rgb "#cccccc" font ",9"
ratio(b, k) = (k > tiny && b == b) ? b / k : NaN

do for [fmt in "png svg"] {
    eval setterm(fmt, 1700, 1000)
    set output sprintf("%s/q4_bounds.%s", outdir, fmt)
    set multiplot layout 2,3 title "Bounds against the exact truth: bound / kl_expected (1 = tight; below 1 would be a violated bound), random positions"
    do for [i = 1:words(sections)] {
        sec = word(sections, i)
        w = W.";section=".sec
        set title sprintf("%s\nTC = %.3g bits, DTC = %.3g bits", first("dist", w), real(first("TC", w)), real(first("DTC", w)))
        set xlabel "K (iteration budget)"
        set ylabel "bound / kl_expected"
        set xrange [0.5:real(first("L", w)) + 0.5]
        set yrange [0.8:*]
        if (sec eq "markov") { set key } else { unset key }
        plot sel("K,bound_li_cai,kl_expected", w.";schedule_spec=balanced") using 1:(ratio($2, $3)) \
                 with linespoints lc rgb color("balanced") pt 5 ps 0.8 lw 2 title "Li & Cai, balanced sizes", \
             sel("K,bound_zl,kl_expected", w.";schedule_spec=balanced") using 1:(ratio($2, $3)) \
                 with linespoints lc rgb "#9467bd" dt 2 pt 4 ps 0.9 lw 2 title "(smax - 1) Z_L, balanced sizes", \
             sel("K,bound_chen,kl_expected", w.";schedule_spec=chen-tc") using 1:(ratio($2, $3)) \
                 with linespoints lc rgb color("chen-tc") pt 3 ps 1 lw 2 title "Chen et al. Thm 9, chen-tc: TC/(zeta-1)", \
             sel("K,bound_chen,kl_expected", w.";schedule_spec=chen-dtc") using 1:(ratio($2, $3)) \
                 with linespoints lc rgb "#5aa05a" dt 3 pt 2 ps 1 lw 2 title "Chen et al. Thm 9, chen-dtc: DTC/(zeta-1)", \
             1 with lines lc rgb "black" lw 1 notitle
    }
    unset multiplot
    set output
}
