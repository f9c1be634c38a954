// Combinational decode of a bf16 weight or activation into the token
// factory's operand, exactly as hls factory_operand() (hls/factory/mac_arith.hpp)
// and golden decode_operand() (golden/factory/factory_arith.hpp) read it:
//   value = (-1)^negative_o * sig_o * 2^(shift_o + FactoryExpMin - 7)
// inside the window [2^FactoryExpMin, 2^FactoryExpMax); below it (zero,
// subnormals, tiny values) sig_o = 0 and shift_o = 0; at or above it, inf and
// NaN, error_o is set and the operand also reads 0. negative_o is the raw sign
// bit in every case.
module bf16_operand #(
  // An offset's width: 0 .. FactoryExpMax - 1 - FactoryExpMin.
  parameter int ShiftBits = $clog2(ws_pkg::FactoryExpMax - ws_pkg::FactoryExpMin)
) (
  input  logic [15:0]          bf16_i,
  output logic                 negative_o,
  output logic [7:0]           sig_o,      // 0 or 128..255 (hidden bit included)
  output logic [ShiftBits-1:0] shift_o,
  output logic                 error_o
);
  localparam int BiasedMin = 127 + ws_pkg::FactoryExpMin;  // the window's lowest biased exponent
  localparam int BiasedTop = 127 + ws_pkg::FactoryExpMax;  // the first biased exponent above it

  logic [7:0] biased, offset;
  logic       too_large, in_window;

  assign biased     = bf16_i[14:7];
  assign too_large  = biased == 8'hFF || biased >= 8'(BiasedTop);
  assign in_window  = biased >= 8'(BiasedMin) && !too_large;
  assign offset     = biased - 8'(BiasedMin);

  assign negative_o = bf16_i[15];
  assign error_o    = too_large;
  assign sig_o      = in_window ? {1'b1, bf16_i[6:0]} : 8'd0;
  assign shift_o    = in_window ? offset[ShiftBits-1:0] : '0;

  // offset < 2^ShiftBits inside the window; its high bits only matter outside.
  logic unused_offset_high;
  assign unused_offset_high = ^offset;
endmodule
