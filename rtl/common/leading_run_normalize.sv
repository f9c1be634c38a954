// Leading-run normalizer: counts the leading bits of bits_i that equal
// run_bit_i and shifts them out, together with the bit that ends the run, in
// one structure. Each step tests the bits it would shift out, so the count
// bits come out of the shifter itself (no separate leading-zero count in
// front of a barrel shifter). Steps go from the widest shift down; count
// bits $bits(count_o)-1 .. 1 go two at a time (one 4-way shift; the top one alone
// when their number is odd), bit 0 last and alone, so a consumer can fold
// one more 2-input function (an XOR, say) into the last LUT level.
//
// Zeros are shifted in from below, and they take part in the tests:
//   count_o = the run length; when every bit equals run_bit_i that is Width
//             for a run of ones (the zeros shifted in end it) and all ones
//             (2^$bits(count_o) - 1) for a run of zeros.
//   rest_o  = the bits after the one that ends the run, left-aligned and
//             zero-filled (all zero when the run covers everything).
module leading_run_normalize #(
  parameter int Width = 8  // >= 2
) (
  input  logic [Width-1:0]             bits_i,
  input  logic                         run_bit_i,
  output logic [$clog2(Width+1)-1:0]   count_o,
  output logic [Width-2:0]             rest_o
);
  localparam int CountWidth = $clog2(Width + 1);
  localparam int NumPairs   = (CountWidth - 1) / 2;
  localparam int NumSteps   = NumPairs + (CountWidth - 1) % 2;

  logic [Width-1:0] window;  // after the steps: at most one run bit left on top
  logic             last_run;

  for (genvar t = 0; t < NumSteps; t++) begin : g_step
    // Count bit HiBit, and HiBit-1 too in a pair step.
    localparam int HiBit   = CountWidth - 1 - (t == 0 ? 0 : 2 * t - (CountWidth - 1) % 2);
    localparam bit IsPair  = !(t == 0 && (CountWidth - 1) % 2 == 1);
    localparam int HiShift = 1 << HiBit;
    localparam int LoShift = IsPair ? HiShift / 2 : 0;
    localparam int Tested  = HiShift + LoShift;  // bits the step may look at, from the top
    logic [Width-1:0]  window_in, window_out;
    logic [Tested-1:0] head;
    logic              hi_run;

    if (t == 0) begin : g_first
      assign window_in = bits_i;
    end else begin : g_next
      assign window_in = g_step[t-1].window_out;
    end
    if (Tested <= Width) begin : g_head
      assign head = window_in[Width-1 -: Tested];
    end else begin : g_padded_head
      assign head = {window_in, (Tested - Width)'(0)};
    end
    assign hi_run         = head[Tested-1 -: HiShift] == {HiShift{run_bit_i}};
    assign count_o[HiBit] = hi_run;

    if (IsPair) begin : g_pair
      logic lo_run;
      assign lo_run = hi_run ? head[LoShift-1:0] == {LoShift{run_bit_i}}
                             : head[Tested-1 -: LoShift] == {LoShift{run_bit_i}};
      assign count_o[HiBit-1] = lo_run;
      assign window_out = hi_run ? (lo_run ? window_in << (HiShift + LoShift) : window_in << HiShift)
                                 : (lo_run ? window_in << LoShift : window_in);
    end else begin : g_single
      assign window_out = hi_run ? window_in << HiShift : window_in;
    end
  end

  if (NumSteps > 0) begin : g_stepped
    assign window = g_step[NumSteps-1].window_out;
  end else begin : g_unstepped
    assign window = bits_i;
  end

  // Last step: one more run bit on top, or the bit that ends the run.
  assign last_run   = window[Width-1] == run_bit_i;
  assign count_o[0] = last_run;
  assign rest_o     = last_run ? window[Width-2:0] << 1 : window[Width-2:0];
endmodule
