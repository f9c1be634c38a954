// Combinational decode of a Float<E, M, Flavor> pattern into the unpacked
// form. Flavor: 0 IEEE (inf and NaN at the all-ones exponent), 1 OCP E4M3
// (NaN only when exponent and fraction are all ones, no inf), 2 finite only
// (OCP FP6/FP4). A subnormal's leading zeros are counted and shifted out in
// one normalizing shifter.
//
// No clearing muxes on the wide outputs: the fraction field is the raw
// fraction or the normalized subnormal one (both zero for a zero), and one
// adder makes every exponent, the 0 of zero, inf and NaN included.
module float_unpack #(
  parameter int E      = 8,
  parameter int M      = 7,
  parameter int Flavor = 0
) (
  input  logic [E+M:0]                     bits_i,
  output logic [ws_pkg::NumClassWidth-1:0] class_o,  // ws_pkg::num_class_e
  output logic                             sign_o,
  output logic signed [E+1:0]              exp_o,
  output logic [M:0]                       sig_o
);
  localparam int ExpWidth = E + 2;
  localparam int Bias     = (1 << (E - 1)) - 1;
  // The exponents lie in [-Bias - (M - 1), 2^E - 1 - Bias]: usually E + 1
  // bits hold them, and the top output bit is a copy of the sign.
  localparam int SumWidth = Bias + M - 1 <= (1 << E) ? E + 1 : E + 2;

  logic                sign, exponent_zero, exponent_all_ones, fraction_zero, fraction_ones;
  logic                is_zero, is_inf, is_nan, no_exponent;
  logic [E-1:0]        biased;
  logic [M-1:0]        fraction, subnormal_fraction;
  logic [SumWidth-1:0] addend, exponent;

  assign sign              = bits_i[E+M];
  assign biased            = bits_i[E+M-1:M];
  assign fraction          = bits_i[M-1:0];
  assign exponent_zero     = biased == '0;
  assign exponent_all_ones = &biased;
  assign fraction_zero     = fraction == '0;
  assign fraction_ones     = &fraction;

  assign is_zero     = exponent_zero && fraction_zero;
  assign is_inf      = Flavor == 0 && exponent_all_ones && fraction_zero;
  assign is_nan      = (Flavor == 0 && exponent_all_ones && !fraction_zero) ||
                       (Flavor == 1 && exponent_all_ones && fraction_ones);
  assign no_exponent = is_zero || is_inf || is_nan;  // exponent 0, no hidden bit

  // exponent = addend - Bias: biased - Bias for a normal number, Bias - Bias
  // = 0 for zero, inf and NaN; a subnormal 0.f * 2^(1-Bias) becomes
  // 1.f' * 2^(1-Bias-(leading_zeros+1)), so ~leading_zeros + 1 - Bias.
  if (M > 1) begin : g_subnormal
    localparam int CountWidth = $clog2(M + 1);
    logic [CountWidth-1:0] leading_zeros;
    logic [M-2:0]          rest;
    logic                  subnormal;

    leading_run_normalize #(.Width(M)) u_subnormal (
      .bits_i    (fraction),
      .run_bit_i (1'b0),
      .count_o   (leading_zeros),
      .rest_o    (rest)
    );
    assign subnormal_fraction = {rest, 1'b0};
    assign subnormal          = exponent_zero && !fraction_zero;

    always_comb begin
      addend = SumWidth'(biased);
      if (exponent_zero) addend = ~(SumWidth'(leading_zeros));
      if (no_exponent)   addend = SumWidth'(Bias);
    end
    assign exponent = addend - SumWidth'(Bias) + SumWidth'(subnormal);
  end else begin : g_one_fraction_bit
    // The only subnormal, 0.1 * 2^(1-Bias), is 1.0 * 2^(0-Bias).
    assign subnormal_fraction = 1'b0;
    assign addend             = no_exponent ? SumWidth'(Bias) : SumWidth'(biased);
    assign exponent           = addend - SumWidth'(Bias);
  end

  assign class_o = is_zero ? ws_pkg::ClassZero : is_inf ? ws_pkg::ClassInf : is_nan ? ws_pkg::ClassNaN : ws_pkg::ClassFinite;
  assign sign_o  = sign;
  assign sig_o   = {!no_exponent, exponent_zero ? subnormal_fraction : fraction};
  if (SumWidth < ExpWidth) begin : g_sign_extend
    assign exp_o = {exponent[SumWidth-1], exponent};
  end else begin : g_full_width
    assign exp_o = exponent;
  end
endmodule
