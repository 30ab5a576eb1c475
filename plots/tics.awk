# tics.awk — turn "index<TAB>label[<TAB>a<TAB>b...]" lines (from csv.awk) into one gnuplot command
#   set xtics ("label" 0, "label" 1, ...)
# for category axes; fmt (printf format, default "%s") is applied to label, a, b, ...
BEGIN { FS = "\t"; if (fmt == "") fmt = "%s"; if (axis == "") axis = "x" }
!($1 in seen) {
    seen[$1] = 1
    lab = sprintf(fmt, $2, $3, $4, $5)
    gsub(/"/, "'", lab)
    s = s (n++ ? ", " : "") "\"" lab "\" " $1
}
END { print "set " axis "tics (" s ")" }
