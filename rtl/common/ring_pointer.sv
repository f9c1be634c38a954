// A ring pointer: 0, 1, .. length_i-1, 0, .. advancing on step_i, cleared by
// start_i; full_o rises with the first wrap (length_i steps since start_i)
// and stays high until the next start_i. A ring buffer of length_i words
// read and written at ptr_o then reads the word written length_i steps
// before. Its own module (kept as one by synthesis), so that the pointer
// register, which has no asynchronous reset here, is not folded into the read
// port of a RAM it addresses. length_i >= 1 and static from start_i on.
(* keep_hierarchy *)
module ring_pointer #(
  parameter int PtrWidth    = 6,
  parameter int LengthWidth = PtrWidth + 1
) (
  input  logic                   clk_i,
  input  logic                   start_i,
  input  logic                   step_i,
  input  logic [LengthWidth-1:0] length_i,
  output logic [PtrWidth-1:0]    ptr_o,
  output logic                   full_o
);
  logic [LengthWidth-1:0] ptr_inc;
  logic                   wrap;
  assign ptr_inc = LengthWidth'(ptr_o) + LengthWidth'(1);
  assign wrap    = ptr_inc == length_i;

  always_ff @(posedge clk_i) begin
    if (start_i || (step_i && wrap)) begin
      ptr_o <= '0;
    end else if (step_i) begin
      ptr_o <= PtrWidth'(ptr_inc);
    end
  end

  always_ff @(posedge clk_i) begin
    if (start_i) begin
      full_o <= 1'b0;
    end else if (step_i) begin
      full_o <= full_o || wrap;
    end
  end
endmodule
