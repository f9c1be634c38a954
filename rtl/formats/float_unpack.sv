// Combinational decode of a Float<E, M, Flavor> pattern into the unpacked
// form. Flavor: 0 IEEE (inf and NaN at the all-ones exponent), 1 OCP E4M3
// (NaN only when exponent and fraction are all ones, no inf), 2 finite only
// (OCP FP6/FP4). Subnormals are normalized by a leading-zero count and shift.
module float_unpack #(
  parameter int E      = 8,
  parameter int M      = 7,
  parameter int Flavor = 0
) (
  input  logic [E+M:0]          bits_i,
  output logic [1:0]            class_o,
  output logic                  sign_o,
  output logic signed [E+1:0]   exp_o,
  output logic [M:0]            sig_o
);
  localparam int ExpWidth   = E + 2;
  localparam int Bias       = (1 << (E - 1)) - 1;
  localparam int CountWidth = $clog2(M + 1);
  localparam logic [1:0] ClassZero = 2'd0, ClassFinite = 2'd1, ClassInf = 2'd2, ClassNaN = 2'd3;

  logic                       sign, exponent_all_ones, fraction_zero, fraction_ones;
  logic [E-1:0]               biased;
  logic [M-1:0]               fraction, subnormal_fraction;
  logic [CountWidth-1:0]      leading_zeros;
  logic signed [ExpWidth-1:0] normal_exponent, subnormal_exponent;

  assign sign              = bits_i[E+M];
  assign biased            = bits_i[E+M-1:M];
  assign fraction          = bits_i[M-1:0];
  assign exponent_all_ones = &biased;
  assign fraction_zero     = fraction == '0;
  assign fraction_ones     = &fraction;

  leading_zero_count #(.Width(M)) u_subnormal_shift (
    .bits_i  (fraction),
    .count_o (leading_zeros)
  );

  // A subnormal 0.f * 2^(1-Bias) becomes 1.f' * 2^(1-Bias-(leading_zeros+1)).
  assign subnormal_fraction = (fraction << leading_zeros) << 1;
  assign subnormal_exponent = ExpWidth'(-Bias) - ExpWidth'(leading_zeros);
  assign normal_exponent    = ExpWidth'(biased) - ExpWidth'(Bias);

  always_comb begin
    class_o = ClassFinite;
    sign_o  = sign;
    exp_o   = normal_exponent;
    sig_o   = {1'b1, fraction};
    if (biased == '0) begin
      exp_o = subnormal_exponent;
      sig_o = {1'b1, subnormal_fraction};
      if (fraction_zero) begin
        class_o = ClassZero;
        exp_o   = '0;
        sig_o   = '0;
      end
    end
    if (Flavor == 0 && exponent_all_ones) begin
      class_o = fraction_zero ? ClassInf : ClassNaN;
      exp_o   = '0;
      sig_o   = {1'b0, fraction};
    end
    if (Flavor == 1 && exponent_all_ones && fraction_ones) begin
      class_o = ClassNaN;
      exp_o   = '0;
      sig_o   = {1'b0, fraction};
    end
  end
endmodule
