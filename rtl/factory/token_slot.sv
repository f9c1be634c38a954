// One token slot of the token factory (token_slots.sv), cycle for cycle slot
// b of hls TokenSlots::cycle (hls/factory/token_slots.hpp): each taken row
// beat multiplies the Lanes weights in it (decoded once, in token_slots) with
// this slot's activation of each lane, exactly (exact_product), and splits
// the products between the current matrix row (current_i[k]: col + k < cols)
// and the next one. At a row end (row_ends_i) the result word gets the
// current row's sum, rounded to fp32 (acc_round_fp32), and the accumulator
// the next row's first products; otherwise the accumulator adds the current
// row's products. The start pulse clears the accumulator and the result word.
//
// Lane vectors are flat, lane k at [k*Width +: Width]. The accumulator and
// the result word are data registers without a reset: start_i clears them
// before a run reads them.
`include "ws_assert.svh"
module token_slot #(
  parameter int Lanes     = 8,
  parameter int ShiftBits = $clog2(ws_pkg::FactoryExpMax - ws_pkg::FactoryExpMin),
  parameter int AccBits   = ws_pkg::FactoryAccBits
) (
  input  logic                       clk_i,
  input  logic                       start_i,
  input  logic                       take_i,       // a row beat is taken at this edge
  input  logic                       row_ends_i,   // ... and it ends the current matrix row
  input  logic [Lanes-1:0]           mask_i,       // the lanes in the beat
  input  logic [Lanes-1:0]           current_i,    // lane k's weight belongs to the current row
  input  logic [Lanes-1:0]           w_negative_i,
  input  logic [Lanes*8-1:0]         w_sig_i,
  input  logic [Lanes*ShiftBits-1:0] w_shift_i,
  input  logic [Lanes*16-1:0]        act_i,        // this slot's bf16 activation of each lane
  output logic                       act_error_o,  // a lane in the beat has an activation operand error
  output logic [31:0]                result_o      // fp32 bits of the last row ended
);
  `WS_ASSERT_STATIC(g_lanes, Lanes >= 1 && Lanes <= ws_pkg::MaxLanes, "token_slot: Lanes must be 1..MaxLanes")

  logic [Lanes*AccBits-1:0] term;
  logic [Lanes-1:0]         a_error;

  for (genvar k = 0; k < Lanes; k++) begin : g_lane
    logic                 a_negative;
    logic [7:0]           a_sig;
    logic [ShiftBits-1:0] a_shift;

    bf16_operand #(.ShiftBits(ShiftBits)) u_act (
      .bf16_i     (act_i[k*16 +: 16]),
      .negative_o (a_negative),
      .sig_o      (a_sig),
      .shift_o    (a_shift),
      .error_o    (a_error[k])
    );

    exact_product #(.ShiftBits(ShiftBits), .AccBits(AccBits)) u_product (
      .w_negative_i (w_negative_i[k]),
      .w_sig_i      (w_sig_i[k*8 +: 8]),
      .w_shift_i    (w_shift_i[k*ShiftBits +: ShiftBits]),
      .a_negative_i (a_negative),
      .a_sig_i      (a_sig),
      .a_shift_i    (a_shift),
      .term_o       (term[k*AccBits +: AccBits])
    );
  end

  assign act_error_o = |(a_error & mask_i);

  // ------------------------------------------------------------ sums
  logic [AccBits-1:0] acc_q, acc_d;
  logic [AccBits-1:0] current_sum, next_sum;
  logic [31:0]        rounded;

  always_comb begin
    current_sum = acc_q;
    next_sum    = '0;
    for (int k = 0; k < Lanes; k++) begin
      if (mask_i[k] && current_i[k])  current_sum = current_sum + term[k*AccBits +: AccBits];
      if (mask_i[k] && !current_i[k]) next_sum    = next_sum + term[k*AccBits +: AccBits];
    end
  end

  acc_round_fp32 #(.AccBits(AccBits)) u_round (
    .acc_i  (current_sum),
    .fp32_o (rounded)
  );

  // ------------------------------------------------------------ registers
  logic [31:0] result_q, result_d;

  always_comb begin
    acc_d    = acc_q;
    result_d = result_q;
    if (take_i) begin
      acc_d = row_ends_i ? next_sum : current_sum;
      if (row_ends_i) result_d = rounded;
    end
    if (start_i) begin
      acc_d    = '0;
      result_d = '0;
    end
  end

  always_ff @(posedge clk_i) begin
    acc_q    <= acc_d;
    result_q <= result_d;
  end

  assign result_o = result_q;
endmodule
