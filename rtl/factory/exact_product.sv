// Combinational exact product of a weight and an activation operand
// (bf16_operand), in accumulator units 2^(2 FactoryExpMin - 14), as hls
// factory_product() (hls/factory/mac_arith.hpp): the 16-bit significand
// product shifted left by the sum of the two offsets, negated (two's
// complement, FactoryAccBits bits) when the signs differ. A zero significand
// gives 0 whatever the signs.
`include "ws_assert.svh"
module exact_product #(
  parameter int ShiftBits = $clog2(ws_pkg::FactoryExpMax - ws_pkg::FactoryExpMin),
  parameter int AccBits   = ws_pkg::FactoryAccBits
) (
  input  logic                 w_negative_i,
  input  logic [7:0]           w_sig_i,
  input  logic [ShiftBits-1:0] w_shift_i,
  input  logic                 a_negative_i,
  input  logic [7:0]           a_sig_i,
  input  logic [ShiftBits-1:0] a_shift_i,
  output logic [AccBits-1:0]   term_o
);
  localparam int MaxShift = ws_pkg::FactoryExpMax - 1 - ws_pkg::FactoryExpMin;

  `WS_ASSERT_STATIC(g_acc_bits, AccBits >= 16 + 2 * MaxShift + 1,
                    "exact_product: AccBits must hold the largest product and a sign")

  logic [15:0]          sig_product;
  logic [ShiftBits:0]   shift;
  logic [AccBits-1:0]   magnitude;

  assign sig_product = w_sig_i * a_sig_i;
  assign shift       = {1'b0, w_shift_i} + {1'b0, a_shift_i};
  assign magnitude   = AccBits'(sig_product) << shift;
  assign term_o      = (w_negative_i != a_negative_i) ? -magnitude : magnitude;
endmodule
