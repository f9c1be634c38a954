// Combinational rounding of the token factory's accumulator (AccBits bits,
// two's complement, unit 2^(2 FactoryExpMin - 14)) to fp32 bits, to nearest
// even, exactly as hls factory_round() (hls/factory/mac_arith.hpp) and golden
// round_to_fp32() (golden/factory/factory_arith.hpp): 0 gives +0; otherwise
// the magnitude is normalized so that its leading one is at the top bit, the
// 24 bits from it are kept, the bit below is the guard and the rest the
// sticky bit; a carry out of the rounding moves the leading one up one place.
// Every nonzero sum lies in fp32's normal range: no subnormal, overflow or -0.
`include "ws_assert.svh"
module acc_round_fp32 #(
  parameter int AccBits = ws_pkg::FactoryAccBits
) (
  input  logic [AccBits-1:0] acc_i,
  output logic [31:0]        fp32_o
);
  localparam int TopBits = $clog2(AccBits + 1);  // a bit position 0 .. AccBits, the carry's included
  // fp32 biased exponent of bit `top` of the accumulator: top + 2 FactoryExpMin - 14 + 127.
  localparam int ExpOffset = 2 * ws_pkg::FactoryExpMin - 14 + 127;

  `WS_ASSERT_STATIC(g_acc_bits, AccBits >= 27, "acc_round_fp32: AccBits must exceed a kept field and its round bits")
  `WS_ASSERT_STATIC(g_exponent, ExpOffset >= 1 && ExpOffset + AccBits <= 254,
                    "acc_round_fp32: every accumulator value must be a normal fp32")

  logic               negative, zero;
  logic [AccBits-1:0] magnitude, normalized;
  logic [TopBits-1:0] top, lead_shift;
  logic [23:0]        kept;
  logic [24:0]        rounded;
  logic               guard, sticky, round_up, carry;
  logic [TopBits-1:0] top_final;
  logic [7:0]         exponent;

  assign negative  = acc_i[AccBits-1];
  assign zero      = acc_i == '0;
  // The most negative value negates to itself, read as an unsigned magnitude.
  assign magnitude = negative ? -acc_i : acc_i;

  // Priority encoder: the leading one's position (0 for zero).
  always_comb begin
    top = '0;
    for (int i = 0; i < AccBits; i++) begin
      if (magnitude[i]) top = TopBits'(i);
    end
  end

  // The leading one moved to bit AccBits - 1; bits below the magnitude's bit 0 read 0.
  assign lead_shift = TopBits'(AccBits - 1) - top;
  assign normalized = magnitude << lead_shift;
  assign kept       = normalized[AccBits-1 -: 24];
  assign guard      = normalized[AccBits-25];
  assign sticky     = |normalized[AccBits-26:0];
  assign round_up   = guard && (sticky || kept[0]);
  assign rounded    = {1'b0, kept} + 25'(round_up);
  assign carry      = rounded[24];
  assign top_final  = top + TopBits'(carry);
  assign exponent   = 8'(top_final) + 8'(ExpOffset);

  // After a carry the kept bits are 1 followed by zeros: the fraction is 0.
  assign fp32_o = zero ? 32'd0 : {negative, exponent, carry ? 23'd0 : rounded[22:0]};

  // rounded[23] is the leading one (the hidden bit), or 0 after a carry.
  logic unused_hidden;
  assign unused_hidden = rounded[23];
endmodule
