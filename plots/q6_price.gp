# Question 6 — the price of not knowing the distribution.
# Left: Chen et al.'s hard pair. kl_expected at K = 4 against the dimension d of an MDS
# (Reed-Solomon) code of length n = 16 over F_17 (closed-form profiles, lines) and n = 5 over F_5
# (exact enumeration, circles, same colours); d = n is the uniform law (stars: product with
# p = 1/q). `optimal` knows d and is exact (0) for every d; a schedule that does not know d is
# exact only at the d that are among its partial sums, and pays up to (s - 1) log q elsewhere.
# Right: the distribution bank, kl_expected of every agnostic schedule divided by that of
# `optimal` at the same K (= 4), log scale (drawn at the top, above the dashed line: optimal is
# exact there and the schedule is not; no point: both are exact). One legend for both panels, in a
# column of its own on the right (dummy NaN plots), so it covers no data.
if (!exists("plotdir")) plotdir = "plots"
load plotdir."/lib.gp"
schedules = "balanced cosine iid:cosine composition random-tc random-dtc chen-tc chen-dtc"
if (!exists("Kplot")) Kplot = 4
W = sprintf("positions_spec=random;K=%d", Kplot)
BANK = W.";profile_source=enumerated;section!=mds_enum;section!=uniform_enum"
set grid xtics ytics lc rgb "#dddddd"
set xtics nomirror
set ytics nomirror
# the ratio to optimal: join each row with the optimal row of the same distribution (awk)
# (onlyfb = 1: NaN but where chen-* fell back to zeta = 1)
bankratio(s, onlyfb) = sprintf("< awk -f '%s/csv.awk' -v cols='#section,schedule,kl_expected,zeta_fallback' -v where='%s' '%s' | awk -F'\t' -v s='%s' -v onlyfb=%d '$2 == \"optimal\" { o[$1] = $3 } $2 == s { v[$1] = $3; f[$1] = $4; n[$1] = 1 } END { for (i in n) print i \"\t\" ((onlyfb && f[i] != 1) ? \"NaN\" : (o[i] > %g) ? v[i] / o[i] : (v[i] > %g) ? 1e300 : \"NaN\") }' | sort -n", plotdir, BANK, data, s, onlyfb, tiny, tiny)
# the x offset of schedule s in the right panel
xoff(s) = 0.06 * (words(substr(schedules, 1, strstrt(schedules, s))) - 4.5)

top = 60   # where an infinite ratio (optimal exact, the schedule not) is drawn
nbank = words(system(sprintf("awk -f '%s/csv.awk' -v cols='section' -v where='%s;schedule=optimal' '%s'", plotdir, BANK, data)))
log2(x) = log(x) / log(2)

do for [fmt in "png svg"] {
    eval setterm(fmt, 2050, 760)
    set output sprintf("%s/q6_price.%s", outdir, fmt)
    set multiplot layout 1,2 title sprintf("The price of not knowing the distribution (K = %d iterations, random positions)", Kplot) \
        margins 0.045, 0.825, 0.15, 0.86 spacing 0.065, 0.1
    unset key

    qc = real(first("V", "section=mds_closed"))
    qe = real(first("V", "section=mds_enum"))
    set title sprintf("Hard pair: the uniform law vs MDS codes of dimension d\n(lines: n = %s over F_%.0f, closed form; circles: n = 5 over F_%.0f, exact enumeration; stars: uniform)", \
                      first("L", "section=mds_closed"), qc, qe)
    unset logscale
    set offsets 0, 0, graph 0.05, 0   # room above the highest point (linear axes)
    set xtics 1 norotate
    set xlabel "code dimension d  (d = n is the uniform law)"
    set ylabel "kl_expected / log2 q   (symbols' worth of error)"
    set xrange [0.5:real(first("L", "section=mds_closed")) + 0.5]
    set yrange [-0.3:*]
    plot for [s in schedules." optimal"] sel("d,kl_expected", W.";section=mds_closed;schedule=".s) \
             using 1:($2 / log2(qc)) with linespoints lc rgb color(s) pt ptype(s) ps 0.7 lw lwidth(s) notitle, \
         for [s in schedules." optimal"] sel("d,kl_expected", W.";section=mds_enum;schedule=".s) \
             using 1:($2 / log2(qe)) with points lc rgb color(s) pt 6 ps 1.8 lw 1.5 notitle, \
         for [s in chen] sel("d,kl_expected,zeta_fallback", W.";section=mds_closed;schedule=".s) \
             using 1:($3 == 1 ? $2 / log2(qc) : NaN) with points lc rgb color(s) pt fbpt ps fbps lw 1.5 notitle, \
         for [s in chen] sel("d,kl_expected,zeta_fallback", W.";section=mds_enum;schedule=".s) \
             using 1:($3 == 1 ? $2 / log2(qe) : NaN) with points lc rgb color(s) pt fbpt ps fbps lw 1.5 notitle, \
         sel("L,kl_expected", W.";section=uniform_closed") using 1:($2 / log2(qc)) with points lc rgb "black" pt 3 ps 2.5 lw 2 notitle, \
         sel("L,kl_expected", W.";section=uniform_enum") using 1:($2 / log2(qe)) with points lc rgb "black" pt 3 ps 2.5 lw 2 notitle

    set title "The distribution bank (exact enumeration): each agnostic schedule against optimal (which knows p)"
    set xlabel ""
    set ylabel "kl_expected / kl_expected of optimal  (1 = as good as knowing p)"
    set yrange [0.8:100]
    set logscale y
    set xrange [-0.5:nbank - 0.5]
    set xtics rotate by 20 right
    eval tics("x", "#section,@section,TC,DTC", BANK.";schedule=optimal", "%s (TC %.2g, DTC %.2g)")
    set label 1 "above the dashed line: optimal is exact (0), the schedule is not (ratio infinite)" at graph 0.02, first top * 1.35 font ",9"
    # the legend of both panels and the notes, once, right of the panels
    set key at screen 0.835, 0.62 left center Left reverse spacing 1.3 samplen 3 box lc rgb "#cccccc" font ",10"
    set label 2 "Right panel, no point: the schedule\nand optimal are both exact (KL = 0)." at screen 0.835, 0.30 left font ",10"
    plot for [s in schedules] bankratio(s, 0) using ($1 + xoff(s)):($2 > 1e299 ? top : $2) \
             with points pt ptype(s) ps 1.5 lw 2 lc rgb color(s) notitle, \
         for [s in chen] bankratio(s, 1) using ($1 + xoff(s)):($2 > 1e299 ? top : $2) \
             with points pt fbpt ps fbps lw 1.5 lc rgb color(s) notitle, \
         1 with lines lc rgb "black" notitle, \
         top / 1.5 with lines lc rgb "#888888" dt 2 notitle, \
         for [s in schedules." optimal"] NaN with linespoints lc rgb color(s) pt ptype(s) ps 1.0 lw lwidth(s) title s, \
         NaN with points lc rgb "#555555" pt 6 ps 1.8 lw 1.5 title "left: exact enumeration (n = 5)", \
         NaN with points lc rgb "black" pt 3 ps 2.5 lw 2 title "left: uniform (product, p = 1/q)", \
         NaN with points lc rgb "#555555" pt fbpt ps fbps lw 1.5 title fbtitle
    unset label 1
    unset label 2
    unset multiplot
    set output
}
