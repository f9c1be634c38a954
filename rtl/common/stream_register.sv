// One register stage on a valid/ready stream: full throughput (a beat per
// clock while the consumer is ready), no beat lost or duplicated under any
// stall pattern. The data register has no reset: only valid does.
module stream_register #(
  parameter int Width = 8
) (
  input  logic             clk_i,
  input  logic             rst_ni,
  input  logic             in_valid_i,
  output logic             in_ready_o,
  input  logic [Width-1:0] in_data_i,
  output logic             out_valid_o,
  input  logic             out_ready_i,
  output logic [Width-1:0] out_data_o
);
  logic             valid_d, valid_q;
  logic [Width-1:0] data_d, data_q;

  assign in_ready_o = ~valid_q | out_ready_i;
  assign valid_d    = in_ready_o ? in_valid_i : valid_q;
  assign data_d     = (in_ready_o && in_valid_i) ? in_data_i : data_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) valid_q <= 1'b0;
    else         valid_q <= valid_d;
  end

  always_ff @(posedge clk_i) begin
    data_q <= data_d;
  end

  assign out_valid_o = valid_q;
  assign out_data_o  = data_q;

`ifndef SYNTHESIS
  // The producer keeps the stream rules (checked), and so does this stage.
  // (Out of synthesis altogether: even empty, the instances move ABC's mapping.)
  stream_checker #(.Width(Width), .Assume(1'b1)) u_in_check (
    .clk_i, .rst_ni, .clear_i (1'b0), .valid_i (in_valid_i), .ready_i (in_ready_o), .data_i (in_data_i)
  );
  stream_checker #(.Width(Width)) u_out_check (
    .clk_i, .rst_ni, .clear_i (1'b0), .valid_i (out_valid_o), .ready_i (out_ready_i), .data_i (out_data_o)
  );
`endif
endmodule
