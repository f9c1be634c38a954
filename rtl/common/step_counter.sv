// Counts step_i pulses since start_i; done_o is high while the count equals
// limit_i (combinational, so in the cycle after the step that reaches it).
// The equality is 3-bit group compares (one 6-input LUT each) ANDed on a
// carry chain (the carry out of groups + 1), where a LUT tree mapped by delay
// costs half again as many LUTs. Kept as one module by synthesis.
(* keep_hierarchy *)
module step_counter #(
  parameter int Width = 32
) (
  input  logic             clk_i,
  input  logic             start_i,
  input  logic             step_i,
  input  logic [Width-1:0] limit_i,
  output logic             done_o
);
  localparam int Groups = (Width + 2) / 3;

  logic [Width-1:0] count_q;
  logic [Groups-1:0] group_eq;
  logic [Groups:0]   group_sum;
  for (genvar k = 0; k < Groups; k++) begin : g_group
    localparam int Hi = 3 * k + 2 < Width ? 3 * k + 2 : Width - 1;
    assign group_eq[k] = count_q[Hi:3*k] == limit_i[Hi:3*k];
  end
  assign group_sum = {1'b0, group_eq} + (Groups + 1)'(1);
  assign done_o    = group_sum[Groups];

  always_ff @(posedge clk_i) begin
    if (start_i) begin
      count_q <= '0;
    end else if (step_i) begin
      count_q <= count_q + Width'(1);
    end
  end
endmodule
