# rate_distortion.svg from the data file ws_rate_distortion writes (bench/CMakeLists.txt):
#   gnuplot -e "dat='rate_distortion.dat'; out='rate_distortion.svg'" rate_distortion.gp
# The data file's blocks, each opening with its title: 0 the Gaussian line,
# 1 vp at the floors, 2 ECSQ at the same floors, 3 vp at each baseline's rate,
# then one block per baseline format (or family, for int-N).
if (!exists("dat") || !exists("out")) {
  print "rate_distortion.gp: pass -e \"dat='FILE.dat'; out='FILE.svg'\""
  exit status 1
}
stats dat using 1 nooutput
baselines_end = STATS_blocks - 1

set terminal svg size 1000,640 dynamic enhanced font 'sans,12' background rgb 'white'
set output out
set title 'stories260K linear layers (fp32): SQNR against bits per weight' noenhanced
set xlabel 'bits per weight (everything stored)'
set ylabel 'SQNR (dB), pooled over tensors'
set grid
# Nothing lies far above the Gaussian line: the key goes top left.
set key inside left top noenhanced box opaque width 1 spacing 1.1
set xrange [0:17]
set yrange [0:100]
set xtics 1
set ytics 10
# Baseline colours, dark enough on white (the default cycle has yellow).
array colours[10] = ['#d62728', '#ff7f0e', '#8c564b', '#000000', '#9467bd', '#17becf', '#e377c2', '#7f7f00', '#bcbd22', '#555555']

plot dat index 0 using 1:2 with lines dashtype 2 linewidth 1.5 linecolor rgb 'gray40' \
         title columnheader(1), \
     dat index 1 using 1:2 with linespoints linewidth 2 pointtype 7 linecolor rgb '#1f5fbf' title columnheader(1), \
     dat index 2 using 1:2 with linespoints linewidth 2 pointtype 5 linecolor rgb '#2a8a2a' title columnheader(1), \
     dat index 3 using 1:2 with points pointtype 6 pointsize 1.6 linecolor rgb '#1f5fbf' title columnheader(1), \
     for [i=4:baselines_end] dat index i using 1:2 with linespoints pointtype (i + 4) pointsize 1.4 \
         linecolor rgb colours[(i - 4) % 10 + 1] title columnheader(1)
