# Question 7 — the verdict: the worst case over every law of K·kl_expected/TC (top row) and of
# K·kl_expected/DTC (middle row) against L, for four budgets (columns), with the ln L reference line
# (black dashed) and the trivial ceiling K (grey dotted: K·KL/TC <= K always). Solid: a schedule;
# dashed, same colour: its deterministic twin (expected sizes rounded). Shaded: K < ln L, where no
# O~(TC/K) or O~(DTC/K) rate can hold. Bottom row: the agnostic minimax envelope (exact LP, L <= 64).
if (!exists("plotdir")) plotdir = "plots"
load plotdir."/lib.gp"
schedules = "random-tc random-dtc iid:cosine chen-tc chen-dtc balanced composition"
twins = "random-tc random-dtc"
regimes = "r4 sqrt log K8"
W = "positions_spec=random"
reg_title(r) = r eq "r4" ? "K = L/4" : r eq "sqrt" ? "K = 2^(e/2) (about sqrt L)" : r eq "log" ? "K = 2 log2 L" : "K = 8"
set logscale xy 2
set grid xtics ytics lc rgb "#dddddd"
set format x "2^{%L}"
set format y "%g"
set logscale y 10
set xtics 4 nomirror
set ytics nomirror
set xrange [12:1.3e6]
set key inside top left Left reverse spacing 1.0 samplen 3 opaque box lc rgb "#cccccc" font ",9" maxrows 6
set termoption enhanced

do for [fmt in "png svg"] {
    eval setterm(fmt, 2000, 1500)
    set termoption enhanced
    set output sprintf("%s/q7_worst.%s", outdir, fmt)
    set multiplot layout 3,4 title "The verdict: exact worst case over every law (attained by an MDS code), against ln L (black dashed). Solid: schedule; dashed: its deterministic twin; shaded: K < ln L"
    do for [row = 1:2] {
        col = row == 1 ? "worst_tc" : "worst_dtc"
        do for [i = 1:words(regimes)] {
            r = word(regimes, i)
            w = W.";section=parity_".r
            set title sprintf("%s: %s", row == 1 ? "sup_p K KL/TC" : "sup_p K KL/DTC", reg_title(r))
            set xlabel "L (tokens)"
            set ylabel row == 1 ? "worst case of K kl_expected / TC" : "worst case of K kl_expected / DTC"
            unset object 1
            if (r eq "K8") { set object 1 rect from exp(8), graph 0 to graph 1, graph 1 fc rgb "#eeeeee" fs solid 1.0 noborder behind }
            if (i == 1) { set key } else { unset key }
            plot for [s in schedules] sel("L,".col, w.";schedule_spec=".s) using 1:(pos($2)) \
                     with linespoints lc rgb color(s) lw lwidth(s) pt ptype(s) ps 0.7 title s, \
                 for [s in twins] sel("L,".col, w.";schedule_spec=twin:".s) using 1:(pos($2)) \
                     with lines dt 2 lc rgb color(s) lw 2 title "twin:".s, \
                 sel("L,ln_L", w.";schedule_spec=balanced") using 1:2 with lines dt 2 lw 2 lc rgb "black" title "ln L", \
                 sel("L,K", w.";schedule_spec=balanced") using 1:2 with lines dt 3 lw 1.5 lc rgb "#999999" title "K (ceiling of K KL/TC)"
        }
    }
    unset object 1
    # the minimax envelope
    set xrange [6:80]
    set xtics 2
    mm = "minimax-tc minimax-dtc minimax-both"
    do for [j = 1:3] {
        m = word(mm, j)
        col = j == 1 ? "worst_tc" : j == 2 ? "worst_dtc" : "worst_tc"
        set title sprintf("agnostic lower envelope (%s): K = L/4", m)
        set ylabel j == 1 ? "sup K KL/TC" : j == 2 ? "sup K KL/DTC" : "sup K KL/min(TC, DTC)"
        w = W.";section=minimax;K!=2;K!=4"
        set key
        if (j < 3) {
            plot sel("L,".col, w.";schedule_spec=".m) using 1:(pos($2)) with linespoints lw 2.5 pt 7 lc rgb "#000000" title m, \
                 sel("L,".col, w.";schedule_spec=random-tc") using 1:(pos($2)) with linespoints lc rgb color("random-tc") pt 7 title "random-tc", \
                 sel("L,".col, w.";schedule_spec=chen-tc") using 1:(pos($2)) with linespoints lc rgb color("chen-tc") pt 3 title "chen-tc", \
                 sel("L,ln_L", w.";schedule_spec=random-tc") using 1:2 with lines dt 2 lw 2 lc rgb "black" title "ln L"
        } else {
            plot sel("L,worst_tc,worst_dtc", w.";schedule_spec=".m) using 1:(pos($2 > $3 ? $2 : $3)) with linespoints lw 2.5 pt 7 lc rgb "#000000" title m, \
                 sel("L,worst_tc,worst_dtc", w.";schedule_spec=random-tc") using 1:(pos($2 > $3 ? $2 : $3)) with linespoints lc rgb color("random-tc") pt 7 title "random-tc", \
                 sel("L,ln_L", w.";schedule_spec=random-tc") using 1:2 with lines dt 2 lw 2 lc rgb "black" title "ln L"
        }
    }
    unset multiplot
    set output
}
