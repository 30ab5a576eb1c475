# Question 7 — the verdict: the worst case over every law of K·kl_expected/TC (top row) and of
# K·kl_expected/DTC (middle row) against L, for four budgets (columns), with the ln L reference line
# (black dashed) and, for TC, the trivial ceiling K (grey dotted: K·KL/TC <= K always). Solid: a
# schedule; dashed, same colour: its deterministic twin (expected sizes rounded). Shaded: K < ln L,
# where no O~(TC/K) or O~(DTC/K) rate can hold. Bottom row: the agnostic minimax envelope (exact LP,
# L <= 64, K = L/4) beside random-tc and chen-tc; the last panel holds the legend.
if (!exists("plotdir")) plotdir = "plots"
load plotdir."/lib.gp"
schedules = "random-tc random-dtc iid:cosine chen-tc chen-dtc balanced composition"
twins = "random-tc random-dtc"
regimes = "r4 sqrt log K8"
W = "positions_spec=random"
reg_title(r) = r eq "r4" ? "K = L/4" : r eq "sqrt" ? "K = 2^floor(log2(L)/2), about sqrt(L)" : r eq "log" ? "K = 2 log2 L" : "K = 8"
set grid xtics ytics lc rgb "#dddddd"
set ytics nomirror
set xtics nomirror
unset key

do for [fmt in "png svg"] {
    eval setterm(fmt, 2000, 1500)
    set output sprintf("%s/q7_worst.%s", outdir, fmt)
    set multiplot layout 3,4 title "The verdict: the exact worst case over every law (attained by an MDS code) against L, with ln L (black dashed); shaded: K < ln L"
    set logscale x 2
    set logscale y 10
    set format y "%g"
    set xrange [12:1.3e6]
    set xtics ("16" 16, "64" 64, "256" 256, "1024" 1024, "2^12" 4096, "2^14" 16384, "2^16" 65536, "2^18" 262144, "2^20" 1048576)
    do for [row = 1:2] {
        col = row == 1 ? "worst_tc" : "worst_dtc"
        do for [i = 1:words(regimes)] {
            r = word(regimes, i)
            w = W.";section=parity_".r
            set title sprintf("worst K KL/%s over all laws, %s", row == 1 ? "TC" : "DTC", reg_title(r))
            set xlabel "L (tokens)"
            set ylabel sprintf("sup over laws of K kl_expected / %s", row == 1 ? "TC" : "DTC")
            unset object 1
            if (r eq "K8") { set object 1 rect from exp(8), graph 0 to graph 1, graph 1 fc rgb "#eeeeee" fs solid 1.0 noborder behind }
            plot for [s in schedules] sel("L,".col, w.";schedule=".s) using 1:(pos($2)) \
                     with linespoints lc rgb color(s) lw lwidth(s) pt ptype(s) ps 0.7 notitle, \
                 for [s in twins] sel("L,".col, w.";schedule=twin:".s) using 1:(pos($2)) \
                     with lines dt 2 lc rgb color(s) lw 2.5 notitle, \
                 for [s in chen] sel("L,".col.",zeta_fallback", w.";schedule=".s) using 1:(fbpos($2, $3)) \
                     with points lc rgb color(s) pt fbpt ps fbps lw 1.5 notitle, \
                 sel("L,ln_L", w.";schedule=balanced") using 1:2 with lines dt 2 lw 2 lc rgb "black" notitle, \
                 sel("L,K", w.";schedule=balanced") using 1:(row == 1 ? $2 : NaN) with lines dt 3 lw 1.5 lc rgb "#999999" notitle
        }
    }
    unset object 1
    # the agnostic minimax envelope, K = L/4
    set xrange [6:80]
    set xtics ("8" 8, "16" 16, "32" 32, "64" 64)
    w = W.";section=minimax"
    do for [j = 1:3] {
        m = j == 1 ? "minimax-tc" : j == 2 ? "minimax-dtc" : "minimax-both"
        crit = j == 1 ? "TC" : j == 2 ? "DTC" : "min(TC, DTC)"
        set title sprintf("agnostic lower envelope for K KL/%s, K = L/4: %s", crit, m)
        set ylabel sprintf("sup over laws of K kl_expected / %s", crit)
        if (j < 3) {
            col = j == 1 ? "worst_tc" : "worst_dtc"
            plot sel("L,".col, w.";schedule=".m) using 1:(pos($2)) with linespoints lw 3 pt 7 lc rgb "#000000" notitle, \
                 sel("L,".col, w.";schedule=random-tc") using 1:(pos($2)) with linespoints lw 2.5 lc rgb color("random-tc") pt 7 notitle, \
                 sel("L,".col, w.";schedule=chen-tc") using 1:(pos($2)) with linespoints lc rgb color("chen-tc") pt 3 notitle, \
                 sel("L,".col.",zeta_fallback", w.";schedule=chen-tc") using 1:(fbpos($2, $3)) with points lc rgb color("chen-tc") pt fbpt ps fbps lw 1.5 notitle, \
                 sel("L,ln_L", w.";schedule=random-tc") using 1:2 with lines dt 2 lw 2 lc rgb "black" notitle
        } else {
            plot sel("L,worst_tc,worst_dtc", w.";schedule=".m) using 1:(pos($2 > $3 ? $2 : $3)) with linespoints lw 3 pt 7 lc rgb "#000000" notitle, \
                 sel("L,worst_tc,worst_dtc", w.";schedule=random-tc") using 1:(pos($2 > $3 ? $2 : $3)) with linespoints lw 2.5 lc rgb color("random-tc") pt 7 notitle, \
                 sel("L,worst_tc,worst_dtc", w.";schedule=chen-tc") using 1:(pos($2 > $3 ? $2 : $3)) with linespoints lc rgb color("chen-tc") pt 3 notitle, \
                 sel("L,worst_tc,worst_dtc,zeta_fallback", w.";schedule=chen-tc") using 1:(fbpos($2 > $3 ? $2 : $3, $4)) with points lc rgb color("chen-tc") pt fbpt ps fbps lw 1.5 notitle, \
                 sel("L,ln_L", w.";schedule=random-tc") using 1:2 with lines dt 2 lw 2 lc rgb "black" notitle
        }
    }
    # the legend panel
    unset title; unset xlabel; unset ylabel; unset border; unset tics; unset grid; unset logscale
    set xrange [0:1]; set yrange [0:1]
    set key center center Left reverse spacing 1.3 samplen 4 font ",11" box lc rgb "#cccccc"
    plot for [s in schedules] NaN with linespoints lc rgb color(s) lw lwidth(s) pt ptype(s) title s, \
         for [s in twins] NaN with lines dt 2 lc rgb color(s) lw 2.5 title "twin:".s." (deterministic)", \
         NaN with points lc rgb "#555555" pt fbpt ps fbps lw 1.5 title fbtitle, \
         NaN with linespoints lw 3 pt 7 lc rgb "#000000" title "minimax (agnostic optimum, LP)", \
         NaN with lines dt 2 lw 2 lc rgb "black" title "ln L", \
         NaN with lines dt 3 lw 1.5 lc rgb "#999999" title "K (ceiling of K KL/TC)"
    unset multiplot
    set output
}
