// Float<E, M, Flavor> decoder: valid/ready in and out, registered output.
// Flavor: 0 IEEE, 1 OCP E4M3 (NaN all ones, no inf), 2 finite only (FP6/FP4).
module float_decoder #(
  parameter int E      = 8,
  parameter int M      = 7,
  parameter int Flavor = 0
) (
  input  logic                             clk_i,
  input  logic                             rst_ni,
  input  logic                             in_valid_i,
  output logic                             in_ready_o,
  input  logic [E+M:0]                     in_bits_i,
  output logic                             out_valid_o,
  input  logic                             out_ready_i,
  output logic [ws_pkg::NumClassWidth-1:0] out_class_o,
  output logic                             out_sign_o,
  output logic signed [E+1:0]              out_exp_o,
  output logic [M:0]                       out_sig_o
);
  localparam int DataWidth = ws_pkg::NumClassWidth + 1 + (E + 2) + (M + 1);

  logic [ws_pkg::NumClassWidth-1:0] class_c;
  logic                sign_c;
  logic signed [E+1:0] exp_c;
  logic [M:0]          sig_c;

  float_unpack #(.E(E), .M(M), .Flavor(Flavor)) u_unpack (
    .bits_i  (in_bits_i),
    .class_o (class_c),
    .sign_o  (sign_c),
    .exp_o   (exp_c),
    .sig_o   (sig_c)
  );

  stream_register #(.Width(DataWidth)) u_output (
    .clk_i,
    .rst_ni,
    .in_valid_i,
    .in_ready_o,
    .in_data_i   ({class_c, sign_c, exp_c, sig_c}),
    .out_valid_o,
    .out_ready_i,
    .out_data_o  ({out_class_o, out_sign_o, out_exp_o, out_sig_o})
  );
endmodule
