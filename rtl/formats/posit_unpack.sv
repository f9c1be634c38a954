// Combinational posit decode of an N-bit pattern (N >= 4) with a run-time
// exponent size es_i <= ESMax, into the unpacked form (class, sign, exponent,
// significand with the hidden bit on top).
//
// No two's complement up front: a pattern and its one's complement have the
// same run of equal leading body bits, so the regime run is found and shifted
// out on the raw bits; and since -(x << n) = (-x) << n, the exponent and
// fraction field is negated after it is in place. A carry out of that
// negation (the field was zero, so the +1 of the two's complement reaches the
// regime) adds one to the regime.
//
// Zero and NaR need no clearing muxes: their run count is all ones, and with
// the regime's sign bits set from the zero/NaR flag the regime is 0 (zero)
// or -1 (NaR, whose negated all-zero field then carries it to 0), and the
// field is zero.
`include "ws_assert.svh"
module posit_unpack #(
  parameter int N     = 16,
  parameter int ESMax = 1
) (
  input  logic [N-1:0]                     bits_i,
  input  logic [1:0]                       es_i,
  output logic [ws_pkg::NumClassWidth-1:0] class_o,  // ws_pkg::num_class_e
  output logic                             sign_o,
  output logic signed [$clog2(N)+ESMax:0]  exp_o,
  output logic [N-3:0]                     sig_o
);
  localparam int FieldWidth = N - 3;  // bits after the first regime bit and its successor
  localparam int CountWidth = $clog2(N - 1);
  localparam int ExpWidth   = $clog2(N) + ESMax + 1;
  localparam int SumWidth   = ExpWidth + FieldWidth;

  logic                  sign, first_bit, regime_bit, is_special;
  logic [CountWidth-1:0] run_minus_one;  // regime run after the first bit; all ones on zero/NaR
  logic [FieldWidth-1:0] raw_field;      // exponent and fraction bits, left-aligned
  logic [ExpWidth-1:0]   raw_regime;
  logic [SumWidth-1:0]   sum, scaled;

  assign sign      = bits_i[N-1];
  assign first_bit = bits_i[N-2];  // always part of the regime

  leading_run_normalize #(.Width(N - 2)) u_regime (
    .bits_i    (bits_i[N-3:0]),
    .run_bit_i (first_bit),
    .count_o   (run_minus_one),
    .rest_o    (raw_field)
  );

  assign is_special = bits_i[N-2:0] == '0;  // zero or NaR
  // The magnitude's regime bit; its run is as long as the raw one.
  assign regime_bit = first_bit ^ sign;
  // k = run - 1 for a run of ones, -run = ~(run - 1) for a run of zeros;
  // on zero/NaR the sign extension makes it 0 / -1.
  assign raw_regime = {{(ExpWidth - CountWidth){~(regime_bit ^ is_special)}},
                       run_minus_one ^ {CountWidth{~regime_bit}}};
  // Negate the field of a negative pattern (~x + 1), carrying into k.
  assign sum        = {raw_regime, raw_field ^ {FieldWidth{sign}}} + SumWidth'(sign);
  // k * 2^es + e, e being the top es field bits, then the fraction: one
  // shift of {k, field} by es.
  assign scaled     = sum << es_i;

  // Zero is class 00 and NaR 11: the sign bit twice.
  `WS_ASSERT_STATIC(g_class_codes, ws_pkg::ClassZero == 2'b00 && ws_pkg::ClassNaN == 2'b11,
                    "posit_unpack: the class of zero and NaR is the sign bit twice")
  assign class_o = is_special ? {sign, sign} : ws_pkg::ClassFinite;
  assign sign_o  = sign;
  assign exp_o   = scaled[SumWidth-1 -: ExpWidth];
  assign sig_o   = {!is_special, scaled[FieldWidth-1:0]};
endmodule
