// Posit<N, ES> decoder: valid/ready in and out, registered output.
// out_sig_o holds the hidden bit and the N-3-ES fraction bits a posit of this
// size can carry; see docs/FORMAT.md for the unpacked form.
module posit_decoder #(
  parameter int N  = 16,
  parameter int ES = 1
) (
  input  logic                                 clk_i,
  input  logic                                 rst_ni,
  input  logic                                 in_valid_i,
  output logic                                 in_ready_o,
  input  logic [N-1:0]                         in_bits_i,
  output logic                                 out_valid_o,
  input  logic                                 out_ready_i,
  output logic [ws_pkg::NumClassWidth-1:0]     out_class_o,
  output logic                                 out_sign_o,
  output logic signed [$clog2(N)+ES:0]         out_exp_o,
  output logic [(N-2-ES > 1 ? N-2-ES : 1)-1:0] out_sig_o
);
  localparam int ExpWidth   = $clog2(N) + ES + 1;
  localparam int SigWidth   = N - 2 - ES > 1 ? N - 2 - ES : 1;
  localparam int DataWidth  = ws_pkg::NumClassWidth + 1 + ExpWidth + SigWidth;

  logic [ws_pkg::NumClassWidth-1:0] class_c;
  logic                      sign_c;
  logic signed [ExpWidth-1:0] exp_c;
  logic [N-3:0]              sig_c;

  posit_unpack #(.N(N), .ESMax(ES)) u_unpack (
    .bits_i  (in_bits_i),
    .es_i    (2'(ES)),
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
    .in_data_i   ({class_c, sign_c, exp_c, sig_c[N-3 -: SigWidth]}),
    .out_valid_o,
    .out_ready_i,
    .out_data_o  ({out_class_o, out_sign_o, out_exp_o, out_sig_o})
  );
endmodule
